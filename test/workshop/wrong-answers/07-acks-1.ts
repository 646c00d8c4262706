/** Exercise 7, a wrong answer: idempotent, but acks 1 and 10 requests in flight. KafkaJS refuses the first send. */
import type { ProducerConfig } from 'kafkajs';

export const producerConfig: ProducerConfig = { idempotent: true, maxInFlightRequests: 10 };

export const acks: -1 | 0 | 1 = 1;
