import kafkajs from 'kafkajs';
import type { Cluster, Logger } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { createStaticAssigner } from '../../../../consumer/engine/static-assigner.js';

const { AssignerProtocol } = kafkajs;
const warnings: unknown[] = [];
const logger = { warn: (...args: unknown[]) => warnings.push(args), debug: () => {} } as unknown as Logger;

function member(memberId: string, partitions: number[]) {
  const assigner = createStaticAssigner('orders', partitions)({ cluster: {} as Cluster, groupId: 'g', logger });
  return { memberId, memberMetadata: assigner.protocol({ topics: ['orders'] }).metadata };
}

async function assign(members: ReturnType<typeof member>[]) {
  const leader = createStaticAssigner('orders', [])({ cluster: {} as Cluster, groupId: 'g', logger });
  const result = await leader.assign({ members, topics: ['orders'] });
  return Object.fromEntries(result.map(({ memberId, memberAssignment }) => [memberId, AssignerProtocol.MemberAssignment.decode(memberAssignment)?.assignment]));
}

describe('the static assigner', () => {
  it('gives every member exactly the partitions it declared, whoever leads', async () => {
    expect(await assign([member('a', [0, 3]), member('b', [1, 4]), member('c', [2, 5])])).toEqual({
      a: { orders: [0, 3] },
      b: { orders: [1, 4] },
      c: { orders: [2, 5] },
    });
  });

  it('never gives one partition to two members (a restarted child meeting its dead predecessor)', async () => {
    warnings.length = 0;
    expect(await assign([member('old', [1, 4]), member('new', [1, 4]), member('other', [0])])).toEqual({
      old: { orders: [1, 4] },
      new: {},
      other: { orders: [0] },
    });
    expect(warnings).toHaveLength(2);
  });

  it('holds an incomplete first generation briefly, and a complete one not at all', async () => {
    const declaring = (memberId: string, partitions: number[]) => {
      const assigner = createStaticAssigner('orders', partitions, { members: 3 })({ cluster: {} as Cluster, groupId: 'g', logger });
      return { memberId, memberMetadata: assigner.protocol({ topics: ['orders'] }).metadata };
    };
    const leader = createStaticAssigner('orders', [0], { members: 3, holdMs: 200 })({ cluster: {} as Cluster, groupId: 'g', logger });
    let startedAt = performance.now();
    await leader.assign({ members: [declaring('a', [0]), declaring('b', [1])], topics: ['orders'] });
    expect(performance.now() - startedAt).toBeGreaterThanOrEqual(190);
    startedAt = performance.now();
    const all = await leader.assign({ members: [declaring('a', [0]), declaring('b', [1]), declaring('c', [2])], topics: ['orders'] });
    expect(performance.now() - startedAt).toBeLessThan(150);
    expect(all).toHaveLength(3);
  });
});
