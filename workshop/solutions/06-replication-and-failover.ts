/** Reference solution of exercise 6: 3 copies, a write counts once 2 have it, and the producer waits for that. */
import type { ProducerConfig } from 'kafkajs';
import type { Acks, TopicSettings } from '../lib/order.js';

// min.insync.replicas 2 of 3: a write is on two machines before it is acknowledged, and one broker may be down without stopping writes.
export const topicSettings: TopicSettings = {
  replicationFactor: 3,
  configs: { 'min.insync.replicas': '2' },
};

// Idempotent, so a send retried across the failover is not written twice.
export const producerConfig: ProducerConfig = { idempotent: true, maxInFlightRequests: 5 };

export const acks: Acks = -1;
