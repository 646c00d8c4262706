import { randomUUID } from 'node:crypto';
import { describe, expect, it, onTestFinished, vi } from 'vitest';
import type { GroupLag } from '../../consumer/engine/lag.js';
import { plainLines, runCli, startCli } from './helpers/cli.js';
import { createAdmin, createTestProducer, createTopic, testBrokers, testKafka } from './helpers/kafka.js';
import { describeGroupWithJava, javaToolsAvailable } from './helpers/java-tools.js';
import { cursorUp, ptyAvailable, startInPty } from './helpers/pty.js';

const runJavaTools = javaToolsAvailable();

async function lag(group: string): Promise<GroupLag> {
  const result = await runCli('consumer/cli/lag-cli.js', ['-b', testBrokers().join(','), '-G', group, '--json']);
  expect(result.code, result.stderr).toBe(0);
  return JSON.parse(result.stdout) as GroupLag;
}

describe.runIf(runJavaTools)('npm run lag', () => {
  it('matches kafka-consumer-groups --describe for a group that stopped part way', async () => {
    const topic = await createTopic({ partitions: 6 });
    expect((await runCli('producer/cli.js', ['-b', testBrokers().join(','), '-t', topic, '-q', '-c', '3000', '-k', 'user'])).code).toBe(0);
    const group = `g-${randomUUID()}`;
    const consumed = await runCli('consumer/cli/cli.js', [
      '-b',
      testBrokers().join(','),
      '-t',
      topic,
      '-G',
      group,
      '-o',
      'beginning',
      '-c',
      '1700',
      '--sink',
      'none',
      '--batch-size',
      '100',
      '-q',
    ]);
    expect(consumed.code, consumed.stderr).toBe(0);

    const ours = await lag(group);
    expect(ours.rows).toHaveLength(6);
    expect(ours.rows.reduce((sum, row) => sum + (row.currentOffset ?? 0), 0)).toBe(1_700);
    expect(ours.rows.reduce((sum, row) => sum + (row.lag ?? 0), 0)).toBe(3_000 - 1_700);
    expect(ours.rows).toEqual(describeGroupWithJava(testBrokers(), group));
  });

  it('matches it for a running group, consumer ids, hosts and client ids included', async () => {
    const topic = await createTopic({ partitions: 4 });
    expect((await runCli('producer/cli.js', ['-b', testBrokers().join(','), '-t', topic, '-q', '-c', '800', '-k', 'id'])).code).toBe(0);
    const group = `g-${randomUUID()}`;
    const running = startCli('consumer/cli/cli.js', ['-b', testBrokers().join(','), '-t', topic, '-G', group, '-p', '2', '--sink', 'none']);
    await vi.waitFor(
      async () => {
        const state = await lag(group);
        expect(state.state).toBe('Stable');
        expect(state.rows.map((row) => row.lag)).toEqual([0, 0, 0, 0]);
      },
      { timeout: 60_000, interval: 500 },
    );

    const ours = await lag(group);
    expect(new Set(ours.rows.map((row) => row.clientId))).toEqual(new Set(['harness-consumer-0', 'harness-consumer-1']));
    expect(ours.rows).toEqual(describeGroupWithJava(testBrokers(), group));
    running.child.kill('SIGINT');
    expect((await running.exited).code).toBe(0);
  });

  it('counts the records of an open transaction in the log-end offset, as the high watermark does', async () => {
    const topic = await createTopic({ partitions: 1 });
    const group = `g-${randomUUID()}`;
    const plain = await createTestProducer();
    await plain.send({ topic, messages: [{ value: 'a' }, { value: 'b' }] });
    const admin = await createAdmin();
    await admin.setOffsets({ groupId: group, topic, partitions: [{ partition: 0, offset: '1' }] });
    const transactional = await createTestProducer({ transactionalId: `tx-${randomUUID()}`, idempotent: true, maxInFlightRequests: 1 });
    const transaction = await transactional.transaction();
    onTestFinished(() => transaction.abort().catch(() => {}));
    await transaction.send({ topic, messages: [{ value: 'c' }, { value: 'd' }, { value: 'e' }] });

    // The last stable offset stays at 2 until the transaction ends: the check is only meaningful
    // while the two differ.
    expect((await admin.fetchTopicOffsets(topic))[0]?.high).toBe('2');
    const ours = await lag(group);
    expect(ours.rows.map((row) => [row.currentOffset, row.logEndOffset, row.lag])).toEqual([[1, 5, 4]]);
    expect(ours.rows).toEqual(describeGroupWithJava(testBrokers(), group));
  });

  it('shows no row for a member that owns no partition, as Kafka 4 does', async () => {
    const topic = await createTopic({ partitions: 1 });
    const group = `g-${randomUUID()}`;
    const kafka = testKafka('harness-test-idle');
    for (let i = 0; i < 2; i++) {
      const consumer = kafka.consumer({ groupId: group });
      await consumer.connect();
      onTestFinished(() => consumer.disconnect());
      await consumer.subscribe({ topics: [topic] });
      await consumer.run({ eachMessage: async () => {} });
    }
    const admin = await createAdmin();
    await vi.waitFor(
      async () => {
        const { groups } = await admin.describeGroups([group]);
        expect(groups[0]?.state).toBe('Stable');
        expect(groups[0]?.members).toHaveLength(2);
        const state = await lag(group);
        expect(state.rows.map((row) => row.clientId)).toEqual(['harness-test-idle']);
      },
      { timeout: 60_000, interval: 500 },
    );

    const ours = await lag(group);
    expect(ours.rows).toEqual(describeGroupWithJava(testBrokers(), group));
  });

  it('gives a negative lag for an offset committed past the end, as Kafka does', async () => {
    const topic = await createTopic({ partitions: 2 });
    const producer = await createTestProducer();
    await producer.send({
      topic,
      messages: [
        { value: 'a', partition: 0 },
        { value: 'b', partition: 0 },
      ],
    });
    const group = `g-${randomUUID()}`;
    const admin = await createAdmin();
    await admin.setOffsets({
      groupId: group,
      topic,
      partitions: [
        { partition: 0, offset: '10' },
        { partition: 1, offset: '0' },
      ],
    });

    const ours = await lag(group);
    expect(ours.rows.map((row) => row.lag)).toEqual([-8, 0]);
    expect(ours.rows).toEqual(describeGroupWithJava(testBrokers(), group));
  });

  it('says so when the group does not exist', async () => {
    const result = await runCli('consumer/cli/lag-cli.js', ['-b', testBrokers().join(','), '-G', `nobody-${randomUUID()}`]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/npm run lag: error: consumer group "nobody-.*" does not exist/);
  });
});

