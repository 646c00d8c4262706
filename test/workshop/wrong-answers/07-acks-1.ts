/** Exercise 7, a wrong answer: idempotent, but acks 1 and 10 requests in flight. KafkaJS refuses the first send. */
import type { ProducerConfig } from 'kafkajs';
import type { Acks } from '../../../workshop/lib/order.js';

export const producerConfig: ProducerConfig = { idempotent: true, maxInFlightRequests: 10 };

export const acks: Acks = 1;
