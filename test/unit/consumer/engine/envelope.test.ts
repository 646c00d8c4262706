import type { KafkaMessage } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { envelopeLine, toEnvelope } from '../../../../consumer/engine/envelope.js';

const message = (value: string): KafkaMessage =>
  ({
    offset: '7',
    key: Buffer.from('k'),
    value: Buffer.from(value),
    timestamp: '1700000000000',
    attributes: 0,
    headers: { 'x-sent-at': Buffer.from('1') },
  }) as KafkaMessage;

describe('envelopeLine', () => {
  it('writes what JSON.stringify would for a compact payload', () => {
    const text = '{"id":"a","n":[1,2,{"x":null}]}';
    const envelope = toEnvelope('t', 2, message(text), JSON.parse(text), text);
    expect(envelopeLine(envelope)).toBe(JSON.stringify(envelope));
    expect(JSON.parse(envelopeLine(envelope))).toEqual({
      topic: 't',
      partition: 2,
      offset: 7,
      ts: 1_700_000_000_000,
      key: 'k',
      headers: { 'x-sent-at': '1' },
      payload: { id: 'a', n: [1, 2, { x: null }] },
    });
  });

  it('keeps the payload as it was sent, spacing and number spelling included', () => {
    const text = '{ "amount": 1.50 }';
    const line = envelopeLine(toEnvelope('t', 0, message(text), JSON.parse(text), text));
    expect(line.endsWith(',"payload":{ "amount": 1.50 }}')).toBe(true);
    expect(JSON.parse(line).payload).toEqual({ amount: 1.5 });
  });

  it('serialises afresh a payload that spans lines, so each envelope stays one line', () => {
    const text = '{\n  "a": 1\n}';
    const line = envelopeLine(toEnvelope('t', 0, message(text), JSON.parse(text), text));
    expect(line).not.toContain('\n');
    expect(JSON.parse(line).payload).toEqual({ a: 1 });
  });
});
