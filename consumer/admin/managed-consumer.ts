/**
 * One consumer of the admin server, run inside the server's process on the same event loop as the
 * others: the same PartitionConsumer and BatchProcessor as `npm run consume` (group assignment),
 * writing to file, PostgreSQL and HTTP sinks. Its failures set ERROR with the cause and time; they
 * never reach the server. A run that crashes is restarted with a growing backoff, as the consume
 * CLI's supervisor restarts a child: the status shows ERROR (the cause, and when the next start is)
 * while it waits, and ACTIVE again once it runs.
 */
import type { AdminSettings } from './settings.js';
import { messageOf, UsageError } from '../../shared/errors.js';
import type { Logger } from '../../shared/logger.js';
import { userScoped } from '../../shared/names.js';
import { DeadLetterModes } from '../engine/dead-letter.js';
import { FinishReasons } from '../engine/partition-consumer.js';
import { createPipeline, SinkTypes, type Pipeline, type ProcessingSettings, type SinkDefinition as EngineSinkDefinition } from '../engine/pipeline.js';
import { ConsumerStats } from '../engine/stats.js';
import { checkDefinition, deadLetterPath, resolveSinkPath, type DefinitionContext } from './definitions.js';
import { Actions, allowedFrom, assertTransition, type Action } from './lifecycle.js';
import type { HttpError } from './problem.js';
import { ConsumerStatuses, type ConsumerStatus, type SinkDefinition, type StoredConsumer } from './schemas.js';

/**
 * Processing settings shared by every managed consumer. The fetch wait is long because a fetch
 * returns as soon as data arrives anyway; a short one only adds empty fetches, and a server with a
 * hundred consumers would answer two hundred of them a second on its one event loop.
 */
/** The first restart after a crash waits this long, doubling for each crash in a row up to restartMaxDelayMs. */
const restartFirstDelayMs = 1_000;
const restartMaxDelayMs = 30_000;
/** A run that lasted this long was healthy: the next crash starts the backoff again. */
const healthyRunMs = 60_000;

const processing: ProcessingSettings = {
  batchSize: 500,
  batchTimeoutMs: 5_000,
  maxRetries: 5,
  retryBackoffMs: 200,
  errorThreshold: 10,
  pauseMs: 5_000,
  strict: false,
};

/** The engine's definition of a sink that checkDefinition has accepted: paths inside OUTPUT_DIR, the connection from ADMIN_DATABASE_URL. */
export function toEngineSink(definition: SinkDefinition, admin: AdminSettings): EngineSinkDefinition {
  switch (definition.type) {
    case 'file':
      return { type: SinkTypes.file, path: resolveSinkPath(admin.outputDir, definition.path) };
    case 'postgres':
      // The connection comes from ADMIN_DATABASE_URL or nowhere, never from a request.
      if (!admin.databaseUrl) throw new UsageError('postgres sinks need the server started with ADMIN_DATABASE_URL');
      return { type: SinkTypes.postgres, table: definition.table, connectionString: admin.databaseUrl };
    case 'http':
      return { type: SinkTypes.http, url: definition.url };
  }
}

export interface ManagedConsumerOptions {
  context: DefinitionContext;
  log: Logger;
  /** Called after every change of status or definition, e.g. to save the state file. */
  onChange: (consumer: ManagedConsumer) => void;
}

export class ManagedConsumer {
  definition: StoredConsumer;
  readonly #context: DefinitionContext;
  readonly #log: Logger;
  readonly #onChange: (consumer: ManagedConsumer) => void;
  #consumer: Pipeline | undefined;
  #stats = new ConsumerStats();
  /** Counts of the runs before the current one, so totals only ever grow (Prometheus counters). */
  #earlier = { processed: 0, failed: 0 };
  #startedAt: number | undefined;
  /**
   * Serialises every transition, so two requests can't interleave one. Each checks the status when
   * its turn comes, not when it was asked for: by then an earlier one may have changed it.
   */
  #transition: Promise<unknown> = Promise.resolve();
  /** Set once deleted or shut down: every later transition fails with it. */
  #ended: HttpError | undefined;
  /** A crashed run closing its sinks; the next start waits for it, as it may reopen the same files. */
  #crashCleanup: Promise<void> = Promise.resolve();
  /** The restart after a crash, while it waits; any start, stop or end cancels it. */
  #restartTimer: NodeJS.Timeout | undefined;
  #crashesInARow = 0;

