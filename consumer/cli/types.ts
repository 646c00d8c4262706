/** What the consumer's parent and its child processes tell each other over IPC (JSON-safe). */
import type { LogLevel } from '../../shared/config.js';
import type { FinishReason } from '../engine/partition-consumer.js';
import type { PipelineSettings } from '../engine/pipeline.js';
import type { StatsSnapshot } from '../engine/stats.js';

/** How one child is set up; the parent sends it in the `start` message. */
export interface ChildConfig {
  index: number;
  /** The child's whole pipeline: partitions, processing, sinks, dead letters, end offsets. */
  pipeline: PipelineSettings;
  /** --fail-rate: a share of handler calls made to fail, to watch retries (a handler is code, so it can't travel in `pipeline`). */
  failRate: number;
  /** -c: ask the parent before processing, so the total across children is exact. */
  counted: boolean;
  statsIntervalMs: number;
  logLevel: LogLevel;
  prettyLogs: boolean;
  /** Send log lines to the parent, which prints them above its live table. */
  relayLogs: boolean;
}

export type ParentMessage =
  | { type: 'start'; config: ChildConfig }
  | { type: 'stop' }
  | { type: 'budget'; id: number; granted: number }
  /** Every child is ready (or some took too long): join the group now. */
  | { type: 'join' }
  /** Every running child has reached its end offsets (-e): leave the group now. */
  | { type: 'leave' };

export interface ChildReport {
  index: number;
  pid: number;
  partitions: number[];
  /** Next offset to process (a decimal string: bigints don't cross IPC), per partition it has processed some of. */
  positions: [number, string][];
  stats: StatsSnapshot;
}

export type ChildMessage =
  | ({ type: 'stats' } & ChildReport)
  | { type: 'budget'; id: number; wanted: number }
  | { type: 'budget-settle'; granted: number; used: number }
  | { type: 'log'; text: string }
  /** Connected and about to join the group: waiting for the parent's `join`. */
  | { type: 'ready' }
  /** Every partition it owns has reached its end offset (-e): waiting for the parent's `leave`. */
  | { type: 'at-end' }
  | ({ type: 'finished'; reason: FinishReason; error?: string; fatal?: boolean; endToEnd: string } & ChildReport);
