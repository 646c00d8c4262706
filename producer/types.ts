/** Shapes shared by the producer's main thread and its workers (all structured-clone safe). Types only. */
import type { LogLevel } from '../shared/config.js';
import type { AcksMode, Compression } from './enumerations.js';
import type { KeyStrategy } from './keys.js';

/** The producer's validated flags, as toProducerOptions makes them. */
export interface ProducerOptions {
  brokers: string[];
  /** --command-config: the file every thread reads its TLS and SASL settings from (else the environment's). */
  commandConfig: string | undefined;
  /** Already scoped to the user: `alice.test-topic`. */
  topic: string;
  /** HARNESS_USER / --user: also prefixes the producers' client ids. */
  user: string | undefined;
  createTopic: boolean;
  /** Partitions of a topic made by --create-topic. */
  partitions: number;
  /** Messages in all; 0 = until stopped. */
  count: number;
  durationMs: number | undefined;
  /** Messages per second across all threads; undefined = as fast as possible. */
  ratePerSecond: number | undefined;
  /** Worker threads; 0 = produce on the main thread. */
  workers: number;
  /** Concurrent send loops per thread. */
  tasks: number;
  batchSize: number;
  /** Sends awaiting the broker per producer. */
  maxInFlight: number;
  key: KeyStrategy;
  acks: AcksMode;
  compression: Compression;
  idempotent: boolean;
  payloadBytes: number;
  seed: number | undefined;
  /** Prebuilt order bodies to cycle through; 0 = faker for every message. */
  bodyPool: number;
  json: boolean;
  quiet: boolean;
  verbose: boolean;
}

/** Flags only the main thread acts on: how the topic is found, how many threads run, what is printed. */
export type MainThreadOption = 'createTopic' | 'partitions' | 'workers' | 'json' | 'quiet' | 'verbose';

/**
 * Everything a producing thread needs: one structured-clone safe object, the same for every
 * thread, whether it runs in a worker or on the main thread (--workers 0).
 */
export interface ProduceSettings extends Omit<ProducerOptions, MainThreadOption> {
  /** The topic's partition count, read from the broker. */
  partitions: number;
  /** How many producing threads share the work gate. */
  threads: number;
  /**
   * Bytes a send may carry: 900 KB, or less when the topic's max.message.bytes is smaller (a send of
   * keyless messages is one record batch, which the broker refuses past that size).
   */
  maxSendBytes: number;
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
