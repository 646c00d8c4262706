/**
 * The kafka-harness patch of KafkaJS's consumer runner (patches/kafkajs+2.2.4.patch): a consumer
 * that is stopping does not join its group again when the group rebalances under it (another
 * member left first); it goes on to leave. Driven with a stub consumer group: the moment a heartbeat
 * reports the rebalance during a stop can't be timed against a real broker.
 */
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';

const require = createRequire(import.meta.url);
// biome-ignore lint/suspicious/noExplicitAny: KafkaJS's internals are untyped CommonJS.
type Untyped = any;
const Runner: Untyped = require('kafkajs/src/consumer/runner.js');
const { KafkaJSProtocolError }: Untyped = require('kafkajs/src/errors.js');
const { createErrorFromCode }: Untyped = require('kafkajs/src/protocol/error.js');
const { createLogger, LEVELS }: Untyped = require('kafkajs/src/loggers/index.js');

const rebalanceInProgressCode = 27;

/** A runner whose fetch fails once with a rebalance; `stopDuringFetch` stops it while that fetch is out. */
function runnerWithRebalance(stopDuringFetch: boolean) {
  const joins: string[] = [];
  const logger = createLogger({ level: LEVELS.NOTHING, logCreator: () => () => {} });
  const consumerGroup = {
    groupId: 'g',
    memberId: 'm',
    getNodeIds: () => [],
    joinAndSync: async () => {
      joins.push('join');
      // One round is enough to see what the runner does; then it stops for good.
      runner.running = false;
    },
  };
  const runner = new Runner({ logger, consumerGroup, instrumentationEmitter: { emit: () => {} }, eachBatch: async () => {}, onCrash: () => {} });
  runner.running = true;
  runner.fetchManager = {
    start: async () => {
      if (stopDuringFetch) runner.running = false;
      // What the fetcher's heartbeat throws once another member has left the group.
      throw new KafkaJSProtocolError(createErrorFromCode(rebalanceInProgressCode));
    },
    stop: async () => {},
  };
  return { runner, joins };
}

describe('KafkaJS runner patch: no re-join while stopping', () => {
  it('does not join the group again when the rebalance comes during a stop', async () => {
    const { runner, joins } = runnerWithRebalance(true);
    runner.scheduleFetchManager();
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(joins).toEqual([]);
    expect(runner.consuming).toBe(false);
  });

  it('still re-joins when it is running', async () => {
    const { runner, joins } = runnerWithRebalance(false);
    runner.scheduleFetchManager();
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(joins).toEqual(['join']);
  });
});
