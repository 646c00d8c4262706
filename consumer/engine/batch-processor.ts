/**
 * The work done on one chunk of one partition, between fetching and committing: decode each
 * message, run the handler with retries, write the good ones to every sink and flush, store the
 * failed ones as dead letters. Nothing here knows KafkaJS's consumer, so the admin server's
 * consumers share it and tests drive it without a broker.
 */
import type { KafkaMessage } from 'kafkajs';
import { ErrorCodes, HarnessError, messageOf } from '../../shared/errors.js';
import type { Logger } from '../../shared/logger.js';
import { MessageHeaders, MessageSchema } from '../../shared/message.js';
import { FailureStages, type DeadLetterEntry, type DeadLetterQueue, type FailureStage } from './dead-letter.js';
import { toEnvelope, type Envelope } from './envelope.js';
import { withRetries } from './retry.js';
import type { Sink } from './sinks/types.js';
import type { ConsumerStats } from './stats.js';

/** Processing of one message; throwing counts as a (retriable) failure. */
export type MessageHandler = (envelope: Envelope) => void | Promise<void>;

export interface BatchProcessorOptions {
  topic: string;
  /** Check the shared message schema as well as JSON syntax. */
  strict: boolean;
  /** Retries of the handler per message, and of the sinks per chunk. */
  maxRetries: number;
  retryBackoffMs: number;
  handler?: MessageHandler | undefined;
  sinks: readonly Sink[];
  deadLetters: DeadLetterQueue;
  stats: ConsumerStats;
  log: Logger;
  /**
   * Aborted on shutdown: retry waits end early. The chunk then ends before a message whose handler
   * was cut short, and a sink that is still failing fails the chunk, so neither is committed.
   */
  signal?: AbortSignal | undefined;
  /** Failed messages in a row at which the chunk stops early, so the partition can be paused. */
  errorThreshold?: number | undefined;
}

export interface ChunkResult {
  /** Messages of the chunk that were handled (written or dead-lettered); the rest were not looked at. */
  handled: number;
  processed: number;
  failed: number;
  duplicates: number;
  /** Failed messages in a row on this partition, counting across chunks. */
  consecutiveErrors: number;
}

/** The sinks stayed unavailable through every retry: the chunk must not be committed. */
export class SinkUnavailableError extends HarnessError {
  constructor(sink: string, cause: unknown) {
    super(ErrorCodes.runtime, `sink ${sink} failed after retries: ${messageOf(cause)}`, { cause, retriable: true, sink });
    this.name = 'SinkUnavailableError';
  }
}

/**
 * The x-sent-at header as a number: read from the Buffer's digits, since making a string of it for
 * each of a million messages shows in a profile. Anything but plain digits goes through Number().
 */
export function epochMsOf(value: Buffer | string | (Buffer | string)[]): number {
  if (!Buffer.isBuffer(value) || value.length === 0 || value.length > 15) return Number(value.toString());
  let result = 0;
  for (const byte of value) {
    if (byte < 0x30 || byte > 0x39) return Number(value.toString());
    result = result * 10 + (byte - 0x30);
  }
  return result;
}

type Decoded = { ok: true; envelope: Envelope } | { ok: false; stage: FailureStage; error: string };

export class BatchProcessor {
  readonly #options: BatchProcessorOptions;
  readonly #consecutiveErrors = new Map<number, number>();
  /** Per partition, the highest offset whose message is stored (in the sinks or as a dead letter). */
  readonly #storedThrough = new Map<number, number>();

  constructor(options: BatchProcessorOptions) {
    this.#options = options;
  }

  /** Forget a partition's run of errors, e.g. when it resumes after a pause. */
  resetErrors(partition: number): void {
    this.#consecutiveErrors.delete(partition);
  }

  #decode(partition: number, message: KafkaMessage): Decoded {
    const text = message.value?.toString('utf8');
    if (text === undefined || text.length === 0) return { ok: false, stage: FailureStages.parse, error: 'empty message' };
    let payload: unknown;
    try {
      payload = JSON.parse(text);
    } catch (error) {
      return { ok: false, stage: FailureStages.parse, error: `not JSON: ${messageOf(error)}` };
    }
    if (this.#options.strict) {
      const checked = MessageSchema.safeParse(payload);
      if (!checked.success) {
        const issue = checked.error.issues[0];
        return { ok: false, stage: FailureStages.schema, error: `schema: ${issue?.path.join('.') || 'message'}: ${issue?.message ?? 'invalid'}` };
      }
    }
    return { ok: true, envelope: toEnvelope(this.#options.topic, partition, message, payload, text) };
  }

  async #handle(envelope: Envelope): Promise<string | undefined> {
    const { handler } = this.#options;
    if (!handler) return undefined;
    try {
      await withRetries(async () => handler(envelope), {
        maxRetries: this.#options.maxRetries,
        backoffMs: this.#options.retryBackoffMs,
        signal: this.#options.signal,
        onRetry: () => this.#options.stats.recordRetry(),
      });
      return undefined;
    } catch (error) {
      return messageOf(error);
    }
  }

