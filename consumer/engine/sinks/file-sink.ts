/**
 * JSON Lines on disk, fsynced before offsets are committed. On open it reads the end of its file to
 * learn the last offset written per partition, so messages replayed after an unclean stop (written,
 * not yet committed) are recognised and skipped: each message lands in the file exactly once.
 */
import { constants } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { ErrorCodes, HarnessError, messageOf } from '../../../shared/errors.js';
import { envelopeLines, type Envelope } from '../envelope.js';
import { JsonlFile, symlinkRefused } from './jsonl-file.js';
import type { Sink, SinkWriteResult } from './types.js';

/** Replays are at most the last uncommitted batch per partition, so they sit near the end of the file. */
const tailBytes = 16 * 1024 * 1024;

const partitionKey = (topic: string, partition: number): string => `${topic}\u0000${partition}`;

/** A file that can't be read (a folder, a path through a file, no permission): the sink can't tell what it already holds. */
function unreadable(path: string, error: unknown): HarnessError {
  const code = (error as NodeJS.ErrnoException).code;
  const reason = symlinkRefused(path, error) ?? `file sink ${path} cannot be read: ${messageOf(error)}`;
  return new HarnessError(ErrorCodes.runtime, reason, { cause: error, path, causeCode: code });
}

/**
 * Highest offset per topic-partition among the last lines of a JSON Lines file of envelopes; empty
 * when there is no file yet. Any other failure to read it throws, since taking an unreadable file
 * for an empty one would write again what it already holds.
 */
export async function lastWrittenOffsets(path: string): Promise<Map<string, number>> {
  const offsets = new Map<string, number>();
  let handle: FileHandle;
  try {
    // Not through a symlink either, for the reason JsonlFile gives.
    handle = await open(path, constants.O_RDONLY | constants.O_NOFOLLOW);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return offsets;
    throw unreadable(path, error);
  }
  try {
    const { size } = await handle.stat();
    const start = Math.max(0, size - tailBytes);
    const buffer = Buffer.alloc(size - start);
    await handle.read(buffer, 0, buffer.length, start).catch((error: unknown) => {
      throw unreadable(path, error);
    });
    const lines = buffer.toString('utf8').split('\n');
    // The first line may be cut by the tail boundary, the last by a crash mid-write: skip what won't parse.
    for (const line of lines) {
      if (!line) continue;
      try {
        const { topic, partition, offset } = JSON.parse(line) as Partial<Envelope>;
        if (typeof topic !== 'string' || typeof partition !== 'number' || typeof offset !== 'number') continue;
        const key = partitionKey(topic, partition);
        offsets.set(key, Math.max(offsets.get(key) ?? -1, offset));
      } catch {
        // not a whole line
      }
    }
  } finally {
    await handle.close();
  }
  return offsets;
}

export class FileSink implements Sink {
  readonly name: string;
  readonly #file: JsonlFile;
  #written = new Map<string, number>();

  constructor(path: string) {
    this.#file = new JsonlFile(path);
    this.name = `file ${path}`;
  }

  get path(): string {
    return this.#file.path;
  }

  async open(): Promise<void> {
    this.#written = await lastWrittenOffsets(this.#file.path);
    await this.#file.open();
  }

  async write(batch: readonly Envelope[]): Promise<SinkWriteResult> {
    // A batch is one partition's run of offsets: its map key is looked up once per run, not per message.
    const fresh: Envelope[] = [];
    const last = new Map<string, number>();
    let topic: string | undefined;
    let partition = -1;
    let key = '';
    let writtenThrough = -1;
    for (const envelope of batch) {
      if (envelope.topic !== topic || envelope.partition !== partition) {
        ({ topic, partition } = envelope);
        key = partitionKey(topic, partition);
        writtenThrough = this.#written.get(key) ?? -1;
      }
      if (envelope.offset <= writtenThrough) continue;
      fresh.push(envelope);
      last.set(key, envelope.offset);
    }
    await this.#file.appendLines(envelopeLines(fresh));
    // Only once the lines are in the file: a failed append is retried in full, never taken as written.
    for (const [written, offset] of last) this.#written.set(written, offset);
    return { duplicates: batch.length - fresh.length };
  }

  flush(): Promise<void> {
    return this.#file.sync();
  }

  close(): Promise<void> {
    return this.#file.close();
  }
}
