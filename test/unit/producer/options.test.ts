import { describe, expect, it } from 'vitest';
import yargs from 'yargs';
import { maxPayloadBytes, producerFlags, toProducerOptions } from '../../../producer/options.js';
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

  it('checks a -k field path before anything connects', () => {
    expect(() => parse(['-k', 'order.customer.zip'])).toThrow(/not a field of the messages/);
  });
});
