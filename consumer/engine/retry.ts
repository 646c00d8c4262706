/**
 * Retries with exponential backoff and full jitter (a random wait up to base × 2^attempt), the
 * scheme that keeps many clients from retrying in lockstep.
 */
import { setTimeout as sleep } from 'node:timers/promises';

export interface RetryOptions {
  /** Retries after the first attempt (0 = try once). */
  maxRetries: number;
  /** Cap of the first wait, ms; doubles each retry. */
  backoffMs: number;
  /** Longest single wait, ms. */
  maxBackoffMs?: number;
  /** Stops waiting (and retrying) when aborted. */
  signal?: AbortSignal | undefined;
  onRetry?: (error: unknown, attempt: number, waitMs: number) => void;
  random?: () => number;
}

export function backoffMs(attempt: number, options: Pick<RetryOptions, 'backoffMs' | 'maxBackoffMs' | 'random'>): number {
  const ceiling = Math.min(options.maxBackoffMs ?? 30_000, options.backoffMs * 2 ** attempt);
  return Math.round((options.random ?? Math.random)() * ceiling);
}

export async function withRetries<T>(operation: (attempt: number) => Promise<T>, options: RetryOptions): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await operation(attempt);
    } catch (error) {
      if (attempt >= options.maxRetries || options.signal?.aborted) throw error;
      const waitMs = backoffMs(attempt, options);
      options.onRetry?.(error, attempt + 1, waitMs);
      await sleep(waitMs, undefined, options.signal ? { signal: options.signal } : undefined).catch(() => {});
      if (options.signal?.aborted) throw error;
    }
  }
}
