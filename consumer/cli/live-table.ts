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

  /**
   * Draws `table` over the previous one in a single write, line by line, each line cleared to its
   * end: the terminal never shows an empty frame (no flicker), and a shorter line or a shorter table
   * leaves no letters of the longer one behind.
   */
  render(table: string): void {
    this.#table = table;
    this.#stream.write(`${this.#up()}${this.#frame()}\x1b[J`);
  }

  printAbove(text: string): void {
    const line = text.endsWith('\n') ? text : `${text}\n`;
    this.#stream.write(`${this.#up()}\x1b[J${line}${this.#frame()}`);
  }

  /** Removes the table for good (before the final summary). */
  clear(): void {
    this.#stream.write(`${this.#up()}\x1b[J`);
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

  /** Back to the first line of the table drawn last; from column 0, as the terminal may have echoed a ^C after it. */
  #up(): string {
    const lines = this.#drawnLines;
    this.#drawnLines = 0;
    return lines > 0 ? `\r\x1b[${lines}A` : '';
  }

  /**
   * The table cut to the terminal: a line wider than the screen would wrap onto two and a table taller
   * than it would scroll, and either way the next redraw would go up too few lines and leave the old
   * frame's letters behind.
   */
  #frame(): string {
    if (!this.#table) return '';
    const width = this.#stream.columns || 0;
    const height = this.#stream.rows || 0;
    let lines = this.#table.split('\n');
    if (height > 1 && lines.length > height - 1) {
      const hidden = lines.length - (height - 2);
      lines = [...lines.slice(0, height - 2), `… ${hidden} more line(s): make the terminal taller to see them`];
    }
    if (width > 1) lines = lines.map((line) => (line.length > width - 1 ? `${line.slice(0, width - 2)}…` : line));
    this.#drawnLines = lines.length;
    return lines.map((line) => `${line}\x1b[K\n`).join('');
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
