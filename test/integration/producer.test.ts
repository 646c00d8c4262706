import { spawnSync } from 'node:child_process';
import type { Admin } from 'kafkajs';
import { createServer, type Socket } from 'node:net';
import { describe, expect, it, onTestFinished, vi } from 'vitest';
import { MessageSchema, type HarnessMessage } from '../../shared/message.js';
import type { ProduceReport } from '../../producer/report.js';
import { plainLines, runCli, startCli } from './helpers/cli.js';
import { createAdmin, createTopic, readAll, testBrokers } from './helpers/kafka.js';
import { kcatReadAll, shouldRunWith } from './helpers/tools.js';

const runKcat = shouldRunWith('kcat', 'apt install kcat');

function produce(topic: string, args: readonly string[]) {
  return runCli('producer/cli.js', ['-b', testBrokers().join(','), '-t', topic, '--json', '-q', ...args]);
}

function parseReport(stdout: string): ProduceReport {
  return JSON.parse(stdout) as ProduceReport;
}

/** Messages in the topic now: the sum of its partitions' end offsets. */
async function messagesIn(admin: Admin, topic: string): Promise<number> {
  const offsets = await admin.fetchTopicOffsets(topic);
  return offsets.reduce((sum, { high }) => sum + Number(high), 0);
}

/**
 * A TCP port that accepts connections and never answers, like a broker behind a firewall that
 * drops replies or a process that hangs: each KafkaJS attempt waits out its whole timeout.
 */
async function silentPort(): Promise<number> {
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => {});
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  onTestFinished(async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no TCP port');
  return address.port;
}

