import { describe, expect, it } from 'vitest';
import { clockTime } from '../../../../consumer/cli/clock.js';
import {
  buildPartitionMap,
  type ChildPartitions,
  EventLog,
  formatPartitionMap,
  type Ownership,
  OwnershipTracker,
} from '../../../../consumer/cli/partition-map.js';

function child(index: number, partitions: number[], overrides: Partial<ChildPartitions> = {}): ChildPartitions {
  return { index, pid: 100 + index, reporting: true, state: 'running', partitions, positions: new Map(), ...overrides };
}

const offsets = (committed: [number, bigint][], ends: [number, bigint][]) => ({ committed: new Map(committed), ends: new Map(ends) });

describe('buildPartitionMap', () => {
  it('gives each partition its child, position, commit, end and lag', () => {
    const rows = buildPartitionMap(
      4,
      [child(0, [0, 2], { positions: new Map([[0, 120n]]) }), child(1, [1, 3], { positions: new Map([[1, 50n]]) })],
      offsets(
        [
          [0, 100n],
          [1, 50n],
          [2, 7n],
        ],
        [
          [0, 130n],
          [1, 50n],
          [2, 9n],
          [3, 0n],
        ],
      ),
    );
    expect(rows).toEqual([
      { partition: 0, child: 0, owner: '0 (pid 100)', position: 120n, committed: 100n, end: 130n, lag: 30n },
      { partition: 1, child: 1, owner: '1 (pid 101)', position: 50n, committed: 50n, end: 50n, lag: 0n },
      // Owned, nothing processed yet: the child starts from the group's commit.
      { partition: 2, child: 0, owner: '0 (pid 100)', position: 7n, committed: 7n, end: 9n, lag: 2n },
      // No commit yet: no lag to speak of, as kafka-consumer-groups shows it.
      { partition: 3, child: 1, owner: '1 (pid 101)', position: null, committed: null, end: 0n, lag: null },
    ]);
  });

  it('shows a restarting child against its static slice, without a position', () => {
    const rows = buildPartitionMap(
      2,
      [child(0, [0]), child(1, [1], { reporting: false, pid: undefined, state: 'restarting in 2 s', positions: new Map([[1, 9n]]) })],
      offsets([[1, 5n]], [[1, 8n]]),
    );
    expect(rows[1]).toEqual({ partition: 1, child: 1, owner: '1 (restarting in 2 s)', position: null, committed: 5n, end: 8n, lag: 3n });
  });

  it("lets a reporting child's claim win over a dead child's remembered partitions", () => {
    const rows = buildPartitionMap(2, [child(0, [0, 1]), child(1, [1], { reporting: false, state: 'restarting' })], undefined);
    expect(rows.map((row) => row.child)).toEqual([0, 0]);
  });

  it('never shows negative lag when the end was read before a commit landed', () => {
    expect(buildPartitionMap(1, [child(0, [0])], offsets([[0, 12n]], [[0, 10n]]))[0]?.lag).toBe(0n);
  });

  it('shows dashes for partitions nobody owns and offsets not read yet', () => {
    const rows = buildPartitionMap(2, [child(0, [0])], undefined);
    expect(rows[1]).toEqual({ partition: 1, child: null, owner: '-', position: null, committed: null, end: null, lag: null });
    expect(formatPartitionMap(rows).split('\n')).toEqual([
      'PARTITION  CHILD        POSITION  COMMITTED  LOG-END  LAG',
      '0          0 (pid 100)  -         -          -        -',
      '1          -            -         -          -        -',
    ]);
  });
});

describe('OwnershipTracker', () => {
  const view = (...children: [number, number, number[]][]): Map<number, Ownership> =>
    new Map(children.map(([index, pid, partitions]) => [index, { pid, partitions }]));

  it('says nothing about children starting, even when they report before joining', () => {
    const tracker = new OwnershipTracker();
    expect(tracker.update(view([0, 10, []], [1, 11, []]))).toEqual([]);
    expect(tracker.update(view([0, 10, [0, 2]], [1, 11, []]))).toEqual([]);
    expect(tracker.update(view([0, 10, [0, 2]], [1, 11, [1, 3]]))).toEqual([]);
    expect(tracker.update(view([0, 10, [0, 2]], [1, 11, [1, 3]]))).toEqual([]);
  });

  it('marks a crash and the restart that brings the same partitions back', () => {
    const tracker = new OwnershipTracker();
    tracker.update(view([0, 10, [0, 2]], [1, 11, [1, 3]]));
    expect(tracker.update(view([0, 10, [0, 2]]))).toEqual(['child 1 (pid 11) exited; it owned 1,3']);
    // The new process reports before it has joined: not yet news.
    expect(tracker.update(view([0, 10, [0, 2]], [1, 12, []]))).toEqual([]);
    expect(tracker.update(view([0, 10, [0, 2]], [1, 12, [3, 1]]))).toEqual(['child 1 (pid 12) restarted: partitions 3,1 moved back to it']);
  });

  it('marks a restart seen in one step, a pid replaced between two views', () => {
    const tracker = new OwnershipTracker();
    tracker.update(view([0, 10, [0, 1]]));
    expect(tracker.update(view([0, 13, [0]]))).toEqual(['child 0 (pid 10) exited; it owned 0,1', 'child 0 (pid 13) restarted: now owns 0']);
  });

  it('marks a rebalance, naming every child whose partitions changed', () => {
    const tracker = new OwnershipTracker();
    tracker.update(view([0, 10, [0, 1, 2, 3]]));
    expect(tracker.update(view([0, 10, [0, 1]], [1, 11, [2, 3]]))).toEqual(['rebalance: child 0 now owns 0,1; child 1 now owns 2,3']);
    expect(tracker.update(view([0, 10, [0, 1]], [1, 11, []]))).toEqual(['rebalance: child 1 now owns nothing']);
  });
});

describe('EventLog', () => {
  it('keeps the last few events, each with the local time', () => {
    const log = new EventLog(2);
    log.add(['a', 'b'], new Date(2026, 0, 1, 9, 5, 3));
    log.add(['c'], new Date(2026, 0, 1, 12, 30, 59));
    expect(log.lines).toEqual(['09:05:03 b', '12:30:59 c']);
  });

  it('pads the clock to HH:MM:SS', () => {
    expect(clockTime(new Date(2026, 0, 1, 0, 0, 7))).toBe('00:00:07');
  });
});
