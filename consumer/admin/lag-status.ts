/**
 * Whether a consumer group keeps up with a partition, judged the way LinkedIn's Burrow does: from a
 * short window of samples rather than a lag threshold, so a large lag that shrinks is fine and a small
 * one that never moves is not.
 *
 * The rules and their order were checked against linkedin/Burrow at ced55ba:
 * core/internal/evaluator/caching.go (calculatePartitionStatus and the rule functions below it) and
 * core/internal/storage/inmemory.go (what enters the window, and the broker-offset ring).
 */
import { UsageError } from '../../shared/errors.js';

export const LagStatuses = { ok: 'OK', warn: 'WARN', stall: 'STALL', stop: 'STOP' } as const;
export type LagStatus = (typeof LagStatuses)[keyof typeof LagStatuses];
export const allowedLagStatuses: readonly LagStatus[] = Object.values(LagStatuses);

/** The `lag` of a sample taken while the partition's log-end offset was unknown. */
export const unknownLag = -1;

export interface LagSample {
  /** When the admin server read the offsets, in ms since the epoch. */
  atMs: number;
  /** The group's committed offset. */
  offset: number;
  logEndOffset: number;
  /** logEndOffset − offset, or `unknownLag` (-1) without a log-end offset. */
  lag: number;
}

export interface LagEvaluation {
  status: LagStatus;
  /** One short sentence saying which rule decided. */
  reason: string;
  /** The latest sample's lag; null with no sample or an unknown log-end offset. */
  lag: number | null;
  /** lag ÷ (offsets committed per second over the window); 0 at zero lag, null when the rate is zero or unknown. */
  estimatedLagSeconds: number | null;
  /** The window, oldest first. */
  samples: readonly LagSample[];
}

export interface LagHistoryOptions {
  /** Samples kept per partition (Burrow's `intervals`); at least 2. Default 10. */
  windowSize?: number;
}

interface PartitionWindow {
  samples: LagSample[];
  /** Every known log-end offset read, changed or not: Burrow's separate broker-offset ring. */
  logEndOffsets: number[];
  lastPolledMs: number;
}

const keySeparator = '\u0000';

/**
 * The history key of a partition, or with fewer parts the prefix that `forget` uses for a whole group
 * or topic. A separator no group or topic name contains keeps "orders" from matching "orders-2".
 */
export function lagKey(group: string, topic?: string, partition?: number): string {
  return [group, topic, partition].filter((part) => part !== undefined).join(keySeparator);
}

export class LagHistory {
  readonly windowSize: number;
  readonly #windows = new Map<string, PartitionWindow>();

  constructor(options: LagHistoryOptions = {}) {
    const { windowSize = 10 } = options;
    if (!Number.isInteger(windowSize) || windowSize < 2) {
      throw new UsageError(`windowSize (${windowSize}) must be a whole number of at least 2: a trend needs two samples`);
    }
    this.windowSize = windowSize;
  }

  /** Adds a sample to the partition's window; false when it was left out of the window (see below). */
  record(key: string, sample: LagSample): boolean {
    const window = this.#windows.get(key);
    if (!window) {
      this.#windows.set(key, { samples: [{ ...sample }], logEndOffsets: sample.lag === unknownLag ? [] : [sample.logEndOffset], lastPolledMs: sample.atMs });
      return true;
    }
    const { last } = endsOf(window);
    // Burrow also drops a commit that is not newer than the ones it holds.
    if (sample.atMs <= window.lastPolledMs) return false;
    window.lastPolledMs = sample.atMs;
    if (sample.lag !== unknownLag) pushBounded(window.logEndOffsets, sample.logEndOffset, this.windowSize);
    // Burrow's window grows by one entry per offset commit, and it keeps a commit of an unchanged offset.
    // A poll can't see commits, only the committed offset; when neither it nor the log-end offset moved,
    // nothing observable happened, and a fresh entry would only make a silent consumer look recent and
    // hide STOP forever. The log-end offset above is still recorded, as Burrow records every broker read.
    if (sample.offset === last.offset && sample.logEndOffset === last.logEndOffset) return false;
    pushBounded(window.samples, { ...sample }, this.windowSize);
    return true;
  }

