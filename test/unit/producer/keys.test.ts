import { describe, expect, it } from 'vitest';
import { checkKeyField, createKeySelector, parseKeyStrategy } from '../../../producer/keys.js';
import { MessageGenerator } from '../../../shared/message-generator.js';
import { UsageError } from '../../../shared/errors.js';

const message = new MessageGenerator({ producer: 'p', worker: 0, seed: 3 }).create(0, 7);
const select = (text: string) => createKeySelector(parseKeyStrategy(text), message, () => 'random-key')(message);

describe('key strategies', () => {
  it('chooses no key, the id, the customer, a random key or a field', () => {
    expect(select('none')).toBeNull();
    expect(select('id')).toBe(message.id);
    expect(select('user')).toBe(message.order.customer.id);
    expect(select('random')).toBe('random-key');
    expect(select('order.customer.country')).toBe(message.order.customer.country);
    expect(select('seq')).toBe('7');
  });

  it('rejects a field the messages do not have, listing the ones they do', () => {
    expect(() => select('order.customer.zip')).toThrow(UsageError);
    expect(() => select('order.customer.zip')).toThrow(
      /--key order\.customer\.zip: not a field of the messages; use one of id, seq, .*order\.customer\.country/,
    );
    expect(() => select('order.customer')).toThrow(/not a field/);
  });

  it('rejects text that is not a mode or a path', () => {
    expect(() => parseKeyStrategy('order..id')).toThrow(/is not none\|id\|user\|random or a field path/);
  });

  it('accepts -k padding with --payload-bytes, where every message has that field', () => {
    expect(() => checkKeyField(parseKeyStrategy('padding'), 2_500)).not.toThrow();
    const generator = new MessageGenerator({ producer: 'p', worker: 0, payloadBytes: 2_500 });
    const padded = generator.create(0);
    expect(createKeySelector(parseKeyStrategy('padding'), padded, () => 'unused')(padded)).toBe(padded.padding);
  });

  it('rejects -k padding without --payload-bytes, saying why', () => {
    expect(() => checkKeyField(parseKeyStrategy('padding'), 0)).toThrow('--key padding needs --payload-bytes');
    expect(() => checkKeyField(parseKeyStrategy('order.customer.zip'), 2_500)).toThrow(/not a field of the messages; use one of .*padding/);
  });

  it('takes -k random keys from the generator, so --seed makes them reproducible', () => {
    const keysOf = () => {
      const generator = new MessageGenerator({ producer: 'p', worker: 0, seed: 4 });
      const keyOf = createKeySelector(parseKeyStrategy('random'), generator.create(0), () => generator.randomKey());
      return Array.from({ length: 5 }, () => keyOf(generator.create(0)));
    };
    expect(keysOf()).toEqual(keysOf());
  });
});
