import { describe, expect, it } from 'vitest';
import yargs from 'yargs';
import { maxPayloadBytes, producerFlags, sendBytesFor, toProduceSettings, toProducerOptions } from '../../../producer/options.js';
import { createCli } from '../../../shared/cli.js';
import { settings } from '../../../shared/config.js';
import { UsageError } from '../../../shared/errors.js';

function parse(args: readonly string[]) {
  return toProducerOptions(
    yargs([...args])
      .options(producerFlags(settings()))
      .strict()
      .parseSync(),
  );
}

describe('toProducerOptions', () => {
  it('accepts -k padding with --payload-bytes (the messages then have that field)', () => {
    expect(parse(['-k', 'padding', '--payload-bytes', '2500']).key).toEqual({ mode: 'field', path: ['padding'] });
  });

  it('rejects a --payload-bytes no send can carry, naming the value and the limit', () => {
    expect(() => parse(['--payload-bytes', '900000'])).toThrow(UsageError);
    expect(() => parse(['--payload-bytes', '900000'])).toThrow(
      `--payload-bytes 900000 is over ${maxPayloadBytes}: the broker refuses a message that big (message.max.bytes, 1048588 by default)`,
    );
    expect(parse(['--payload-bytes', String(maxPayloadBytes)]).payloadBytes).toBe(maxPayloadBytes);
  });

  it('scopes the topic to --user and creates it on first use, so learners on one cluster never collide', () => {
    const scoped = parse(['--user', 'alice', '-t', 'orders']);
    expect(scoped).toMatchObject({ topic: 'alice.orders', user: 'alice', createTopic: true });
    expect(parse(['-t', 'orders'])).toMatchObject({ topic: 'orders', user: undefined, createTopic: false });
    const cli = createCli(['--user', 'alice.smith'], { scriptName: 'npm run produce --' }).options(producerFlags(settings()));
    expect(() => cli.parseSync()).toThrow(new UsageError('--user is "alice.smith": use 1 to 40 letters, digits, _ or - (it prefixes topic and group names)'));
  });

  it('checks a -k field path before anything connects', () => {
    expect(() => parse(['-k', 'order.customer.zip'])).toThrow(/not a field of the messages/);
  });
});

describe('toProduceSettings', () => {
  it("hands the threads every producing option, the topic's real partition count and the thread count, and nothing only the main thread uses", () => {
    const options = parse(['-b', 'a:1,b:2', '-c', '1234', '-r', '50', '-k', 'user', '--acks', '1', '--partitions', '12', '--workers', '3', '--json', '-q']);
    const settings = toProduceSettings(options, 6, 3);
    expect(settings).toEqual({
      brokers: ['a:1', 'b:2'],
      topic: options.topic,
      count: 1234,
      durationMs: undefined,
      ratePerSecond: 50,
      tasks: 4,
      batchSize: 500,
      maxInFlight: 5,
      key: { mode: 'user' },
      acks: '1',
      compression: 'none',
      idempotent: false,
      payloadBytes: 0,
      seed: undefined,
      bodyPool: 1_000,
      partitions: 6,
      threads: 3,
      maxSendBytes: 900_000,
    });
  });

  it('survives the copy into a worker thread unchanged', () => {
    const settings = toProduceSettings(parse(['-k', 'order.customer.country', '--duration', '2']), 6, 2);
    expect(structuredClone(settings)).toEqual(settings);
  });
});

describe('sendBytesFor', () => {
  it("caps a send at the topic's own max.message.bytes when it is below 900 KB (90 KB messages to a 100,000-byte topic failed)", () => {
    expect(sendBytesFor('t', undefined, 0)).toBe(900_000);
    expect(sendBytesFor('t', 1_048_588, 0)).toBe(900_000);
    expect(sendBytesFor('t', 100_000, 90_000)).toBeLessThan(100_000);
    expect(sendBytesFor('t', 100_000, 90_000)).toBeGreaterThanOrEqual(90_000);
  });

  it('refuses in one line a --payload-bytes that no message of the topic can hold', () => {
    expect(() => sendBytesFor('small', 100_000, 200_000)).toThrow(UsageError);
    expect(() => sendBytesFor('small', 100_000, 200_000)).toThrow(
      '--payload-bytes 200000 can\'t fit in one message of topic "small" (max.message.bytes 100000): use --payload-bytes 99700 or less',
    );
  });
});