describe('npm run produce', () => {
  it('sends 50,000 unique messages from 2 workers × 8 tasks, seq increasing per producer within each partition', async () => {
    const topic = await createTopic({ partitions: 6 });
    const result = await produce(topic, ['-c', '50000', '--workers', '2', '--tasks', '8', '--idempotent']);
    expect(result.code, result.stderr).toBe(0);
    const report = parseReport(result.stdout);
    expect(report).toMatchObject({ sent: 50_000, acknowledged: 50_000, failed: 0, stoppedBy: 'count' });
    expect(Object.keys(report.perWorker)).toHaveLength(2);

    const records = await readAll(topic);
    const messages = records.map((record) => ({ partition: record.partition, message: MessageSchema.parse(JSON.parse(record.value)) }));
    expect(messages).toHaveLength(50_000);
    expect(new Set(messages.map(({ message }) => message.id)).size).toBe(50_000);

    const lastSeq = new Map<string, number>();
    let checked = 0;
    for (const { partition, message } of messages) {
      const lane = `${partition}/${message.producer}`;
      const previous = lastSeq.get(lane) ?? -1;
      expect(message.seq, `seq in partition ${partition} from ${message.producer}`).toBeGreaterThan(previous);
      lastSeq.set(lane, message.seq);
      checked += 1;
    }
    expect(checked).toBe(50_000);
    const counted = Object.values(report.perPartition).reduce((sum, count) => sum + count, 0);
    expect(counted).toBe(50_000);
  });

  it.runIf(runKcat)('with -k user puts every message of a key on the one partition murmur2 picks (as librdkafka and Java do)', async () => {
    const topic = await createTopic({ partitions: 6 });
    const result = await produce(topic, ['-c', '2000', '-k', 'user']);
    expect(result.code, result.stderr).toBe(0);

    const partitionsByKey = new Map<string, Set<number>>();
    for (const record of await readAll(topic)) {
      const key = record.key ?? '';
      expect(key).toBe((JSON.parse(record.value) as HarnessMessage).order.customer.id);
      partitionsByKey.set(key, (partitionsByKey.get(key) ?? new Set()).add(record.partition));
    }
    for (const [key, partitions] of partitionsByKey) expect(partitions.size, key).toBe(1);

    // An independent client: librdkafka's murmur2 partitioner is the Java client's.
    const witness = await createTopic({ partitions: 6 });
    const keys = [...partitionsByKey.keys()];
    const input = keys.map((key) => `${key}:{}`).join('\n');
    const kcat = spawnSync('kcat', ['-P', '-b', testBrokers().join(','), '-t', witness, '-K:', '-X', 'partitioner=murmur2_random'], {
      input,
      encoding: 'utf8',
    });
    expect(kcat.status, kcat.stderr).toBe(0);
    const expected = new Map(kcatReadAll(testBrokers(), witness).map((record) => [record.key, record.partition]));
    expect(expected.size).toBe(keys.length);
    for (const key of keys) expect([...(partitionsByKey.get(key) ?? [])][0], key).toBe(expected.get(key));
  });

  it('keeps --rate 500 --duration 4 within 5 % of 2,000 messages', async () => {
    const topic = await createTopic({ partitions: 6 });
    const result = await produce(topic, ['-r', '500', '--duration', '4']);
    expect(result.code, result.stderr).toBe(0);
    const report = parseReport(result.stdout);
    expect(report.stoppedBy).toBe('duration');
    expect(report.acknowledged).toBeGreaterThanOrEqual(1_900);
    expect(report.acknowledged).toBeLessThanOrEqual(2_100);
    expect((await readAll(topic)).length).toBe(report.acknowledged);
  });

  it('stops on Ctrl-C, exits 0, and every message it reports as sent is in the topic', async () => {
    const topic = await createTopic({ partitions: 6 });
    const admin = await createAdmin();
    const running = startCli('producer/cli.js', ['-b', testBrokers().join(','), '-t', topic, '--json', '-c', '0', '-r', '5000']);
    await vi.waitFor(async () => expect(await messagesIn(admin, topic)).toBeGreaterThan(1_000), { timeout: 30_000, interval: 200 });
    running.child.kill('SIGINT');
    const result = await running.exited;
    expect(result.code, result.stderr).toBe(0);
    const report = parseReport(result.stdout);
    expect(report.stoppedBy).toBe('signal');
    expect(report.failed).toBe(0);
    expect(report.acknowledged).toBeGreaterThan(1_000);

    const ids = (await readAll(topic)).map((record) => (JSON.parse(record.value) as HarnessMessage).id);
    expect(ids).toHaveLength(report.acknowledged);
    expect(new Set(ids).size).toBe(report.acknowledged);
  });

  it('stops at once on Ctrl-C at a low rate, with exit 0 and the summary', async () => {
    const topic = await createTopic({ partitions: 2 });
    const admin = await createAdmin();
    const running = startCli('producer/cli.js', ['-b', testBrokers().join(','), '-t', topic, '--json', '-c', '0', '-r', '2']);
    await vi.waitFor(async () => expect(await messagesIn(admin, topic)).toBeGreaterThan(0), { timeout: 30_000, interval: 200 });
    const signalledAt = Date.now();
    running.child.kill('SIGINT');
    const result = await running.exited;
    expect(Date.now() - signalledAt).toBeLessThan(2_500);
    expect(result.code, result.stderr).toBe(0);
    const report = parseReport(result.stdout);
    expect(report).toMatchObject({ stoppedBy: 'signal', failed: 0, unconfirmed: 0 });
    expect(report.acknowledged).toBeGreaterThan(0);
    expect(await messagesIn(admin, topic)).toBe(report.acknowledged);
  });

  it('reports a broker that is down by its address, within about 10 s, exit 1', async () => {
    const startedAt = Date.now();
    const result = await runCli('producer/cli.js', ['-b', '127.0.0.1:1', '-c', '10']);
    expect(result.code).toBe(1);
    expect(Date.now() - startedAt).toBeLessThan(15_000);
    expect(plainLines(result.stderr)).toEqual([
      'npm run produce: error: no Kafka broker answers at 127.0.0.1:1: is it running? (npm run kafka:up, or set KAFKA_BROKERS)',
    ]);
  });

  it('reports a broker address that accepts but never answers within about 10 s, exit 1', async () => {
    const broker = `127.0.0.1:${await silentPort()}`;
    const startedAt = Date.now();
    const result = await runCli('producer/cli.js', ['-b', broker, '-c', '10']);
    expect(result.code).toBe(1);
    expect(Date.now() - startedAt).toBeLessThan(15_000);
    expect(plainLines(result.stderr)).toEqual([
      `npm run produce: error: no Kafka broker answers at ${broker}: is it running? (npm run kafka:up, or set KAFKA_BROKERS)`,
    ]);
  });

  it('says a topic is missing, and creates it with --create-topic', async () => {
    const topic = `test-missing-${Date.now()}`;
    const missing = await produce(topic, ['-c', '10']);
    expect(missing.code).toBe(1);
    expect(plainLines(missing.stderr)).toEqual([
      `npm run produce: error: topic "${topic}" does not exist: create it with --create-topic --partitions 6, or pick another with -t (npm run kafka:status lists them)`,
    ]);

    const created = await produce(topic, ['-c', '10', '--create-topic', '--partitions', '3']);
    expect(created.code, created.stderr).toBe(0);
    expect(parseReport(created.stdout).acknowledged).toBe(10);
    const admin = await createAdmin();
    const { topics } = await admin.fetchTopicMetadata({ topics: [topic] });
    expect(topics[0]?.partitions).toHaveLength(3);
    await admin.deleteTopics({ topics: [topic] });
  });

  it.each([
    [['-z', 'zstd'], 'Invalid values: Argument: compression, Given: "zstd", Choices: "none", "gzip"'],
    [['-c', '-5'], '--count must be a whole number ≥ 0 (got -5)'],
    [['--idempotent', '--acks', '1'], '--idempotent needs --acks all (got --acks 1)'],
    [['--bogus'], 'Unknown argument: bogus'],
  ])('rejects %j with the usage line and exit 2', async (args, message) => {
    const result = await runCli('producer/cli.js', args);
    expect(result.code).toBe(2);
    const lines = plainLines(result.stderr);
    expect(lines[0]).toContain(`npm run produce: error: ${message}`);
    expect(lines[1]).toBe('Usage: npm run produce -- [options]   (see --help)');
  });

  it('sends large padded messages with the default batch size (500 × 2,500 bytes is over the broker limit)', async () => {
    const topic = await createTopic({ partitions: 1 });
    const result = await produce(topic, ['-c', '2000', '--payload-bytes', '2500']);
    expect(result.code, result.stderr).toBe(0);
    expect(parseReport(result.stdout)).toMatchObject({ sent: 2_000, acknowledged: 2_000, failed: 0 });
    expect(await messagesIn(await createAdmin(), topic)).toBe(2_000);
  });

  it('keys by the padding field when asked, with --payload-bytes', async () => {
    const topic = await createTopic({ partitions: 3 });
    const result = await produce(topic, ['-c', '100', '-k', 'padding', '--payload-bytes', '600']);
    expect(result.code, result.stderr).toBe(0);
    for (const record of await readAll(topic)) expect(record.key).toBe((JSON.parse(record.value) as HarnessMessage).padding);
  });

  it('with --acks 0 reports the messages as written, none as acknowledged', async () => {
    const topic = await createTopic({ partitions: 2 });
    const json = await produce(topic, ['-c', '500', '--acks', '0']);
    expect(json.code, json.stderr).toBe(0);
    expect(parseReport(json.stdout)).toMatchObject({ acks: '0', sent: 500, written: 500, acknowledged: 0, failed: 0 });

    const text = await runCli('producer/cli.js', ['-b', testBrokers().join(','), '-t', topic, '-q', '-c', '500', '--acks', '0']);
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toContain('sent 500, written 500 (--acks 0: the broker acknowledges nothing), failed 0');
    expect(text.stdout).not.toMatch(/acknowledged \d/);
  });

  it('with --seed sends the same random keys again', async () => {
    const keysBySeq = async (): Promise<string[]> => {
      const topic = await createTopic({ partitions: 3 });
      const result = await produce(topic, ['-c', '50', '-k', 'random', '--seed', '7', '--workers', '0', '--tasks', '1']);
      expect(result.code, result.stderr).toBe(0);
      const records = (await readAll(topic)).map((record) => ({ key: record.key ?? '', seq: (JSON.parse(record.value) as HarnessMessage).seq }));
      return records.sort((a, b) => a.seq - b.seq).map((record) => record.key);
    };
    const first = await keysBySeq();
    expect(first).toHaveLength(50);
    expect(new Set(first).size).toBe(50);
    expect(await keysBySeq()).toEqual(first);
  });

  it('gzip-compressed messages arrive intact', async () => {
    const topic = await createTopic({ partitions: 2 });
    const result = await produce(topic, ['-c', '3000', '-z', 'gzip', '--payload-bytes', '1000']);
    expect(result.code, result.stderr).toBe(0);
    const records = await readAll(topic);
    expect(records).toHaveLength(3_000);
    for (const record of records.slice(0, 50)) expect(record.value.length).toBeGreaterThanOrEqual(990);
  });
});
