/**
 * A fresh Kafka for another project's tests: a real broker (or three) run as JVM processes from the
 * cached jars, in a temporary folder, on ports picked at run time. No Docker, nothing shared with
 * `npm run kafka:up` or with another test run.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Admin } from 'kafkajs';
import { settings } from '../../shared/config.js';
import { ErrorCodes, HarnessError, isHarnessError, messageOf, UsageError } from '../../shared/errors.js';
import { createKafka, type KafkaClient } from '../../shared/kafka-client.js';
import { createRootLogger } from '../../shared/logger.js';
import { LocalCluster } from '../local-cluster.js';
import { pickBasePort } from './free-ports.js';
import { jarCacheDir } from './jar-cache.js';
import { guardHome, releaseHome, setGuardedPids, startWatchdog, stopWatchdog } from './orphan-guard.js';
import type { KafkaForTests, StartKafkaOptions } from './types.js';

const host = '127.0.0.1';
const defaultTimeoutMs = 120_000;
/** Ports are checked free and then bound by the JVM a moment later; another process may win in between. */
const portAttempts = 3;
const topicReadyTimeoutMs = 30_000;
const groupCoordinatorTimeoutMs = 60_000;

function checkOptions(options: StartKafkaOptions): void {
  const { nodes = 1, timeoutMs = defaultTimeoutMs } = options;
  if (!Number.isInteger(nodes) || nodes < 1 || nodes > 9) throw new UsageError(`startKafka: nodes must be a whole number from 1 to 9 (got ${nodes})`);
  if (!Number.isFinite(timeoutMs) || timeoutMs <= 0) throw new UsageError(`startKafka: timeoutMs must be a positive number of milliseconds (got ${timeoutMs})`);
}

export async function startKafka(options: StartKafkaOptions = {}): Promise<KafkaForTests> {
  checkOptions(options);
  const config = settings();
  const nodeCount = options.nodes ?? 1;
  const log = options.log ?? createRootLogger().child({ component: 'kafka-harness/testing' });
  const home = await mkdtemp(join(tmpdir(), 'kafka-harness-'));
  const cluster = new LocalCluster({
    home,
    libs: options.jarsDir === undefined ? jarCacheDir(config) : resolve(options.jarsDir),
    log,
    javaHome: options.javaHome ?? config.javaHome,
    heapOpts: options.heapOpts ?? config.kafkaHeapOpts,
  });

  guardHome(home);
  let watchdogPid: number | undefined;
  let brokers: string[] = [];
  let kafka: KafkaClient | undefined;
  let admin: Admin | undefined;
  try {
    watchdogPid = await startWatchdog(home);
    brokers = await upOnFreePorts(cluster, nodeCount, options.timeoutMs ?? defaultTimeoutMs);
    setGuardedPids(
      home,
      (await cluster.nodeStatuses()).flatMap((node) => (node.pid === undefined ? [] : [node.pid])),
    );
    kafka = createKafka({ clientId: 'kafka-harness-testing', brokers, log });
    admin = kafka.admin();
    await admin.connect();
    await waitForGroupCoordinator(admin);
  } catch (error) {
    // up() stops the nodes it started when it fails, but not once they answered.
    await admin?.disconnect().catch(() => {});
    await cluster.down({ wipe: true }).catch(() => {});
    await rm(home, { recursive: true, force: true });
    if (watchdogPid !== undefined) stopWatchdog(watchdogPid);
    releaseHome(home);
    throw error;
  }
  // An open connection would keep a runner that forgot stop() alive, and the exit guard waits for the exit.
  await admin.disconnect();
  log.debug({ brokers, home }, 'throwaway kafka started');

  const client = kafka;
  let stopping: Promise<void> | undefined;
  const replicationFactor = Math.min(nodeCount, 3);

  return {
    brokers,
    home,
    async createTopic(name: string, partitions = 1): Promise<void> {
      if (!Number.isInteger(partitions) || partitions < 1) {
        throw new UsageError(`createTopic: partitions must be a whole number of at least 1 (got ${partitions})`);
      }
      if (stopping !== undefined) throw new HarnessError(ErrorCodes.runtime, `this Kafka (${brokers.join(',')}) was stopped: start another with startKafka()`);
      const topicAdmin = client.admin();
      await topicAdmin.connect();
      try {
        // Not waitForLeaders: unpatched KafkaJS (this package's patch applies only to its own checkout)
        // fails it when KRaft answers UNKNOWN_TOPIC_OR_PARTITION for a moment after creating the topic.
        const created = await topicAdmin.createTopics({ topics: [{ topic: name, numPartitions: partitions, replicationFactor }] });
        await waitForLeaders(topicAdmin, name, partitions, created);
      } finally {
        await topicAdmin.disconnect();
      }
    },
    stop(): Promise<void> {
      stopping ??= (async () => {
        await cluster.down({ wipe: true });
        await rm(home, { recursive: true, force: true });
        if (watchdogPid !== undefined) stopWatchdog(watchdogPid);
        releaseHome(home);
      })();
      return stopping;
    },
  };
}

