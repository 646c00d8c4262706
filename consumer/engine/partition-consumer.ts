/**
 * One KafkaJS consumer and its life: join the group (static partitions or the group's balancing),
 * fetch, hand each partition's messages to the BatchProcessor in chunks, commit only what is
 * durable, pause a partition that keeps failing, and stop cleanly. Used by every child of
 * `npm run consume` and by each consumer the admin server manages.
 */
import kafkajs from 'kafkajs';
import type { Admin, Consumer, EachBatchPayload, KafkaMessage } from 'kafkajs';
import { ErrorCodes, HarnessError, messageOf } from '../../shared/errors.js';
import { connectClient, createConsumer, type KafkaClient } from '../../shared/kafka-client.js';
import type { Logger } from '../../shared/logger.js';
import { SinkUnavailableError, type BatchProcessor, type ChunkResult } from './batch-processor.js';
import type { DeadLetterQueue } from './dead-letter.js';
import type { Sink } from './sinks/types.js';
import type { ConsumerStats } from './stats.js';
import { createStaticAssigner } from './static-assigner.js';

const { PartitionAssigners } = kafkajs;

/** The commit of the last stored chunk of a batch, while it is on its way to the group coordinator. */
interface InFlightCommit {
  last: Promise<void> | undefined;
}

/** `members`: how many members declare static slices in the group (the consume CLI's -p), so the first generation waits for them. */
export type Assignment = { mode: 'static'; partitions: readonly number[]; members?: number } | { mode: 'group' };

export const FinishReasons = { end: 'end', count: 'count', stopped: 'stopped', crashed: 'crashed' } as const;
export type FinishReason = (typeof FinishReasons)[keyof typeof FinishReasons];

export interface Finish {
  reason: FinishReason;
  error?: string;
  /** A crash that restarting cannot fix (the group speaks another assignment protocol). */
  fatal?: boolean;
}

/** Hands out permission to process messages when --count caps the total across processes. */
export interface MessageBudget {
  /** How many of `wanted` may be processed (0 = none left). */
  take(wanted: number): Promise<number>;
  /** Of `granted`, `used` were stored for the first time; the rest is given back. */
  settle(granted: number, used: number): void;
}

export interface PartitionConsumerOptions {
  kafka: KafkaClient;
  brokers: readonly string[];
  topic: string;
  groupId: string;
  assignment: Assignment;
  /** Messages per processing chunk (one write, flush and commit each). */
  batchSize: number;
  /** Longest a fetch waits on the broker for data, ms. */
  batchTimeoutMs: number;
  /** Failed messages in a row that pause a partition. */
  errorThreshold: number;
  /** How long a paused partition rests before it is resumed, ms. */
  pauseMs: number;
  /** With -e: the log-end offsets seen at start; a partition is done once its commit reaches them. */
  endOffsets?: ReadonlyMap<number, bigint> | undefined;
  budget?: MessageBudget | undefined;
  processor: BatchProcessor;
  sinks: readonly Sink[];
  deadLetters: DeadLetterQueue;
  stats: ConsumerStats;
  log: Logger;
  /** Group session timeout, ms: how soon a dead member's partitions can move (default 10 s). */
  sessionTimeoutMs?: number;
  /**
   * Awaited once the sinks are open and the client is connected, just before joining the group.
   * The consume CLI holds each child here until all are ready, so they join together: every member
   * that joins after the group's first generation makes the others stop and rebalance.
   */
  beforeJoin?: (() => Promise<void>) | undefined;
  /**
   * With endOffsets and static partitions: awaited once every assigned partition has reached its
   * end, before the consumer leaves the group. The consume CLI holds each child here until all have,
   * since a member that leaves makes the others stop their work and rebalance. Absent, or with the
   * group's own assignment: it leaves at once.
   */
  atEnd?: (() => Promise<void>) | undefined;
}

