/**
 * Exercise 10: dead letters. The check runs a consumer on a topic of orders and calls handleMessage
 * for each message. A few messages are poison: not JSON at all, or JSON that is not an order. As it is,
 * one poison message throws, the consumer retries it forever and every order behind it waits.
 */
// HandleArgs: { topic (the message's), message, producer (connected, for the dead letters), processOrder (what
// the business does with a valid order) }. parseOrder(value) throws on a value that is not JSON, or not an order.
import { type HandleArgs, parseOrder } from '../lib/order.js';

export async function handleMessage({ message, processOrder }: HandleArgs): Promise<void> {
  // TODO: a message that can never be processed must not stop the others. Send it to `<topic>.dlq`,
  // key and value unchanged, with the reason in an `x-error` header, and carry on with the next one.
  const order = parseOrder(message.value);
  await processOrder(order);
}
