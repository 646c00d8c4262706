/**
 * The admin server's consumer definitions as one JSON file. A crash mid-save leaves the old file or
 * the new one, never a torn mix, and a file that can't be read is set aside rather than overwritten:
 * it may hold the only copy of someone's definitions.
 */
import { randomUUID } from 'node:crypto';
import { access, mkdir, open, readFile, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { ErrorCodes, HarnessError, messageOf } from '../../shared/errors.js';

export interface StateStoreOptions<T> {
  /** The JSON file; its folder is created on the first save. */
  path: string;
  /** Returns the state or throws, e.g. a zod schema's `parse`; also checked before each save. */
  validate: (data: unknown) => T;
}

export interface LoadResult<T> {
  /** Undefined when there is no file yet, or it was unreadable and set aside. */
  state: T | undefined;
  /** Set when the file was unreadable: a sentence naming it and where it was kept, for the log. */
  problem?: string;
}

const maxReasonLength = 200;

export class StateStore<T> {
  readonly path: string;
  readonly #validate: (data: unknown) => T;
  /** The previous save: each waits for it, so saves land in call order and the last one wins. */
  #lastSave: Promise<void> = Promise.resolve();

  constructor(options: StateStoreOptions<T>) {
    this.path = options.path;
    this.#validate = options.validate;
  }

  async load(): Promise<LoadResult<T>> {
    let bytes: Buffer;
    try {
      bytes = await readFile(this.path);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { state: undefined };
      throw new HarnessError(ErrorCodes.runtime, `cannot read state file ${this.path}: ${messageOf(error)}`, { cause: error, path: this.path });
    }

    let reason: string;
    try {
      // Fatal decoding: replacement characters would let a damaged file parse, and the next save would overwrite it.
      const data: unknown = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
      try {
        return { state: this.#validate(data) };
      } catch (error) {
        reason = `invalid: ${shorten(messageOf(error))}`;
      }
    } catch (error) {
      reason = `not JSON: ${shorten(messageOf(error))}`;
    }

    const aside = await this.#freeCorruptPath();
    await rename(this.path, aside);
    return { state: undefined, problem: `state file ${this.path} was unreadable (${reason}); kept as ${aside}` };
  }

  /** Resolves once the state is durable on disk; rejects, leaving the previous file intact, if it can't be. */
  async save(state: T): Promise<void> {
    // Serialised before the first await, so a caller changing the object afterwards can't change what
    // is written, and the queue below is joined in call order.
    const text = `${JSON.stringify(state, null, 2)}\n`;
    const saving = this.#lastSave.then(() => this.#write(text));
    // One failed save must not fail every later one.
    this.#lastSave = saving.catch(() => undefined);
    return saving;
  }

  async #write(text: string): Promise<void> {
    try {
      this.#validate(JSON.parse(text));
    } catch (error) {
      throw new HarnessError(ErrorCodes.runtime, `refusing to save state to ${this.path}: it would not load back (${shorten(messageOf(error))})`, {
        cause: error,
        path: this.path,
      });
    }

    // The temp file sits beside the target because rename is only atomic within one file system. Its
    // fsync must come before the rename, or the rename can reach the disk before the data and a power cut
    // leaves an empty file under the real name. The rename swaps the name in one step, so a reader sees
    // the old file or the new one. The rename itself lives in the directory, so the directory is fsynced
    // too: until then a crash can bring the old file back after the save has resolved.
    const directory = dirname(this.path);
    const temp = join(directory, `.${basename(this.path)}.${randomUUID()}.tmp`);
    try {
      await mkdir(directory, { recursive: true });
      const handle = await open(temp, 'wx');
      try {
        await handle.writeFile(text);
        await handle.sync();
      } finally {
        await handle.close();
      }
      await rename(temp, this.path);
      await syncDirectory(directory);
    } catch (error) {
      await rm(temp, { force: true });
      throw new HarnessError(ErrorCodes.runtime, `cannot save state to ${this.path}: ${messageOf(error)}`, { cause: error, path: this.path });
    }
  }

  /** `<path>.corrupt-<timestamp>`, with a counter should two files go bad within one millisecond. */
  async #freeCorruptPath(): Promise<string> {
    const base = `${this.path}.corrupt-${new Date().toISOString().replace(/[:.]/g, '-')}`;
    for (let attempt = 0; ; attempt += 1) {
      const candidate = attempt === 0 ? base : `${base}-${attempt}`;
      if (!(await exists(candidate))) return candidate;
    }
  }
}

async function syncDirectory(directory: string): Promise<void> {
  // Windows can't open a directory for fsync, and NTFS journals the rename itself.
  if (process.platform === 'win32') return;
  const handle = await open(directory, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}

/** Validators can throw pages of detail (zod lists every issue); the log line needs the gist. */
function shorten(message: string): string {
  const oneLine = message.replace(/\s+/g, ' ').trim();
  return oneLine.length > maxReasonLength ? `${oneLine.slice(0, maxReasonLength - 1)}…` : oneLine;
}
