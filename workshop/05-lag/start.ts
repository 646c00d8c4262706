/**
 * Exercise 5: lag. Run `npm run exercise -- check 5` when you think it is done.
 */
import type { Consumer } from 'kafkajs';
import { createConsumer } from '../../shared/kafka-client.js';
// SaverOptions: { kafka, topic, groupId, saveOrder(order) }; saveOrder stores one order in another service:
// about 10 ms per call, a network round trip, however many calls are in flight at once.
import type { Order, SaverOptions } from '../lib/order.js';

/** Starts a consumer that saves every order of `topic` with saveOrder. Returns it running. */
export async function startSaver(options: SaverOptions): Promise<Consumer> {
  const consumer = createConsumer(options.kafka, { groupId: options.groupId });
  await consumer.connect();
  await consumer.subscribe({ topic: options.topic, fromBeginning: true });
  // TODO: one order at a time, one partition at a time: 10 ms each, so 6,000 orders take a minute.
  await consumer.run({
    eachMessage: async ({ message }) => {
      await options.saveOrder(JSON.parse(String(message.value)) as Order);
    },
  });
  return consumer;
}
