/**
 * Reference solution of exercise 2: subscribe and run. The group coordinator does the rest: it shares
 * the partitions among the members, and gives a leaving member's partitions to the others.
 */
import type { Consumer } from 'kafkajs';
import { createConsumer, type KafkaClient } from '../../shared/kafka-client.js';

export interface Order {
  id: string;
  customer: string;
  seq: number;
  amount: number;
}

export interface MemberOptions {
  kafka: KafkaClient;
  topic: string;
  groupId: string;
  onOrder: (order: Order, partition: number) => void;
}

export async function startMember(options: MemberOptions): Promise<Consumer> {
  const consumer = createConsumer(options.kafka, { groupId: options.groupId });
  await consumer.connect();
  await consumer.subscribe({ topic: options.topic, fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ partition, message }) => {
      options.onOrder(JSON.parse(String(message.value)) as Order, partition);
    },
  });
  return consumer;
}
