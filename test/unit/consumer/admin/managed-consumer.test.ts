/**
 * A crashed admin consumer is started again with a growing backoff (fault scenario 9: restored
 * consumers crashed on "The coordinator is not aware of this member" and stayed in ERROR). A broker
 * can't be made to crash a consumer on cue, so the pipeline here is a stand-in whose run ends when
 * the test says; the timers are fake, so the backoff is checked to the millisecond without waiting.
 */
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Finish } from '../../../../consumer/engine/partition-consumer.js';
import type { Pipeline } from '../../../../consumer/engine/pipeline.js';
import { ConsumerStats } from '../../../../consumer/engine/stats.js';
import { createRootLogger } from '../../../../shared/logger.js';

/** Each run the consumer starts, with the means to end it. */
const runs: { pipeline: Pipeline; finish: (finish: Finish) => void }[] = [];

vi.mock('../../../../consumer/engine/pipeline.js', async (importOriginal) => ({
  ...(await importOriginal<typeof import('../../../../consumer/engine/pipeline.js')>()),
  createPipeline: (): Pipeline => {
    let finish: (finish: Finish) => void = () => {};
    const finished = new Promise<Finish>((resolve) => {
      finish = resolve;
    });
    const pipeline: Pipeline = {
      stats: new ConsumerStats(),
      finished,
      assigned: [],
      positions: new Map(),
      start: async () => {},
      stop: async () => {},
      pauseAll: () => {},
      resumeAll: () => {},
    };
    runs.push({ pipeline, finish: (result) => finish(result) });
    return pipeline;
  },
}));

const { ManagedConsumer } = await import('../../../../consumer/admin/managed-consumer.js');
const { readAdminSettings } = await import('../../../../consumer/admin/settings.js');

const log = createRootLogger({ level: 'silent' });
let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'harness-managed-'));
  runs.length = 0;
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance', 'Date'] });
});
afterEach(async () => {
  vi.useRealTimers();
  await rm(dir, { recursive: true, force: true });
});

function createConsumer() {
  const now = new Date().toISOString();
  return new ManagedConsumer(
    {
      id: randomUUID(),
      name: 'archive',
      brokers: ['127.0.0.1:9092'],
      topic: 'orders',
      group: 'g',
      sinks: [{ type: 'file', path: 'orders.jsonl' }],
      status: 'INACTIVE',
      createdAt: now,
      updatedAt: now,
      lastError: null,
    },
    { context: { admin: { ...readAdminSettings({}), outputDir: dir }, brokers: ['127.0.0.1:9092'] }, log, onChange: () => {} },
  );
}

/** Ends run `index` as a crash, and lets the consumer see it. */
async function crash(index: number, finish: Partial<Finish> = {}): Promise<void> {
  runs[index]?.finish({ reason: 'crashed', error: 'The coordinator is not aware of this member', ...finish });
  await vi.advanceTimersByTimeAsync(0);
}

describe('ManagedConsumer after a crash', () => {
  it('starts again after 1 s, then 2 s, showing ERROR with the wait until then', async () => {
    const consumer = createConsumer();
    await consumer.act('start');
    expect(consumer.status).toBe('ACTIVE');

    await crash(0);
    expect(consumer.status).toBe('ERROR');
    expect(consumer.definition.lastError?.message).toBe('The coordinator is not aware of this member (restarting in 1 s)');
    await vi.advanceTimersByTimeAsync(999);
    expect(runs).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    // The restart checks the definition again (real file-system calls), then starts the run.
    await vi.waitFor(() => expect(runs).toHaveLength(2));
    expect(consumer.status).toBe('ACTIVE');

    // A second crash soon after: the wait doubles.
    await crash(1);
    expect(consumer.definition.lastError?.message).toMatch(/\(restarting in 2 s\)$/);
    await vi.advanceTimersByTimeAsync(1_999);
    expect(runs).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(1);
    await vi.waitFor(() => expect(runs).toHaveLength(3));
    expect(consumer.status).toBe('ACTIVE');
  });

  it('comes back PAUSED when it crashed while paused', async () => {
    const consumer = createConsumer();
    await consumer.act('start');
    await consumer.act('pause');
    await crash(0);
    await vi.advanceTimersByTimeAsync(1_000);
    await vi.waitFor(() => expect(runs).toHaveLength(2));
    await vi.waitFor(() => expect(consumer.status).toBe('PAUSED'));
  });

  it('stays in ERROR after a crash a restart cannot fix', async () => {
    const consumer = createConsumer();
    await consumer.act('start');
    await crash(0, { fatal: true, error: 'the group uses another assignment protocol' });
    await vi.advanceTimersByTimeAsync(120_000);
    expect(runs).toHaveLength(1);
    expect(consumer.status).toBe('ERROR');
    expect(consumer.definition.lastError?.message).toBe('the group uses another assignment protocol');
  });

  it('forgets the pending restart when it is started by hand meanwhile', async () => {
    const consumer = createConsumer();
    await consumer.act('start');
    await crash(0);
    await consumer.act('start');
    expect(runs).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(runs).toHaveLength(2);
    expect(consumer.status).toBe('ACTIVE');
  });
});
