import kafkajs from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { BrokerUnreachableError, HarnessError } from '../../../shared/errors.js';
import { deliveryRetry, explainKafkaError } from '../../../shared/kafka-client.js';

const { KafkaJSConnectionError, KafkaJSNumberOfRetriesExceeded, KafkaJSProtocolError } = kafkajs;

/** A broker error as KafkaJS builds it from an error code: the code's entry says whether to retry. */
function protocolError(message: string, type: string, code: number, retriable: boolean): InstanceType<typeof KafkaJSProtocolError> {
  return new KafkaJSProtocolError(Object.assign(new Error(message), { type, code, retriable }));
}

describe('explainKafkaError', () => {
  it('turns a connection failure, however deeply wrapped, into BrokerUnreachableError', () => {
    const refused = new KafkaJSConnectionError('Connection error: connect ECONNREFUSED 127.0.0.1:1');
    const exhausted = new KafkaJSNumberOfRetriesExceeded(refused, { retryCount: 5, retryTime: 4000 });
    const explained = explainKafkaError(exhausted, ['127.0.0.1:1']);
    expect(explained).toBeInstanceOf(BrokerUnreachableError);
    expect((explained as Error).message).toMatch(/127\.0\.0\.1:1/);
  });

  it('wraps other KafkaJS errors with their retriability', () => {
    const explained = explainKafkaError(protocolError('This server does not host this topic-partition', 'UNKNOWN_TOPIC_OR_PARTITION', 3, true), ['b:1']);
    expect(explained).toBeInstanceOf(HarnessError);
    expect((explained as HarnessError).message).toMatch(/^Kafka request failed: This server does not host/);
    expect((explained as HarnessError).retriable).toBe(true);

    const final = explainKafkaError(protocolError('Not authorized to access topics: [Topic authorization failed]', 'TOPIC_AUTHORIZATION_FAILED', 29, false), [
      'b:1',
    ]);
    expect((final as HarnessError).retriable).toBe(false);
  });

  it('passes through errors that are not Kafka errors', () => {
    const error = new TypeError('bug');
    expect(explainKafkaError(error, ['b:1'])).toBe(error);
  });
});

describe('deliveryRetry', () => {
  it("waits about two minutes in all, like the Java producer's delivery.timeout.ms (the default ~6 s gave up during a broker restart)", () => {
    const { retries = 0, initialRetryTime = 0, maxRetryTime = 0 } = deliveryRetry;
    let waitMs = 0;
    for (let retry = 0, delay = initialRetryTime; retry < retries; retry += 1, delay = Math.min(delay * 2, maxRetryTime)) waitMs += delay;
    expect(waitMs).toBeGreaterThan(100_000);
    expect(waitMs).toBeLessThan(150_000);
    // A restarted broker is found again within a couple of seconds.
    expect(maxRetryTime).toBeLessThanOrEqual(2_000);
  });
});
