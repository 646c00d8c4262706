import { describe, expect, it } from 'vitest';
import { LiveTable } from '../../../../consumer/cli/live-table.js';

/** A terminal stand-in that keeps each write apart: a redraw must be one write, or the screen shows half frames. */
function terminal(columns = 0, rows = 0) {
  const writes: string[] = [];
  const stream = { columns, rows, write: (text: string) => writes.push(text) > 0 } as unknown as NodeJS.WriteStream;
  return { stream, writes };
}

describe('LiveTable', () => {
  it('redraws over the last frame in one write, clearing each line and what is left below', () => {
    const { stream, writes } = terminal();
    const table = new LiveTable(stream);
    table.render('A long first line\nsecond');
    table.render('short');
    expect(writes).toEqual(['A long first line\x1b[K\nsecond\x1b[K\n\x1b[J', '\r\x1b[2Ashort\x1b[K\n\x1b[J']);
  });

  it('prints a log line above the table and draws the table again under it, in one write', () => {
    const { stream, writes } = terminal();
    const table = new LiveTable(stream);
    table.render('t1\nt2');
    table.printAbove('a log line');
    expect(writes.at(-1)).toBe('\r\x1b[2A\x1b[Ja log line\nt1\x1b[K\nt2\x1b[K\n');
  });

  it('cuts lines to the width and the table to the height, so that wrapping never throws the count off', () => {
    const { stream, writes } = terminal(10, 4);
    const table = new LiveTable(stream);
    table.render('0123456789abc\nb\nc\nd\ne');
    expect(writes[0]).toBe('01234567…\x1b[K\nb\x1b[K\n… 3 more…\x1b[K\n\x1b[J');
    table.render('x');
    expect(writes[1]?.startsWith('\r\x1b[3A')).toBe(true);
  });

  it('goes up over the table once more after clear(), then draws nothing', () => {
    const { stream, writes } = terminal();
    const table = new LiveTable(stream);
    table.render('t');
    table.clear();
    table.printAbove('summary');
    expect(writes.slice(1)).toEqual(['\r\x1b[1A\x1b[J', '\x1b[Jsummary\n']);
  });
});
