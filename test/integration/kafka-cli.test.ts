import { existsSync, readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { controllerPortOffset, kafkaVersion, nodePaths } from '../../kafka/layout.js';
import { isPortFree } from '../../kafka/prerequisites.js';
import { isAlive } from '../../kafka/processes.js';
import { plainLines, runCli, startCli } from './helpers/cli.js';
import { createTempKafkaHome } from './helpers/local-kafka.js';
import { shouldRunWith } from './helpers/tools.js';

const runJava = shouldRunWith('java', 'install Java 17+', ['-version']);
// Ports of their own, away from 9092-9094 and their controllers (19092-19094) so the shared test
// broker is never in the way, and below Linux's ephemeral range (32768-60999), where the kernel
// picks the source ports of outgoing connections. Controllers listen controllerPortOffset above.
const basePort = 13_092;
const controllerPort = basePort + controllerPortOffset;
const versionPattern = kafkaVersion.replaceAll('.', '\\.');

function pidsIn(stdout: string): number[] {
  return [...stdout.matchAll(/pid (\d+)/g)].map((match) => Number(match[1]));
}

describe.runIf(runJava)('kafka:up, kafka:status and kafka:down on the local JVM', () => {
  it('starts a broker with test-topic, says so when run again, and stops without leaving anything behind', async () => {
    const { home, env } = await createTempKafkaHome();
    const args = ['--runtime', 'jvm', '--port', String(basePort)];

    const first = await runCli('kafka/up.js', args, { env });
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toMatch(new RegExp(`Kafka ${versionPattern} is up \\(local JVM, 1 node\\) in [\\d.]+ s: KAFKA_BROKERS=127\\.0\\.0\\.1:${basePort}`));
    expect(first.stdout).toMatch(/topic test-topic: 6 partitions, replication factor 1 \(created\)/);
    const [pid] = pidsIn(first.stdout);
    if (pid === undefined) throw new Error(`kafka:up named no pid:\n${first.stdout}`);
    expect(isAlive(pid)).toBe(true);

    const second = await runCli('kafka/up.js', args, { env });
    expect(second.code, second.stderr).toBe(0);
    expect(second.stdout).toMatch(/Kafka is already up \(local JVM, 1 node\)/);
    expect(second.stdout).toMatch(/test-topic: 6 partitions.*\(exists\)/);
    expect(pidsIn(second.stdout)).toEqual([pid]);

    const status = await runCli('kafka/status.js', ['--json'], { env });
    expect(status.code, status.stderr).toBe(0);
    expect(JSON.parse(status.stdout)).toMatchObject({
      answering: true,
      nodes: [{ nodeId: 1, pid, clientPort: basePort, controllerPort, answering: true }],
      topics: [{ name: 'test-topic', partitions: 6, replicationFactor: 1 }],
    });

    const down = await runCli('kafka/down.js', [], { env });
    expect(down.code, down.stderr).toBe(0);
    expect(down.stdout).toMatch(new RegExp(`Stopped node 1 \\(pid ${pid}\\)`));
    expect(isAlive(pid)).toBe(false);
    expect(await isPortFree(basePort, '127.0.0.1')).toBe(true);
    expect(await isPortFree(controllerPort, '127.0.0.1')).toBe(true);
    expect(existsSync(join(home, 'data', 'node-1', 'meta.properties'))).toBe(true);

    const statusDown = await runCli('kafka/status.js', [], { env });
    expect(statusDown.code).toBe(1);
    expect(statusDown.stdout).toMatch(new RegExp(`No broker answers at 127\\.0\\.0\\.1:${basePort}`));

    // A JVM that fails before log4j starts writes only to stdout.log, while server.log still holds
    // the earlier start's lines: the error must show stdout.log.
    const badHeap = await runCli('kafka/up.js', args, { env: { ...env, KAFKA_HEAP_OPTS: '-Xmxbogus' } });
    expect(badHeap.code).toBe(1);
    expect(plainLines(badHeap.stderr)[0]).toBe(`npm run kafka:up: error: node 1 exited while starting; last lines of ${nodePaths(home, 1).stdout}:`);
    expect(badHeap.stderr).toMatch(/Invalid maximum heap size: -Xmxbogus/);

    // A corrupt cluster.json: status says how to recover, and that way works.
    await writeFile(join(home, 'cluster.json'), '{"kafkaVersion": "4.3');
    const corrupt = await runCli('kafka/status.js', [], { env });
    expect(corrupt.code).toBe(1);
    expect(corrupt.stderr).toMatch(/cluster\.json is unreadable .*: npm run kafka:down -- --wipe stops the broker and deletes it/);
    const wipe = await runCli('kafka/down.js', ['--wipe'], { env });
    expect(wipe.code, wipe.stderr).toBe(0);
    expect(existsSync(join(home, 'cluster.json'))).toBe(false);
    expect(existsSync(join(home, 'data'))).toBe(false);
    expect(existsSync(join(home, 'libs'))).toBe(true);
  });

  it('stops the JVM it started when Ctrl-C arrives before the broker answers (exit 130)', async () => {
    const { home, env } = await createTempKafkaHome();
    const up = startCli('kafka/up.js', ['--runtime', 'jvm', '--port', String(basePort)], { env });
    const pidFile = nodePaths(home, 1).pidFile;
    // The pid file is written the moment the JVM is spawned; the broker answers seconds later.
    const pid = await vi.waitFor(
      () => {
        const written = existsSync(pidFile) ? Number(readFileSync(pidFile, 'utf8')) : 0;
        if (!(written > 0)) throw new Error('node 1 not started yet');
        return written;
      },
      { timeout: 60_000, interval: 20 },
    );
    up.child.kill('SIGINT');
    const result = await up.exited;

    expect(result.code, result.stderr).toBe(130);
    expect(plainLines(result.stderr)).toEqual([
      `npm run kafka:up: error: interrupted before the broker answered: stopped node 1 (pid ${pid}), which this run had started`,
    ]);
    expect(isAlive(pid)).toBe(false);
    expect(existsSync(pidFile)).toBe(false);
    expect(await isPortFree(basePort, '127.0.0.1')).toBe(true);
    expect(await isPortFree(controllerPort, '127.0.0.1')).toBe(true);
  });

  it('refuses a taken port with one line that says what to do', async () => {
    const { env } = await createTempKafkaHome();
    const squatter = createServer();
    await new Promise<void>((done) => squatter.listen(basePort, '127.0.0.1', () => done()));
    try {
      const result = await runCli('kafka/up.js', ['--runtime', 'jvm', '--port', String(basePort)], { env });
      expect(result.code).toBe(1);
      expect(plainLines(result.stderr)).toEqual([
        `npm run kafka:up: error: port ${basePort} on 127.0.0.1 is already in use by another process (see: ss -ltnp 'sport = :${basePort}'): stop it, start on other ports (npm run kafka:up -- --port 12092), or use that broker (KAFKA_BROKERS=127.0.0.1:${basePort})`,
      ]);
    } finally {
      await new Promise<void>((done) => squatter.close(() => done()));
    }
  });

  it('says to install Java when there is none', async () => {
    const { env } = await createTempKafkaHome();
    const result = await runCli('kafka/up.js', ['--runtime', 'jvm', '--port', String(basePort)], { env: { ...env, JAVA_HOME: '/nonexistent-jdk' } });
    expect(result.code).toBe(1);
    expect(plainLines(result.stderr)).toHaveLength(1);
    expect(result.stderr).toMatch(/Java was not found at \/nonexistent-jdk\/bin\/java \(JAVA_HOME\): install Java 17\+.*docker compose up -d.*KAFKA_BROKERS/);
  });

  it('rejects a bad flag with the usage line and exit 2', async () => {
    const result = await runCli('kafka/up.js', ['--nodes', 'three'], {});
    expect(result.code).toBe(2);
    expect(plainLines(result.stderr)).toEqual([
      'npm run kafka:up: error: --nodes takes a whole number between 1 and 9, not a word',
      'Usage: npm run kafka:up -- [options]   (see --help)',
    ]);
  });
});
