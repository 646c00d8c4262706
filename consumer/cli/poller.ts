/**
 * Reads something from the broker again and again, never two reads at once: the next starts an
 * interval after the previous one started, or at once if that one took longer. A broker that stops
 * answering slows the loop to its retries rather than piling up requests, and the last good value
 * is kept, with the time it was read, beside the error.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Admin } from 'kafkajs';
import { messageOf } from '../../shared/errors.js';
import { connectClient } from '../../shared/kafka-client.js';
import { clockTime } from './clock.js';

export interface PollState<T> {
  /** The last value read, kept while later reads fail. */
  value: T | undefined;
  /** When `value` was read. */
  readAt: Date | undefined;
  /** Why the latest read failed; undefined once one succeeds again. */
  error: string | undefined;
  /** Since when reads have been failing. */
  failingSince: Date | undefined;
  /** When the read in progress started; undefined between reads. */
  readingSince: Date | undefined;
}

export class Poller<T> {
  readonly #read: () => Promise<T>;
  readonly #intervalMs: number;
  readonly #onUpdate: (state: Readonly<PollState<T>>) => void;
  readonly #stop = new AbortController();
  #loop: Promise<void> | undefined;
  readonly #state: PollState<T> = { value: undefined, readAt: undefined, error: undefined, failingSince: undefined, readingSince: undefined };

  /**
   * @param intervalMs time from the start of one read to the start of the next
   * @param onUpdate called after every read, good or failed
   */
  constructor(read: () => Promise<T>, intervalMs: number, onUpdate: (state: Readonly<PollState<T>>) => void = () => {}) {
    this.#read = read;
    this.#intervalMs = intervalMs;
    this.#onUpdate = onUpdate;
  }

  get state(): Readonly<PollState<T>> {
    return this.#state;
  }

  start(): void {
    this.#loop ??= this.#run();
  }

  /** Ends the loop once the read in progress (if any) is over; idempotent. */
  stop(): Promise<void> {
    this.#stop.abort();
    return this.#loop ?? Promise.resolve();
  }

  async #run(): Promise<void> {
    const { signal } = this.#stop;
    while (!signal.aborted) {
      const startedAt = Date.now();
      this.#state.readingSince = new Date(startedAt);
      try {
        const value = await this.#read();
        Object.assign(this.#state, { value, readAt: new Date(), error: undefined, failingSince: undefined });
      } catch (error) {
        this.#state.error = messageOf(error);
        this.#state.failingSince ??= new Date(startedAt);
      }
      this.#state.readingSince = undefined;
      if (signal.aborted) return;
      this.#onUpdate(this.#state);
      try {
        await sleep(Math.max(0, startedAt + this.#intervalMs - Date.now()), undefined, { signal });
      } catch {
        return;
      }
    }
  }
}

/**
 * One line on how fresh the figures are: "last updated 12:03:04", or, while reads fail, since when
 * and why, so that old figures are never taken for current ones (nor a dead broker for an idle topic).
 */
export function describePoll(state: Readonly<PollState<unknown>>, now: Date): string {
  const seconds = (since: Date): number => Math.round((now.getTime() - since.getTime()) / 1000);
  const updated = state.readAt ? `last updated ${clockTime(state.readAt)}` : 'nothing read yet';
  const ago = state.readAt ? ` (${seconds(state.readAt)} s ago)` : '';
  if (state.error !== undefined) {
    const since = state.failingSince ? ` since ${clockTime(state.failingSince)}` : '';
    return `${updated}${ago}; the broker has not answered${since}, still trying: ${state.error}`;
  }
  // A read that hangs (a broker that accepts connections and answers nothing) is as worth saying as one that fails.
  if (state.readingSince && seconds(state.readingSince) >= 3) return `${updated}${ago}; waiting ${seconds(state.readingSince)} s for the broker`;
  return state.readAt ? updated : 'reading…';
}

/**
 * A read through an admin client made on first use and thrown away after a failed read, so the next
 * read connects afresh: a KafkaJS client whose broker went away is not worth nursing back.
 */
export function withAdmin<T>(
  makeAdmin: () => Admin,
  brokers: readonly string[],
  read: (admin: Admin) => Promise<T>,
): { read: () => Promise<T>; close: () => Promise<void> } {
  let admin: Admin | undefined;
  const drop = async (): Promise<void> => {
    const old = admin;
    admin = undefined;
    await old?.disconnect().catch(() => {});
  };
  return {
    read: async () => {
      try {
        if (admin === undefined) {
          const fresh = makeAdmin();
          admin = fresh;
          await connectClient(fresh, brokers);
        }
        return await read(admin);
      } catch (error) {
        await drop();
        throw error;
      }
    },
    close: drop,
  };
}
