/**
 * The consumer's live table on a terminal: redrawn in place, with every log line (the parent's and,
 * relayed over IPC, the children's) printed above it, so the two never overwrite each other.
 */
import { Writable } from 'node:stream';

export class LiveTable {
  readonly #stream: NodeJS.WriteStream;
  #drawnLines = 0;
  #table: string = '';

  constructor(stream: NodeJS.WriteStream = process.stderr) {
    this.#stream = stream;
  }

  render(table: string): void {
    this.#table = table;
    this.#erase();
    this.#draw();
  }

  printAbove(text: string): void {
    this.#erase();
    this.#stream.write(text.endsWith('\n') ? text : `${text}\n`);
    this.#draw();
  }

  /** Removes the table for good (before the final summary). */
  clear(): void {
    this.#erase();
    this.#table = '';
  }

  /** A stream for a logger: each line lands above the table. */
  logStream(): Writable {
    return new Writable({
      write: (chunk: Buffer, _encoding, done) => {
        this.printAbove(chunk.toString());
        done();
      },
    });
  }

  #erase(): void {
    // From column 0: the terminal may have echoed something (a ^C) after the table's last line.
    if (this.#drawnLines > 0) this.#stream.write(`\r\x1b[${this.#drawnLines}A\x1b[J`);
    this.#drawnLines = 0;
  }

  #draw(): void {
    if (!this.#table) return;
    this.#stream.write(`${this.#table}\n`);
    this.#drawnLines = this.#table.split('\n').length;
  }
}

/** In a child: log lines go to the parent, which owns the terminal. */
export function relayToParent(): Writable {
  return new Writable({
    write: (chunk: Buffer, _encoding, done) => {
      if (!process.connected || !process.send) {
        process.stderr.write(chunk);
        done();
        return;
      }
      process.send({ type: 'log', text: chunk.toString() }, undefined, undefined, () => done());
    },
  });
}
