/**
 * Reference solution of exercise 2: subscribe and run. The group coordinator does the rest: it shares
 * the partitions among the members, and gives a leaving member's partitions to the others.
 */
import type { Consumer } from 'kafkajs';
import { createConsumer } from '../../shared/kafka-client.js';
import type { MemberOptions, Order } from '../lib/order.js';

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
