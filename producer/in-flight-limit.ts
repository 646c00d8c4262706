/**
 * --max-in-flight: at most this many send() calls outstanding per producer, shared by the thread's
 * tasks. KafkaJS's own maxInFlightRequests bounds each broker connection instead, so with several
 * leaders it lets a producer have several times as many.
 */
export class InFlightLimit {
  #free: number;
  /** Tasks waiting for a slot, first come first served. */
  readonly #waiting: Array<() => void> = [];

  constructor(limit: number) {
    if (!Number.isInteger(limit) || limit < 1) throw new RangeError(`in-flight limit must be a whole number ≥ 1 (got ${limit})`);
    this.#free = limit;
  }

  /** Resolves once a slot is free; give it back with release(). */
  acquire(): Promise<void> {
    if (this.#free > 0) {
      this.#free -= 1;
      return Promise.resolve();
    }
    return new Promise((resolve) => this.#waiting.push(resolve));
  }

  release(): void {
    const next = this.#waiting.shift();
    // The slot passes straight to the next waiter, so a newcomer can't take it first.
    if (next) next();
    else this.#free += 1;
  }
}
