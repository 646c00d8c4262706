/**
 * kafka:up, kafka:down and kafka:status: one broker (or a 3-node cluster) whichever way this
 * machine can run it, with test-topic ready.
 */
import { isAbsolute, relative } from 'node:path';
import type { Settings } from '../shared/config.js';
import { ExitCodes, InterruptedError, UsageError, type ExitCode } from '../shared/errors.js';
import { connectClient, createKafka } from '../shared/kafka-client.js';
import type { Logger } from '../shared/logger.js';
import { startTicker } from '../shared/progress.js';
import { installShutdown, rejectWhenStopped } from '../shared/shutdown.js';
import { selectBroker, type RequestedRuntime } from './broker-selection.js';
import { formatTable } from '../shared/table.js';
import { describeTopics, ensureTopic, type TopicSummary } from '../shared/topics.js';
import { composeBrokers, composeDown, composeKafkaRunning, composePs, composeUp } from './compose.js';
import { bootstrapServers, kafkaVersion, nodePaths } from './layout.js';
import { LocalCluster, type UpResult } from './local-cluster.js';
import { killStartingNodes } from './processes.js';
import { secureClientLines } from './secure-broker.js';
import { plaintextSecurity, type SecuritySettings } from '../shared/security.js';

export interface UpConfig {
  runtime: RequestedRuntime;
  nodes: number | undefined;
  basePort: number | undefined;
  timeoutMs: number;
  topic: string;
  partitions: number;
  /** --secure: SASL_SSL and SSL listeners beside the plaintext one (local JVM broker only). */
  secure?: boolean | undefined;
  /** --advertise HOST: listeners other machines can reach (local JVM broker only). */
  advertise?: string | undefined;
}

export interface DownConfig {
  wipe: boolean;
  /** Stop only this node of a local cluster (a failure drill); kafka:up starts it again. */
  node: number | undefined;
}

export interface StatusConfig {
  json: boolean;
}

/** A path as the user would type it: relative inside the current folder, absolute outside it. */
const shortPath = (path: string): string => {
  const fromHere = relative(process.cwd(), path);
  return fromHere === '' ? '.' : fromHere.startsWith('..') || isAbsolute(fromHere) ? path : fromHere;
};

/**
 * How long a Ctrl-C'd kafka:up (or demo) may take to stop the nodes it started before the shutdown
 * helper forces the exit: LocalCluster gives a node that never answered 10 s, then SIGKILLs it.
 */
export const startStopGraceMs = 30_000;

function localCluster(settings: Settings, log: Logger): LocalCluster {
  return new LocalCluster({ home: settings.kafkaHome, log, javaHome: settings.javaHome, heapOpts: settings.kafkaHeapOpts });
}

/** Creates the topic if it is missing: replicated 3 ways with min.insync.replicas=2 on 3+ nodes. */
async function ensureHarnessTopic(
  brokers: readonly string[],
  nodeCount: number,
  config: UpConfig,
  log: Logger,
  security?: SecuritySettings,
): Promise<TopicSummary & { outcome: string }> {
  const kafka = createKafka({ clientId: 'kafka-harness-up', brokers, log, retry: { retries: 10 }, ...(security ? { security } : {}) });
  const admin = kafka.admin();
  await connectClient(admin, brokers);
  try {
    const replicationFactor = Math.min(nodeCount, 3);
    const outcome = await ensureTopic(
      admin,
      {
        topic: config.topic,
        partitions: config.partitions,
        replicationFactor,
        configs: replicationFactor >= 3 ? { 'min.insync.replicas': '2' } : {},
      },
      log,
    );
    // Asking for a group coordinator makes the brokers create __consumer_offsets now, while every
    // node is up: created later with a node down, its replication factor can't be met and consumer
    // groups would wait for a coordinator forever.
    await admin.describeGroups(['kafka-harness-warm-up']);
    const [summary] = await describeTopics(admin, [config.topic]);
    return {
      name: config.topic,
      partitions: summary?.partitions ?? config.partitions,
      replicationFactor: summary?.replicationFactor ?? replicationFactor,
      outcome,
    };
  } finally {
    await admin.disconnect();
  }
}

async function brokerCount(brokers: readonly string[], log: Logger): Promise<number> {
  const admin = createKafka({ clientId: 'kafka-harness-up', brokers, log }).admin();
  await connectClient(admin, brokers);
  try {
    return (await admin.describeCluster()).brokers.length;
  } finally {
    await admin.disconnect();
  }
}

