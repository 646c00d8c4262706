import { afterEach, describe, expect, it, vi } from 'vitest';
import { addSnapshots, ConsumerStats, type StatsSnapshot } from '../../../../consumer/engine/stats.js';

const run = (overrides: Partial<StatsSnapshot>): StatsSnapshot => ({
  uptime_seconds: 10,
  messages_processed: 0,
  messages_failed: 0,
  processing_rate_per_second: 0,
  average_processing_time_ms: 0,
  error_rate_percent: 0,
  partition_errors: {},
  retries: 0,
  dead_lettered: 0,
  duplicates_skipped: 0,
  paused_partitions: [],
  pauses: 0,
  ...overrides,
});

describe('addSnapshots', () => {
  it('adds a restarted child to what it did before it crashed', () => {
    const before = run({
      messages_processed: 900,
      messages_failed: 100,
      average_processing_time_ms: 1,
      partition_errors: { 1: 100 },
      paused_partitions: [1],
      pauses: 1,
    });
    const after = run({ messages_processed: 1_000, average_processing_time_ms: 2, partition_errors: { 4: 3 }, duplicates_skipped: 50 });
    expect(addSnapshots(before, after)).toEqual({
      uptime_seconds: 20,
      messages_processed: 1_900,
      messages_failed: 100,
      processing_rate_per_second: 95,
      average_processing_time_ms: 1.5,
      error_rate_percent: 5,
      partition_errors: { 1: 100, 4: 3 },
      retries: 0,
      dead_lettered: 0,
      duplicates_skipped: 50,
      paused_partitions: [],
      pauses: 1,
    });
  });
});

describe('ConsumerStats.recentRatePerSecond', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('is the rate of the last 10 s, and falls to 0 once nothing flows', () => {
    vi.useFakeTimers({ toFake: ['performance'] });
    const stats = new ConsumerStats();
    const chunk = (processed: number) => stats.recordChunk({ processed, failed: 0, duplicates: 0, elapsedMs: 1 });
    vi.advanceTimersByTime(500);
    chunk(100);
    vi.advanceTimersByTime(4_500);
    chunk(100);
    expect(stats.recentRatePerSecond()).toBe(40);
    vi.advanceTimersByTime(7_000);
    // The first second's 100 left the window; the fifth second's 100 is still in it.
    expect(stats.recentRatePerSecond()).toBe(10);
    vi.advanceTimersByTime(20_000);
    expect(stats.recentRatePerSecond()).toBe(0);
    expect(stats.snapshot().messages_processed).toBe(200);
  });
});
