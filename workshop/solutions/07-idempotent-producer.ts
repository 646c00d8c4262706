/** Reference solution of exercise 7: the broker numbers each producer's batches and drops a repeat. */
import type { ProducerConfig } from 'kafkajs';
import type { Acks } from '../lib/order.js';

export const producerConfig: ProducerConfig = {
  idempotent: true,
  // The broker remembers the last 5 batches of each producer and partition: more in flight and a retry could fall outside that window.
  maxInFlightRequests: 5,
};

/** Idempotence counts on every in-sync replica having the batch; KafkaJS refuses it with any other acks. */
export const acks: Acks = -1;
