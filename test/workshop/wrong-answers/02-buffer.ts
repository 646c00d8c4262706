/**
 * Exercise 2, a wrong answer: onOrder gets the message value as it comes (a Buffer), not the order.
 */
import type { Consumer } from 'kafkajs';
import { createConsumer } from '../../../shared/kafka-client.js';
import type { MemberOptions, Order } from '../../../workshop/lib/order.js';

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
