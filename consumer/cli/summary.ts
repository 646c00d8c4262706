/** The consumer's live table and final report, from the children's stats. */
import { mergeHistograms, summarizeLatency, type LatencySummary } from '../../shared/latency.js';
import { formatTable } from '../../shared/table.js';
import type { FinishReason } from '../engine/partition-consumer.js';
import type { StatsSnapshot } from '../engine/stats.js';
import { describeChildState, type ChildState } from './child-state.js';

export interface ChildView {
  index: number;
  pid: number | undefined;
  partitions: readonly number[];
  restarts: number;
  state: ChildState;
  /** While restarting: how long the parent waits before it forks the child again. */
  restartDelayMs: number | undefined;
  stats: StatsSnapshot | undefined;
  /** End-to-end latency histogram of the child's last run (compressed base64). */
  endToEnd: string | undefined;
}

export interface ConsumeReport {
  topic: string;
  group: string;
  processes: number;
  stoppedBy: FinishReason | 'signal' | 'failure';
  elapsedMs: number;
  totals: {
    messages_processed: number;
    messages_failed: number;
    dead_lettered: number;
    duplicates_skipped: number;
    retries: number;
    restarts: number;
    processing_rate_per_second: number;
  };
  endToEnd: LatencySummary & { samples: number };
  children: { index: number; pid: number | undefined; partitions: number[]; restarts: number; stats: StatsSnapshot | undefined }[];
}

export function buildConsumeReport(
  topic: string,
  group: string,
  children: readonly ChildView[],
  elapsedMs: number,
  stoppedBy: ConsumeReport['stoppedBy'],
): ConsumeReport {
  const sum = (pick: (stats: StatsSnapshot) => number): number => children.reduce((total, child) => total + (child.stats ? pick(child.stats) : 0), 0);
  const processed = sum((stats) => stats.messages_processed);
  const latency = mergeHistograms(children.flatMap((child) => (child.endToEnd ? [child.endToEnd] : [])));
  return {
    topic,
    group,
    processes: children.length,
    stoppedBy,
    elapsedMs: Math.round(elapsedMs),
    totals: {
      messages_processed: processed,
      messages_failed: sum((stats) => stats.messages_failed),
      dead_lettered: sum((stats) => stats.dead_lettered),
      duplicates_skipped: sum((stats) => stats.duplicates_skipped),
      retries: sum((stats) => stats.retries),
      restarts: children.reduce((total, child) => total + child.restarts, 0),
      processing_rate_per_second: Math.round((processed / Math.max(elapsedMs / 1000, 0.001)) * 10) / 10,
    },
    endToEnd: { ...summarizeLatency(latency), samples: latency.totalCount },
    children: children.map((child) => ({
      index: child.index,
      pid: child.pid,
      partitions: [...child.partitions],
      restarts: child.restarts,
      stats: child.stats,
    })),
  };
}

export function formatChildTable(children: readonly ChildView[]): string {
  return formatTable(
    ['CHILD', 'PID', 'PARTITIONS', 'STATE', 'PROCESSED', 'FAILED', 'RATE/S', 'AVG MS', 'ERR %', 'RETRIES', 'DLQ', 'PAUSED', 'RESTARTS'],
    children.map(({ index, pid, partitions, state, restartDelayMs, stats, restarts }) => [
      index,
      pid,
      partitions.join(',') || '-',
      describeChildState(state, restartDelayMs),
      stats?.messages_processed,
      stats?.messages_failed,
      stats?.processing_rate_per_second,
      stats?.average_processing_time_ms,
      stats?.error_rate_percent,
      stats?.retries,
      stats?.dead_lettered,
      stats && stats.paused_partitions.length > 0 ? stats.paused_partitions.join(',') : '-',
      restarts,
    ]),
  );
}

/** Milliseconds as a person reads them: messages that waited minutes in the topic show in seconds. */
const duration = (ms: number): string => (ms < 10_000 ? `${ms} ms` : `${(ms / 1000).toFixed(1)} s`);

const stopWords: Record<ConsumeReport['stoppedBy'], string> = {
  end: 'every partition reached its end offset',
  count: 'count reached',
  stopped: 'stopped',
  crashed: 'a child crashed',
  signal: 'stopped by signal',
  failure: 'a child kept crashing',
};

export function formatConsumeReport(report: ConsumeReport, children: readonly ChildView[]): string {
  const { totals } = report;
  const lines = [
    `consumed ${totals.messages_processed} messages from ${report.topic} with ${report.processes} process(es) in ${(report.elapsedMs / 1000).toFixed(2)} s ` +
      `(${totals.processing_rate_per_second} msg/s, group ${report.group}, ${stopWords[report.stoppedBy]})`,
    `failed ${totals.messages_failed} (dead-lettered ${totals.dead_lettered}), retries ${totals.retries}, restarts ${totals.restarts}`,
  ];
  if (totals.duplicates_skipped > 0) {
    lines.push(
      `skipped ${totals.duplicates_skipped} messages already stored: delivered again after a lost commit or an unclean stop (at-least-once), or read again with -o`,
    );
  }
  if (report.endToEnd.samples > 0) {
    const { p50Ms, p99Ms, p999Ms } = report.endToEnd;
    lines.push(`time from x-sent-at to receipt (waiting in the topic included): p50 ${duration(p50Ms)}, p99 ${duration(p99Ms)}, p99.9 ${duration(p999Ms)}`);
  }
  lines.push('', formatChildTable(children));
  return lines.join('\n');
}
