import { randomUUID } from 'node:crypto';
import { describe, expect, it, vi } from 'vitest';
import type { GroupLag } from '../../consumer/engine/lag.js';
import { runCli, startCli } from './helpers/cli.js';
import { createTopic, testBrokers } from './helpers/kafka.js';
import { describeGroupWithJava, javaToolsAvailable } from './helpers/java-tools.js';

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

  it('says so when the group does not exist', async () => {
    const result = await runCli('consumer/cli/lag-cli.js', ['-b', testBrokers().join(','), '-G', `nobody-${randomUUID()}`]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/npm run lag: error: consumer group "nobody-.*" does not exist/);
  });
});