export class PartitionConsumer {
  readonly finished: Promise<Finish>;
  readonly #options: PartitionConsumerOptions;
  readonly #consumer: Consumer;
  readonly #log: Logger;
  /** Partitions paused for their errors, with the timer that resumes each. */
  readonly #pauseTimers = new Map<number, NodeJS.Timeout>();
  readonly #done = new Set<number>();
  /** The admin's pause of the whole topic, which a partition's cool-down must not undo. */
  #pausedAll: boolean = false;
  #assigned: number[] = [];
  /** Per partition, the offset of the next message to process: where this consumer has got to, ahead of or equal to its last commit. */
  readonly #positions = new Map<number, bigint>();
  #admin: Admin | undefined;
  #starting: Promise<void> | undefined;
  #stopping: Promise<void> | undefined;
  #stopRequested: boolean = false;
  /** Every assigned partition has reached its end offset (-e): it only waits to leave. */
  #atEnd: boolean = false;
  /** eachBatch calls still running, and who waits for them to end. */
  #busyBatches = 0;
  #whenIdle: (() => void)[] = [];
  #resolveFinished: (finish: Finish) => void = () => {};

  constructor(options: PartitionConsumerOptions) {
    this.#options = options;
    this.#log = options.log;
    this.finished = new Promise((resolve) => (this.#resolveFinished = resolve));
    const assigner =
      options.assignment.mode === 'static'
        ? createStaticAssigner(options.topic, options.assignment.partitions, { members: options.assignment.members })
        : PartitionAssigners.roundRobin;
    const sessionTimeout = options.sessionTimeoutMs ?? 10_000;
    this.#consumer = createConsumer(options.kafka, {
      groupId: options.groupId,
      partitionAssigners: [assigner],
      sessionTimeout,
      heartbeatInterval: Math.max(500, Math.floor(sessionTimeout / 10)),
      maxWaitTimeInMs: options.batchTimeoutMs,
      retry: { restartOnFailure: async (error) => isBrokerError(error) },
    });
  }

  /** Partitions this consumer owns since the last rebalance. */
  get assigned(): readonly number[] {
    return this.#assigned;
  }

  /** The next offset to process of each partition it owns and has processed some of (read-only: for dashboards). */
  get positions(): ReadonlyMap<number, bigint> {
    return this.#positions;
  }

  start(): Promise<void> {
    this.#starting ??= this.#start();
    return this.#starting;
  }

