import { describe, expect, it } from 'vitest';
import { diffSnapshots } from '../../../../consumer/admin/timeline.js';
import { buildSnapshot, type SnapshotInput } from '../../../../consumer/admin/topic-snapshot.js';

const member = (id: string, clientId: string, partitions: number[]) => ({ memberId: id, clientId, host: '/127.0.0.1', assignment: { t: partitions } });

function snapshot(atMs: number, members: ReturnType<typeof member>[], overrides: Partial<SnapshotInput> = {}) {
  return buildSnapshot({
    topic: 't',
    atMs,
    partitions: [0, 1].map((partition) => ({ partition, leader: 1, replicas: [1, 2], isr: [1, 2], offlineReplicas: [], logStartOffset: 0, logEndOffset: 10 })),
    groups: [{ group: 'g', state: members.length > 0 ? 'Stable' : 'Empty', protocolType: 'consumer', protocol: 'x', members }],
    committed: new Map([['g', new Map([[0, 5]])]]),
    adminConsumers: [],
    previous: undefined,
    ...overrides,
  });
}

describe('diffSnapshots', () => {
  it('has nothing to say about the first snapshot', () => {
    expect(diffSnapshots(undefined, snapshot(1, [member('a', 'c0', [0, 1])]))).toEqual([]);
  });

  it('sees a member join and the assignment move', () => {
    const before = snapshot(1, [member('a', 'c0', [0, 1])]);
    const after = snapshot(2, [member('a', 'c0', [0]), member('b', 'c1', [1])]);
    const events = diffSnapshots(before, after);
    expect(events.map((event) => event.kind)).toEqual(['member-joined', 'assignment']);
    expect(events[1]?.text).toBe('group g assignment: p1 c0 (/127.0.0.1) → c1 (/127.0.0.1)');
  });

  it('calls a new member under a client id already there a restart, and so the old one leaving', () => {
    const before = snapshot(1, [member('a', 'c0', [0, 1])]);
    const both = snapshot(2, [member('a', 'c0', [0, 1]), member('b', 'c0', [])]);
    expect(diffSnapshots(before, both).map((event) => event.kind)).toEqual(['restart']);
    const after = snapshot(3, [member('b', 'c0', [0, 1])]);
    const events = diffSnapshots(both, after);
    expect(events.map((event) => event.kind)).toEqual(['restart', 'assignment']);
    expect(events[1]?.text).toBe('group g assignment: p0 c0 (/127.0.0.1) → its new member; p1 c0 (/127.0.0.1) → its new member');
  });

  it('sees the last member leave, the group empty, and a leader and the ISR change', () => {
    const before = snapshot(1, [member('a', 'c0', [0, 1])]);
    const after = snapshot(2, [], {
      partitions: [
        { partition: 0, leader: 2, replicas: [1, 2], isr: [2], offlineReplicas: [1], logStartOffset: 0, logEndOffset: 10 },
        { partition: 1, leader: 2, replicas: [1, 2], isr: [1, 2], offlineReplicas: [], logStartOffset: 0, logEndOffset: 10 },
      ],
    });
    const texts = diffSnapshots(before, after).map((event) => event.text);
    expect(texts).toEqual([
      'p0 leader: node 1 → node 2',
      'p0 in-sync replicas: [1,2] → [2]',
      'p1 leader: node 1 → node 2',
      'c0 (/127.0.0.1) left group g',
      'group g: Stable → Empty',
      'group g assignment: p0 c0 (/127.0.0.1) → nobody; p1 c0 (/127.0.0.1) → nobody',
    ]);
  });

  it("reports the admin's own consumers being assigned and revoked partitions", () => {
    const consumer = (partitions: number[], status = 'ACTIVE') => ({
      name: 'archive',
      group: 'g',
      topic: 't',
      clientId: 'x',
      status,
      partitions,
      positions: new Map(),
    });
    const before = snapshot(1, [], { adminConsumers: [consumer([0, 1])] });
    const after = snapshot(2, [], { adminConsumers: [consumer([1], 'PAUSED')] });
    expect(diffSnapshots(before, after).map((event) => event.text)).toEqual([
      'admin consumer archive: ACTIVE → PAUSED',
      'admin consumer archive: assigned none, revoked 0',
    ]);
  });
});
