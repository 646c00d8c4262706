/**
 * Exercise 10, a wrong answer: the try covers processOrder too, so an order whose processing fails once
 * (a service briefly down) is dead-lettered instead of retried.
 */
import type { KafkaMessage, Producer } from 'kafkajs';
import { z } from 'zod';

export const OrderSchema = z.object({ id: z.string(), amount: z.number().positive() });
export type Order = z.infer<typeof OrderSchema>;

export interface HandleArgs {
  /** The topic the message came from. */
  topic: string;
  message: KafkaMessage;
  /** A connected producer, for the dead letters. */
  producer: Producer;
  /** What the business does with a valid order. */
  processOrder: (order: Order) => Promise<void>;
}

/** Throws on a value that is not JSON, or not an order. */
export function parseOrder(value: Buffer | null): Order {
  return OrderSchema.parse(JSON.parse(value?.toString('utf8') ?? ''));
}

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
