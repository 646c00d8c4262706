/**
 * Exercise 7: the idempotent producer. The check sends 300 orders with this configuration through a
 * network that loses some of the broker's answers, so your producer retries sends the broker has
 * already written. Make those retries harmless: every order must land in the topic exactly once.
 */
import type { ProducerConfig } from 'kafkajs';
// Acks: 0 (none), 1 (the leader wrote it) or -1 (every in-sync replica has it).
import type { Acks } from '../lib/order.js';

/** Given to createProducer(kafka, producerConfig); see the KafkaJS producer options. */
export const producerConfig: ProducerConfig = {
  // TODO: ask the broker to recognise a send it already has (and keep what that needs: few requests in flight).
  maxInFlightRequests: 10,
};

/** The acks of every send. */
// TODO: which acks does an idempotent producer need?
export const acks: Acks = 1;