  /** The partition's status at `nowMs`. */
  evaluate(key: string, nowMs: number): LagEvaluation {
    const window = this.#windows.get(key);
    if (!window) return { status: LagStatuses.ok, reason: 'no samples yet', lag: null, estimatedLagSeconds: null, samples: [] };
    const { first, last } = endsOf(window);
    const verdict = (status: LagStatus, reason: string): LagEvaluation => ({
      status,
      reason,
      lag: last.lag === unknownLag ? null : last.lag,
      estimatedLagSeconds: estimateLagSeconds(window),
      samples: window.samples.map((sample) => ({ ...sample })),
    });

    // Burrow no longer stores a commit it can't compute a lag for; its wiki's rule for lag -1 is a warning.
    if (last.lag === unknownLag) return verdict(LagStatuses.warn, 'the log-end offset is unknown, so the lag is too');
    // caching.go judges nothing while the current lag is within allowed-lag (default 0).
    if (last.lag <= 0) return verdict(LagStatuses.ok, 'the consumer has caught up');
    // Burrow would call one lagging commit STOP as soon as time passes; a poller's first sample says
    // nothing about movement until the next poll, so wait for one (this is what minimum-complete is for).
    if (window.samples.length === 1 && window.lastPolledMs === first.atMs) {
      return verdict(LagStatuses.ok, 'one sample so far: a trend needs two');
    }

    // STOP comes first, as in caching.go: an old zero-lag sample must not excuse a consumer that has
    // since gone silent (Burrow #292). Only a recent log-end offset the consumer has reached does.
    const silentMs = nowMs - last.atMs;
    const spanMs = last.atMs - first.atMs;
    if (silentMs > spanMs && !window.logEndOffsets.some((logEndOffset) => logEndOffset <= last.offset)) {
      return verdict(LagStatuses.stop, `no progress for ${formatSeconds(silentMs)}, longer than the ${formatSeconds(spanMs)} the window spans`);
    }
    // Burrow's REWIND (a committed offset going backwards) has no status here; a rewind then reads as
    // growing lag, and so as WARN until the consumer catches up again.
    if (window.samples.some((sample) => sample.lag !== unknownLag && sample.lag <= 0)) {
      return verdict(LagStatuses.ok, 'the lag was zero within the window');
    }
    if (window.samples.every((sample) => sample.offset === first.offset)) {
      return verdict(LagStatuses.stall, `the committed offset stays at ${first.offset} while the lag is ${last.lag}`);
    }
    // "Not decreasing", not "increasing": a lag that holds steady while offsets move is a consumer
    // that only just keeps pace, and caching.go warns about it too.
    if (!lagDecreases(window.samples)) return verdict(LagStatuses.warn, 'offsets move but the lag never shrinks: the consumer is falling behind');
    return verdict(LagStatuses.ok, 'the lag shrinks within the window');
  }

  /** Drops a partition's history, or with a `lagKey(group)` or `lagKey(group, topic)` prefix all of it below; returns how many partitions. */
  forget(keyOrPrefix: string): number {
    let forgotten = 0;
    for (const key of this.#windows.keys()) {
      if (key === keyOrPrefix || key.startsWith(keyOrPrefix + keySeparator)) {
        this.#windows.delete(key);
        forgotten += 1;
      }
    }
    return forgotten;
  }

  keys(): string[] {
    return [...this.#windows.keys()];
  }
}

/** The oldest and the newest sample. A window is made with its first sample and pushBounded never empties it. */
function endsOf(window: PartitionWindow): { first: LagSample; last: LagSample } {
  const first = window.samples[0];
  const last = window.samples.at(-1);
  if (first === undefined || last === undefined) throw new Error('a lag window holds no sample');
  return { first, last };
}

function pushBounded<T>(list: T[], item: T, max: number): void {
  list.push(item);
  if (list.length > max) list.splice(0, list.length - max);
}

/** True when some known lag is smaller than the known lag before it; unknown lags are skipped, as Burrow skips nil ones. */
function lagDecreases(samples: readonly LagSample[]): boolean {
  let previous: number | undefined;
  for (const { lag } of samples) {
    if (lag === unknownLag) continue;
    if (previous !== undefined && lag < previous) return true;
    previous = lag;
  }
  return false;
}

/**
 * The window runs to the latest poll rather than the latest sample, so a consumer that stops
 * committing sees its rate fall with every poll instead of keeping its last good figure.
 */
function estimateLagSeconds(window: PartitionWindow): number | null {
  const { first, last } = endsOf(window);
  if (last.lag === unknownLag) return null;
  if (last.lag <= 0) return 0;
  const elapsedMs = window.lastPolledMs - first.atMs;
  const committed = last.offset - first.offset;
  if (elapsedMs <= 0 || committed <= 0) return null;
  return last.lag / ((committed * 1000) / elapsedMs);
}

function formatSeconds(ms: number): string {
  return `${Math.round(ms / 100) / 10} s`;
}
