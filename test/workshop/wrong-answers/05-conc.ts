/** Exercise 5, a wrong answer: the 3 partitions side by side, but each still one order at a time (20 s). */
import type { Consumer } from 'kafkajs';
import { createConsumer } from '../../../shared/kafka-client.js';
import type { Order, SaverOptions } from '../../../workshop/lib/order.js';

export async function startSaver(options: SaverOptions): Promise<Consumer> {
  const consumer = createConsumer(options.kafka, { groupId: options.groupId });
  await consumer.connect();
  await consumer.subscribe({ topic: options.topic, fromBeginning: true });
  await consumer.run({
    partitionsConsumedConcurrently: 3,
    eachMessage: async ({ message }) => {
      await options.saveOrder(JSON.parse(String(message.value)) as Order);
    },
  });
  return consumer;
}