describe('npm run lag --watch', () => {
  /** A group that has committed offset 5 on each partition of a new topic of 2, which holds 10 messages per partition. */
  async function groupWithCommits(): Promise<{ topic: string; group: string }> {
    const topic = await createTopic({ partitions: 2 });
    const producer = await createTestProducer();
    for (const partition of [0, 1]) await producer.send({ topic, messages: Array.from({ length: 10 }, (_, i) => ({ partition, value: `m${i}` })) });
    const group = `g-${randomUUID()}`;
    const admin = await createAdmin();
    await admin.setOffsets({ groupId: group, topic, partitions: [0, 1].map((partition) => ({ partition, offset: '5' })) });
    return { topic, group };
  }

  /** The LOG-END-OFFSET of partition 0 in each table printed, oldest first. */
  const endsOfPartition0 = (lines: readonly string[], topic: string): number[] =>
    lines.filter((line) => line.includes(` ${topic}  0 `)).map((line) => Number(line.trim().split(/ {2,}/)[4]));

  it.runIf(ptyAvailable())('redraws in place on a terminal, with the time of its figures, and exits 0 on Ctrl-C', async () => {
    const { topic, group } = await groupWithCommits();
    const running = startInPty('consumer/cli/lag-cli.js', ['-b', testBrokers().join(','), '-G', group, '--watch']);
    await vi.waitFor(() => expect(endsOfPartition0(running.lines(), topic)).toContain(10), { timeout: 30_000, interval: 100 });
    const producer = await createTestProducer();
    await producer.send({ topic, messages: [{ partition: 0, value: 'one more' }] });
    await vi.waitFor(() => expect(endsOfPartition0(running.lines(), topic)).toContain(11), { timeout: 30_000, interval: 100 });

    // Each frame says when its figures were read; the clock moves on from one frame to the next.
    const stamps = (): Set<string> => new Set(running.lines().flatMap((line) => /^last updated (\d\d:\d\d:\d\d)$/.exec(line)?.[1] ?? []));
    await vi.waitFor(() => expect(stamps().size).toBeGreaterThanOrEqual(2), { timeout: 30_000, interval: 100 });
    // In place: each frame goes back up over the one before instead of scrolling on.
    expect(running.output).toMatch(cursorUp);
    running.ctrlC();
    expect((await running.exited).code).toBe(0);
  });

  it('prints a new table for each read off a terminal, and exits 0 on SIGINT', async () => {
    const { topic, group } = await groupWithCommits();
    const running = startCli('consumer/cli/lag-cli.js', ['-b', testBrokers().join(','), '-G', group, '--watch', '--interval', '0.5']);
    await vi.waitFor(() => expect(running.stdout.match(/^last updated \d\d:\d\d:\d\d$/gm)?.length ?? 0).toBeGreaterThanOrEqual(2), {
      timeout: 30_000,
      interval: 100,
    });
    expect(endsOfPartition0(running.stdout.split('\n'), topic).slice(0, 2)).toEqual([10, 10]);
    expect(running.stdout).not.toContain('\x1b[');
    running.child.kill('SIGINT');
    const stopped = await running.exited;
    expect(stopped.code, stopped.stderr).toBe(0);
  });

  it('says the broker does not answer, rather than showing zeros, and keeps trying', async () => {
    const running = startCli('consumer/cli/lag-cli.js', ['-b', '127.0.0.1:1', '-G', 'anyone', '--watch']);
    await vi.waitFor(
      () => expect(plainLines(running.stderr).filter((line) => line.includes('the broker has not answered since')).length).toBeGreaterThanOrEqual(2),
      {
        timeout: 60_000,
        interval: 200,
      },
    );
    expect(plainLines(running.stderr)[0]).toMatch(
      /^nothing read yet; the broker has not answered since \d\d:\d\d:\d\d, still trying: no Kafka broker answers at 127\.0\.0\.1:1/,
    );
    expect(running.stdout).toBe('');
    running.child.kill('SIGINT');
    expect((await running.exited).code).toBe(0);
  });
});
