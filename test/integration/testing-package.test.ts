/**
 * kafka-harness/testing as another project uses it: this repository packed with `npm pack`, the
 * tarball installed into a fresh project, the README's example run there with vitest, the Jest
 * setup and teardown run as Jest runs them, and a runner SIGKILLed without stop(). Each time no JVM
 * may be left behind. The children get a TMPDIR of their own, so the brokers they start (whose
 * command lines name their temporary folder) are told apart from every other JVM on the machine.
 */
import { execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { jarCacheDir } from '../../kafka/testing/jar-cache.js';
import { settings } from '../../shared/config.js';
import { projectRoot } from '../../shared/paths.js';
import { shouldRunWith } from './helpers/tools.js';

const exampleConfig = `import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // One throwaway Kafka for the whole run, stopped when the run ends.
    globalSetup: ['kafka-harness/testing/vitest-global-setup'],
    testTimeout: 60_000,
  },
});
`;

const exampleTest = `import { randomUUID } from 'node:crypto';
import { Kafka, logLevel } from 'kafkajs';
import { afterAll, expect, inject, it } from 'vitest';

declare module 'vitest' {
  export interface ProvidedContext {
    brokers: string[];
  }
}

const kafka = new Kafka({ clientId: 'orders-test', brokers: inject('brokers'), logLevel: logLevel.WARN });
const admin = kafka.admin();
const producer = kafka.producer();
const consumer = kafka.consumer({ groupId: \`orders-test-\${randomUUID()}\` });

afterAll(async () => {
  await Promise.all([admin.disconnect(), producer.disconnect(), consumer.disconnect()]);
});

it('reads back the order it sent', async () => {
  const topic = \`orders-\${randomUUID()}\`;
  await admin.connect();
  await admin.createTopics({ topics: [{ topic, numPartitions: 3 }] });

  await producer.connect();
  await producer.send({ topic, messages: [{ key: 'customer-42', value: JSON.stringify({ id: 1, amount: 9.99 }) }] });

  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  const received = new Promise<string>((resolve) => {
    void consumer.run({ eachMessage: async ({ message }) => resolve(String(message.value)) });
  });
  expect(JSON.parse(await received)).toEqual({ id: 1, amount: 9.99 });
});
`;

/** What Jest does with globalSetup and globalTeardown, in one process, plus a check that KAFKA_BROKERS answers. */
const jestLikeRun = `import setup from 'kafka-harness/testing/jest-global-setup';
import teardown from 'kafka-harness/testing/jest-global-teardown';
import { Kafka, logLevel } from 'kafkajs';

await setup();
const admin = new Kafka({ clientId: 'jest-like', brokers: process.env.KAFKA_BROKERS.split(','), logLevel: logLevel.NOTHING }).admin();
await admin.connect();
const { brokers } = await admin.describeCluster();
await admin.disconnect();
console.log(JSON.stringify({ nodes: brokers.length }));
await teardown();
`;

/** A runner that starts a broker and never stops it: the test SIGKILLs it. */
const forgetfulRunner = `import { startKafka } from 'kafka-harness/testing';

const kafka = await startKafka();
console.log(JSON.stringify({ brokers: kafka.brokers, home: kafka.home }));
setInterval(() => {}, 60_000);
`;

interface Outcome {
  code: number;
  stdout: string;
  stderr: string;
}

function run(command: string, args: readonly string[], cwd: string, env: NodeJS.ProcessEnv): Promise<Outcome> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, [...args], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.once('error', reject);
    child.once('close', (code) => resolve({ code: code ?? 1, stdout, stderr }));
  });
}

/** Java processes whose command line names `folder`: the brokers started under that TMPDIR. */
function javaProcessesUnder(folder: string): string[] {
  return execFileSync('ps', ['-eo', 'pid=,args='], { encoding: 'utf8' })
    .split('\n')
    .filter((line) => /\bjava\b/.test(line) && line.includes(folder))
    .map((line) => line.trim().slice(0, 120));
}

/** The project's jars when kafka:up fetched them, else the machine's cache (filled on the first run). */
function jarsForTheProject(): string {
  const projectLibs = join(settings().kafkaHome, 'libs');
  return existsSync(join(projectLibs, '.complete')) ? projectLibs : jarCacheDir(settings());
}

