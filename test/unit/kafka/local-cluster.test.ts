import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, readFile, rm, utimes, writeFile } from 'node:fs/promises';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { homePaths, kafkaVersion, nodePaths } from '../../../kafka/layout.js';
import { LocalCluster, type ClusterState } from '../../../kafka/local-cluster.js';
import { isAlive, writePidFile } from '../../../kafka/processes.js';
import { ErrorCodes } from '../../../shared/errors.js';
import { createRootLogger } from '../../../shared/logger.js';

// A broker can't be made to fail on cue, so these tests stand in a script for `java`: it formats
// (or fails to, for one node) and "starts" a node that never answers. Ports of their own, below
// Linux's ephemeral range; nothing listens on them.
const log = createRootLogger({ level: 'silent' });
const basePort = 14_092;
let folder: string;
let home: string;
const pidsToKill: number[] = [];

beforeEach(async () => {
  folder = await mkdtemp(join(tmpdir(), 'harness-cluster-'));
  home = join(folder, 'home');
  // Jars "already fetched", so ensureJars never calls Maven.
  await mkdir(homePaths(home).libs, { recursive: true });
  await writeFile(homePaths(home).libsMarker, `${kafkaVersion}\n`);
});

afterEach(async () => {
  for (const pid of pidsToKill.splice(0)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // Already gone.
    }
  }
  vi.restoreAllMocks();
  await rm(folder, { recursive: true, force: true });
});

interface JavaCall {
  pid: number;
  args: string[];
}

/** A JAVA_HOME whose bin/java records every call; `failFormatOf` makes StorageTool fail for that config file. */
async function fakeJavaHome(failFormatOf = 'no-such-node'): Promise<{ javaHome: string; calls: () => Promise<JavaCall[]> }> {
  const javaHome = join(folder, 'jdk');
  const callLog = join(folder, 'java-calls.jsonl');
  await mkdir(join(javaHome, 'bin'), { recursive: true });
  const script = `#!${process.execPath}
const { appendFileSync } = require('node:fs');
const args = process.argv.slice(2);
if (args[0] === '-version') {
  console.error('openjdk version "17.0.15" 2025-04-15');
  process.exit(0);
}
appendFileSync(${JSON.stringify(callLog)}, JSON.stringify({ pid: process.pid, args }) + '\\n');
if (args.includes('kafka.tools.StorageTool')) process.exit(args.some((arg) => arg.endsWith(${JSON.stringify(failFormatOf)})) ? 1 : 0);
// kafka.Kafka: a broker that never answers.
setTimeout(() => {}, 120_000);
`;
  await writeFile(join(javaHome, 'bin', 'java'), script);
  await chmod(join(javaHome, 'bin', 'java'), 0o755);
  const calls = async (): Promise<JavaCall[]> => {
    const text = await readFile(callLog, 'utf8').catch(() => '');
    const parsed = text
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as JavaCall);
    pidsToKill.push(...parsed.filter((call) => call.args.includes('kafka.Kafka')).map((call) => call.pid));
    return parsed;
  };
  return { javaHome, calls };
}

const brokerPids = (calls: JavaCall[]): number[] => calls.filter((call) => call.args.includes('kafka.Kafka')).map((call) => call.pid);

