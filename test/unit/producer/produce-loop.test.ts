import { describe, expect, it } from 'vitest';
import { maxSendBytes, messagesPerSend, sendsInFlight } from '../../../producer/produce-loop.js';
import { maxPayloadBytes } from '../../../producer/options.js';

/** The broker's default message.max.bytes: a keyless send is one record batch, refused above this. */
const brokerMessageMaxBytes = 1_048_588;

describe('messagesPerSend', () => {
  it('uses the whole batch without a rate, and about one send per 10 ms with one', () => {
    expect(messagesPerSend(500, undefined)).toBe(500);
    expect(messagesPerSend(500, 500)).toBe(5);
    expect(messagesPerSend(500, 10)).toBe(1);
    expect(messagesPerSend(500, 1_000_000)).toBe(500);
  });

  it('keeps a send of padded messages under the broker limit (500 × 2,500 bytes was 1.25 MB)', () => {
    const perSend = messagesPerSend(500, undefined, 2_500);
    expect(perSend).toBeLessThan(500);
    expect(perSend * 2_500).toBeLessThan(maxSendBytes);
    expect(perSend).toBeGreaterThan(300);
  });

  it('caps a large --batch-size of unpadded messages too', () => {
    // Faker orders reach ~750 bytes of JSON: 5,000 of them would be ~3.7 MB.
    expect(messagesPerSend(5_000, undefined) * 750).toBeLessThan(maxSendBytes);
  });

  it('sends the largest allowed --payload-bytes one message at a time, under the broker limit', () => {
    expect(messagesPerSend(500, undefined, maxPayloadBytes)).toBe(1);
    expect(maxPayloadBytes).toBeLessThan(maxSendBytes);
    expect(maxSendBytes).toBeLessThan(brokerMessageMaxBytes);
  });

  it('never goes below one message, whatever the rate or size', () => {
    expect(messagesPerSend(1, 0.5, maxPayloadBytes)).toBe(1);
  });
});

describe('messagesPerSend with a topic limit', () => {
  it('sends one 90 KB message at a time to a topic with max.message.bytes 100,000', () => {
    expect(messagesPerSend(500, undefined, 90_000, 99_900)).toBe(1);
    expect(messagesPerSend(500, undefined, 0, 99_900)).toBeLessThan(100);
  });
});

describe('sendsInFlight', () => {
  it('keeps one send in flight for an idempotent producer (a late retry was refused as out of order: fault scenarios 5 and 6)', () => {
    expect(sendsInFlight({ idempotent: true, maxInFlight: 5 })).toBe(1);
    expect(sendsInFlight({ idempotent: false, maxInFlight: 5 })).toBe(5);
  });
});
