import { describe, expect, it } from 'vitest';
import { backoffMs, withRetries } from '../../../../consumer/engine/retry.js';

describe('backoffMs', () => {
  it('waits a random time up to base × 2^attempt, capped', () => {
    expect(backoffMs(0, { backoffMs: 100, random: () => 1 })).toBe(100);
    expect(backoffMs(3, { backoffMs: 100, random: () => 1 })).toBe(800);
    expect(backoffMs(3, { backoffMs: 100, random: () => 0.5 })).toBe(400);
    expect(backoffMs(20, { backoffMs: 100, maxBackoffMs: 1_000, random: () => 1 })).toBe(1_000);
  });
});

describe('withRetries', () => {
  it('retries until it succeeds, reporting each retry', async () => {
    let calls = 0;
    const retries: number[] = [];
    const result = await withRetries(
      async () => {
        calls += 1;
        if (calls < 3) throw new Error(`attempt ${calls}`);
        return 'ok';
      },
      { maxRetries: 5, backoffMs: 1, onRetry: (_error, attempt) => retries.push(attempt) },
    );
    expect(result).toBe('ok');
    expect(retries).toEqual([1, 2]);
  });

  it('gives up after maxRetries with the last error', async () => {
    let calls = 0;
    await expect(
      withRetries(
        async () => {
          calls += 1;
          throw new Error(`attempt ${calls}`);
        },
        { maxRetries: 2, backoffMs: 1 },
      ),
    ).rejects.toThrow('attempt 3');
    expect(calls).toBe(3);
  });

  it('stops waiting when aborted, and gives up with the last error', async () => {
    const controller = new AbortController();
    let calls = 0;
    const startedAt = Date.now();
    const attempt = withRetries(
      async () => {
        calls += 1;
        throw new Error('down');
      },
      // Aborted as the first 10 s wait begins: only the abort can end it in time.
      { maxRetries: 10, backoffMs: 10_000, random: () => 1, signal: controller.signal, onRetry: () => controller.abort() },
    );
    await expect(attempt).rejects.toThrow('down');
    expect(calls).toBe(1);
    expect(Date.now() - startedAt).toBeLessThan(5_000);
  });
});
