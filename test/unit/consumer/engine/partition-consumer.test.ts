import kafkajs from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { isBrokerError } from '../../../../consumer/engine/partition-consumer.js';

const { KafkaJSConnectionError, KafkaJSNumberOfRetriesExceeded } = kafkajs;

describe('isBrokerError', () => {
  it('lets KafkaJS restart the consumer after broker trouble', () => {
    const cause = new KafkaJSConnectionError('Connection error: connect ECONNREFUSED 127.0.0.1:9092');
    expect(isBrokerError(new KafkaJSNumberOfRetriesExceeded(cause, { retryCount: 5, retryTime: 1000 }))).toBe(true);
  });

  it('does not for a bug or a broken sink, which a restart in place would repeat forever', () => {
    const cause = new TypeError("Cannot read properties of undefined (reading 'offset')");
    expect(isBrokerError(new KafkaJSNumberOfRetriesExceeded(cause, { retryCount: 5, retryTime: 1000 }))).toBe(false);
    expect(isBrokerError(undefined)).toBe(false);
  });
});