describe('LocalCluster.up', () => {
  it('saves the cluster id before formatting, so a format that fails on one node of three leaves no mixed ids', async () => {
    const { javaHome, calls } = await fakeJavaHome('node-2.properties');
    const cluster = new LocalCluster({ home, log, javaHome, heapOpts: '-Xmx64m' });

    await expect(cluster.up({ nodes: 3, basePort, timeoutMs: 1_000 })).rejects.toThrow(/formatting the storage of node 2 failed/);

    const state = await cluster.readState();
    expect(state?.nodes).toHaveLength(3);
    const formatIds = (await calls()).map((call) => call.args[call.args.indexOf('--cluster-id') + 1]);
    // All three formats ran to their end before up() failed.
    expect(formatIds).toHaveLength(3);
    // The next kafka:up reads this id back and formats node 2 with it, like nodes 1 and 3.
    expect(new Set(formatIds)).toEqual(new Set([state?.clusterId]));
  });

  it('stops the nodes it started when they never answer, so no JVM keeps their ports', async () => {
    const { javaHome, calls } = await fakeJavaHome();
    const cluster = new LocalCluster({ home, log, javaHome, heapOpts: '-Xmx64m' });

    const error = await cluster.up({ nodes: 1, basePort, timeoutMs: 1_000 }).catch((caught: unknown) => caught);

    expect(error).toMatchObject({ code: ErrorCodes.brokerStartFailed });
    expect((error as Error).message).toMatch(/the broker did not answer within 1 s/);
    const [pid] = brokerPids(await calls());
    if (pid === undefined) throw new Error('up() never started a broker process');
    expect(isAlive(pid)).toBe(false);
    expect(existsSync(nodePaths(home, 1).pidFile)).toBe(false);
  });

  it('stops the nodes it started when aborted (Ctrl-C) before they answer, and says so', async () => {
    const { javaHome, calls } = await fakeJavaHome();
    const cluster = new LocalCluster({ home, log, javaHome, heapOpts: '-Xmx64m' });
    const abort = new AbortController();

    const starting = cluster.up({ nodes: 1, basePort, timeoutMs: 60_000, signal: abort.signal }).catch((caught: unknown) => caught);
    const pid = await vi.waitFor(async () => {
      const [started] = brokerPids(await calls());
      if (started === undefined) throw new Error('node 1 not started yet');
      return started;
    }, 10_000);
    abort.abort('SIGINT');
    const error = await starting;

    expect(error).toMatchObject({ code: ErrorCodes.interrupted });
    expect((error as Error).message).toBe(`interrupted before the broker answered: stopped node 1 (pid ${pid}), which this run had started`);
    expect(isAlive(pid)).toBe(false);
  });
});

describe('LocalCluster.tailLog', () => {
  const aMinuteAgo = new Date(Date.now() - 60_000);

  it('shows stdout.log when the JVM failed before logging started, not the older server.log', async () => {
    const paths = nodePaths(home, 1);
    await mkdir(paths.logs, { recursive: true });
    await writeFile(paths.serverLog, '[2026-11-23 09:00:00] INFO Kafka Server started (an earlier run)\n');
    await utimes(paths.serverLog, aMinuteAgo, aMinuteAgo);
    await writeFile(paths.stdout, 'Invalid maximum heap size: -Xmxbogus\nError: Could not create the Java Virtual Machine.\n');

    const tail = await new LocalCluster({ home, log, heapOpts: '' }).tailLog(1);

    expect(tail).toEqual({ path: paths.stdout, lines: ['Invalid maximum heap size: -Xmxbogus', 'Error: Could not create the Java Virtual Machine.'] });
  });

  it('shows server.log once the broker logs there', async () => {
    const paths = nodePaths(home, 1);
    await mkdir(paths.logs, { recursive: true });
    await writeFile(paths.stdout, 'an old JVM warning\n');
    await utimes(paths.stdout, aMinuteAgo, aMinuteAgo);
    await writeFile(paths.serverLog, '[2026-11-23 09:00:00] ERROR Exiting Kafka due to fatal exception\n');

    const tail = await new LocalCluster({ home, log, heapOpts: '' }).tailLog(1);

    expect(tail).toEqual({ path: paths.serverLog, lines: ['[2026-11-23 09:00:00] ERROR Exiting Kafka due to fatal exception'] });
  });
});

describe('LocalCluster.waitUntilReady', () => {
  let silent: Server | undefined;
  const sockets: Socket[] = [];
  afterEach(async () => {
    for (const socket of sockets.splice(0)) socket.destroy();
    await new Promise<void>((done) => (silent ? silent.close(() => done()) : done()));
    silent = undefined;
  });

  it('keeps to its deadline when a port accepts connections but never answers', { timeout: 15_000 }, async () => {
    const server = createServer((socket) => sockets.push(socket));
    silent = server;
    const port = await new Promise<number>((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as { port: number }).port)));
    // A live process whose command line names node 1's config: what the pid check looks for.
    const paths = nodePaths(home, 1);
    const stand = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60_000)', paths.config], { stdio: 'ignore' });
    if (stand.pid === undefined) throw new Error('the stand-in node did not start');
    pidsToKill.push(stand.pid);
    await writePidFile(paths.pidFile, stand.pid);
    const state: ClusterState = {
      kafkaVersion,
      clusterId: 'x',
      host: '127.0.0.1',
      nodes: [{ nodeId: 1, clientPort: port, controllerPort: port }],
      createdAt: '',
    };

    const startedAt = Date.now();
    await expect(new LocalCluster({ home, log, heapOpts: '' }).waitUntilReady(state, 1_000)).rejects.toThrow(/did not answer within 1 s/);
    // KafkaJS's own request timeout is 30 s; the readiness probe must not wait that long.
    expect(Date.now() - startedAt).toBeLessThan(5_000);
  });
});
