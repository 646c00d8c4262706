/**
 * Exercise 1: keys and partitions. Run `npm run exercise -- check 1` when you think it is done.
 */
import type { Producer } from 'kafkajs';
// Order: { id, customer, seq, amount }; seq is 1, 2, 3 … per customer, the order they must be read in.
import type { Order } from '../lib/order.js';

/**
 * Sends the orders to `topic`, each as one message whose value is the order as JSON. Every order of one
 * customer must land on one partition, in the order of `orders`.
 */
export async function sendOrders(producer: Producer, topic: string, orders: readonly Order[]): Promise<void> {
  // TODO: as it is, each order goes to whichever partition comes next, and the sends race each other.
  await Promise.all(orders.map((order) => producer.send({ topic, messages: [{ value: JSON.stringify(order) }] })));
}