/** up() on a fresh pick of ports, again when another process took one between the pick and the start. */
async function upOnFreePorts(cluster: LocalCluster, nodeCount: number, timeoutMs: number): Promise<string[]> {
  for (let attempt = 1; ; attempt++) {
    const basePort = await pickBasePort({ nodeCount, host });
    try {
      return (await cluster.up({ nodes: nodeCount, basePort, timeoutMs })).brokers;
    } catch (error) {
      // A port found taken by up()'s own check: nothing was written yet, so the next pick starts clean.
      if (!(isHarnessError(error) && error.code === ErrorCodes.portInUse) || attempt >= portAttempts) throw error;
    }
  }
}

/**
 * A fresh broker creates __consumer_offsets (50 partitions) only when the first group looks for its
 * coordinator, and until then every consumer's join fails and is retried with an ERROR line from
 * KafkaJS. Asking once here moves that wait into the start, and the tests' first group joins at once.
 */
async function waitForGroupCoordinator(admin: Admin): Promise<void> {
  const deadline = Date.now() + groupCoordinatorTimeoutMs;
  for (;;) {
    try {
      await admin.describeGroups(['kafka-harness-testing-warm-up']);
      return;
    } catch (error) {
      if (Date.now() > deadline) {
        throw new HarnessError(ErrorCodes.runtime, `the broker found no group coordinator within ${groupCoordinatorTimeoutMs / 1000} s (${messageOf(error)})`);
      }
    }
    await sleep(100);
  }
}

/** Polls the topic's metadata until it has `partitions` partitions, each with a leader. */
async function waitForLeaders(admin: Admin, topic: string, partitions: number, created: boolean): Promise<void> {
  const deadline = Date.now() + topicReadyTimeoutMs;
  let lastProblem = 'no metadata yet';
  for (;;) {
    try {
      const [metadata] = (await admin.fetchTopicMetadata({ topics: [topic] })).topics;
      const count = metadata?.partitions.length ?? 0;
      if (!created && count > 0 && count !== partitions) {
        throw new UsageError(`createTopic: topic ${topic} already exists with ${count} partitions, not ${partitions}: give each test a topic name of its own`);
      }
      if (count === partitions && metadata?.partitions.every((partition) => partition.leader >= 0)) return;
      lastProblem = `${metadata?.partitions.filter((partition) => partition.leader >= 0).length ?? 0} of ${partitions} partitions have a leader`;
    } catch (error) {
      if (error instanceof UsageError) throw error;
      lastProblem = messageOf(error);
    }
    if (Date.now() > deadline) {
      throw new HarnessError(ErrorCodes.runtime, `topic ${topic} was created but not ready within ${topicReadyTimeoutMs / 1000} s (${lastProblem})`, { topic });
    }
    await sleep(100);
  }
}
