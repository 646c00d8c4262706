/**
 * JSON Lines on stdout. Several child processes share it, so lines go out in writes of at most
 * PIPE_BUF bytes cut at line ends: a pipe delivers such writes whole, never interleaved.
 */
import { envelopeLine, type Envelope } from '../envelope.js';
import type { Sink, SinkWriteResult } from './types.js';

const pipeBufBytes = 4096;

export class StdoutSink implements Sink {
  readonly name = 'stdout';
  readonly #stream: NodeJS.WritableStream;
  #lastWrite: Promise<void> = Promise.resolve();
  /** The first write that failed (EPIPE once the reader of the pipe is gone): every later flush reports it. */
  #error: unknown;

  constructor(stream: NodeJS.WritableStream = process.stdout) {
    this.#stream = stream;
  }

  async open(): Promise<void> {}

  async write(batch: readonly Envelope[]): Promise<SinkWriteResult> {
    let chunk = '';
    for (const envelope of batch) {
      const line = `${envelopeLine(envelope)}\n`;
      if (chunk.length > 0 && Buffer.byteLength(chunk) + Buffer.byteLength(line) > pipeBufBytes) {
        this.#send(chunk);
        chunk = '';
      }
      chunk += line;
    }
    if (chunk) this.#send(chunk);
    return { duplicates: 0 };
  }

  #send(text: string): void {
    this.#lastWrite = new Promise((resolve) =>
      this.#stream.write(text, (error) => {
        this.#error ??= error ?? undefined;
        resolve();
      }),
    );
  }

  /** Resolves once everything written has been handed to the operating system; rejects if any of it failed. */
  async flush(): Promise<void> {
    await this.#lastWrite;
    if (this.#error !== undefined) throw this.#error;
  }

  close(): Promise<void> {
    return this.flush();
  }
}
