/** Reference solution of exercise 6: 3 copies, a write counts once 2 have it, and the producer waits for that. */
import type { ProducerConfig } from 'kafkajs';

export interface TopicSettings {
  replicationFactor: number;
  configs: Record<string, string>;
}

// min.insync.replicas 2 of 3: a write is on two machines before it is acknowledged, and one broker may be down without stopping writes.
export const topicSettings: TopicSettings = {
  replicationFactor: 3,
  configs: { 'min.insync.replicas': '2' },
};

// Idempotent, so a send retried across the failover is not written twice.
export const producerConfig: ProducerConfig = { idempotent: true, maxInFlightRequests: 5 };

export const acks: -1 | 0 | 1 = -1;