  constructor(definition: StoredConsumer, options: ManagedConsumerOptions) {
    this.definition = definition;
    this.#context = options.context;
    this.#log = options.log.child({ consumer: definition.name, consumerId: definition.id });
    this.#onChange = options.onChange;
  }

  get id(): string {
    return this.definition.id;
  }

  get status(): ConsumerStatus {
    return this.definition.status;
  }

  get stats(): ConsumerStats {
    return this.#stats;
  }

  /** Messages processed and failed since the server started, over every run. */
  get totals(): { processed: number; failed: number } {
    const now = this.#stats.snapshot();
    return { processed: this.#earlier.processed + now.messages_processed, failed: this.#earlier.failed + now.messages_failed };
  }

  /** Seconds since the last start, while running. */
  get uptimeSeconds(): number {
    return this.#startedAt === undefined ? 0 : (performance.now() - this.#startedAt) / 1000;
  }

  /** Its KafkaJS client id, as its member shows in the group's description. */
  get clientId(): string {
    return userScoped(this.#context.admin.user, `harness-admin-${this.definition.name}`);
  }

  /** Partitions the group gave this consumer. */
  get partitions(): readonly number[] {
    return this.#consumer?.assigned ?? [];
  }

  /** Next offset to process per owned partition, while running; empty otherwise. */
  get positions(): ReadonlyMap<number, bigint> {
    return this.#consumer?.positions ?? new Map();
  }

  /** Takes a lifecycle action, or throws a 409 naming the status it found when its turn came. */
  act(action: Action): Promise<void> {
    return this.#serially(async () => {
      assertTransition(action, this.status);
      switch (action) {
        case Actions.start:
          return this.#start();
        case Actions.stop:
          return this.#stop(ConsumerStatuses.inactive);
        case Actions.pause:
          return this.#pause();
        case Actions.resume:
          return this.#resume();
      }
    });
  }

