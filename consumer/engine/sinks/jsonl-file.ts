/**
 * An append-only JSON Lines file that is fsynced on request: the one way the consumer writes files
 * (output and dead letters alike).
 */
import { constants } from 'node:fs';
import { mkdir, open, type FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';
import { ErrorCodes, HarnessError, messageOf } from '../../../shared/errors.js';

/**
 * Append, create, and never through a symlink. The admin checks that a sink path stays inside
 * OUTPUT_DIR before the consumer starts, but a symlink placed at the path after that check would
 * still redirect the writes: O_NOFOLLOW makes the open itself refuse it (ELOOP). Folders above the
 * file are still followed (Node has no openat); the admin's check covers those.
 */
export const appendFlags = constants.O_WRONLY | constants.O_APPEND | constants.O_CREAT | constants.O_NOFOLLOW;

/** ELOOP from an O_NOFOLLOW open means the last part of the path is a symlink. */
export function symlinkRefused(path: string, error: unknown): string | undefined {
  return (error as NodeJS.ErrnoException).code === 'ELOOP' ? `${path} is a symbolic link, which a sink never follows` : undefined;
}

export class JsonlFile {
  readonly path: string;
  #handle: FileHandle | undefined;
  #closed: boolean = false;
  /** Appends run one after another, so concurrent callers (one per partition) never interleave lines. */
  #lastAppend: Promise<void> = Promise.resolve();
  #appends = 0;
  /** Appends that the last finished fsync covers. */
  #syncedAppends = 0;

  constructor(path: string) {
    this.path = path;
  }

  async open(): Promise<void> {
    if (this.#handle) return;
    try {
      await mkdir(dirname(this.path), { recursive: true });
      this.#handle = await open(this.path, appendFlags, 0o666);
    } catch (error) {
      // ELOOP, EISDIR, ENOTDIR, EACCES…: a path nobody can write to, which no retry will change.
      const reason = symlinkRefused(this.path, error) ?? `cannot open ${this.path} for appending: ${messageOf(error)}`;
      throw new HarnessError(ErrorCodes.runtime, reason, {
        cause: error,
        path: this.path,
        causeCode: (error as NodeJS.ErrnoException).code,
      });
    }
  }

  /** Appends whole lines: each record becomes one line, by `toLine` (JSON.stringify by default). */
  async append<T>(records: readonly T[], toLine: (record: T) => string = JSON.stringify): Promise<void> {
    if (records.length === 0) return;
    const handle = this.#requireOpen();
    let text = '';
    for (const record of records) text += `${toLine(record)}\n`;
    await this.#appendData(handle, text);
  }

  /** Appends bytes that are already whole lines, each ending in a newline. */
  async appendLines(lines: Buffer): Promise<void> {
    if (lines.length === 0) return;
    await this.#appendData(this.#requireOpen(), lines);
  }

  async #appendData(handle: FileHandle, data: string | Buffer): Promise<void> {
    // appendFile, unlike write(), goes on until every byte is written (a short write is no error).
    const appended = this.#lastAppend.then(() => handle.appendFile(data));
    this.#lastAppend = appended.catch(() => {});
    await appended;
    this.#appends += 1;
  }

  /** fsync (data only): after this the lines survive a crash of the process or the machine. */
  async sync(): Promise<void> {
    // Counted before the fsync starts: an append that finishes during it is not covered by it.
    const appends = this.#appends;
    if (appends === this.#syncedAppends || !this.#handle) return;
    await this.#handle.datasync();
    this.#syncedAppends = Math.max(this.#syncedAppends, appends);
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    if (!this.#handle) return;
    await this.sync();
    await this.#handle.close();
    this.#handle = undefined;
  }

  #requireOpen(): FileHandle {
    // A closed sink never reopens: a write after close() is a bug in the caller, not a retry case.
    if (this.#closed) throw new HarnessError(ErrorCodes.closed, `${this.path} is closed`);
    if (!this.#handle) throw new HarnessError(ErrorCodes.closed, `${this.path} was never opened`);
    return this.#handle;
  }
}
