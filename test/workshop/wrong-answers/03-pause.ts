/**
 * Exercise 3, a wrong answer: subscribe like any member, then pause the partitions it was not given.
 * It fetches nothing from them, but the group still hands it all 6: nobody else can read them.
 */
import type { Consumer } from 'kafkajs';
import { createConsumer } from '../../../shared/kafka-client.js';
import type { Order, ReaderOptions } from '../../../workshop/lib/order.js';

export async function startReader(options: ReaderOptions): Promise<Consumer> {
  const consumer = createConsumer(options.kafka, { groupId: options.groupId });
  await consumer.connect();
  await consumer.subscribe({ topic: options.topic, fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ partition, message }) => {
      options.onOrder(JSON.parse(String(message.value)) as Order, partition);
    },
  });
  const others = [0, 1, 2, 3, 4, 5].filter((partition) => !options.partitions.includes(partition));
  consumer.pause([{ topic: options.topic, partitions: others }]);
  return consumer;
}
