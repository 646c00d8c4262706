import { randomUUID } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished, vi } from 'vitest';
import type { Envelope } from '../../consumer/engine/envelope.js';
import type { ConsumeReport } from '../../consumer/cli/summary.js';
import type { HarnessMessage } from '../../shared/message.js';
import { runCli, startCli } from './helpers/cli.js';
import { createAdmin, createTestProducer, createTopic, readAll, testBrokers } from './helpers/kafka.js';

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'harness-consume-'));
  onTestFinished(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

/** Every envelope in the consumer-<i>.jsonl files of a folder, by child index. */
async function readOutput(dir: string): Promise<Map<number, Envelope[]>> {
  const byChild = new Map<number, Envelope[]>();
  for (const name of (await readdir(dir)).filter((file) => /^consumer-\d+\.jsonl$/.test(file))) {
    const lines = (await readFile(join(dir, name), 'utf8')).split('\n').filter(Boolean);
    byChild.set(
      Number(name.replace(/\D/g, '')),
      lines.map((line) => JSON.parse(line) as Envelope),
    );
  }
  return byChild;
}

const idsOf = (envelopes: readonly Envelope[]): string[] => envelopes.map((envelope) => (envelope.payload as HarnessMessage).id);

async function produce(topic: string, args: readonly string[]): Promise<void> {
  const result = await runCli('producer/cli.js', ['-b', testBrokers().join(','), '-t', topic, '-q', ...args]);
  expect(result.code, result.stderr).toBe(0);
}

async function producedIds(topic: string): Promise<Set<string>> {
  return new Set((await readAll(topic)).map((record) => (JSON.parse(record.value) as HarnessMessage).id));
}

function consumeArgs(topic: string, group: string, dir: string, extra: readonly string[] = []): string[] {
  return ['-b', testBrokers().join(','), '-t', topic, '-G', group, '--out-dir', dir, '--json', ...extra];
}

describe('npm run consume', () => {
  it('splits 6 partitions over 3 children and writes 20,000 produced ids exactly once', async () => {
    const topic = await createTopic({ partitions: 6 });
    await produce(topic, ['-c', '20000']);
    const dir = await tempDir();

    const result = await runCli('consumer/cli/cli.js', consumeArgs(topic, `g-${randomUUID()}`, dir, ['-p', '3', '-o', 'beginning', '-e']));
    expect(result.code, result.stderr).toBe(0);
    const report = JSON.parse(result.stdout) as ConsumeReport;
    expect(report).toMatchObject({ processes: 3, stoppedBy: 'end', totals: { messages_processed: 20_000, messages_failed: 0 } });

    const output = await readOutput(dir);
    expect([...output.keys()].sort((a, b) => a - b)).toEqual([0, 1, 2]);
    for (const [child, envelopes] of output) {
      expect(new Set(envelopes.map((envelope) => envelope.partition)), `child ${child}`).toEqual(new Set([child, child + 3]));
    }
    const ids = [...output.values()].flatMap(idsOf);
    expect(ids).toHaveLength(20_000);
    expect(new Set(ids)).toEqual(await producedIds(topic));
  });

  it('stops on Ctrl-C with exit 0, and a second run with -o stored completes the set', async () => {
    const topic = await createTopic({ partitions: 6 });
    const group = `g-${randomUUID()}`;
    const dir = await tempDir();
    const producer = runCli('producer/cli.js', ['-b', testBrokers().join(','), '-t', topic, '-q', '-r', '2500', '-c', '15000']);

    const first = startCli('consumer/cli/cli.js', consumeArgs(topic, group, dir, ['--batch-size', '100']));
    await vi.waitFor(async () => expect([...(await readOutput(dir)).values()].flat().length).toBeGreaterThan(2_000), { timeout: 30_000, interval: 200 });
    first.child.kill('SIGINT');
    const stopped = await first.exited;
    expect(stopped.code, stopped.stderr).toBe(0);
    const firstReport = JSON.parse(stopped.stdout) as ConsumeReport;
    expect(firstReport.stoppedBy).toBe('signal');
    expect((await producer).code).toBe(0);

    const second = await runCli('consumer/cli/cli.js', consumeArgs(topic, group, dir, ['-o', 'stored', '-e']));
    expect(second.code, second.stderr).toBe(0);
    const secondReport = JSON.parse(second.stdout) as ConsumeReport;
    expect(secondReport.stoppedBy).toBe('end');

    const ids = [...(await readOutput(dir)).values()].flat().map((envelope) => (envelope.payload as HarnessMessage).id);
    expect(new Set(ids)).toEqual(await producedIds(topic));
    // A graceful stop commits what it wrote: nothing is written twice, and whatever was redelivered is reported.
    expect(ids.length - new Set(ids).size).toBe(0);
    expect(firstReport.totals.messages_processed + secondReport.totals.messages_processed).toBe(15_000);
  });

  it('restarts a child killed with SIGKILL on its partitions, and loses no id', async () => {
    const topic = await createTopic({ partitions: 6 });
    const group = `g-${randomUUID()}`;
    const dir = await tempDir();
    const producer = runCli('producer/cli.js', ['-b', testBrokers().join(','), '-t', topic, '-q', '-r', '2000', '-c', '16000']);

    const running = startCli('consumer/cli/cli.js', consumeArgs(topic, group, dir, ['--batch-size', '100']));
    await vi.waitFor(async () => expect((await readOutput(dir)).get(1)?.length ?? 0).toBeGreaterThan(500), { timeout: 30_000, interval: 200 });
    const victim = /"child":1,[^}]*?"pid":(\d+)/.exec(running.stderr) ?? /"pid":(\d+),"child":1,/.exec(running.stderr);
    expect(victim, 'the pid of child 1 in the logs').not.toBeNull();
    process.kill(Number(victim?.[1]), 'SIGKILL');
    await vi.waitFor(() => expect(running.stderr).toMatch(/child exited unexpectedly; restarting it with the same partitions/), { timeout: 15_000 });

    expect((await producer).code).toBe(0);
    const expected = await producedIds(topic);
    // Wait until the restarted child has caught up, then stop everything cleanly.
    await vi.waitFor(
      async () =>
        expect(new Set([...(await readOutput(dir)).values()].flat().map((envelope) => (envelope.payload as HarnessMessage).id)).size).toBe(expected.size),
      {
        timeout: 90_000,
        interval: 500,
      },
    );
    running.child.kill('SIGINT');
    const result = await running.exited;
    expect(result.code, result.stderr).toBe(0);
    const report = JSON.parse(result.stdout) as ConsumeReport;
    expect(report.totals.restarts).toBe(1);
    expect(report.children[1]?.partitions).toEqual([1, 4]);

    const output = await readOutput(dir);
    const ids = [...output.values()].flat().map((envelope) => (envelope.payload as HarnessMessage).id);
    expect(new Set(ids)).toEqual(expected);
    // The file sink skips what it already had, so even the replay after SIGKILL leaves no duplicate line.
    expect(ids.length).toBe(expected.size);
    expect(new Set(output.get(1)?.map((envelope) => envelope.partition))).toEqual(new Set([1, 4]));
  });

  it('restarts a crashed child even when every other child has already finished', async () => {
    // Partition 0 stays empty, so child 0 is done as soon as it joins; child 1 has 20,000 messages,
    // read in chunks of 10 (a flush and a commit each), so it is still busy when it is killed.
    const topic = await createTopic({ partitions: 2 });
    const producer = await createTestProducer();
    for (let first = 0; first < 20_000; first += 1_000) {
      await producer.send({
        topic,
        messages: Array.from({ length: 1_000 }, (_, index) => ({ partition: 1, value: JSON.stringify({ id: `m-${first + index}` }) })),
      });
    }
    const dir = await tempDir();
    const running = startCli('consumer/cli/cli.js', consumeArgs(topic, `g-${randomUUID()}`, dir, ['-p', '2', '-o', 'beginning', '-e', '--batch-size', '10']));
    const victim = (): RegExpExecArray | null => /"pid":(\d+),"child":1,[^\n]*"msg":"joined the group"/.exec(running.stderr);
    await vi.waitFor(() => expect(victim(), 'child 1 joined the group').not.toBeNull(), { timeout: 30_000, interval: 50 });
    process.kill(Number(victim()?.[1]), 'SIGKILL');

    const result = await running.exited;
    expect(result.code, result.stderr).toBe(0);
    const report = JSON.parse(result.stdout) as ConsumeReport;
    expect(report).toMatchObject({ stoppedBy: 'end', totals: { restarts: 1 } });
    const ids = [...(await readOutput(dir)).values()].flat().map((envelope) => (envelope.payload as { id: string }).id);
    expect(ids).toHaveLength(20_000);
    expect(new Set(ids).size).toBe(20_000);
  });

  it('dead-letters a poison message, processes the rest, and pauses only the partition that keeps failing', async () => {
    const topic = await createTopic({ partitions: 3 });
    const dlqTopic = `${topic}.dlq`;
    onTestFinished(async () => {
      const { createAdmin } = await import('./helpers/kafka.js');
      const admin = await createAdmin();
      await admin.deleteTopics({ topics: [dlqTopic] }).catch(() => {});
    });
    await produce(topic, ['-c', '300']);
    const producer = await createTestProducer();
    // One poison message in partition 0, and a run of 12 in partition 2.
    await producer.send({ topic, messages: [{ partition: 0, value: 'this is not JSON' }] });
    await producer.send({ topic, messages: Array.from({ length: 12 }, (_, index) => ({ partition: 2, value: `{broken ${index}` })) });
    await produce(topic, ['-c', '300']);
    const dir = await tempDir();

    const result = await runCli(
      'consumer/cli/cli.js',
      consumeArgs(topic, `g-${randomUUID()}`, dir, ['-p', '3', '-o', 'beginning', '-e', '--error-threshold', '5', '--pause-ms', '1000', '--batch-size', '20']),
    );
    expect(result.code, result.stderr).toBe(0);
    const report = JSON.parse(result.stdout) as ConsumeReport;
    expect(report.totals).toMatchObject({ messages_processed: 600, messages_failed: 13, dead_lettered: 13 });

    const ids = [...(await readOutput(dir)).values()].flat().map((envelope) => (envelope.payload as HarnessMessage).id);
    expect(new Set(ids)).toEqual(
      new Set((await readAll(topic)).flatMap((record) => (record.value.startsWith('{"') ? [(JSON.parse(record.value) as HarnessMessage).id] : []))),
    );

    const dead = await readAll(dlqTopic);
    expect(dead).toHaveLength(13);
    const poison = dead.find((record) => record.value === 'this is not JSON');
    expect(poison?.headers).toMatchObject({ 'x-dlq-stage': 'parse', 'x-dlq-source-topic': topic, 'x-dlq-source-partition': '0' });
    expect(poison?.headers['x-dlq-error']).toMatch(/^not JSON/);

    const pauses = result.stderr
      .split('\n')
      .filter((line) => line.includes('"msg":"partition paused"'))
      .map((line) => (JSON.parse(line) as { partition: number }).partition);
    expect(pauses.length).toBeGreaterThanOrEqual(2);
    expect(new Set(pauses)).toEqual(new Set([2]));
    expect(report.children[2]?.stats?.partition_errors).toEqual({ 2: 12 });
    expect(report.children[0]?.stats?.partition_errors).toEqual({ 0: 1 });
  });

  it('stops after exactly --count messages across its children', async () => {
    const topic = await createTopic({ partitions: 6 });
    await produce(topic, ['-c', '3000']);
    const dir = await tempDir();
    const result = await runCli('consumer/cli/cli.js', consumeArgs(topic, `g-${randomUUID()}`, dir, ['-o', 'beginning', '-c', '1234', '--batch-size', '100']));
    expect(result.code, result.stderr).toBe(0);
    expect((JSON.parse(result.stdout) as ConsumeReport).stoppedBy).toBe('count');
    expect([...(await readOutput(dir)).values()].flat()).toHaveLength(1_234);
  });

  it('exits cleanly when the parent is killed: the children notice and leave no orphan', async () => {
    const topic = await createTopic({ partitions: 3 });
    await produce(topic, ['-c', '100']);
    const dir = await tempDir();
    const group = `g-${randomUUID()}`;
    const running = startCli('consumer/cli/cli.js', consumeArgs(topic, group, dir, ['-p', '3']));
    const joined = (): number[] => [
      ...new Set([...running.stderr.matchAll(/"pid":(\d+),"child":\d+,[^\n]*"msg":"joined the group"/g)].map((match) => Number(match[1]))),
    ];
    await vi.waitFor(() => expect(joined()).toHaveLength(3), { timeout: 30_000 });
    const childPids = joined();
    running.child.kill('SIGKILL');
    await vi.waitFor(
      () => {
        for (const pid of childPids) expect(() => process.kill(pid, 0), `child ${pid} still alive`).toThrow();
      },
      { timeout: 20_000, interval: 200 },
    );
    // They stopped cleanly: what each wrote, it had committed before it left.
    const written = [...(await readOutput(dir)).values()].flat();
    const [committed] = await (await createAdmin()).fetchOffsets({ groupId: group, topics: [topic] });
    expect(committed?.partitions.reduce((sum, { offset }) => sum + Math.max(0, Number(offset)), 0)).toBe(written.length);
  });

  it('reads a topic written in transactions to its end, its commit past the last marker', async () => {
    const topic = await createTopic({ partitions: 2 });
    const producer = await createTestProducer({ transactionalId: `tx-${randomUUID()}`, idempotent: true, maxInFlightRequests: 1 });
    for (let round = 0; round < 3; round += 1) {
      const transaction = await producer.transaction();
      await transaction.send({ topic, messages: Array.from({ length: 50 }, (_, index) => ({ value: JSON.stringify({ id: `${round}-${index}` }) })) });
      await transaction.commit();
    }
    const group = `g-${randomUUID()}`;
    const dir = await tempDir();
    // Without reading past the markers, -e would wait forever for offsets no message has.
    const result = await runCli('consumer/cli/cli.js', consumeArgs(topic, group, dir, ['-p', '2', '-o', 'beginning', '-e']), { timeoutMs: 60_000 });
    expect(result.code, result.stderr).toBe(0);
    expect((JSON.parse(result.stdout) as ConsumeReport).totals.messages_processed).toBe(150);

    const admin = await createAdmin();
    const ends = new Map((await admin.fetchTopicOffsets(topic)).map(({ partition, high }) => [partition, high]));
    const [committed] = await admin.fetchOffsets({ groupId: group, topics: [topic] });
    for (const { partition, offset } of committed?.partitions ?? []) expect(offset, `partition ${partition}`).toBe(ends.get(partition));
  });
});
