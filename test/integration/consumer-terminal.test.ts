import { randomUUID } from 'node:crypto';
import { describe, expect, it, vi } from 'vitest';
import { runCli } from './helpers/cli.js';
import { createTopic, testBrokers } from './helpers/kafka.js';
import { ptyAvailable, startInPty } from './helpers/pty.js';

interface MapRow {
  partition: number;
  child: string;
  position: string;
  committed: string;
  end: string;
  lag: string;
}

/** The rows of the partition map drawn last: frames follow each other in the stream, the newest at its end. */
function lastPartitionMap(lines: readonly string[]): MapRow[] {
  const header = lines.findLastIndex((line) => line.startsWith('PARTITION  CHILD'));
  if (header < 0) return [];
  const rows: MapRow[] = [];
  for (const line of lines.slice(header + 1)) {
    if (!/^\d+ {2}/.test(line)) break;
    // Columns are padded with two spaces or more; a cell such as "0 (pid 42)" holds single ones.
    const [partition, child, position, committed, end, lag] = line.trim().split(/ {2,}/);
    rows.push({ partition: Number(partition), child: child ?? '', position: position ?? '', committed: committed ?? '', end: end ?? '', lag: lag ?? '' });
  }
  return rows;
}

describe.runIf(ptyAvailable())('npm run consume on a terminal', () => {
  it('maps each of 6 partitions to its child, with the lag going to 0, and Ctrl-C ends with the summary', async () => {
    const topic = await createTopic({ partitions: 6 });
    const produced = await runCli('producer/cli.js', ['-b', testBrokers().join(','), '-t', topic, '-q', '-c', '3000', '-k', 'id']);
    expect(produced.code, produced.stderr).toBe(0);

    const running = startInPty('consumer/cli/cli.js', [
      '-b',
      testBrokers().join(','),
      '-t',
      topic,
      '-G',
      `g-${randomUUID()}`,
      '-p',
      '3',
      '-o',
      'beginning',
      '--sink',
      'none',
      '--dlq',
      'none',
    ]);
    await vi.waitFor(
      () => {
        const rows = lastPartitionMap(running.lines());
        expect(rows.map((row) => row.partition)).toEqual([0, 1, 2, 3, 4, 5]);
        for (const row of rows) {
          // Static slices deal the partitions round robin: partition p belongs to child p mod 3.
          expect(row.child, `partition ${row.partition}`).toMatch(new RegExp(`^${row.partition % 3} \\(pid \\d+\\)$`));
          expect(row.lag, `partition ${row.partition}`).toBe('0');
          expect(row.committed).toBe(row.end);
          expect(row.position).toBe(row.end);
        }
        expect(rows.reduce((sum, row) => sum + Number(row.end), 0)).toBe(3000);
      },
      { timeout: 90_000, interval: 250 },
    );
    expect(running.lines().some((line) => /^offsets last updated \d\d:\d\d:\d\d$/.test(line))).toBe(true);

    running.ctrlC();
    const { code } = await running.exited;
    expect(code).toBe(0);
    expect(running.lines().some((line) => line.startsWith(`consumed 3000 messages from ${topic} with 3 process(es)`))).toBe(true);
  });
});