  async #storeDurably<T>(what: string, operation: () => Promise<T>): Promise<T> {
    try {
      return await withRetries(operation, {
        maxRetries: this.#options.maxRetries,
        backoffMs: this.#options.retryBackoffMs,
        signal: this.#options.signal,
        onRetry: (error, attempt, waitMs) => {
          this.#options.stats.recordRetry();
          this.#options.log.warn({ err: error, what, attempt, waitMs }, 'write failed; retrying');
        },
      });
    } catch (error) {
      throw new SinkUnavailableError(what, error);
    }
  }

  /**
   * Processes one chunk (messages of one partition, in offset order). Resolves once the good
   * messages are flushed to every sink and the failed ones are stored as dead letters; only then
   * may the caller commit, up to the `handled` first messages: a run of failures reaching the
   * error threshold ends the chunk early, or before its first message if the partition was already
   * over the threshold. Throws SinkUnavailableError if that could not be done.
   */
  async process(partition: number, messages: readonly KafkaMessage[], receivedAtMs: number): Promise<ChunkResult> {
    const startedAt = performance.now();
    const { stats, sinks, deadLetters } = this.#options;
    const good: Envelope[] = [];
    const dead: DeadLetterEntry[] = [];
    let consecutive = this.#consecutiveErrors.get(partition) ?? 0;

    // A commit lost to a rebalance makes KafkaJS fetch again from the last commit: the messages this
    // processor already stored are counted as handled and skipped, so no sink or dead letter gets them twice.
    const storedThrough = this.#storedThrough.get(partition) ?? -1;
    let replayed = 0;
    for (const message of messages) {
      if (Number(message.offset) > storedThrough) break;
      replayed += 1;
    }

    let handled = replayed;
    for (const message of messages.slice(replayed)) {
      if (this.#options.errorThreshold !== undefined && consecutive >= this.#options.errorThreshold) break;
      const decoded = this.#decode(partition, message);
      // Without a handler there is nothing to await: no microtask per message on the hot path.
      const failure = !decoded.ok ? decoded.error : this.#options.handler ? await this.#handle(decoded.envelope) : undefined;
      // A stop cut the handler's retries short: the message is left for the next run, not dead-lettered.
      if (decoded.ok && failure !== undefined && this.#options.signal?.aborted) break;
      handled += 1;
      const sentAt = message.headers?.[MessageHeaders.sentAt];
      if (sentAt !== undefined) stats.recordEndToEnd(epochMsOf(sentAt), receivedAtMs);
      if (failure === undefined && decoded.ok) {
        good.push(decoded.envelope);
        consecutive = 0;
      } else {
        dead.push({ topic: this.#options.topic, partition, message, stage: decoded.ok ? FailureStages.handler : decoded.stage, error: failure ?? 'unknown' });
        consecutive += 1;
      }
    }

    let alreadyStored = 0;
    // By offset: two sinks refusing the same message make one dead letter.
    const refusals = new Map<number, DeadLetterEntry>();
    if (good.length > 0) {
      // One sink at a time, each retried on its own: a retry never hands the chunk again to a sink
      // that already took it (an HTTP receiver would get it twice).
      for (const sink of sinks) {
        const result = await this.#storeDurably(sink.name, async () => {
          const written = await sink.write(good);
          await sink.flush();
          return written;
        });
        alreadyStored = Math.max(alreadyStored, result.duplicates);
        for (const envelope of result.rejected?.envelopes ?? []) {
          const message = messages.find((candidate) => Number(candidate.offset) === envelope.offset);
          if (message)
            refusals.set(envelope.offset, {
              topic: this.#options.topic,
              partition,
              message,
              stage: FailureStages.sink,
              error: `${sink.name}: ${result.rejected?.error ?? 'refused'}`,
            });
        }
      }
      // A sink refused these for good (a retry would get the same answer): they are dead letters.
      dead.push(...refusals.values());
    }
    if (dead.length > 0) {
      await this.#storeDurably(`dead letters (${deadLetters.name})`, () => deadLetters.write(dead));
      stats.recordDeadLetters(dead.length);
      stats.recordPartitionError(partition, dead.length);
      for (const entry of dead.slice(0, 3)) {
        this.#options.log.warn(
          { partition, offset: entry.message.offset, stage: entry.stage, error: entry.error, deadLetters: deadLetters.name },
          'message dead-lettered',
        );
      }
    }

    this.#consecutiveErrors.set(partition, consecutive);
    const lastHandled = handled > replayed ? messages[handled - 1] : undefined;
    if (lastHandled) this.#storedThrough.set(partition, Number(lastHandled.offset));
    // What a sink already had (written before a crash, not committed) was counted by the run that wrote it.
    const result = {
      handled,
      processed: good.length - refusals.size - alreadyStored,
      failed: dead.length,
      duplicates: replayed + alreadyStored,
      consecutiveErrors: consecutive,
    };
    stats.recordChunk({ ...result, elapsedMs: performance.now() - startedAt });
    return result;
  }
}