export interface UpOutcome {
  /** Bootstrap servers of the broker that is now up. */
  brokers: readonly string[];
  /** What to tell the user, a line each. */
  report: string[];
}

/**
 * Brings a broker up (or finds it up) whichever way this machine can, and ensures the topic.
 * Aborting `signal` before the broker answers stops the nodes this call started and rejects with an
 * InterruptedError; once it answers, the broker keeps running and the call completes.
 */
export async function startBroker(config: UpConfig, settings: Settings, log: Logger, signal?: AbortSignal): Promise<UpOutcome> {
  const startedAt = performance.now();
  if (config.runtime === 'docker' && ((config.nodes ?? 1) !== 1 || config.basePort !== undefined)) {
    throw new UsageError(
      'docker-compose.yml runs one node on port 9092; for --nodes or --port use the local JVM broker: npm run kafka:up -- --runtime jvm --nodes 3',
    );
  }
  const cluster = localCluster(settings, log);
  const choice = await selectBroker({
    purpose: 'cli',
    requested: config.runtime,
    settings,
    localClusterExists: cluster.hasState(),
    nodes: config.nodes,
    basePort: config.basePort,
  });
  const seconds = (): string => ((performance.now() - startedAt) / 1000).toFixed(1);
  const topicLine = (topic: TopicSummary & { outcome: string }): string =>
    `  topic ${topic.name}: ${topic.partitions} partitions, replication factor ${topic.replicationFactor} (${topic.outcome})`;

  if (choice.runtime === 'external') {
    const nodes = await brokerCount(choice.brokers, log);
    const topic = await ensureHarnessTopic(choice.brokers, nodes, config, log);
    return {
      brokers: choice.brokers,
      report: [`Using the broker in KAFKA_BROKERS (${choice.brokers.join(',')}): it answers with ${nodes} node(s); nothing to start.`, topicLine(topic)],
    };
  }

  // --nodes and --port never reach Compose: a usage error above with --runtime docker, the JVM broker with auto.
  if (config.advertise !== undefined && choice.runtime !== 'jvm') {
    throw new UsageError('--advertise sets the listeners of the local JVM broker: npm run kafka:up -- --advertise HOST --runtime jvm');
  }
  if (config.secure === true && choice.runtime !== 'jvm') {
    throw new UsageError(
      '--secure adds listeners to the local JVM broker: npm run kafka:up -- --secure --runtime jvm (with Docker: docker compose --profile secure up -d)',
    );
  }
  if (choice.runtime !== 'jvm') {
    const alreadyUp = await composeKafkaRunning({ signal });
    if (!alreadyUp) {
      const ticker = startTicker('docker compose up (waiting for the healthcheck)');
      try {
        await composeUp({ signal });
      } catch (error) {
        if (signal?.aborted)
          throw new InterruptedError('interrupted while docker compose was starting the broker; it may still start: npm run kafka:down stops it');
        throw error;
      } finally {
        ticker.stop();
      }
    }
    const topic = await ensureHarnessTopic(composeBrokers, 1, config, log);
    return {
      brokers: composeBrokers,
      report: [
        alreadyUp
          ? `Kafka is already up (Docker Compose, 1 node): KAFKA_BROKERS=${composeBrokers.join(',')}`
          : `Kafka ${kafkaVersion} is up (Docker Compose, 1 node) in ${seconds()} s: KAFKA_BROKERS=${composeBrokers.join(',')}`,
        topicLine(topic),
        '  logs: docker compose logs kafka · stop: npm run kafka:down',
      ],
    };
  }

  const ticker = startTicker('starting Kafka');
  let result: UpResult;
  try {
    result = await cluster.up({
      nodes: config.nodes,
      basePort: config.basePort,
      timeoutMs: config.timeoutMs,
      onStep: (step) => ticker.update(step),
      signal,
      secure: config.secure,
      advertise: config.advertise,
    });
  } finally {
    ticker.stop();
  }
  // The plaintext listener, whatever security this shell exports for the secure one.
  const topic = await ensureHarnessTopic(result.brokers, result.state.nodes.length, config, log, plaintextSecurity);
  const nodeCount = result.state.nodes.length;
  const shape = `local JVM, ${nodeCount} node${nodeCount === 1 ? '' : 's'}`;
  const fetched = result.jars === 'fetched' ? ', jars fetched from Maven Central' : '';
  // What another machine types: with --advertise, the name the brokers give out, not 127.0.0.1.
  const clientHost = result.state.advertisedHost ?? result.state.host;
  const advertised = result.state.nodes.map((node) => `${clientHost}:${node.clientPort}`).join(',');
  const report = [
    result.started.length === 0
      ? `Kafka is already up (${shape}): KAFKA_BROKERS=${advertised}`
      : `Kafka ${kafkaVersion} is up (${shape}${fetched}) in ${seconds()} s: KAFKA_BROKERS=${advertised}`,
  ];
  for (const node of await cluster.nodeStatuses(result.state)) {
    report.push(
      `  node ${node.nodeId}  pid ${node.pid ?? '-'}  client ${clientHost}:${node.clientPort}  controller ${result.state.host}:${node.controllerPort}`,
    );
  }
  report.push(topicLine(topic));
  if (result.state.nodes.some((node) => node.saslSslPort !== undefined)) report.push(...secureClientLines(settings.kafkaHome, clientHost, result.state.nodes));
  report.push(`  logs: ${shortPath(nodePaths(settings.kafkaHome, 1).serverLog)} · status: npm run kafka:status · stop: npm run kafka:down`);
  return { brokers: result.brokers, report };
}

