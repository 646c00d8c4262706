import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  createDeadLetters,
  createPipeline,
  createSink,
  encodeEndOffsets,
  type PipelineSettings,
  type SinkDefinition,
} from '../../../../consumer/engine/pipeline.js';
import { CountingSink } from '../../../../consumer/engine/sinks/counting-sink.js';
import { FileSink } from '../../../../consumer/engine/sinks/file-sink.js';
import { HttpSink } from '../../../../consumer/engine/sinks/http-sink.js';
import { PostgresSink } from '../../../../consumer/engine/sinks/postgres-sink.js';
import { StdoutSink } from '../../../../consumer/engine/sinks/stdout-sink.js';
import { ConsumerStats } from '../../../../consumer/engine/stats.js';
import { UsageError } from '../../../../shared/errors.js';
import { createKafka } from '../../../../shared/kafka-client.js';
import { createRootLogger } from '../../../../shared/logger.js';

const log = createRootLogger({ level: 'silent' });

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'harness-pipeline-'));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

// Port 1 answers nobody: a test that reached for the broker would fail rather than pass by luck.
const settings = (overrides: Partial<PipelineSettings> = {}): PipelineSettings => ({
  clientId: 'pipeline-test',
  brokers: ['127.0.0.1:1'],
  topic: 'orders',
  groupId: 'pipeline-test',
  assignment: { mode: 'static', partitions: [0] },
  processing: { batchSize: 10, batchTimeoutMs: 100, maxRetries: 0, retryBackoffMs: 1, errorThreshold: 5, pauseMs: 1_000, strict: false },
  sinks: [{ type: 'none' }],
  deadLetters: { mode: 'none' },
  ...overrides,
});

describe('createSink', () => {
  it('builds the sink of each kind of definition', async () => {
    const built = (
      [
        { type: 'file', path: join(dir, 'out.jsonl') },
        { type: 'stdout' },
        { type: 'none' },
        { type: 'postgres', table: 'orders', connectionString: 'postgresql://127.0.0.1:1/test' },
        { type: 'http', url: 'http://127.0.0.1:1/batches' },
      ] satisfies SinkDefinition[]
    ).map(createSink);
    expect(built.map((sink) => sink.constructor)).toEqual([FileSink, StdoutSink, CountingSink, PostgresSink, HttpSink]);
    expect(built.map((sink) => sink.name)).toEqual([
      `file ${join(dir, 'out.jsonl')}`,
      'stdout',
      'none (count only)',
      'postgres orders',
      'http http://127.0.0.1:1/batches',
    ]);
    // The pg pool connects only on its first query: ending it touches no server.
    for (const sink of built) if (!(sink instanceof StdoutSink)) await sink.close();
  });

  it('refuses a postgres definition without a connection string, rather than letting pg try localhost', () => {
    const build = () => createSink({ type: 'postgres', table: 'orders', connectionString: undefined });
    expect(build).toThrow(UsageError);
    expect(build).toThrow('postgres sink for table orders has no connection string');
  });
});

describe('createDeadLetters', () => {
  it('builds a topic, a file or no dead-letter destination', () => {
    const kafka = createKafka({ clientId: 'pipeline-test', brokers: ['127.0.0.1:1'] });
    expect(createDeadLetters({ mode: 'topic', topic: 'orders.dlq' }, kafka).name).toBe('topic orders.dlq');
    expect(createDeadLetters({ mode: 'file', path: join(dir, 'dlq-0.jsonl') }, kafka).name).toBe(`file ${join(dir, 'dlq-0.jsonl')}`);
    expect(createDeadLetters({ mode: 'none' }, kafka).name).toBe('none (dropped)');
  });
});

describe('createPipeline', () => {
  it('refuses a sink it cannot build, before anything runs', () => {
    expect(() => createPipeline({ ...settings({ sinks: [{ type: 'postgres', table: 'orders', connectionString: undefined }] }), log })).toThrow(
      'postgres sink for table orders has no connection string',
    );
    expect(() => createPipeline({ ...settings({ sinks: [] }), log })).toThrow('a pipeline needs at least one sink');
  });

  it('counts into the stats it is given', () => {
    const stats = new ConsumerStats();
    expect(createPipeline({ ...settings(), log, stats }).stats).toBe(stats);
  });

  it('opens the sinks before it reaches for the broker: a sink that cannot open fails start() with its path', async () => {
    const taken = join(dir, 'taken.jsonl');
    await mkdir(taken);
    const pipeline = createPipeline({ ...settings({ sinks: [{ type: 'file', path: taken }] }), log });
    await expect(pipeline.start()).rejects.toThrow(`file sink ${taken} cannot be read`);
    // stop() after a failed start closes what was opened, and never rejects.
    await pipeline.stop();
    await expect(pipeline.finished).resolves.toEqual({ reason: 'stopped' });
  });
});

describe('encodeEndOffsets', () => {
  it('turns offsets into JSON-safe pairs that survive IPC', () => {
    const encoded = encodeEndOffsets(new Map([[0, 2n ** 60n]]));
    expect(JSON.parse(JSON.stringify(encoded))).toEqual([[0, '1152921504606846976']]);
  });
});
