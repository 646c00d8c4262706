/**
 * A fixed-size ring of samples, oldest first: the dashboard's 15 minutes of lag and rates. Memory
 * stays flat however long the server runs, and adding a sample costs the same at any size.
 */
import { UsageError } from '../../shared/errors.js';

export class RingBuffer<T> {
  readonly capacity: number;
  readonly #items: (T | undefined)[];
  /** Index the next push writes to. */
  #next = 0;
  #size = 0;

  constructor(capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new UsageError(`capacity (${capacity}) must be a whole number of at least 1`);
    this.capacity = capacity;
    this.#items = new Array<T | undefined>(capacity);
  }

  get size(): number {
    return this.#size;
  }

  push(item: T): void {
    this.#items[this.#next] = item;
    this.#next = (this.#next + 1) % this.capacity;
    this.#size = Math.min(this.#size + 1, this.capacity);
  }

  /** The newest item, if any. */
  last(): T | undefined {
    return this.#size === 0 ? undefined : this.#items[(this.#next - 1 + this.capacity) % this.capacity];
  }

  /** Every item, oldest first. */
  toArray(): T[] {
    const start = (this.#next - this.#size + this.capacity) % this.capacity;
    const items: T[] = [];
    for (let index = 0; index < this.#size; index += 1) items.push(this.#items[(start + index) % this.capacity] as T);
    return items;
  }
}

/** Samples a 15-minute history holds at one sample a second. */
export const historySeconds = 15 * 60;
