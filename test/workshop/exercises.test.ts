/**
 * Every exercise checks what it claims: the untouched starting file fails its check, saying what was
 * expected and what was seen, and the reference solution passes every item. Against the real broker.
 */
import { describe, expect, it } from 'vitest';
import { exercises } from '../../workshop/exercises.js';
import { exerciseFiles, isAvailable, runCheck } from '../../workshop/lib/run-check.js';
import { completeExercises, removeUserAfterAll, runsThreeNodeExercises, testBrokers, testLog, testUser } from './helpers.js';

const user = testUser('ws-test');
removeUserAfterAll(user);
const complete = new Set(completeExercises().map((meta) => meta.id));

for (const meta of exercises) {
  const skipped = meta.nodes === 3 && !runsThreeNodeExercises();
  if (skipped) {
    process.stderr.write(
      `\n*** [workshop] SKIPPED exercise ${meta.id} (${meta.title}): it starts a 3-node cluster of its own. Run it with WORKSHOP_FULL=1 (CI runs it always). ***\n\n`,
    );
  }
  if (!complete.has(meta.id)) {
    process.stderr.write(
      `[workshop] exercise ${meta.id} (${meta.title}) is not available yet: ${isAvailable(meta) ? 'no reference solution' : 'no start.ts or check.ts'}\n`,
    );
  }

  describe.skipIf(skipped || !complete.has(meta.id))(`exercise ${meta.id}: ${meta.title}`, () => {
    const files = exerciseFiles(meta);
    const options = { brokers: testBrokers(), user, log: testLog };

    it('fails on the untouched start.ts, naming what was expected and what was seen', async () => {
      const result = await runCheck(meta, { ...options, file: files.start });
      expect(result.interrupted).toBe(false);
      expect(result.passed).toBe(false);
      const failed = result.items.filter((item) => !item.ok);
      expect(failed.length, 'at least one item fails').toBeGreaterThan(0);
      // A failure only about the broker or the check itself would not be the exercise's point.
      expect(failed.map((item) => item.name)).not.toContain('the Kafka broker answers');
      for (const item of failed) {
        expect(item.expected.trim(), `expected of "${item.name}"`).not.toBe('');
        expect(item.actual.trim(), `actual of "${item.name}"`).not.toBe('');
      }
    });

    it('passes every item with the reference solution', async () => {
      const result = await runCheck(meta, { ...options, file: files.solution });
      const failed = result.items.filter((item) => !item.ok).map((item) => `${item.name}: expected ${item.expected}, got ${item.actual}`);
      expect(failed).toEqual([]);
      expect(result.items.length).toBeGreaterThan(0);
      expect(result.passed).toBe(true);
    });
  });
}
