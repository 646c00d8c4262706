/**
 * Exercise 3: manual assignment. Run `npm run exercise -- check 3` when you think it is done.
 */
import type { Consumer } from 'kafkajs';
import { createConsumer, type KafkaClient } from '../../shared/kafka-client.js';

export interface Order {
  id: string;
  customer: string;
  seq: number;
  amount: number;
}

export interface ReaderOptions {
  kafka: KafkaClient;
  topic: string;
  /** KafkaJS commits offsets to a group, so even a reader of chosen partitions has one. */
  groupId: string;
  /** The partitions to read, and the only ones: e.g. [1, 4]. */
  partitions: readonly number[];
  /** Call it once for every order read (the message's value is the order as JSON). */
  onOrder: (order: Order, partition: number) => void;
}

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
