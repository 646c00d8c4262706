/** Exercise 7, a wrong answer: no retries, so no duplicates, but the first lost answer fails the send. */
import type { ProducerConfig } from 'kafkajs';

export const producerConfig: ProducerConfig = { retry: { retries: 0 }, maxInFlightRequests: 5 };

export const acks: -1 | 0 | 1 = -1;
