/**
 * What every producer thread shares through one SharedArrayBuffer: how many messages have been
 * claimed (so --count is exact across threads), the rate limiter's next free send time (a token
 * bucket as a virtual clock: each claim books the next slots, so threads share --rate fairly, first
 * come first served), when the first message was claimed (--duration counts from there, not from
 * the threads' start-up), how many threads have connected (none claims before all have) and the
 * stop flag that Ctrl-C or a failure sets.
 */

const claimedSlot = 0;
const nextSendSlot = 1;
const stopSlot = 2;
const startedSlot = 3;
const connectedSlot = 4;
const slotCount = 5;

/**
 * The bucket's depth: sends that fell behind (a slow request, a GC pause) may catch up by at most
 * this much; idle time beyond it is lost rather than saved up into a burst.
 */
const catchUpMicros = 1_000_000;
/** Longest a task sleeps before it looks at the stop flag again, so Ctrl-C is felt at any rate. */
const stopCheckMs = 100;
/** How often a connected thread looks whether the others have connected too. */
const connectPollMs = 5;

/** Through the global setTimeout, looked up at each call, so a test's fake timers drive the gate's waits too. */
function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export interface GateLimits {
  /** Producing threads sharing the gate. */
  threads: number;
  /** Total messages to send across threads; 0 = no limit. */
  count: number;
  /** Messages per second across threads; undefined = as fast as possible. */
  ratePerSecond: number | undefined;
  /** How long to send, counted from the first claim of any thread (--duration). */
  durationMs: number | undefined;
}

/** Microseconds since the epoch, on a clock all threads share (performance.now() starts per thread). */
export function nowMicros(): number {
  return Math.round((performance.timeOrigin + performance.now()) * 1000);
}

export class WorkGate {
  readonly #cells: BigInt64Array;
  readonly #limits: GateLimits;
  readonly #intervalMicros: number;

  static createBuffer(): SharedArrayBuffer {
    return new SharedArrayBuffer(slotCount * BigInt64Array.BYTES_PER_ELEMENT);
  }

  constructor(buffer: SharedArrayBuffer, limits: GateLimits) {
    this.#cells = new BigInt64Array(buffer);
    this.#limits = limits;
    this.#intervalMicros = limits.ratePerSecond ? 1_000_000 / limits.ratePerSecond : 0;
  }

  stop(): void {
    Atomics.store(this.#cells, stopSlot, 1n);
  }

  get stopped(): boolean {
    return Atomics.load(this.#cells, stopSlot) !== 0n;
  }

  /** This thread's producer is connected. */
  markConnected(): void {
    Atomics.add(this.#cells, connectedSlot, 1n);
  }

  /**
   * Resolves once every thread's producer is connected, or a stop was requested (a thread that
   * failed to connect stops them all): the first thread to connect would otherwise claim a small
   * --count all by itself, and the others would show 0 in the summary.
   */
  async whenAllConnected(): Promise<void> {
    while (Number(Atomics.load(this.#cells, connectedSlot)) < this.#limits.threads && !this.stopped) await sleep(connectPollMs);
  }

  /** When the first message was claimed, in epoch µs (0 = not yet). */
  get startedAtMicros(): number {
    return Number(Atomics.load(this.#cells, startedSlot));
  }

  /**
   * Claims up to `want` messages and, under --rate, waits for their send time. Returns how many to
   * send now; 0 means this thread is done (count reached, deadline passed or stop requested).
   */
  async claim(want: number): Promise<number> {
    const now = nowMicros();
    Atomics.compareExchange(this.#cells, startedSlot, 0n, BigInt(now));
    if (this.stopped || this.#pastDeadline(now)) return 0;
    let granted = want;
    if (this.#limits.count > 0) {
      const before = Number(Atomics.add(this.#cells, claimedSlot, BigInt(want)));
      granted = Math.min(want, this.#limits.count - before);
      if (granted <= 0) return 0;
    }
    if (this.#intervalMicros > 0) {
      const sendAt = this.#book(granted);
      // Only this claim is past the deadline: slots other tasks booked before it are still sent.
      if (this.#pastDeadline(sendAt)) return 0;
      for (let waitMs = (sendAt - nowMicros()) / 1000; waitMs >= 1 && !this.stopped; waitMs = (sendAt - nowMicros()) / 1000) {
        await sleep(Math.min(waitMs, stopCheckMs));
      }
      if (this.stopped) return 0;
    }
    return granted;
  }

  /** Books `messages` consecutive send slots and returns when the first one is due. */
  #book(messages: number): number {
    for (;;) {
      const booked = Atomics.load(this.#cells, nextSendSlot);
      const start = Math.max(Number(booked), nowMicros() - catchUpMicros, this.startedAtMicros);
      const next = BigInt(Math.round(start + messages * this.#intervalMicros));
      if (Atomics.compareExchange(this.#cells, nextSendSlot, booked, next) === booked) return start;
    }
  }

  #pastDeadline(atMicros: number): boolean {
    return this.#limits.durationMs !== undefined && atMicros >= this.startedAtMicros + this.#limits.durationMs * 1000;
  }
}
