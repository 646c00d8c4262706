/** What the consumer's parent and its child processes tell each other over IPC (JSON-safe). */
import type { LogLevel } from '../../shared/config.js';
import type { DeadLetterMode } from '../engine/dead-letter.js';
import type { ConsumerOptions } from './options.js';
import type { Assignment, FinishReason } from '../engine/partition-consumer.js';
import type { StatsSnapshot } from '../engine/stats.js';

export const SinkKinds = { file: 'file', stdout: 'stdout', none: 'none' } as const;
export type SinkKind = (typeof SinkKinds)[keyof typeof SinkKinds];
export const allowedSinkKinds: readonly SinkKind[] = Object.values(SinkKinds);

/** The flags every child acts on as given (--fail-rate: a share of handler calls made to fail, to watch retries). */
export type ChildOptions = Pick<
  ConsumerOptions,
  'brokers' | 'topic' | 'groupId' | 'batchSize' | 'batchTimeoutMs' | 'maxRetries' | 'retryBackoffMs' | 'errorThreshold' | 'pauseMs' | 'strict' | 'failRate'
>;

/** How one child is set up; the parent sends it in the `start` message. */
export interface ChildConfig extends ChildOptions {
  index: number;
  assignment: Assignment;
  sink: { kind: 'file'; path: string } | { kind: 'stdout' } | { kind: 'none' };
  deadLetter: { mode: DeadLetterMode; target: string };
  /** -e: [partition, end offset] pairs seen when the run started. */
  endOffsets: [number, string][] | undefined;
  /** -c: ask the parent before processing, so the total across children is exact. */
  counted: boolean;
  statsIntervalMs: number;
  logLevel: LogLevel;
  prettyLogs: boolean;
  /** Send log lines to the parent, which prints them above its live table. */
  relayLogs: boolean;
}

export type ParentMessage = { type: 'start'; config: ChildConfig } | { type: 'stop' } | { type: 'budget'; id: number; granted: number };

export interface ChildReport {
  index: number;
  pid: number;
  partitions: number[];
  stats: StatsSnapshot;
}

export type ChildMessage =
  | ({ type: 'stats' } & ChildReport)
  | { type: 'budget'; id: number; wanted: number }
  | { type: 'budget-settle'; granted: number; used: number }
  | { type: 'log'; text: string }
  | ({ type: 'finished'; reason: FinishReason; error?: string; fatal?: boolean; endToEnd: string } & ChildReport);
