/**
 * Exercise 2: consumer groups and rebalancing. Run `npm run exercise -- check 2` when you think it is done.
 */
import type { Consumer } from 'kafkajs';
import { createConsumer } from '../../shared/kafka-client.js';
// MemberOptions: { kafka, topic, groupId, onOrder(order, partition) }; call onOrder once for every order
// this member reads (the message's value is the Order { id, customer, seq, amount } as JSON).
import type { MemberOptions } from '../lib/order.js';

/**
 * Starts one member of the group `groupId`: with the other members of the group it reads `topic`, each
 * member its share of the partitions. Returns the running consumer (the check disconnects it).
 */
export async function startMember(options: MemberOptions): Promise<Consumer> {
  const consumer = createConsumer(options.kafka, { groupId: options.groupId });
  await consumer.connect();
  // TODO: subscribe to the topic, then run the consumer so that every message's order reaches onOrder.
  return consumer;
}
