import { describe, expect, it } from 'vitest';
import { cachedCheck } from '../../../../consumer/admin/readiness.js';

describe('cachedCheck', () => {
  it('runs one check for requests that come while it runs', async () => {
    let calls = 0;
    let answer: (ready: boolean) => void = () => {};
    const ready = cachedCheck(
      () => {
        calls += 1;
        return new Promise<boolean>((resolve) => (answer = resolve));
      },
      { maxAgeMs: 2_000 },
    );
    const answers = Promise.all(Array.from({ length: 20 }, () => ready()));
    answer(true);
    expect(await answers).toEqual(Array.from({ length: 20 }, () => true));
    expect(calls).toBe(1);
  });

  it('reuses an answer for maxAgeMs, then checks again', async () => {
    let nowMs = 0;
    let calls = 0;
    const ready = cachedCheck(async () => ++calls % 2 === 1, { maxAgeMs: 2_000, now: () => nowMs });
    expect(await ready()).toBe(true);
    nowMs = 1_999;
    expect(await ready()).toBe(true);
    expect(calls).toBe(1);
    nowMs = 2_000;
    expect(await ready()).toBe(false);
    expect(calls).toBe(2);
  });

  it('counts a check that throws as not ready, and tries again next time', async () => {
    let nowMs = 0;
    let calls = 0;
    const ready = cachedCheck(
      async () => {
        calls += 1;
        if (calls === 1) throw new Error('broker gone');
        return true;
      },
      { maxAgeMs: 1_000, now: () => nowMs },
    );
    expect(await ready()).toBe(false);
    nowMs = 1_000;
    expect(await ready()).toBe(true);
  });
});
