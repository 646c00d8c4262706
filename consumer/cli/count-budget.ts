/**
 * -c across child processes, on the parent's side. A child asks for permission before it processes
 * a chunk and, once the chunk is stored, settles what it really used: a replay, a chunk whose sink
 * failed, or a run of errors that ended it early uses less than it asked for. The count is reached
 * only when nothing is left and nothing is still out; a request made while some is still out waits,
 * since a settle may yet give some back.
 */
export class CountBudget {
  #remaining: number;
  #outstanding = 0;
  #closed: boolean = false;
  /** Requests waiting for permission; `reply` returns false when the asker is gone. */
  readonly #waiting: { wanted: number; reply: (granted: number) => boolean }[] = [];
  readonly #onExhausted: () => void;

  /** `onExhausted` is called once, when the whole count has been used. */
  constructor(total: number, onExhausted: () => void) {
    this.#remaining = total;
    this.#onExhausted = onExhausted;
  }

  get exhausted(): boolean {
    return this.#remaining === 0 && this.#outstanding === 0;
  }

  request(wanted: number, reply: (granted: number) => boolean): void {
    this.#waiting.push({ wanted, reply });
    this.#serve();
  }

  /** The asker of `granted` stored `used` of them; the rest goes back. */
  settle(granted: number, used: number): void {
    this.#outstanding -= granted;
    this.#remaining += granted - Math.min(used, granted);
    this.#serve();
  }

  /** Stopping: every waiting request, and every later one, gets nothing. */
  close(): void {
    this.#closed = true;
    this.#serve();
  }

  #serve(): void {
    while (this.#remaining > 0 || this.#outstanding === 0 || this.#closed) {
      const next = this.#waiting.shift();
      if (!next) break;
      const { wanted, reply } = next;
      const granted = this.#closed ? 0 : Math.min(wanted, this.#remaining);
      if (!reply(granted)) continue;
      this.#remaining -= granted;
      this.#outstanding += granted;
    }
    if (this.exhausted && !this.#closed) {
      this.#closed = true;
      this.#onExhausted();
    }
  }
}