/**
 * kafka:up. A Ctrl-C before the broker answers stops the nodes this run started (a second one
 * SIGKILLs them) and exits 130; after it answers, the run finishes and the broker keeps running.
 */
export async function runUp(config: UpConfig, settings: Settings, log: Logger): Promise<ExitCode> {
  const shutdown = installShutdown({ log, graceMs: startStopGraceMs, onForce: killStartingNodes });
  try {
    const outcome = await startBroker(config, settings, log, shutdown.signal);
    for (const line of outcome.report) console.log(line);
    return ExitCodes.ok;
  } finally {
    shutdown.dispose();
  }
}

/** kafka:down. A Ctrl-C lets the stop finish (it is what was asked for); a second one exits at once. */
export async function runDown(config: DownConfig, settings: Settings, log: Logger): Promise<ExitCode> {
  const shutdown = installShutdown({ log, graceMs: 45_000 });
  try {
    return await stopBroker(config, settings, log);
  } finally {
    shutdown.dispose();
  }
}

async function stopBroker(config: DownConfig, settings: Settings, log: Logger): Promise<ExitCode> {
  const cluster = localCluster(settings, log);
  if (config.node !== undefined && cluster.hasState()) {
    const state = await cluster.readState();
    const node = state?.nodes.find((candidate) => candidate.nodeId === config.node);
    if (!node) {
      const ids = state?.nodes.map((candidate) => candidate.nodeId) ?? [];
      throw new UsageError(`--node ${config.node}: the local cluster has ${ids.length === 1 ? `one node, node ${ids[0]}` : `nodes ${ids.join(', ')}`}`);
    }
    const stopped = await cluster.stopNode(node.nodeId);
    console.log(
      stopped
        ? `Stopped node ${node.nodeId} (pid ${stopped.pid}); the others keep running. Start it again: npm run kafka:up`
        : `Node ${node.nodeId} was not running.`,
    );
    return ExitCodes.ok;
  }
  // cluster.down goes by pid files, not cluster.json: it works, and --wipe cleans up, even when that file is corrupt.
  if (cluster.hasState()) {
    const result = await cluster.down({ wipe: config.wipe });
    if (result.stopped.length === 0) console.log(`No local broker was running (${shortPath(settings.kafkaHome)}).`);
    for (const node of result.stopped) {
      console.log(`Stopped node ${node.nodeId} (pid ${node.pid}${node.how === 'killed' ? ', killed after the grace period' : ''}).`);
    }
    if (result.wiped) console.log(`Deleted the broker's data and logs in ${shortPath(settings.kafkaHome)} (the jars stay).`);
    return ExitCodes.ok;
  }
  if (config.node !== undefined) throw new UsageError(`--node applies to a local JVM cluster, and none was started from ${shortPath(settings.kafkaHome)}`);
  const choice = await selectBroker({ purpose: 'cli', settings });
  if (choice.runtime === 'compose') {
    await composeDown(config.wipe);
    console.log(`Stopped the Docker Compose broker${config.wipe ? ' and deleted its volume' : ''}.`);
    return ExitCodes.ok;
  }
  if (choice.runtime === 'external') {
    console.log(`KAFKA_BROKERS points at ${choice.brokers.join(',')}, which this harness did not start: nothing to stop.`);
    return ExitCodes.ok;
  }
  console.log(`No local broker was started from ${shortPath(settings.kafkaHome)}: nothing to stop.`);
  return ExitCodes.ok;
}

