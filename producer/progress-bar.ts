/**
 * A progress bar on stderr while messages go out: only on a terminal, never under -q or in a pipe.
 * Log lines printed while it shows go above it (printAbove, logStream): written straight to the
 * terminal they would scroll it, and the bar would be redrawn over them.
 */
import { Writable } from 'node:stream';
import cliProgress from 'cli-progress';

export interface ProgressView {
  /** Whether a bar is drawn; when false, logs may go straight to stderr. */
  readonly active: boolean;
  update(written: number, failed: number): void;
  /** Prints a log line above the bar (or simply to stderr once it is gone). */
  printAbove(text: string): void;
  /** A stream for a logger whose lines must land above the bar. */
  logStream(): Writable;
  stop(): void;
}

function printToStderr(text: string): void {
  process.stderr.write(text.endsWith('\n') ? text : `${text}\n`);
}

function streamTo(print: (text: string) => void): Writable {
  return new Writable({
    write(chunk: Buffer, _encoding, done) {
      print(chunk.toString());
      done();
    },
  });
}

const silent: ProgressView = { active: false, update() {}, printAbove: printToStderr, logStream: () => streamTo(printToStderr), stop() {} };

/** `countLabel` names what the count is: 'acknowledged', or 'written' under --acks 0. */
export function createProgressView(total: number, enabled: boolean, countLabel: string): ProgressView {
  if (!enabled || !process.stderr.isTTY) return silent;
  const bounded = total > 0;
  // A MultiBar (with one bar) because it can print above itself; a SingleBar restores a cursor
  // position saved at its start, which any line printed since has scrolled away.
  const bars = new cliProgress.MultiBar(
    {
      stream: process.stderr,
      format: bounded
        ? 'producing {bar} {percentage}% | {value}/{total} | {rate} msg/s | failed {failed} | ETA {eta_formatted}'
        : `producing | {value} ${countLabel} | {rate} msg/s | failed {failed} | {duration_formatted} (Ctrl-C to stop)`,
      hideCursor: true,
      // Wrapping on, so long log lines above the bar are shown whole; the bar itself is kept short
      // enough for the terminal (cli-progress cuts it at the width rather than let it wrap).
      linewrap: true,
      barsize: Math.max(10, Math.min(40, (process.stderr.columns ?? 80) - 75)),
      clearOnComplete: true,
      etaBuffer: 50,
      fps: 10,
    },
    cliProgress.Presets.shades_classic,
  );
  const bar = bars.create(bounded ? total : 0, 0, { rate: 0, failed: 0 });
  const startedAt = performance.now();
  let stopped = false;
  const printAbove = (text: string): void => {
    if (stopped) printToStderr(text);
    else bars.log(text.endsWith('\n') ? text : `${text}\n`);
  };
  return {
    active: true,
    update(written, failed) {
      // A thread's last progress can arrive after stop(): the bar must not come back.
      if (stopped) return;
      const seconds = (performance.now() - startedAt) / 1000;
      bar.update(written, { rate: Math.round(written / Math.max(seconds, 0.001)), failed });
    },
    printAbove,
    logStream: () => streamTo(printAbove),
    stop() {
      if (stopped) return;
      stopped = true;
      // Lines logged since the last redraw are printed by a redraw, not by stop().
      bars.update();
      bars.stop();
    },
  };
}