  async #start(): Promise<void> {
    const { topic, sinks, deadLetters, brokers } = this.#options;
    const { GROUP_JOIN, CRASH } = this.#consumer.events;
    this.#consumer.on(GROUP_JOIN, ({ payload }) => {
      this.#assigned = [...(payload.memberAssignment[topic] ?? [])].sort((a, b) => a - b);
      for (const partition of this.#positions.keys()) if (!this.#assigned.includes(partition)) this.#positions.delete(partition);
      this.#log.info({ groupId: payload.groupId, memberId: payload.memberId, partitions: this.#assigned }, 'joined the group');
      this.#reapplyPauses();
      if (this.#options.endOffsets) void this.#markPartitionsAlreadyAtEnd();
    });
    this.#consumer.on(CRASH, ({ payload }) => {
      if ((payload.error as { type?: string }).type === 'INCONSISTENT_GROUP_PROTOCOL') {
        const error = `group "${this.#options.groupId}" already has members that assign partitions another way (--assign static and group can't share a group): stop them, or use another group with -G`;
        this.#finish({ reason: FinishReasons.crashed, error, fatal: true });
      } else if (payload.restart) {
        this.#log.warn({ error: messageOf(payload.error) }, 'the broker connection failed; KafkaJS restarts the consumer');
      } else {
        this.#finish({ reason: FinishReasons.crashed, error: messageOf(payload.error) });
      }
    });
    if (this.#options.endOffsets) this.#admin = this.#options.kafka.admin();
    const admin = this.#admin;
    // Side by side: each is a round trip or more to the broker, and a child's start-up is its sum.
    await Promise.all([
      (async () => {
        for (const sink of sinks) await sink.open();
        await deadLetters.open();
      })(),
      admin ? connectClient(admin, brokers) : undefined,
      connectClient(this.#consumer, brokers),
    ]);
    await this.#options.beforeJoin?.();
    // Stopped while it waited: joining now would only make the group rebalance twice.
    if (this.#stopRequested) return;
    await this.#consumer.subscribe({ topics: [topic], fromBeginning: true });
    await this.#consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      // Each partition is processed on its own, so a slow or paused one never holds up the others.
      partitionsConsumedConcurrently: this.#options.assignment.mode === 'static' ? Math.max(1, this.#options.assignment.partitions.length) : 64,
      eachBatch: (payload) => this.#eachBatch(payload),
    });
  }

  /** Stops fetching every partition (the admin's pause); in-flight work still completes. */
  pauseAll(): void {
    this.#pausedAll = true;
    this.#consumer.pause([{ topic: this.#options.topic }]);
  }

  /** Undoes pauseAll(); partitions still cooling down after errors, or done with -e, stay paused. */
  resumeAll(): void {
    this.#pausedAll = false;
    this.#consumer.resume([{ topic: this.#options.topic }]);
    this.#reapplyPauses();
  }

  /**
   * KafkaJS forgets its pauses when it restarts the consumer after a broker error, and resuming the
   * whole topic clears partition pauses: this puts back the ones this class is responsible for.
   */
  #reapplyPauses(): void {
    const { topic } = this.#options;
    if (this.#pausedAll) this.#consumer.pause([{ topic }]);
    const partitions = [...this.#pauseTimers.keys(), ...this.#done];
    if (!this.#pausedAll && partitions.length > 0) this.#consumer.pause([{ topic, partitions }]);
  }

  /**
   * Finishes the chunk in progress (written, flushed, committed), leaves the group, closes the sinks.
   * Idempotent, and never rejects: what failed to close is reported through `finished`.
   */
  stop(reason: FinishReason = FinishReasons.stopped): Promise<void> {
    this.#stopping ??= (async () => {
      this.#stopRequested = true;
      for (const timer of this.#pauseTimers.values()) clearTimeout(timer);
      const failures: string[] = [];
      const attempt = async (what: string, step: () => unknown): Promise<void> => {
        try {
          await step();
        } catch (error) {
          failures.push(`${what}: ${messageOf(error)}`);
        }
      };
      // Disconnecting while run() is still starting lets KafkaJS's runner rejoin the group afterwards.
      await this.#starting?.catch(() => {});
      // KafkaJS silently drops commits once its runner is stopping, so the batches in progress must
      // finish (written, flushed, committed) before disconnect() begins.
      try {
        if (this.#starting !== undefined) this.#consumer.pause([{ topic: this.#options.topic }]);
      } catch {
        // Between a crash and KafkaJS's restart there is no group to pause, and nothing is fetching.
      }
      await this.#batchesDone();
      await attempt('disconnect', () => this.#consumer.disconnect());
      // Each resource on its own: one that fails to close must not keep the others open.
      for (const sink of this.#options.sinks) await attempt(`close ${sink.name}`, () => sink.close());
      await attempt(`close dead letters (${this.#options.deadLetters.name})`, () => this.#options.deadLetters.close());
      await attempt('disconnect admin', () => this.#admin?.disconnect());
      if (failures.length > 0) {
        this.#log.warn({ failures }, 'stopped, but not everything closed cleanly');
        this.#finish({ reason: FinishReasons.crashed, error: failures.join('; ') });
      } else {
        this.#finish({ reason });
      }
    })();
    return this.#stopping;
  }

  #finish(finish: Finish): void {
    this.#resolveFinished(finish);
  }

  /** Stop from inside a batch: not awaited there, since disconnecting waits for the batch to end. */
  #finishSoon(reason: FinishReason): void {
    if (this.#stopRequested) return;
    this.#stopRequested = true;
    setImmediate(() => void this.stop(reason));
  }

  async #markPartitionsAlreadyAtEnd(): Promise<void> {
    const { endOffsets, topic, groupId } = this.#options;
    if (!endOffsets || !this.#admin) return;
    try {
      // The topic's offsets first: that loads its metadata into the admin client, which fetchOffsets
      // needs (else "Topic metadata not loaded" when the group is joined right after connecting).
      const low = new Map((await this.#admin.fetchTopicOffsets(topic)).map((entry) => [entry.partition, BigInt(entry.low)]));
      const [committed] = await this.#admin.fetchOffsets({ groupId, topics: [topic] });
      for (const { partition, offset } of committed?.partitions ?? []) {
        const position = offset === '-1' ? (low.get(partition) ?? 0n) : BigInt(offset);
        if (position >= (endOffsets.get(partition) ?? 0n)) this.#markDone(partition);
      }
      this.#finishIfAllDone();
    } catch (error) {
      this.#log.warn({ err: error }, 'could not read committed offsets; waiting for messages instead');
    }
  }

  #markDone(partition: number): void {
    // Nothing more to take from it: stop fetching, or its newer messages would be fetched forever.
    this.#consumer.pause([{ topic: this.#options.topic, partitions: [partition] }]);
    if (this.#done.has(partition)) return;
    this.#done.add(partition);
    this.#log.debug({ partition }, 'partition reached the end offset seen at start');
  }

  #finishIfAllDone(): void {
    if (this.#atEnd || this.#assigned.length === 0 || !this.#assigned.every((partition) => this.#done.has(partition))) return;
    this.#atEnd = true;
    this.#log.info({ partitions: this.#assigned }, 'every assigned partition reached its end offset');
    const leave = (): void => this.#finishSoon(FinishReasons.end);
    // Only static slices wait: with the group's own balancing a rebalance while it waited could hand
    // this member partitions that are not at their end, which it would then leave unread.
    const { atEnd, assignment } = this.#options;
    if (atEnd && assignment.mode === 'static') atEnd().then(leave, leave);
    else leave();
  }

  #pausePartition(pause: () => () => void, partition: number, why: string): void {
    const resume = pause();
    // KafkaJS turns a whole-topic pause into a per-partition one here: keep the admin's pause whole.
    if (this.#pausedAll) this.#consumer.pause([{ topic: this.#options.topic }]);
    // A batch fetched before the pause took effect may report the same errors: one cool-down is
    // enough. A stopping consumer needs none: it is about to leave.
    if (this.#pauseTimers.has(partition) || this.#stopRequested) return;
    const { stats, pauseMs, processor } = this.#options;
    stats.markPaused(partition, true);
    this.#log.warn({ partition, why, resumeInMs: pauseMs }, 'partition paused');
    const timer = setTimeout(() => {
      this.#pauseTimers.delete(partition);
      processor.resetErrors(partition);
      stats.markPaused(partition, false);
      if (!this.#pausedAll) resume();
      this.#log.info({ partition }, 'partition resumed');
    }, pauseMs);
    this.#pauseTimers.set(partition, timer);
  }

  #batchesDone(): Promise<void> {
    if (this.#busyBatches === 0) return Promise.resolve();
    return new Promise((resolve) => this.#whenIdle.push(resolve));
  }

  async #eachBatch(payload: EachBatchPayload): Promise<void> {
    this.#busyBatches += 1;
    try {
      await this.#processBatch(payload);
    } finally {
      this.#busyBatches -= 1;
      if (this.#busyBatches === 0) for (const resolve of this.#whenIdle.splice(0)) resolve();
    }
  }

  /**
   * Each chunk's commit goes out once the chunk is stored, and the next chunk is processed while it
   * travels (a round trip to the group coordinator per chunk was time the child sat idle). The batch
   * ends only once its last commit has landed, so a stop, a rebalance or the next fetch of the
   * partition still finds everything that was stored committed.
   */
  async #processBatch(payload: EachBatchPayload): Promise<void> {
    const commits: InFlightCommit = { last: undefined };
    try {
      await this.#processChunks(payload, commits);
    } catch (error) {
      await commits.last?.catch(() => {});
      throw error;
    }
    await commits.last;
  }

  async #processChunks({ batch, resolveOffset, heartbeat, isRunning, isStale, pause }: EachBatchPayload, commits: InFlightCommit): Promise<void> {
    const { topic, batchSize, endOffsets, budget, processor, errorThreshold } = this.#options;
    const { partition } = batch;
    const end = endOffsets?.get(partition);
    const receivedAtMs = Date.now();
    if (this.#done.has(partition)) return;

    for (let start = 0; start < batch.messages.length; start += batchSize) {
      if (!isRunning() || isStale() || this.#stopRequested) return;
      let chunk: KafkaMessage[] = batch.messages.slice(start, start + batchSize);
      // Offsets ascend: only a chunk whose last message is past the end has any to drop (a BigInt per message shows in profiles).
      const lastOffset = chunk.at(-1)?.offset;
      if (end !== undefined && lastOffset !== undefined && BigInt(lastOffset) >= end) chunk = chunk.filter((message) => BigInt(message.offset) < end);
      if (chunk.length === 0) return;
      const granted = budget ? await budget.take(chunk.length) : chunk.length;
      if (granted === 0) {
        this.#finishSoon(FinishReasons.count);
        return;
      }
      chunk = chunk.slice(0, granted);

      let result: ChunkResult;
      try {
        result = await processor.process(partition, chunk, receivedAtMs);
        budget?.settle(granted, result.processed + result.failed);
      } catch (error) {
        budget?.settle(granted, 0);
        if (!(error instanceof SinkUnavailableError)) throw error;
        // Nothing of this chunk is committed: after the pause it is fetched again from the last commit.
        this.#options.stats.recordPartitionError(partition);
        this.#pausePartition(pause, partition, error.message);
        return;
      }

      // A run of failures may have ended the chunk early, even before its first message: commit only what was handled.
      const lastHandled = result.handled > 0 ? chunk[result.handled - 1] : undefined;
      if (lastHandled) {
        const last = lastHandled.offset;
        // A transaction's commit marker follows its last message but never reaches eachBatch: past
        // the batch's last message, the position is past the marker too, as the Java consumer's is.
        const next = last === batch.messages.at(-1)?.offset ? BigInt(batch.lastOffset()) + 1n : BigInt(last) + 1n;
        resolveOffset(last);
        this.#positions.set(partition, next);
        // One commit in flight at a time: the previous chunk's has landed before this one goes, so a
        // rebalance or a crash replays at most two chunks (which the sinks and storedThrough skip).
        await commits.last;
        commits.last = this.#consumer.commitOffsets([{ topic, partition, offset: next.toString() }]).catch(rethrowRebalance);
        // Awaited later (before the next commit, or at the end of the batch): not an unhandled rejection meanwhile.
        commits.last.catch(() => {});
        await heartbeat();
        if (end !== undefined && next >= end) {
          this.#markDone(partition);
          this.#finishIfAllDone();
          return;
        }
      }
      if (result.consecutiveErrors >= errorThreshold) {
        this.#pausePartition(pause, partition, `${result.consecutiveErrors} failed messages in a row (--error-threshold ${errorThreshold})`);
        return;
      }
    }
  }
}

/** Log-end offsets (high watermarks) of a topic's partitions, as seen now. */
export async function fetchEndOffsets(admin: Admin, topic: string): Promise<Map<number, bigint>> {
  const offsets = await admin.fetchTopicOffsets(topic).catch((error: unknown) => {
    throw new HarnessError(ErrorCodes.runtime, `could not read the end offsets of ${topic}: ${messageOf(error)}`, { cause: error });
  });
  return new Map(offsets.map((entry) => [entry.partition, BigInt(entry.high)]));
}

/** Commit errors that mean this member must rejoin the group: its generation or membership is gone. */
const rejoinErrorTypes = new Set(['UNKNOWN_MEMBER_ID', 'ILLEGAL_GENERATION', 'REBALANCE_IN_PROGRESS', 'NOT_COORDINATOR_FOR_GROUP']);

/**
 * A commit refused because the group rebalanced (the member expired, or a new generation began).
 * KafkaJS's commit retrier wraps the broker's error in a KafkaJSNonRetriableError without its `type`,
 * so its runner, which rejoins on exactly these types, crashed the consumer for good instead ("The
 * coordinator is not aware of this member"). Rethrown unwrapped, the runner rejoins; the chunk is
 * already in the sinks, and what was not committed comes again, where the sinks keep it once.
 */
export function rethrowRebalance(error: unknown): never {
  for (let cause = error; cause !== undefined && cause !== null; cause = (cause as { cause?: unknown }).cause) {
    const type = (cause as { type?: unknown }).type;
    if (typeof type === 'string' && rejoinErrorTypes.has(type)) throw cause;
    if (cause === (cause as { cause?: unknown }).cause) break;
  }
  throw error;
}

/**
 * Whether KafkaJS should restart the consumer itself after `error`: only for broker and network
 * trouble. Anything else is a bug or a broken sink that a restart in place would repeat forever;
 * the consumer crashes instead, and its supervisor restarts it with backoff or reports it.
 */
export function isBrokerError(error: unknown): boolean {
  let cause = error;
  while ((cause as { cause?: unknown } | undefined)?.cause) cause = (cause as { cause: unknown }).cause;
  return String((cause as { name?: unknown } | undefined)?.name).startsWith('KafkaJS');
}