interface StatusReport {
  runtime: string;
  brokers: readonly string[];
  answering: boolean;
  nodes: { nodeId: number; pid?: number | undefined; clientPort?: number; controllerPort?: number; host?: string; answering: boolean }[];
  topics: TopicSummary[];
}

/** The node ids and topics of the cluster at `brokers`, or undefined when nothing answers there. */
export async function describeRunning(brokers: readonly string[], log: Logger): Promise<{ nodeIds: number[]; topics: TopicSummary[] } | undefined> {
  const admin = createKafka({ clientId: 'kafka-harness-status', brokers, log, retry: { retries: 1 } }).admin();
  try {
    await admin.connect();
    const cluster = await admin.describeCluster();
    return { nodeIds: cluster.brokers.map((broker) => broker.nodeId), topics: await describeTopics(admin) };
  } catch {
    return undefined;
  } finally {
    await admin.disconnect().catch(() => {});
  }
}

/** kafka:status. It only reads, so a Ctrl-C drops the query at once (exit 130). */
export async function runStatus(config: StatusConfig, settings: Settings, log: Logger): Promise<ExitCode> {
  const shutdown = installShutdown({ log, graceMs: 5_000, announce: false });
  try {
    return await Promise.race([showStatus(config, settings, log), rejectWhenStopped(shutdown, 'asking the broker')]);
  } finally {
    shutdown.dispose();
  }
}

async function showStatus(config: StatusConfig, settings: Settings, log: Logger): Promise<ExitCode> {
  const cluster = localCluster(settings, log);
  const state = await cluster.readState();
  let report: StatusReport;
  let extra = '';
  if (state) {
    const statuses = await cluster.nodeStatuses(state);
    const brokers = bootstrapServers(state);
    const running = statuses.some((node) => node.pid !== undefined) ? await describeRunning(brokers, log) : undefined;
    report = {
      runtime:
        `local JVM (Kafka ${state.kafkaVersion}, cluster ${state.clusterId}, home ${shortPath(settings.kafkaHome)})` +
        (state.advertisedHost === undefined ? '' : `, advertised to other machines as ${state.advertisedHost}`),
      brokers,
      answering: running !== undefined,
      nodes: statuses.map((node) => ({
        nodeId: node.nodeId,
        pid: node.pid,
        host: state.host,
        clientPort: node.clientPort,
        controllerPort: node.controllerPort,
        answering: running?.nodeIds.includes(node.nodeId) ?? false,
      })),
      topics: running?.topics ?? [],
    };
  } else {
    const choice = await selectBroker({ purpose: 'cli', settings });
    const brokers = choice.runtime === 'external' ? choice.brokers : choice.runtime === 'compose' ? composeBrokers : settings.brokers;
    if (choice.runtime === 'compose') extra = await composePs().catch((error: Error) => error.message);
    const running = await describeRunning(brokers, log);
    report = {
      runtime: choice.runtime === 'external' ? 'external (KAFKA_BROKERS)' : choice.runtime === 'compose' ? 'Docker Compose' : 'local JVM (not started)',
      brokers,
      answering: running !== undefined,
      nodes: (running?.nodeIds ?? []).map((nodeId) => ({ nodeId, answering: true })),
      topics: running?.topics ?? [],
    };
  }

  if (config.json) {
    console.log(JSON.stringify(report));
  } else {
    console.log(`Kafka: ${report.runtime}`);
    console.log(
      report.answering ? `Answering at ${report.brokers.join(',')}` : `No broker answers at ${report.brokers.join(', ')}. Start one: npm run kafka:up`,
    );
    if (report.nodes.length > 0) {
      console.log('');
      console.log(
        formatTable(
          ['NODE', 'PID', 'CLIENT', 'CONTROLLER', 'STATE'],
          report.nodes.map((node) => [
            node.nodeId,
            node.pid,
            node.clientPort === undefined ? undefined : `${node.host}:${node.clientPort}`,
            node.controllerPort === undefined ? undefined : `${node.host}:${node.controllerPort}`,
            node.answering ? 'up' : node.pid !== undefined ? 'running, not answering' : 'stopped',
          ]),
        ),
      );
    }
    if (report.topics.length > 0) {
      console.log('');
      console.log(
        formatTable(
          ['TOPIC', 'PARTITIONS', 'REPLICATION'],
          report.topics.map((topic) => [topic.name, topic.partitions, topic.replicationFactor]),
        ),
      );
    }
    if (extra) console.log(`\n${extra}`);
  }
  return report.answering ? ExitCodes.ok : ExitCodes.failure;
}
