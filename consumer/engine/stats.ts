/**
 * What a consumer has done, in the shape the Python advanced consumer prints (snake_case fields),
 * plus retries, dead letters, replays skipped and end-to-end latency.
 */
import { createLatencyHistogram, encodeHistogram, type Histogram } from '../../shared/latency.js';

export interface StatsSnapshot {
  uptime_seconds: number;
  messages_processed: number;
  messages_failed: number;
  processing_rate_per_second: number;
  average_processing_time_ms: number;
  error_rate_percent: number;
  partition_errors: Record<string, number>;
  retries: number;
  dead_lettered: number;
  /** Messages delivered again (after a commit lost to a rebalance, or an unclean stop) that were already stored. */
  duplicates_skipped: number;
  paused_partitions: number[];
  pauses: number;
}

const round = (value: number, digits = 2): number => Math.round(value * 10 ** digits) / 10 ** digits;

/** The window of recentRatePerSecond(), in one-second buckets. */
const recentWindowSeconds = 10;

export class ConsumerStats {
  readonly #startedAt = performance.now();
  #processed = 0;
  #failed = 0;
  #retries = 0;
  #deadLettered = 0;
  #duplicates = 0;
  #pauses = 0;
  #processingMs = 0;
  readonly #partitionErrors = new Map<number, number>();
  readonly #paused = new Set<number>();
  /** Messages processed per second of uptime, for the last recentWindowSeconds seconds (a ring). */
  readonly #recent = new Array<number>(recentWindowSeconds).fill(0);
  #recentSecond = 0;
  /** From the producer's x-sent-at header to the moment the batch arrived, µs. */
  readonly endToEnd: Histogram = createLatencyHistogram();

  recordChunk(result: { processed: number; failed: number; duplicates: number; elapsedMs: number }): void {
    this.#advanceRecent();
    const bucket = this.#recentSecond % recentWindowSeconds;
    this.#recent[bucket] = (this.#recent[bucket] ?? 0) + result.processed;
    this.#processed += result.processed;
    this.#failed += result.failed;
    this.#duplicates += result.duplicates;
    this.#processingMs += result.elapsedMs;
  }

  recordPartitionError(partition: number, count = 1): void {
    this.#partitionErrors.set(partition, (this.#partitionErrors.get(partition) ?? 0) + count);
  }

  recordRetry(): void {
    this.#retries += 1;
  }

  recordDeadLetters(count: number): void {
    this.#deadLettered += count;
  }

  recordEndToEnd(sentAtMs: number, receivedAtMs: number): void {
    this.endToEnd.recordValue(Math.max(1, Math.round((receivedAtMs - sentAtMs) * 1000)));
  }

  markPaused(partition: number, paused: boolean): void {
    if (paused) {
      this.#paused.add(partition);
      this.#pauses += 1;
    } else {
      this.#paused.delete(partition);
    }
  }

  get processed(): number {
    return this.#processed;
  }

  /** Messages per second over the last 10 s (or since the start, if sooner): 0 once nothing flows. */
  recentRatePerSecond(): number {
    this.#advanceRecent();
    const total = this.#recent.reduce((sum, count) => sum + count, 0);
    const seconds = Math.min(recentWindowSeconds, Math.max((performance.now() - this.#startedAt) / 1000, 0.001));
    return round(total / seconds, 1);
  }

  /** Empties the buckets of the seconds that passed since the last call. */
  #advanceRecent(): void {
    const second = Math.floor((performance.now() - this.#startedAt) / 1000);
    for (let passed = this.#recentSecond + 1; passed <= second && passed <= this.#recentSecond + recentWindowSeconds; passed += 1) {
      this.#recent[passed % recentWindowSeconds] = 0;
    }
    this.#recentSecond = Math.max(this.#recentSecond, second);
  }

  snapshot(): StatsSnapshot {
    const uptimeSeconds = (performance.now() - this.#startedAt) / 1000;
    const attempted = this.#processed + this.#failed;
    return {
      uptime_seconds: round(uptimeSeconds, 1),
      messages_processed: this.#processed,
      messages_failed: this.#failed,
      processing_rate_per_second: round(this.#processed / Math.max(uptimeSeconds, 0.001)),
      average_processing_time_ms: attempted === 0 ? 0 : round(this.#processingMs / attempted, 4),
      error_rate_percent: attempted === 0 ? 0 : round((this.#failed / attempted) * 100),
      partition_errors: Object.fromEntries([...this.#partitionErrors].sort(([a], [b]) => a - b).map(([partition, count]) => [String(partition), count])),
      retries: this.#retries,
      dead_lettered: this.#deadLettered,
      duplicates_skipped: this.#duplicates,
      paused_partitions: [...this.#paused].sort((a, b) => a - b),
      pauses: this.#pauses,
    };
  }

  endToEndEncoded(): string {
    return encodeHistogram(this.endToEnd);
  }
}

/** The stats of two runs one after the other (a child and its restart), as if one run had done both. */
export function addSnapshots(earlier: StatsSnapshot, later: StatsSnapshot): StatsSnapshot {
  const uptimeSeconds = earlier.uptime_seconds + later.uptime_seconds;
  const processed = earlier.messages_processed + later.messages_processed;
  const failed = earlier.messages_failed + later.messages_failed;
  const attemptedEarlier = earlier.messages_processed + earlier.messages_failed;
  const attemptedLater = later.messages_processed + later.messages_failed;
  const attempted = processed + failed;
  const partitionErrors: Record<string, number> = { ...earlier.partition_errors };
  for (const [partition, count] of Object.entries(later.partition_errors)) partitionErrors[partition] = (partitionErrors[partition] ?? 0) + count;
  return {
    uptime_seconds: round(uptimeSeconds, 1),
    messages_processed: processed,
    messages_failed: failed,
    processing_rate_per_second: round(processed / Math.max(uptimeSeconds, 0.001)),
    average_processing_time_ms:
      attempted === 0 ? 0 : round((earlier.average_processing_time_ms * attemptedEarlier + later.average_processing_time_ms * attemptedLater) / attempted, 4),
    error_rate_percent: attempted === 0 ? 0 : round((failed / attempted) * 100),
    partition_errors: partitionErrors,
    retries: earlier.retries + later.retries,
    dead_lettered: earlier.dead_lettered + later.dead_lettered,
    duplicates_skipped: earlier.duplicates_skipped + later.duplicates_skipped,
    paused_partitions: later.paused_partitions,
    pauses: earlier.pauses + later.pauses,
  };
}
