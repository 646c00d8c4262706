import { describe, expect, it } from 'vitest';
import { createLatencyHistogram, encodeHistogram } from '../../../shared/latency.js';
import { buildReport, describeLosses, formatReport, hasLosses, reportFromProgress } from '../../../producer/report.js';
import type { ThreadReport } from '../../../producer/types.js';

function thread(worker: number, written: number, latencyMicros: number, perPartition: Record<number, number>): ThreadReport {
  const histogram = createLatencyHistogram();
  histogram.recordValueWithCount(latencyMicros, written);
  return {
    worker,
    producer: `p-w${worker}`,
    sent: written,
    written,
    failed: 0,
    bytes: written * 500,
    perPartition,
    latencyHistogram: encodeHistogram(histogram),
    firstError: undefined,
  };
}

describe('buildReport', () => {
  it('adds up threads, merges partitions and takes percentiles over every message', () => {
    const report = buildReport({
      topic: 'orders',
      acks: 'all',
      threads: [thread(0, 900, 2_000, { 0: 500, 1: 400 }), thread(1, 100, 50_000, { 1: 100 })],
      elapsedMs: 2_000,
      stoppedBy: 'count',
    });
    expect(report).toMatchObject({
      topic: 'orders',
      acks: 'all',
      sent: 1_000,
      written: 1_000,
      acknowledged: 1_000,
      failed: 0,
      unconfirmed: 0,
      recordsPerSec: 500,
      perPartition: { 0: 500, 1: 500 },
      perWorker: { 'p-w0': 900, 'p-w1': 100 },
    });
    expect(report.p50Ms).toBe(2);
    expect(report.p95Ms).toBeCloseTo(50, 0);
    expect(report.maxMs).toBeCloseTo(50, 0);
    expect(report.mbPerSec).toBeCloseTo((1_000 * 500) / 1024 / 1024 / 2, 2);
    expect(hasLosses(report)).toBe(false);
  });

  it('reads like kafka-producer-perf-test', () => {
    const text = formatReport(
      buildReport({ topic: 'orders', acks: 'all', threads: [thread(0, 1_000, 3_000, { 0: 1_000 })], elapsedMs: 1_000, stoppedBy: 'signal' }),
    );
    expect(text.split('\n')[0]).toMatch(
      /^1000 records sent, 1000\.0 records\/sec \(0\.48 MB\/sec\), 3\.00 ms avg latency, 3\.00 ms max latency, 3 ms 50th, 3 ms 95th, 3 ms 99th, 3 ms 99\.9th\.$/,
    );
    expect(text.split('\n')[1]).toBe('sent 1000, acknowledged 1000, failed 0 to orders in 1.00 s (stopped by signal)');
  });

  it('claims no acknowledgement under --acks 0: the messages were written, nothing confirmed them', () => {
    const report = buildReport({ topic: 'orders', acks: '0', threads: [thread(0, 200, 1_000, { 0: 200 })], elapsedMs: 1_000, stoppedBy: 'count' });
    expect(report).toMatchObject({ acks: '0', sent: 200, written: 200, acknowledged: 0, recordsPerSec: 200, perWorker: { 'p-w0': 200 } });
    const text = formatReport(report);
    expect(text.split('\n')[1]).toBe('sent 200, written 200 (--acks 0: the broker acknowledges nothing), failed 0 to orders in 1.00 s (count reached)');
    expect(text).not.toMatch(/acknowledged \d/);
    expect(hasLosses(report)).toBe(false);
  });
});

describe('a thread that ended without its report', () => {
  const crashed = reportFromProgress({ worker: 1, producer: 'p-w1', sent: 1_500, written: 1_000, failed: 0, bytes: 500_000, perPartition: { 2: 1_000 } });

  it('counts by its last progress, the sends in flight as unconfirmed', () => {
    const report = buildReport({
      topic: 'orders',
      acks: 'all',
      threads: [thread(0, 2_000, 2_000, { 0: 2_000 }), crashed],
      elapsedMs: 1_000,
      stoppedBy: 'failure',
      error: { code: 'RUNTIME', message: 'worker 1 crashed: boom' },
    });
    expect(report).toMatchObject({
      sent: 3_500,
      written: 3_000,
      acknowledged: 3_000,
      failed: 0,
      unconfirmed: 500,
      perPartition: { 0: 2_000, 2: 1_000 },
      perWorker: { 'p-w0': 2_000, 'p-w1': 1_000 },
    });
    expect(report.p50Ms).toBe(2);
    expect(hasLosses(report)).toBe(true);
    expect(describeLosses(report)).toBe('500 message(s) unconfirmed (in flight at the end: they may or may not be in the topic): worker 1 crashed: boom');
    expect(formatReport(report).split('\n')[1]).toBe('sent 3500, acknowledged 3000, failed 0, unconfirmed 500 to orders in 1.00 s (stopped by a failure)');
  });

  it('is a failure even when nothing was in flight', () => {
    const idle = reportFromProgress({ worker: 1, producer: 'p-w1', sent: 0, written: 0, failed: 0, bytes: 0, perPartition: {} });
    const report = buildReport({
      topic: 'orders',
      acks: 'all',
      threads: [thread(0, 10, 1_000, { 0: 10 }), idle],
      elapsedMs: 1_000,
      stoppedBy: 'failure',
      error: { code: 'RUNTIME', message: 'worker 1 exited (code 1) without a report' },
    });
    expect(hasLosses(report)).toBe(true);
    expect(describeLosses(report)).toBe('worker 1 exited (code 1) without a report');
  });
});

describe('describeLosses', () => {
  it('names the failed messages and the first error', () => {
    const failing: ThreadReport = {
      ...thread(0, 0, 1, {}),
      sent: 2_000,
      failed: 2_000,
      firstError: { code: 'RUNTIME', message: 'Kafka request failed: too large' },
    };
    const report = buildReport({ topic: 'orders', acks: 'all', threads: [failing], elapsedMs: 1_000, stoppedBy: 'failure' });
    expect(describeLosses(report)).toBe('2000 message(s) failed: Kafka request failed: too large');
  });
});
