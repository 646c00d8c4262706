/**
 * Reference solution of exercise 1: the customer id as the key sends all of a customer's orders to one
 * partition (murmur2 of the key), and one send keeps them in the order given.
 */
import type { Producer } from 'kafkajs';
import type { Order } from '../lib/order.js';

export async function sendOrders(producer: Producer, topic: string, orders: readonly Order[]): Promise<void> {
  await producer.send({ topic, messages: orders.map((order) => ({ key: order.customer, value: JSON.stringify(order) })) });
}
