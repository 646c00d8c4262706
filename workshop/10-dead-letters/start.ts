/**
 * Exercise 10: dead letters. The check runs a consumer on a topic of orders and calls handleMessage
 * for each message. A few messages are poison: not JSON at all, or JSON that is not an order. As it is,
 * one poison message throws, the consumer retries it forever and every order behind it waits.
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

export async function handleMessage({ message, processOrder }: HandleArgs): Promise<void> {
  // TODO: a message that can never be processed must not stop the others. Send it to `<topic>.dlq`,
  // key and value unchanged, with the reason in an `x-error` header, and carry on with the next one.
  const order = parseOrder(message.value);
  await processOrder(order);
}
