import { describe, expect, it } from 'vitest';
import type { GroupState, PartitionState } from '../../../../consumer/engine/cluster-state.js';
import { buildSnapshot, displayState, toHistorySample, type SnapshotInput } from '../../../../consumer/admin/topic-snapshot.js';

const partition = (index: number, logEndOffset: number): PartitionState => ({
  partition: index,
  leader: 1,
  replicas: [1],
  isr: [1],
  offlineReplicas: [],
  logStartOffset: 0,
  logEndOffset,
});

const group = (name: string, state: string, members: GroupState['members']): GroupState => ({
  group: name,
  state,
  protocolType: 'consumer',
  protocol: 'x',
  members,
});

function input(overrides: Partial<SnapshotInput> = {}): SnapshotInput {
  return {
    topic: 't',
    atMs: 10_000,
    partitions: [partition(0, 100), partition(1, 50)],
    groups: [group('g', 'Stable', [{ memberId: 'm1', clientId: 'harness-consumer-0', host: '/127.0.0.1', assignment: { t: [0, 1] } }])],
    committed: new Map([['g', new Map([[0, 90]])]]),
    adminConsumers: [],
    previous: undefined,
    ...overrides,
  };
}

describe('buildSnapshot', () => {
  it('says "no commit" with null, not 0, and gives each partition its owner', () => {
    const snapshot = buildSnapshot(input());
    const [p0, p1] = snapshot.groups[0]?.partitions ?? [];
    expect(p0).toMatchObject({ committed: 90, lag: 10, lagClamped: false, owner: { clientId: 'harness-consumer-0', host: '/127.0.0.1', adminConsumer: null } });
    expect(p1).toMatchObject({ committed: null, lag: null });
    expect(snapshot.groups[0]?.totalLag).toBe(10);
    expect(snapshot.inPerSecond).toBeNull();
  });

  it('clamps a commit read ahead of the log end to lag 0 and flags it', () => {
    const snapshot = buildSnapshot(input({ committed: new Map([['g', new Map([[1, 55]])]]) }));
    expect(snapshot.groups[0]?.partitions[1]).toMatchObject({ committed: 55, lag: 0, lagClamped: true });
  });

  it('keeps an empty group that has commits, and leaves out groups with nothing on this topic', () => {
    const snapshot = buildSnapshot(
      input({
        groups: [group('empty', 'Empty', []), group('elsewhere', 'Stable', [{ memberId: 'x', clientId: 'c', host: 'h', assignment: { other: [0] } }])],
        committed: new Map([['empty', new Map([[0, 100]])]]),
      }),
    );
    expect(snapshot.groups.map((entry) => [entry.group, entry.displayState])).toEqual([['empty', 'Empty']]);
  });

  it('computes rates from the offsets of the previous snapshot, a reset backwards counting as 0', () => {
    const previous = buildSnapshot(input());
    const next = buildSnapshot(
      input({ atMs: 12_000, partitions: [partition(0, 200), partition(1, 50)], committed: new Map([['g', new Map([[0, 130]])]]), previous }),
    );
    expect(next.inPerSecond).toBe(50);
    expect(next.groups[0]?.outPerSecond).toBe(20);
    const rewound = buildSnapshot({ ...input({ atMs: 14_000, committed: new Map([['g', new Map([[0, 0]])]]) }), previous: next });
    expect(rewound.groups[0]?.outPerSecond).toBe(0);
  });

  it("names the admin's own consumer and shows its live position", () => {
    const snapshot = buildSnapshot(
      input({
        adminConsumers: [
          { name: 'archive', group: 'g', topic: 't', clientId: 'harness-consumer-0', status: 'ACTIVE', partitions: [0, 1], positions: new Map([[0, 95n]]) },
        ],
      }),
    );
    expect(snapshot.groups[0]?.partitions[0]).toMatchObject({ position: 95, owner: { adminConsumer: 'archive' } });
    expect(snapshot.groups[0]?.partitions[1]?.position).toBeNull();
    expect(toHistorySample(snapshot).groups.g).toEqual({ lag: 10, outPerSecond: null, partitionLags: [10, null] });
  });
});

describe('displayState', () => {
  it('shows both rebalance phases as Rebalancing', () => {
    expect(['Stable', 'Empty', 'PreparingRebalance', 'CompletingRebalance', 'Dead', 'Odd'].map(displayState)).toEqual([
      'Stable',
      'Empty',
      'Rebalancing',
      'Rebalancing',
      'Dead',
      'Unknown',
    ]);
  });
});
