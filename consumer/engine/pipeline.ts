/**
 * The one way to build a consumer: from plain settings to running sinks, dead letters, a
 * BatchProcessor and a PartitionConsumer. The children of `npm run consume` and the admin server's
 * consumers both call createPipeline, so the two can never wire the engine differently. What is
 * settings (JSON-safe, it crosses the process boundary) is kept apart from what a caller hands in
 * at run time (a logger, a handler, a budget, a signal).
 */
import { UsageError } from '../../shared/errors.js';
import { createKafka, type KafkaClient } from '../../shared/kafka-client.js';
import type { Logger } from '../../shared/logger.js';
import { BatchProcessor, type MessageHandler } from './batch-processor.js';
import { DeadLetterModes, DiscardingDeadLetterQueue, FileDeadLetterQueue, TopicDeadLetterQueue, type DeadLetterQueue } from './dead-letter.js';
import { FinishReasons, PartitionConsumer, type Assignment, type Finish, type FinishReason, type MessageBudget } from './partition-consumer.js';
import { CountingSink } from './sinks/counting-sink.js';
import { FileSink } from './sinks/file-sink.js';
import { HttpSink } from './sinks/http-sink.js';
import { PostgresSink } from './sinks/postgres-sink.js';
import { StdoutSink } from './sinks/stdout-sink.js';
import type { Sink } from './sinks/types.js';
import { ConsumerStats } from './stats.js';

export const SinkTypes = { file: 'file', stdout: 'stdout', none: 'none', postgres: 'postgres', http: 'http' } as const;
export type SinkType = (typeof SinkTypes)[keyof typeof SinkTypes];
export const allowedSinkTypes: readonly SinkType[] = Object.values(SinkTypes);

/**
 * Where a pipeline writes what it consumed. A file path is used as given: whoever runs the pipeline
 * decides where it may point. `none` keeps nothing, only counts. A postgres sink without a
 * connection string is refused when built (rather than letting pg fall back to localhost), so the
 * caller may pass its setting through as it is.
 */
export type SinkDefinition =
  | { type: typeof SinkTypes.file; path: string }
  | { type: typeof SinkTypes.stdout }
  | { type: typeof SinkTypes.none }
  | { type: typeof SinkTypes.postgres; table: string; connectionString: string | undefined }
  | { type: typeof SinkTypes.http; url: string };

/** Where messages go that can't be processed: a topic (`<topic>.dlq` by convention), a JSON Lines file, or nowhere. */
export type DeadLetterDefinition =
  | { mode: typeof DeadLetterModes.topic; topic: string }
  | { mode: typeof DeadLetterModes.file; path: string }
  | { mode: typeof DeadLetterModes.none };

/** How each chunk is processed; the same for every sink. */
export interface ProcessingSettings {
  /** Messages per chunk: one write, flush and commit each. */
  batchSize: number;
  /** Longest a fetch waits on the broker for data, ms. */
  batchTimeoutMs: number;
  /** Retries of a failing handler (per message) or sink (per chunk). */
  maxRetries: number;
  /** First retry wait, ms; doubles each time, with jitter. */
  retryBackoffMs: number;
  /** Failed messages in a row that pause a partition. */
  errorThreshold: number;
  /** How long a paused partition rests, ms. */
  pauseMs: number;
  /** Check the harness message schema as well as JSON syntax. */
  strict: boolean;
}

/** What a pipeline does, as plain JSON-safe data: the consume CLI sends it to each child over IPC. */
export interface PipelineSettings {
  clientId: string;
  brokers: readonly string[];
  topic: string;
  groupId: string;
  assignment: Assignment;
  processing: ProcessingSettings;
  sinks: readonly SinkDefinition[];
  deadLetters: DeadLetterDefinition;
  /**
   * --command-config: the file whose TLS and SASL settings the running process takes up (the
   * path, never the secrets in it); undefined = the process's own (the environment's).
   */
  commandConfig?: string | undefined;
  /** -e: [partition, log-end offset] pairs seen when the run started (decimal strings: a bigint is not JSON). */
  endOffsets?: readonly (readonly [number, string])[] | undefined;
}

/** What only the running process can give: none of it crosses a process boundary. */
export interface PipelineServices {
  log: Logger;
  /** Where the counts go; a new ConsumerStats when absent. */
  stats?: ConsumerStats | undefined;
  /** Run on each message, with retries; throwing counts as a failure. */
  handler?: MessageHandler | undefined;
  /** -c: permission to process, shared with other processes. */
  budget?: MessageBudget | undefined;
  /** Aborted on shutdown: retry waits end early, and what they cut short is left for the next run. */
  signal?: AbortSignal | undefined;
  /** Awaited just before the consumer joins its group (the consume CLI joins its children together). */
  beforeJoin?: (() => Promise<void>) | undefined;
  /** With endOffsets: awaited once every partition is at its end, before leaving the group. */
  atEnd?: (() => Promise<void>) | undefined;
}

