/**
 * Exercise 10, a wrong answer: the try covers processOrder too, so an order whose processing fails once
 * (a service briefly down) is dead-lettered instead of retried.
 */
import { type HandleArgs, parseOrder } from '../../../workshop/lib/order.js';

export async function handleMessage({ topic, message, producer, processOrder }: HandleArgs): Promise<void> {
  try {
    const order = parseOrder(message.value);
    await processOrder(order);
  } catch (error) {
    await producer.send({
      topic: `${topic}.dlq`,
      messages: [{ key: message.key, value: message.value, headers: { 'x-error': String(error) } }],
    });
  }
}
