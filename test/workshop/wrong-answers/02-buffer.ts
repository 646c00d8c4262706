/**
 * Exercise 2, a wrong answer: onOrder gets the message value as it comes (a Buffer), not the order.
 */
import type { Consumer } from 'kafkajs';
import { createConsumer, type KafkaClient } from '../../../shared/kafka-client.js';

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
  /** Call it once for every order this member reads (the message's value is the order as JSON). */
  onOrder: (order: Order, partition: number) => void;
}

/**
 * Starts one member of the group `groupId`: with the other members of the group it reads `topic`, each
 * member its share of the partitions. Returns the running consumer (the check disconnects it).
 */
export async function startMember(options: MemberOptions): Promise<Consumer> {
  const consumer = createConsumer(options.kafka, { groupId: options.groupId });
  await consumer.connect();
  await consumer.subscribe({ topic: options.topic });
  await consumer.run({
    eachMessage: async ({ partition, message }) => {
      options.onOrder(message.value as unknown as Order, partition);
    },
  });
  return consumer;
}
