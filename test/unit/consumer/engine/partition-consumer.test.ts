import { createRequire } from 'node:module';
import kafkajs from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { isBrokerError, rethrowRebalance } from '../../../../consumer/engine/partition-consumer.js';

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

describe('rethrowRebalance', () => {
  const require = createRequire(import.meta.url);
  const createRetry: (options: object) => (fn: () => Promise<void>) => Promise<void> = require('kafkajs/src/retry/index.js');
  const { createErrorFromCode }: { createErrorFromCode: (code: number) => Error } = require('kafkajs/src/protocol/error.js');
  const { KafkaJSProtocolError } = kafkajs;
  /** What consumer.commitOffsets() rejects with when the broker answers `code`: KafkaJS's runner retrier wraps it. */
  const commitRefused = (code: number): Promise<unknown> =>
    createRetry({ retries: 0, initialRetryTime: 1 })(async () => {
      throw new KafkaJSProtocolError(createErrorFromCode(code));
    }).catch((error: unknown) => error);

  it("gives KafkaJS's runner back the broker's UNKNOWN_MEMBER_ID, so it rejoins instead of crashing (fault scenario 9)", async () => {
    const wrapped = await commitRefused(25);
    // The wrapper hides the type that the runner rejoins on: this is what crashed the admin's consumers.
    expect((wrapped as { type?: string }).type).toBeUndefined();
    expect(() => rethrowRebalance(wrapped)).toThrow(expect.objectContaining({ type: 'UNKNOWN_MEMBER_ID' }));
  });

  it('does the same for a new generation (ILLEGAL_GENERATION) and leaves other errors as they were', async () => {
    expect(() =>
      rethrowRebalance(new KafkaJSNumberOfRetriesExceeded(new KafkaJSProtocolError(createErrorFromCode(22)), { retryCount: 5, retryTime: 1 })),
    ).toThrow(expect.objectContaining({ type: 'ILLEGAL_GENERATION' }));
    const other = await commitRefused(29);
    expect(() => rethrowRebalance(other)).toThrow(other as Error);
  });
});
