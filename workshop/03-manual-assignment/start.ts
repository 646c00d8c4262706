/**
 * Exercise 3: manual assignment. Run `npm run exercise -- check 3` when you think it is done.
 */
import type { Consumer } from 'kafkajs';
import { createConsumer } from '../../shared/kafka-client.js';
// ReaderOptions: { kafka, topic, groupId, partitions, onOrder(order, partition) }: read exactly `partitions`
// (e.g. [1, 4]); the group is only where KafkaJS commits offsets. Order: { id, customer, seq, amount }.
import type { Order, ReaderOptions } from '../lib/order.js';

/** Starts a consumer that reads exactly `partitions` of `topic`, from the beginning. Returns it running. */
export async function startReader(options: ReaderOptions): Promise<Consumer> {
  // TODO: as it is, the group hands this consumer every partition of the topic, and it reads them all.
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
