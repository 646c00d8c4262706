/**
 * Plausible wrong answers a learner tried (test/workshop/wrong-answers/): each must fail its check on
 * the item that names its mistake. Against the real broker.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { exercises } from '../../workshop/exercises.js';
import { runCheck } from '../../workshop/lib/run-check.js';
import { removeUserAfterAll, testBrokers, testLog, testUser } from './helpers.js';

const user = testUser('ws-wrong');
removeUserAfterAll(user);

interface WrongAnswer {
  exercise: number;
  file: string;
  /** The item that must fail, by name. */
  fails: string;
}

const wrongAnswers: WrongAnswer[] = [
  { exercise: 2, file: '02-buffer.ts', fails: 'together they read every order once' },
  { exercise: 3, file: '03-pause.ts', fails: 'owns partitions 1 and 4 and no others' },
  { exercise: 4, file: '04-off-by-one.ts', fails: 'commits as it goes' },
  { exercise: 5, file: '05-void.ts', fails: 'each order is saved before its offset is committed' },
  { exercise: 5, file: '05-conc.ts', fails: "the group's lag falls to 0 within 15 s" },
  { exercise: 7, file: '07-acks-1.ts', fails: 'every send was acknowledged' },
  { exercise: 7, file: '07-no-retries.ts', fails: 'every send was acknowledged' },
  { exercise: 10, file: '10-catch-all.ts', fails: 'nothing else in the dead letters' },
];

describe('wrong answers fail on the item that names the mistake', () => {
  for (const wrong of wrongAnswers) {
    it(`exercise ${wrong.exercise}, ${wrong.file}: ✗ ${wrong.fails}`, async () => {
      const meta = exercises.find((candidate) => candidate.id === wrong.exercise);
      if (!meta) throw new Error(`no exercise ${wrong.exercise}`);
      const file = join(import.meta.dirname, 'wrong-answers', wrong.file);
      const result = await runCheck(meta, { file, brokers: testBrokers(), user, log: testLog });
      expect(result.passed).toBe(false);
      const failed = result.items.filter((item) => !item.ok).map((item) => item.name);
      expect(failed).toContain(wrong.fails);
    });
  }
});
