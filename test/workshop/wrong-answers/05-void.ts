/** Exercise 5, a wrong answer: saveOrder not awaited, so KafkaJS commits each batch before its orders are saved. */
import type { Consumer } from 'kafkajs';
import { createConsumer } from '../../../shared/kafka-client.js';
import type { Order, SaverOptions } from '../../../workshop/lib/order.js';

export async function startSaver(options: SaverOptions): Promise<Consumer> {
  const consumer = createConsumer(options.kafka, { groupId: options.groupId });
  await consumer.connect();
  await consumer.subscribe({ topic: options.topic, fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ message }) => {
      void options.saveOrder(JSON.parse(String(message.value)) as Order);
    },
  });
  return consumer;
}
