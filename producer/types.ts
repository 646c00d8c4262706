/** Shapes shared by the producer's main thread and its workers (all structured-clone safe). */
import type { LogLevel } from '../shared/config.js';
import type { ProducerOptions } from './options.js';

export const Compressions = { none: 'none', gzip: 'gzip' } as const;
export type Compression = (typeof Compressions)[keyof typeof Compressions];
export const allowedCompressions: readonly Compression[] = Object.values(Compressions);

export const AcksModes = { all: 'all', leader: '1', none: '0' } as const;
export type AcksMode = (typeof AcksModes)[keyof typeof AcksModes];
export const allowedAcks: readonly AcksMode[] = Object.values(AcksModes);

/** The flags a producing thread acts on. */
export type ThreadOptions = Pick<
  ProducerOptions,
  | 'brokers'
  | 'topic'
  | 'count'
  | 'durationMs'
  | 'ratePerSecond'
  | 'tasks'
  | 'batchSize'
  | 'maxInFlight'
  | 'key'
  | 'acks'
  | 'compression'
  | 'idempotent'
  | 'payloadBytes'
  | 'seed'
  | 'bodyPool'
>;

/** Everything one producing thread needs to know. */
export interface ProduceSettings extends ThreadOptions {
  /** The topic's partition count, read from the broker. */
  partitions: number;
}

/** Which thread this is: its index, and the producer name in its messages and x-producer header. */
export interface ThreadIdentity {
  worker: number;
  producer: string;
}

export interface ThreadProgress extends ThreadIdentity {
  /** Messages handed to send(). */
  sent: number;
  /** Messages whose send() succeeded: acknowledged by the broker, or with --acks 0 written to its connection. */
  written: number;
  /** Messages whose send() failed after KafkaJS's retries. */
  failed: number;
  /** JSON bytes of the written messages. */
  bytes: number;
  /** Written messages per partition. */
  perPartition: Record<number, number>;
}

export interface SerializedError {
  code: string;
  message: string;
  brokers?: readonly string[];
}

/** What a producing thread reports when it is done. */
export interface ThreadReport extends ThreadProgress {
  /** Send latency in microseconds per message, an HDR histogram in compressed base64. */
  latencyHistogram: string;
  firstError: SerializedError | undefined;
}

export interface WorkerInput {
  thread: ThreadIdentity;
  /** How many producing threads share the gate. */
  threads: number;
  settings: ProduceSettings;
  gate: SharedArrayBuffer;
  logLevel: LogLevel;
  prettyLogs: boolean;
  /** Send log lines to the main thread, which prints them above its progress bar. */
  relayLogs: boolean;
}

export type WorkerOutput =
  | { type: 'progress'; progress: ThreadProgress }
  | { type: 'log'; text: string }
  | { type: 'done'; report: ThreadReport }
  | { type: 'fatal'; error: SerializedError };
