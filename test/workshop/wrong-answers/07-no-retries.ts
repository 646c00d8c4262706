/** Exercise 7, a wrong answer: no retries, so no duplicates, but the first lost answer fails the send. */
import type { ProducerConfig } from 'kafkajs';
import type { Acks } from '../../../workshop/lib/order.js';

export const producerConfig: ProducerConfig = { retry: { retries: 0 }, maxInFlightRequests: 5 };

export const acks: Acks = -1;
