import { describe, expect, it } from 'vitest';
import { brokersFlag, createCli, requireInteger } from '../../../shared/cli.js';
import { readSettings } from '../../../shared/config.js';
import { UsageError } from '../../../shared/errors.js';

/** The settings as they would be with KAFKA_BROKERS set, so the default is not just the built-in one. */
const settings = readSettings({ KAFKA_BROKERS: 'env-a:9092,env-b:9093' });

async function parseBrokers(args: readonly string[]): Promise<unknown> {
  const argv = await createCli(args, { scriptName: 'test' })
    .options({ brokers: brokersFlag(settings) })
    .parseAsync();
  return argv.brokers;
}

/** The error a call throws or rejects with, so a test can check both its class and its message. */
async function errorOf(run: () => unknown): Promise<unknown> {
  try {
    await run();
  } catch (error) {
    return error;
  }
  throw new Error('expected an error, but none was thrown');
}

/** Checks the call fails with a UsageError saying exactly `message`. */
async function expectUsageError(run: () => unknown, message: string): Promise<void> {
  const error = await errorOf(run);
  expect(error, message).toBeInstanceOf(UsageError);
  expect((error as UsageError).message).toBe(message);
}

describe('brokersFlag', () => {
  it('parses a list into an array, with -b or --brokers, trimming spaces and empty entries', async () => {
    expect(await parseBrokers(['--brokers', 'a:1,b:2'])).toEqual(['a:1', 'b:2']);
    expect(await parseBrokers(['-b', ' [::1]:9092 , c.example:65535,'])).toEqual(['[::1]:9092', 'c.example:65535']);
  });

  it('takes its default from the settings, as an array too', async () => {
    expect(await parseBrokers([])).toEqual(['env-a:9092', 'env-b:9093']);
  });

  it('rejects a value that is not host:port as a usage error naming --brokers', async () => {
    for (const [value, message] of [
      ['127.0.0.1', '--brokers has "127.0.0.1", which is not host:port (e.g. 127.0.0.1:9092)'],
      ['a:1,b:70000', '--brokers has "b:70000", which is not host:port (e.g. 127.0.0.1:9092)'],
      [',', '--brokers is empty: give host:port, e.g. 127.0.0.1:9092'],
    ] as const) {
      await expectUsageError(() => parseBrokers(['--brokers', value]), message);
    }
  });
});

describe('requireInteger', () => {
  it('returns a whole number within the range, bounds included', () => {
    expect(requireInteger('tasks', 1, 1, 1_000)).toBe(1);
    expect(requireInteger('tasks', 1_000, 1, 1_000)).toBe(1_000);
    expect(requireInteger('count', 0, 0)).toBe(0);
    expect(requireInteger('count', Number.MAX_SAFE_INTEGER, 0)).toBe(Number.MAX_SAFE_INTEGER);
  });

  it('names the flag, the range and the value it refuses', async () => {
    await expectUsageError(() => requireInteger('tasks', 0, 1, 1_000), '--tasks must be a whole number between 1 and 1000 (got 0)');
    await expectUsageError(() => requireInteger('tasks', 1_001, 1, 1_000), '--tasks must be a whole number between 1 and 1000 (got 1001)');
    await expectUsageError(() => requireInteger('count', 2.5, 0), '--count must be a whole number ≥ 0 (got 2.5)');
    await expectUsageError(() => requireInteger('count', -1, 0), '--count must be a whole number ≥ 0 (got -1)');
  });

  it('says a number was expected when yargs turned a word into NaN', async () => {
    await expectUsageError(() => requireInteger('workers', Number.NaN, 0, 64), '--workers takes a whole number between 0 and 64, not a word');
  });
});
