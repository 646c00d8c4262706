/**
 * runCheck's promises to every exercise, with stand-in checks (test/workshop/fixtures/): a fresh topic
 * each run, a time limit that holds even against a check that never returns, a thrown error as one
 * failed item, Ctrl-C, and a broker that is not there.
 */
import { describe, expect, it } from 'vitest';
import { runCheck } from '../../workshop/lib/run-check.js';
import type { ExerciseMeta } from '../../workshop/lib/types.js';
import { removeUserAfterAll, testBrokers, testLog, testUser } from './helpers.js';

const user = testUser('runcheck');
removeUserAfterAll(user);

/** A stand-in exercise whose folder is test/workshop/fixtures/<name> (the runner finds folders under workshop/). */
function fixture(name: string, overrides: Partial<ExerciseMeta> = {}): ExerciseMeta {
  return {
    id: 90,
    slug: `../test/workshop/fixtures/${name}`,
    title: name,
    concept: 'a stand-in',
    hints: [],
    timeLimitMs: 30_000,
    topics: [],
    groups: [],
    nodes: 1,
    minutes: 1,
    ...overrides,
  };
}

const options = () => ({ file: '/nonexistent/exercise.ts', brokers: testBrokers(), user, log: testLog });

describe('runCheck', () => {
  it('gives every run an empty topic with the partitions the metadata names', async () => {
    const meta = fixture('fresh', { topics: [{ name: 'wsfix-fresh', partitions: 2 }], groups: ['wsfix-group'] });
    const first = await runCheck(meta, options());
    expect(first.items.filter((item) => !item.ok)).toEqual([]);
    // The first run left a message behind: the second passes only if the topic was recreated.
    const second = await runCheck(meta, options());
    expect(second.items.filter((item) => !item.ok)).toEqual([]);
    expect(second.passed).toBe(true);
  });

  it('fails a check that never returns with "timed out after N s"', async () => {
    const result = await runCheck(fixture('hang'), { ...options(), timeLimitMs: 1_000, graceMs: 200 });
    expect(result.passed).toBe(false);
    expect(result.items).toEqual([expect.objectContaining({ ok: false, actual: 'timed out after 1 s' })]);
    expect(result.durationMs).toBeLessThan(10_000);
  });

  it('keeps what a check returns once its time is up, and fails it for the time', async () => {
    const result = await runCheck(fixture('polite'), { ...options(), timeLimitMs: 1_000 });
    expect(result.passed).toBe(false);
    expect(result.items.map((item) => [item.name, item.ok])).toEqual([
      ['what was done before the stop', true],
      ['the check finishes within 1 s', false],
    ]);
  });

  it('turns a thrown error into one failed item with its message and no stack', async () => {
    const result = await runCheck(fixture('throws'), options());
    expect(result.passed).toBe(false);
    expect(result.items).toHaveLength(1);
    expect(result.items[0]?.actual).toContain('orders.map is not a function');
    expect(result.items[0]?.actual).not.toContain('\n');
  });

  it('stops when the caller aborts (Ctrl-C), reported as interrupted rather than failed', async () => {
    const controller = new AbortController();
    const running = runCheck(fixture('polite'), { ...options(), signal: controller.signal });
    setImmediate(() => controller.abort());
    const result = await running;
    expect(result.interrupted).toBe(true);
    expect(result.passed).toBe(false);
  });

  it('says the broker is not answering and how to start one, without running the check', async () => {
    const result = await runCheck(fixture('hang'), { ...options(), brokers: ['127.0.0.1:1'], timeLimitMs: 1_000 });
    expect(result.items).toEqual([expect.objectContaining({ name: 'the Kafka broker answers', ok: false })]);
    expect(result.items[0]?.hint).toContain('npm run kafka:up');
  });
});
