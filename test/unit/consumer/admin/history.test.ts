import { describe, expect, it } from 'vitest';
import { RingBuffer } from '../../../../consumer/admin/history.js';

describe('RingBuffer', () => {
  it('keeps the newest items, oldest first, once it wraps', () => {
    const ring = new RingBuffer<number>(3);
    expect(ring.toArray()).toEqual([]);
    expect(ring.last()).toBeUndefined();
    for (const value of [1, 2]) ring.push(value);
    expect(ring.toArray()).toEqual([1, 2]);
    for (const value of [3, 4, 5]) ring.push(value);
    expect(ring.toArray()).toEqual([3, 4, 5]);
    expect(ring.size).toBe(3);
    expect(ring.last()).toBe(5);
  });

  it('refuses a capacity that could hold nothing', () => {
    expect(() => new RingBuffer(0)).toThrow(/at least 1/);
    expect(() => new RingBuffer(1.5)).toThrow(/whole number/);
  });
});