describe.runIf(shouldRunWith('java', 'apt install openjdk-17-jre-headless', ['-version']))('kafka-harness/testing, installed from a tarball', () => {
  let work: string;
  let project: string;
  let brokerTmp: string;
  let env: NodeJS.ProcessEnv;

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'harness-package-'));
    project = join(work, 'project');
    brokerTmp = join(work, 'tmp');
    await mkdir(join(project, 'test'), { recursive: true });
    await mkdir(brokerTmp);
    env = {
      ...process.env,
      TMPDIR: brokerTmp,
      KAFKA_HARNESS_JARS: jarsForTheProject(),
      KAFKA_HEAP_OPTS: '-Xms256m -Xmx512m',
      KAFKA_BROKERS: undefined,
      KAFKA_BOOTSTRAP_SERVERS: undefined,
    };

    // npm pack runs prepare (the tsc build), so the tarball holds what the sources say now.
    const packed = await run('npm', ['pack', '--pack-destination', work], projectRoot, process.env);
    expect(packed.code, packed.stderr).toBe(0);
    const tarball = join(work, packed.stdout.trim().split('\n').at(-1) ?? '');

    await writeFile(
      join(project, 'package.json'),
      `${JSON.stringify({ name: 'orders-service', private: true, type: 'module', devDependencies: { 'kafka-harness': `file:${tarball}`, kafkajs: '2.2.4' } }, null, 2)}\n`,
    );
    const installed = await run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline'], project, process.env);
    expect(installed.code, installed.stderr).toBe(0);
    // This repository's vitest, linked rather than downloaded: the test is about the tarball, not about npm.
    await symlink(join(projectRoot, 'node_modules', 'vitest'), join(project, 'node_modules', 'vitest'));
    await mkdir(join(project, 'node_modules', '.bin'), { recursive: true });
    await symlink('../vitest/vitest.mjs', join(project, 'node_modules', '.bin', 'vitest'));

    await writeFile(join(project, 'vitest.config.ts'), exampleConfig);
    await writeFile(join(project, 'test', 'orders.test.ts'), exampleTest);
    await writeFile(join(project, 'jest-like.mjs'), jestLikeRun);
    await writeFile(join(project, 'forgetful.mjs'), forgetfulRunner);
  });

  afterAll(async () => {
    if (work) await rm(work, { recursive: true, force: true });
  });

  it('packs the compiled testing module, its imports and the jar lock, and no sources', async () => {
    const files = (await readdir(join(project, 'node_modules', 'kafka-harness'), { recursive: true })).map(String);
    expect(files).toEqual(
      expect.arrayContaining([
        'dist/kafka/testing/index.js',
        'dist/kafka/testing/index.d.ts',
        'dist/kafka/testing/watchdog.js',
        'dist/kafka/local-cluster.js',
        'dist/shared/config.js',
        'kafka/jars.lock.json',
      ]),
    );
    expect(files.filter((file) => file.endsWith('.ts') && !file.endsWith('.d.ts'))).toEqual([]);
  });

  it('runs the README example with vitest, and leaves no JVM and no folder behind', async () => {
    const result = await run('npx', ['vitest', 'run'], project, env);
    expect(result.code, `${result.stdout}\n${result.stderr}`).toBe(0);
    expect(result.stdout).toMatch(/1 passed/);
    expect(javaProcessesUnder(brokerTmp)).toEqual([]);
    expect(await readdir(brokerTmp)).toEqual([]);
  });

  it('gives Jest’s globalSetup a broker at KAFKA_BROKERS, and its globalTeardown stops it', async () => {
    const result = await run(process.execPath, ['jest-like.mjs'], project, env);
    expect(result.code, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout.trim().split('\n').at(-1) ?? '')).toEqual({ nodes: 1 });
    expect(javaProcessesUnder(brokerTmp)).toEqual([]);
    expect(await readdir(brokerTmp)).toEqual([]);
  });

  it('kills the broker of a runner that was SIGKILLed without stop()', async () => {
    const child = spawn(process.execPath, ['forgetful.mjs'], { cwd: project, env, stdio: ['ignore', 'pipe', 'inherit'] });
    const exited = new Promise((resolve) => child.once('close', resolve));
    const [line] = (await once(createInterface({ input: child.stdout }), 'line')) as [string];
    const { home } = JSON.parse(line) as { home: string };
    // The check below sees this broker, so its empty answer afterwards means something.
    expect(javaProcessesUnder(brokerTmp)).toHaveLength(1);

    child.kill('SIGKILL');
    await exited;
    await vi.waitFor(
      () => {
        expect(javaProcessesUnder(brokerTmp), 'the watchdog kills the JVM').toEqual([]);
        expect(existsSync(home), 'the watchdog deletes the folder').toBe(false);
      },
      { timeout: 20_000, interval: 250 },
    );
  });
});
