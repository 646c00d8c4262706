/** The end-of-run summary, in the style of kafka-producer-perf-test, and its --json form. */
import { createLatencyHistogram, encodeHistogram, mergeHistograms, summarizeLatency, type LatencySummary } from '../shared/latency.js';
import type { AcksMode } from './enumerations.js';
import type { SerializedError, ThreadProgress, ThreadReport } from './types.js';

export const StopReasons = { count: 'count', duration: 'duration', signal: 'signal', failure: 'failure' } as const;
export type StopReason = (typeof StopReasons)[keyof typeof StopReasons];

export interface ProduceReport extends LatencySummary {
  topic: string;
  acks: AcksMode;
  stoppedBy: StopReason;
  /** Messages handed to send(). */
  sent: number;
  /** Messages whose send() succeeded: acknowledged, or with --acks 0 written to the broker's connection. */
  written: number;
  /** Messages the broker confirmed: `written`, except 0 with --acks 0, where it sends no reply. */
  acknowledged: number;
  failed: number;
  /** Sent but never heard back about: in flight when a thread crashed or the stop deadline passed. */
  unconfirmed: number;
  bytes: number;
  elapsedMs: number;
  recordsPerSec: number;
  mbPerSec: number;
  perPartition: Record<string, number>;
  /** Written messages per producer. */
  perWorker: Record<string, number>;
  error?: SerializedError;
}

export interface ReportInput {
  topic: string;
  acks: AcksMode;
  threads: readonly ThreadReport[];
  elapsedMs: number;
  stoppedBy: StopReason;
  /** Why the run failed, when no send did (a thread crashed, the stop deadline passed). */
  error?: SerializedError | undefined;
}

export function buildReport(input: ReportInput): ProduceReport {
  const { topic, acks, threads, elapsedMs, stoppedBy } = input;
  const sum = (pick: (thread: ThreadReport) => number): number => threads.reduce((total, thread) => total + pick(thread), 0);
  const written = sum((thread) => thread.written);
  const bytes = sum((thread) => thread.bytes);
  const seconds = Math.max(elapsedMs, 1) / 1000;
  const perPartition: Record<string, number> = {};
  for (const thread of threads) {
    for (const [partition, count] of Object.entries(thread.perPartition)) perPartition[partition] = (perPartition[partition] ?? 0) + count;
  }
  const firstError = input.error ?? threads.find((thread) => thread.firstError)?.firstError;
  return {
    topic,
    acks,
    stoppedBy,
    sent: sum((thread) => thread.sent),
    written,
    acknowledged: acks === '0' ? 0 : written,
    failed: sum((thread) => thread.failed),
    unconfirmed: sum((thread) => thread.sent - thread.written - thread.failed),
    bytes,
    elapsedMs: Math.round(elapsedMs),
    recordsPerSec: Math.round((written / seconds) * 10) / 10,
    mbPerSec: Math.round((bytes / 1024 / 1024 / seconds) * 100) / 100,
    ...summarizeLatency(mergeHistograms(threads.map((thread) => thread.latencyHistogram))),
    perPartition,
    perWorker: Object.fromEntries(threads.map((thread) => [thread.producer, thread.written])),
    ...(firstError ? { error: firstError } : {}),
  };
}

/**
 * The report of a thread that ended without sending its own (it crashed, or the stop deadline
 * passed): its last progress. Its sends still in flight then count as unconfirmed, and its
 * latencies are unknown.
 */
export function reportFromProgress(progress: ThreadProgress): ThreadReport {
  return { ...progress, latencyHistogram: encodeHistogram(createLatencyHistogram()), firstError: undefined };
}

/** True when a message may be missing from the topic: the run must exit non-zero. */
export function hasLosses(report: ProduceReport): boolean {
  return report.error !== undefined || report.failed > 0 || report.unconfirmed > 0;
}

/** The one line that says what was lost and why, e.g. "12 message(s) failed: Kafka request failed: …". */
export function describeLosses(report: ProduceReport): string {
  const losses = [
    ...(report.failed > 0 ? [`${report.failed} message(s) failed`] : []),
    ...(report.unconfirmed > 0 ? [`${report.unconfirmed} message(s) unconfirmed (in flight at the end: they may or may not be in the topic)`] : []),
  ];
  const reason = report.error?.message ?? 'unknown error';
  return losses.length > 0 ? `${losses.join(', ')}: ${reason}` : reason;
}

const stopWords: Record<StopReason, string> = {
  count: 'count reached',
  duration: 'duration reached',
  signal: 'stopped by signal',
  failure: 'stopped by a failure',
};

export function formatReport(report: ProduceReport): string {
  const confirmed = report.acks === '0' ? `written ${report.written} (--acks 0: the broker acknowledges nothing)` : `acknowledged ${report.acknowledged}`;
  const unconfirmed = report.unconfirmed > 0 ? `, unconfirmed ${report.unconfirmed}` : '';
  const lines = [
    `${report.written} records sent, ${report.recordsPerSec.toFixed(1)} records/sec (${report.mbPerSec.toFixed(2)} MB/sec), ` +
      `${report.avgMs.toFixed(2)} ms avg latency, ${report.maxMs.toFixed(2)} ms max latency, ` +
      `${report.p50Ms} ms 50th, ${report.p95Ms} ms 95th, ${report.p99Ms} ms 99th, ${report.p999Ms} ms 99.9th.`,
    `sent ${report.sent}, ${confirmed}, failed ${report.failed}${unconfirmed} to ${report.topic} in ${(report.elapsedMs / 1000).toFixed(2)} s (${stopWords[report.stoppedBy]})`,
    `per partition: ${
      Object.entries(report.perPartition)
        .map(([partition, count]) => `${partition}=${count}`)
        .join(' ') || '-'
    }`,
    `per producer:  ${Object.entries(report.perWorker)
      .map(([producer, count]) => `${producer}=${count}`)
      .join(' ')}`,
  ];
  return lines.join('\n');
}