  /** Stop-all: stops it if it runs; resolves whether it did. */
  stopIfRunning(): Promise<boolean> {
    return this.#serially(async () => {
      if (!allowedFrom.stop.includes(this.status)) return false;
      await this.#stop(ConsumerStatuses.inactive);
      return true;
    });
  }

  /** After a server restart: runs it again if the state file says ACTIVE or PAUSED. */
  restore(): Promise<void> {
    return this.#serially(async () => {
      const wanted = this.status;
      if (wanted === ConsumerStatuses.active || wanted === ConsumerStatuses.paused) await this.#startAs(wanted);
    });
  }

  /** Replaces the definition; a running consumer restarts with the new one, keeping ACTIVE or PAUSED. */
  replace(definition: StoredConsumer): Promise<void> {
    return this.#serially(async () => {
      const before = this.status;
      const running = this.#consumer !== undefined;
      if (running) await this.#stop(before);
      this.definition = { ...definition, status: this.status, lastError: this.definition.lastError };
      this.#onChange(this);
      if (running && this.status === before) await this.#startAs(before);
    });
  }

  /**
   * Stops it (flush, commit) for good: every transition asked for afterwards fails with `reason`.
   * `keepStatus` leaves ACTIVE or PAUSED in place, so that a server shutdown is undone by the next start.
   */
  end(reason: HttpError, options: { keepStatus: boolean }): Promise<void> {
    this.#cancelRestart();
    return this.#serially(async () => {
      await this.#crashCleanup;
      if (this.#consumer) await this.#stop(options.keepStatus ? this.status : ConsumerStatuses.inactive);
      this.#ended = reason;
    });
  }

  #set(status: ConsumerStatus, error?: unknown): void {
    const now = new Date().toISOString();
    this.definition = {
      ...this.definition,
      status,
      updatedAt: now,
      ...(error === undefined ? {} : { lastError: { message: messageOf(error), at: now } }),
    };
    this.#onChange(this);
  }

  #serially<T>(work: () => Promise<T>): Promise<T> {
    const next = this.#transition.then(() => {
      if (this.#ended) throw this.#ended;
      return work();
    });
    this.#transition = next.catch(() => {});
    return next;
  }

  /** Starts it, then pauses it at once if `wanted` is PAUSED. */
  async #startAs(wanted: ConsumerStatus): Promise<void> {
    await this.#start();
    if (wanted === ConsumerStatuses.paused && this.status === ConsumerStatuses.active) this.#pause();
  }

  async #start(): Promise<void> {
    this.#cancelRestart();
    await this.#crashCleanup;
    const { definition } = this;
    this.#earlier = this.totals;
    this.#stats = new ConsumerStats();
    try {
      // The settings may have changed since this definition was accepted (a restart with another
      // ADMIN_HTTP_ALLOW, no ADMIN_DATABASE_URL, a symlink placed in OUTPUT_DIR): check it again.
      await checkDefinition(definition, this.#context);
      const { admin } = this.#context;
      const consumer = createPipeline({
        clientId: this.clientId,
        brokers: definition.brokers,
        topic: definition.topic,
        groupId: definition.group,
        assignment: { mode: 'group' },
        processing,
        sinks: definition.sinks.map((sink) => toEngineSink(sink, admin)),
        deadLetters: { mode: DeadLetterModes.file, path: deadLetterPath(admin.outputDir, definition) },
        stats: this.#stats,
        log: this.#log,
      });
      this.#consumer = consumer;
      await consumer.start();
      this.#startedAt = performance.now();
      this.#set(ConsumerStatuses.active);
      this.#log.info({ topic: definition.topic, group: definition.group }, 'consumer started');
      const startedAt = this.#startedAt;
      void consumer.finished.then((finish) => {
        if (finish.reason !== FinishReasons.crashed || this.#consumer !== consumer) return;
        const wanted = this.status;
        this.#consumer = undefined;
        this.#startedAt = undefined;
        // A crash that a restart can't fix (another assignment protocol in the group) stays in ERROR.
        const delayMs = finish.fatal ? undefined : this.#nextRestartDelayMs(performance.now() - startedAt);
        const error = finish.error ?? 'the consumer crashed';
        this.#log.error({ error, restartInMs: delayMs }, 'consumer failed');
        this.#set(ConsumerStatuses.error, delayMs === undefined ? error : `${error} (restarting in ${delayMs / 1000} s)`);
        // A crashed run still holds its sinks (open files, a pg pool) and may still be in the group.
        this.#crashCleanup = consumer.stop().catch((error: unknown) => this.#log.warn({ err: error }, 'could not close the crashed consumer'));
        if (delayMs !== undefined) this.#scheduleRestart(delayMs, wanted);
      });
    } catch (error) {
      const consumer = this.#consumer;
      this.#consumer = undefined;
      // stop() closes whatever start() opened (sinks, dead letters, the group), and never rejects.
      await consumer?.stop();
      this.#log.error({ err: error }, 'consumer could not start');
      this.#set(ConsumerStatuses.error, error);
    }
  }

  #nextRestartDelayMs(ranMs: number): number {
    this.#crashesInARow = ranMs > healthyRunMs ? 1 : this.#crashesInARow + 1;
    return Math.min(restartMaxDelayMs, restartFirstDelayMs * 2 ** (this.#crashesInARow - 1));
  }

  /** Starts it again after `delayMs`, as ACTIVE or PAUSED as it was, unless something else started, stopped or ended it meanwhile. */
  #scheduleRestart(delayMs: number, wanted: ConsumerStatus): void {
    this.#cancelRestart();
    const timer = setTimeout(() => {
      this.#serially(async () => {
        if (this.#restartTimer !== timer || this.status !== ConsumerStatuses.error || this.#consumer) return;
        this.#restartTimer = undefined;
        this.#log.info({ restart: this.#crashesInARow }, 'restarting the consumer after a crash');
        await this.#startAs(wanted === ConsumerStatuses.paused ? wanted : ConsumerStatuses.active);
        // It could not start (the broker still away): try again, later each time.
        if (this.status === ConsumerStatuses.error && !this.#consumer) this.#scheduleRestart(this.#nextRestartDelayMs(0), wanted);
      }).catch(() => {});
    }, delayMs);
    timer.unref();
    this.#restartTimer = timer;
  }

  #cancelRestart(): void {
    clearTimeout(this.#restartTimer);
    this.#restartTimer = undefined;
  }

  /** Finishes the batch in progress (written, flushed, committed) and leaves the group. */
  async #stop(status: ConsumerStatus): Promise<void> {
    this.#cancelRestart();
    const consumer = this.#consumer;
    this.#consumer = undefined;
    this.#startedAt = undefined;
    try {
      await consumer?.stop();
      this.#set(status);
    } catch (error) {
      this.#set(ConsumerStatuses.error, error);
    }
  }

  #pause(): void {
    this.#consumer?.pauseAll();
    this.#set(ConsumerStatuses.paused);
  }

  #resume(): void {
    this.#consumer?.resumeAll();
    this.#set(ConsumerStatuses.active);
  }
}
