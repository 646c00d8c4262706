import { describe, expect, it } from 'vitest';
import { startTicker } from '../../../shared/progress.js';

/** A terminal that keeps what was written to it. */
function fakeTerminal(): NodeJS.WriteStream & { written: string[] } {
  const written: string[] = [];
  return { isTTY: true, written, write: (text: string) => written.push(text) > 0 } as unknown as NodeJS.WriteStream & { written: string[] };
}

describe('startTicker', () => {
  it('stays silent off a terminal, so the caller logs instead', () => {
    const ticker = startTicker('working', { isTTY: false } as NodeJS.WriteStream);
    expect(ticker.visible).toBe(false);
    ticker.stop();
  });

  it('lets a ticker started inside another take over its line, then gives it back', () => {
    const terminal = fakeTerminal();
    const outer = startTicker('starting Kafka', terminal);
    const inner = startTicker('fetching the jars', terminal);
    expect(inner.visible).toBe(true);
    // The inner ticker draws nothing of its own: one line, one spinner.
    expect(terminal.written).toHaveLength(1);
    inner.update('fetching the jars (half)');
    inner.stop();
    outer.update('waiting for the broker');
    outer.stop();
    expect(terminal.written.at(-1)).toBe('\r\x1b[2K');
    // The line is free again: a new ticker draws it.
    const next = startTicker('again', terminal);
    expect(terminal.written.at(-1)).toMatch(/again/);
    next.stop();
  });
});
