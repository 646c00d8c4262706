/** A room on one cluster: two learners check the same exercise at once, each on topics and groups of their own, and both pass. */
import { describe, expect, it } from 'vitest';
import { exerciseFiles, runCheck } from '../../workshop/lib/run-check.js';
import { completeExercises, removeUserAfterAll, testBrokers, testLog, testUser } from './helpers.js';

const alice = testUser('alice');
const bob = testUser('bob');
removeUserAfterAll(alice, bob);
// Exercise 1 when it is there; the shared broker's exercises only (the 3-node one brings a cluster per run).
const candidates = completeExercises().filter((meta) => meta.nodes === 1);
const meta = candidates.find((candidate) => candidate.id === 1) ?? candidates[0];

describe.skipIf(meta === undefined)('two learners on one broker', () => {
  it(`both pass exercise ${meta?.id} when they check it at the same time`, async () => {
    if (meta === undefined) return;
    const run = (user: string) => runCheck(meta, { file: exerciseFiles(meta).solution, brokers: testBrokers(), user, log: testLog });
    const [forAlice, forBob] = await Promise.all([run(alice), run(bob)]);
    for (const [user, result] of [
      [alice, forAlice],
      [bob, forBob],
    ] as const) {
      const failed = result.items.filter((item) => !item.ok).map((item) => `${item.name}: ${item.actual}`);
      expect(failed, `${user}'s failures`).toEqual([]);
      expect(result.passed).toBe(true);
    }
  });
});
