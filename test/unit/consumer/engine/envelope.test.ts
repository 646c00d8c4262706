import type { KafkaMessage } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { envelopeLine, envelopeLines, toEnvelope, type Envelope } from '../../../../consumer/engine/envelope.js';

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

describe('envelopeLine built from pieces', () => {
  const cases: [string, KafkaMessage][] = [
    ['no headers, no key', { offset: '0', key: null, value: Buffer.from('1'), timestamp: '5', attributes: 0, headers: {} } as KafkaMessage],
    ['headers undefined', { offset: '3', key: Buffer.from('é"\\'), value: Buffer.from('[]'), timestamp: '5', attributes: 0 } as KafkaMessage],
    [
      'repeated and odd headers',
      {
        offset: '9007199254740993',
        key: Buffer.from(''),
        value: Buffer.from('"s"'),
        timestamp: 'not a number',
        attributes: 0,
        headers: { a: [Buffer.from('1'), Buffer.from('2')], 'quote"d': Buffer.from('line\nbreak'), skipped: undefined, s: 'text' },
      } as KafkaMessage,
    ],
  ];
  for (const [name, kafkaMessage] of cases) {
    it(`matches JSON.stringify: ${name}`, () => {
      const text = kafkaMessage.value?.toString() ?? '';
      const envelope = toEnvelope('tö"pic', 1, kafkaMessage, JSON.parse(text), text);
      expect(envelopeLine(envelope)).toBe(JSON.stringify(envelope));
      expect(JSON.parse(envelopeLine(envelope))).toEqual({
        topic: 'tö"pic',
        partition: 1,
        offset: envelope.offset,
        ts: Number.isFinite(envelope.ts) ? envelope.ts : null,
        key: envelope.key,
        headers: envelope.headers,
        payload: JSON.parse(text),
      });
    });
  }

  it('reads the key, timestamp and headers from the message', () => {
    const envelope = toEnvelope('t', 0, message('{}'), {}, '{}');
    expect([envelope.key, envelope.ts, envelope.headers]).toEqual(['k', 1_700_000_000_000, { 'x-sent-at': '1' }]);
  });

  it('serialises an envelope built by hand with JSON.stringify', () => {
    const envelope = { topic: 't', partition: 0, offset: 1, ts: 2, key: null, headers: {}, payload: { a: 1 } };
    expect(envelopeLine(envelope)).toBe(JSON.stringify(envelope));
  });
});

describe('envelopeLines', () => {
  it('is envelopeLine of each, newline-terminated, whether the payload is copied as bytes or not', () => {
    const of = (value: Buffer, offset = 1): Envelope => {
      const text = value.toString('utf8');
      return toEnvelope('t', 0, { ...message(text), offset: String(offset), value }, JSON.parse(text), text);
    };
    const envelopes = [
      of(Buffer.from('{"a":"é ✓ 😀"}')),
      of(Buffer.from('{\n"multi":"line"}'), 2),
      // Not UTF-8 (a lone 0xff inside a string): written as the replaced text, like envelopeLine.
      of(Buffer.concat([Buffer.from('{"x":"'), Buffer.from([0xff]), Buffer.from('"}')]), 3),
      { topic: 't', partition: 0, offset: 4, ts: 0, key: null, headers: {}, payload: [1] },
      of(Buffer.from('  [1, 2]  '), 5),
    ];
    expect(envelopeLines(envelopes).toString('utf8')).toBe(envelopes.map((envelope) => `${envelopeLine(envelope)}\n`).join(''));
    expect(envelopeLines([]).length).toBe(0);
  });
});
