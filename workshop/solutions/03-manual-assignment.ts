/**
 * Reference solution of exercise 3: KafkaJS has no assign(), but the group's leader runs whatever
 * partition assigner the members agree on. The harness's static assigner gives each member exactly the
 * partitions it declares, so the others are never fetched, read or committed.
 */
import type { Consumer } from 'kafkajs';
import { createStaticAssigner } from '../../consumer/engine/static-assigner.js';
import { createConsumer } from '../../shared/kafka-client.js';
import type { Order, ReaderOptions } from '../lib/order.js';

export async function startReader(options: ReaderOptions): Promise<Consumer> {
  const consumer = createConsumer(options.kafka, {
    groupId: options.groupId,
    partitionAssigners: [createStaticAssigner(options.topic, options.partitions)],
  });
  await consumer.connect();
  await consumer.subscribe({ topic: options.topic, fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ partition, message }) => {
      options.onOrder(JSON.parse(String(message.value)) as Order, partition);
    },
  });
  return consumer;
}