export type PipelineOptions = PipelineSettings & PipelineServices;

/** A built pipeline: nothing runs, and nothing is opened, until start(). */
export interface Pipeline {
  readonly stats: ConsumerStats;
  /** Resolves once the consumer has finished: end offsets reached, count used, stopped or crashed. */
  readonly finished: Promise<Finish>;
  /** Partitions owned since the last rebalance. */
  readonly assigned: readonly number[];
  /** Next offset to process per owned partition (read-only). */
  readonly positions: ReadonlyMap<number, bigint>;
  /** Opens the sinks and dead letters, joins the group and starts fetching. */
  start(): Promise<void>;
  /**
   * Finishes the chunk in progress (written, flushed, committed), leaves the group and closes every
   * sink. Idempotent and never rejects, whatever start() did: what failed to close is in `finished`.
   */
  stop(reason?: FinishReason): Promise<void>;
  pauseAll(): void;
  resumeAll(): void;
}

/** The endOffsets field of PipelineSettings, from the offsets as the admin client reads them. */
export function encodeEndOffsets(offsets: ReadonlyMap<number, bigint>): [number, string][] {
  return [...offsets].map(([partition, offset]) => [partition, offset.toString()]);
}

/** One sink of a definition. Throws a UsageError for a definition it cannot honour. */
export function createSink(definition: SinkDefinition): Sink {
  switch (definition.type) {
    case SinkTypes.file:
      return new FileSink(definition.path);
    case SinkTypes.stdout:
      return new StdoutSink();
    case SinkTypes.none:
      return new CountingSink();
    case SinkTypes.postgres:
      // pg would quietly fall back to the PG* variables and localhost: the connection is given, or there is none.
      if (!definition.connectionString) throw new UsageError(`postgres sink for table ${definition.table} has no connection string`);
      return new PostgresSink({ connectionString: definition.connectionString, table: definition.table });
    case SinkTypes.http:
      return new HttpSink({ url: definition.url });
  }
}

export function createDeadLetters(definition: DeadLetterDefinition, kafka: KafkaClient): DeadLetterQueue {
  switch (definition.mode) {
    case DeadLetterModes.topic:
      return new TopicDeadLetterQueue(kafka, definition.topic);
    case DeadLetterModes.file:
      return new FileDeadLetterQueue(definition.path);
    case DeadLetterModes.none:
      return new DiscardingDeadLetterQueue();
  }
}

/** Builds every sink or none: a definition that fails releases the sinks built before it (a pg pool). */
function createSinks(definitions: readonly SinkDefinition[], log: Logger): Sink[] {
  const sinks: Sink[] = [];
  try {
    for (const definition of definitions) sinks.push(createSink(definition));
    return sinks;
  } catch (error) {
    for (const sink of sinks) void sink.close().catch((closeError: unknown) => log.warn({ err: closeError, sink: sink.name }, 'could not close a sink'));
    throw error;
  }
}

/**
 * Builds a pipeline from its settings; throws a UsageError for a sink it cannot build. Call start()
 * to run it, and stop() in every case afterwards (also when start() rejected): stop() closes what
 * start() opened.
 */
export function createPipeline(options: PipelineOptions): Pipeline {
  const { log, processing } = options;
  if (options.sinks.length === 0) throw new UsageError('a pipeline needs at least one sink');
  const stats = options.stats ?? new ConsumerStats();
  const kafka = createKafka({ clientId: options.clientId, brokers: options.brokers, log });
  const sinks = createSinks(options.sinks, log);
  const deadLetters = createDeadLetters(options.deadLetters, kafka);
  const processor = new BatchProcessor({
    topic: options.topic,
    strict: processing.strict,
    maxRetries: processing.maxRetries,
    retryBackoffMs: processing.retryBackoffMs,
    handler: options.handler,
    sinks,
    deadLetters,
    stats,
    log,
    errorThreshold: processing.errorThreshold,
    signal: options.signal,
  });
  const consumer = new PartitionConsumer({
    kafka,
    brokers: options.brokers,
    topic: options.topic,
    groupId: options.groupId,
    assignment: options.assignment,
    batchSize: processing.batchSize,
    batchTimeoutMs: processing.batchTimeoutMs,
    errorThreshold: processing.errorThreshold,
    pauseMs: processing.pauseMs,
    endOffsets: options.endOffsets ? new Map(options.endOffsets.map(([partition, offset]) => [partition, BigInt(offset)])) : undefined,
    budget: options.budget,
    processor,
    sinks,
    deadLetters,
    stats,
    log,
    beforeJoin: options.beforeJoin,
    atEnd: options.atEnd,
  });
  return {
    stats,
    finished: consumer.finished,
    get assigned() {
      return consumer.assigned;
    },
    get positions() {
      return consumer.positions;
    },
    start: () => consumer.start(),
    stop: (reason = FinishReasons.stopped) => consumer.stop(reason),
    pauseAll: () => consumer.pauseAll(),
    resumeAll: () => consumer.resumeAll(),
  };
}
