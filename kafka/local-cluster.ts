/**
 * A real Apache Kafka cluster (KRaft, combined broker+controller nodes) run as plain JVM processes
 * from the Maven jars: formatted once, started detached, stopped by pid file.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, existsSync, openSync } from 'node:fs';
import { chmod, mkdir, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { ErrorCodes, HarnessError, InterruptedError, messageOf } from '../shared/errors.js';
import { createKafka } from '../shared/kafka-client.js';
import { plaintextSecurity } from '../shared/security.js';
import type { Logger } from '../shared/logger.js';
import {
  bootstrapServers,
  brokerProperties,
  homePaths,
  kafkaVersion,
  log4jProperties,
  nodePaths,
  planCluster,
  type ClusterPlan,
  type HomePaths,
  type ListenerSecurity,
  type NodePlan,
} from './layout.js';
import { assertPortsFree, ensureJars, findJava, runToEnd, type JavaRuntime } from './prerequisites.js';
import { ensureSecureMaterial, scramFormatArguments } from './secure-broker.js';
import { removePidFile, runningPid, stopProcess, trackStarting, untrackStarting, writePidFile } from './processes.js';

export interface ClusterState {
  kafkaVersion: string;
  clusterId: string;
  host: string;
  /** --advertise HOST, kept so a plain kafka:up later starts the cluster the same way. */
  advertisedHost?: string | undefined;
  nodes: NodePlan[];
  createdAt: string;
}

export interface NodeStatus extends NodePlan {
  /** Set while the node's JVM runs. */
  pid: number | undefined;
}

export interface LocalClusterOptions {
  /** Folder for data, logs, pid files and configs (the project's `.kafka/` by default). */
  home: string;
  /** Folder of the Kafka jars; defaults to `<home>/libs`. Tests share the project's. */
  libs?: string;
  log: Logger;
  javaHome?: string | undefined;
  /** JVM heap flags, e.g. "-Xms512m -Xmx512m". */
  heapOpts: string;
}

export interface UpOptions {
  /** Node count; defaults to the existing cluster's, or 1. */
  nodes?: number | undefined;
  /** First client port; defaults to the existing cluster's, or 9092. */
  basePort?: number | undefined;
  /** How long to wait for every node to answer metadata requests (ms). */
  timeoutMs: number;
  /** Called with a short description of what is happening, for a progress line. */
  onStep?: (step: string) => void;
  /**
   * Aborted (Ctrl-C) before every node answers: the nodes this call started are stopped again and
   * up() rejects with an InterruptedError. Once the cluster answers, it keeps running.
   */
  signal?: AbortSignal | undefined;
  /**
   * Add a SASL_SSL and an SSL listener to each node (ports in layout.ts's planCluster), with a
   * throwaway CA and users made on the spot (secure-broker.ts). A cluster set up without it must be wiped first.
   */
  secure?: boolean | undefined;
  /** Names the broker certificate is valid for; default 127.0.0.1 and localhost (and the advertised host). */
  certificateHosts?: readonly string[] | undefined;
  /**
   * A name other machines reach this one by: the client listeners bind every interface and advertise
   * it (layout.ts's ClusterPlan). Only in configs, so it can change from one start to the next.
   */
  advertise?: string | undefined;
}

export interface UpResult {
  state: ClusterState;
  brokers: string[];
  /** Node ids started by this call; empty when the cluster was already up. */
  started: number[];
  jars: 'present' | 'fetched';
  formatted: boolean;
}

export interface DownResult {
  stopped: { nodeId: number; pid: number; how: 'stopped' | 'killed' }[];
  wiped: boolean;
}

const defaultBasePort = 9092;
const stopGraceMs = 30_000;
/** A node that never answered holds no data worth a long controlled shutdown. */
const abandonGraceMs = 10_000;
/** Per readiness probe: a port that accepts connections but never answers must not stall the wait. */
const readinessRequestTimeoutMs = 2_000;

/** Kafka's Uuid.randomUuid(): 16 random bytes, base64url, never starting with "-" (it reads as a flag). */
export function randomClusterId(): string {
  for (;;) {
    const id = randomBytes(16).toString('base64url');
    if (!id.startsWith('-')) return id;
  }
}

export class LocalCluster {
  readonly paths: HomePaths;
  readonly #options: LocalClusterOptions;
  readonly #log: Logger;

  constructor(options: LocalClusterOptions) {
    this.#options = options;
    this.#log = options.log;
    this.paths = homePaths(options.home, options.libs);
  }

  async readState(): Promise<ClusterState | undefined> {
    try {
      return JSON.parse(await readFile(this.paths.state, 'utf8')) as ClusterState;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw new HarnessError(
        ErrorCodes.clusterMismatch,
        `${this.paths.state} is unreadable (${messageOf(error)}): npm run kafka:down -- --wipe stops the broker and deletes it with the broker's data`,
      );
    }
  }

  /** Whether a local cluster was set up in this home (its cluster.json exists, readable or not). */
  hasState(): boolean {
    return existsSync(this.paths.state);
  }

  async nodeStatuses(state?: ClusterState): Promise<NodeStatus[]> {
    const current = state ?? (await this.readState());
    if (!current) return [];
    return Promise.all(
      current.nodes.map(async (node) => {
        const paths = nodePaths(this.paths.home, node.nodeId);
        return { ...node, pid: await runningPid(paths.pidFile, paths.config) };
      }),
    );
  }

  /** Starts whatever nodes are not running and waits until every node answers. Idempotent. */
  async up(options: UpOptions): Promise<UpResult> {
    const { signal } = options;
    try {
      return await this.#up(options);
    } catch (error) {
      // A Ctrl-C also reaches Maven and StorageTool, which then fail: report the interruption, not their exit codes.
      if (signal?.aborted && !(error instanceof InterruptedError)) {
        throw new InterruptedError('interrupted before the broker answered; nothing this run started is left running', { cause: error });
      }
      throw error;
    }
  }

  async #up(options: UpOptions): Promise<UpResult> {
    const { signal } = options;
    const step = options.onStep ?? (() => {});
    const existing = await this.readState();
    const plan = this.#planFor(existing, options);
    const java = findJava(this.#options.javaHome);

    step('checking the Kafka jars');
    const jars = await ensureJars(this.paths, this.#log, { signal });
    const secure = plan.nodes.some((node) => node.saslSslPort !== undefined);
    if (secure) step('making the throwaway CA, certificates and passwords');
    const security = secure
      ? await ensureSecureMaterial(this.paths.home, {
          java,
          log: this.#log,
          certificateHosts: options.certificateHosts ?? (plan.advertisedHost === undefined ? undefined : ['127.0.0.1', 'localhost', plan.advertisedHost]),
          signal,
        })
      : undefined;

    const state: ClusterState = {
      ...(existing ?? { kafkaVersion, clusterId: randomClusterId(), host: plan.host, nodes: [...plan.nodes], createdAt: new Date().toISOString() }),
      advertisedHost: plan.advertisedHost,
    };
    const statuses = await this.nodeStatuses(state);
    const stopped = statuses.filter((node) => node.pid === undefined);
    const brokers = bootstrapServers(plan);

    await assertPortsFree(
      stopped.flatMap((node) => [
        node.clientPort,
        node.controllerPort,
        ...(node.saslSslPort === undefined ? [] : [node.saslSslPort]),
        ...(node.sslPort === undefined ? [] : [node.sslPort]),
      ]),
      plan.host,
    );

    await this.#writeConfigs(plan, security);
    // The cluster id is saved before any node is formatted with it: if formatting fails on one node
    // of three, the next start must reuse this id, or the nodes would belong to different clusters.
    if (!existing || existing.advertisedHost !== state.advertisedHost) await this.#writeState(state);
    const formatted = await this.#formatUnformatted(java, state, stopped, signal, security);

    const started: { nodeId: number; pid: number }[] = [];
    try {
      for (const node of stopped) {
        if (signal?.aborted) throw new InterruptedError('interrupted while starting the nodes');
        step(`starting node ${node.nodeId}`);
        started.push({ nodeId: node.nodeId, pid: await this.#startNode(java, node) });
      }
      step(started.length > 0 ? `waiting for ${brokers.join(', ')} to answer` : 'checking the running cluster');
      await this.waitUntilReady(state, options.timeoutMs, signal);
    } catch (error) {
      // Left running, a node that never answered would hold its ports and fail the next kafka:up.
      await this.#stopAbandoned(started);
      if (error instanceof InterruptedError) {
        const what = started.map((node) => `node ${node.nodeId} (pid ${node.pid})`).join(', ');
        throw new InterruptedError(
          started.length > 0
            ? `interrupted before the broker answered: stopped ${what}, which this run had started`
            : 'interrupted before the broker answered; this run started no node',
        );
      }
      throw error;
    }
    // Up and answering: from here on the nodes outlive this process.
    for (const node of started) untrackStarting(node.pid);
    return { state, brokers, started: started.map((node) => node.nodeId), jars, formatted };
  }

  /**
   * Stops every node this home started (by pid file, never by name); `wipe` also deletes data and
   * logs. The pid files say what runs, so this works even when cluster.json is unreadable.
   */
  async down(options: { wipe: boolean }): Promise<DownResult> {
    const statuses = await Promise.all(
      (await this.#nodeIdsWithPidFiles()).map(async (nodeId) => {
        const paths = nodePaths(this.paths.home, nodeId);
        return { nodeId, pidFile: paths.pidFile, pid: await runningPid(paths.pidFile, paths.config) };
      }),
    );
    const running = statuses.filter((node): node is typeof node & { pid: number } => node.pid !== undefined);
    // All at once: a controller quorum that loses its majority one node at a time makes the rest wait.
    const stopped = await Promise.all(running.map(async (node) => ({ nodeId: node.nodeId, pid: node.pid, how: await stopProcess(node.pid, stopGraceMs) })));
    for (const node of statuses) await removePidFile(node.pidFile);
    if (options.wipe) {
      for (const folder of ['data', 'logs', 'config', 'run', 'secure']) await rm(join(this.paths.home, folder), { recursive: true, force: true });
      await rm(this.paths.state, { force: true });
    }
    return { stopped: stopped.sort((a, b) => a.nodeId - b.nodeId), wiped: options.wipe };
  }

  /** Stops one node, as a failure drill (the others keep running). */
  async stopNode(nodeId: number): Promise<{ pid: number; how: 'stopped' | 'killed' } | undefined> {
    const paths = nodePaths(this.paths.home, nodeId);
    const pid = await runningPid(paths.pidFile, paths.config);
    const how = pid === undefined ? undefined : await stopProcess(pid, stopGraceMs);
    await removePidFile(paths.pidFile);
    return pid === undefined || how === undefined ? undefined : { pid, how };
  }

  /** Polls metadata until every node of the cluster is listed; fails early if a JVM dies. */
  async waitUntilReady(state: ClusterState, timeoutMs: number, signal?: AbortSignal): Promise<void> {
    const brokers = bootstrapServers(state);
    // No retries inside KafkaJS: this loop is the retry, and it also watches the processes.
    const kafka = createKafka({
      clientId: 'kafka-harness-ready',
      brokers,
      log: this.#log,
      // The plaintext listener, whatever KAFKA_SECURITY_PROTOCOL this shell exports for its clients.
      security: plaintextSecurity,
      connectionTimeoutMs: 1_000,
      requestTimeoutMs: readinessRequestTimeoutMs,
      retry: { retries: 0 },
    });
    const deadline = Date.now() + timeoutMs;
    let lastProblem = 'no answer yet';
    for (;;) {
      if (signal?.aborted) throw new InterruptedError('interrupted while waiting for the broker to answer');
      const statuses = await this.nodeStatuses(state);
      const dead = statuses.find((node) => node.pid === undefined);
      if (dead) throw await this.#startFailure(dead.nodeId, `node ${dead.nodeId} exited while starting`);
      const admin = kafka.admin();
      try {
        await admin.connect();
        const cluster = await admin.describeCluster();
        if (cluster.brokers.length >= state.nodes.length) return;
        lastProblem = `${cluster.brokers.length} of ${state.nodes.length} nodes registered`;
      } catch (error) {
        lastProblem = messageOf(error);
      } finally {
        await admin.disconnect().catch(() => {});
      }
      if (Date.now() > deadline) {
        throw await this.#startFailure(state.nodes[0]?.nodeId ?? 1, `the broker did not answer within ${Math.round(timeoutMs / 1000)} s (${lastProblem})`);
      }
      // An abort ends the pause early; the loop's first line then reports it.
      await sleep(250, undefined, { signal }).catch(() => {});
    }
  }

  /**
   * The last lines of whichever of a node's two logs changed last: server.log once log4j runs, or
   * stdout.log when the JVM failed before that (a bad -Xmx, a missing class), in which case
   * server.log still holds an earlier run's lines.
   */
  async tailLog(nodeId: number, lines = 20): Promise<{ path: string; lines: string[] }> {
    const paths = nodePaths(this.paths.home, nodeId);
    const modifiedMs = async (path: string): Promise<number> => (await stat(path).catch(() => undefined))?.mtimeMs ?? -1;
    const path = (await modifiedMs(paths.stdout)) > (await modifiedMs(paths.serverLog)) ? paths.stdout : paths.serverLog;
    const text = (await readFile(path, 'utf8').catch(() => '')).trimEnd();
    return { path, lines: text === '' ? [] : text.split('\n').slice(-lines) };
  }

  #planFor(existing: ClusterState | undefined, options: UpOptions): ClusterPlan {
    if (!existing) {
      return planCluster(options.nodes ?? 1, options.basePort ?? defaultBasePort, { secure: options.secure === true, advertisedHost: options.advertise });
    }
    if (options.secure === true && !existing.nodes.some((node) => node.saslSslPort !== undefined)) {
      throw new HarnessError(
        ErrorCodes.clusterMismatch,
        `the broker in ${this.paths.home} was set up without --secure, and SCRAM users are made when the storage is formatted: npm run kafka:down -- --wipe, then kafka:up -- --secure`,
      );
    }
    const existingBase = existing.nodes[0]?.clientPort ?? defaultBasePort;
    const nodes = options.nodes ?? existing.nodes.length;
    const basePort = options.basePort ?? existingBase;
    if (nodes !== existing.nodes.length || basePort !== existingBase) {
      throw new HarnessError(
        ErrorCodes.clusterMismatch,
        `the broker data in ${this.paths.home} is for ${existing.nodes.length} node(s) from port ${existingBase}; to start ${nodes} from port ${basePort}, wipe it first: npm run kafka:down -- --wipe`,
      );
    }
    if (existing.kafkaVersion !== kafkaVersion) {
      throw new HarnessError(
        ErrorCodes.clusterMismatch,
        `the broker data in ${this.paths.home} was written by Kafka ${existing.kafkaVersion}, this harness runs ${kafkaVersion}: npm run kafka:down -- --wipe`,
      );
    }
    const advertisedHost = options.advertise ?? existing.advertisedHost;
    return { nodes: existing.nodes, host: existing.host, ...(advertisedHost === undefined ? {} : { advertisedHost }) };
  }

  /** Ids of the nodes that have a pid file in run/ (written by #startNode as node-<id>.pid). */
  async #nodeIdsWithPidFiles(): Promise<number[]> {
    const names = await readdir(join(this.paths.home, 'run')).catch(() => [] as string[]);
    return names.flatMap((name) => {
      const match = /^node-(\d+)\.pid$/.exec(name);
      return match ? [Number(match[1])] : [];
    });
  }

  /** Stops nodes this call started but that never answered, and forgets their pid files. */
  async #stopAbandoned(nodes: readonly { nodeId: number; pid: number }[]): Promise<void> {
    await Promise.all(
      nodes.map(async (node) => {
        await stopProcess(node.pid, abandonGraceMs);
        untrackStarting(node.pid);
        await removePidFile(nodePaths(this.paths.home, node.nodeId).pidFile);
      }),
    );
  }

  async #writeState(state: ClusterState): Promise<void> {
    await mkdir(this.paths.home, { recursive: true });
    await writeFile(this.paths.state, `${JSON.stringify(state, null, 2)}\n`);
  }

  async #writeConfigs(plan: ClusterPlan, security: ListenerSecurity | undefined): Promise<void> {
    await mkdir(join(this.paths.home, 'config'), { recursive: true });
    await writeFile(this.paths.log4jConfig, log4jProperties);
    for (const node of plan.nodes) {
      const paths = nodePaths(this.paths.home, node.nodeId);
      await mkdir(paths.logs, { recursive: true });
      // With --secure the file holds the keystore and PLAIN passwords: for this user's eyes only.
      await writeFile(paths.config, brokerProperties(plan, node, paths.data, security), { mode: 0o600 });
      if (security !== undefined) await chmod(paths.config, 0o600);
    }
  }

  #jvmArgs(node: NodePlan): string[] {
    const paths = nodePaths(this.paths.home, node.nodeId);
    return [
      ...this.#options.heapOpts.split(/\s+/).filter(Boolean),
      // The G1 settings of Kafka's own kafka-run-class.sh.
      '-XX:+UseG1GC',
      '-XX:MaxGCPauseMillis=20',
      '-XX:InitiatingHeapOccupancyPercent=35',
      '-XX:+ExplicitGCInvokesConcurrent',
      '-Djava.awt.headless=true',
      `-Dlog4j2.configurationFile=${this.paths.log4jConfig}`,
      `-Dkafka.logs.dir=${paths.logs}`,
      '-cp',
      join(this.paths.libs, '*'),
    ];
  }

  async #formatUnformatted(
    java: JavaRuntime,
    state: ClusterState,
    nodes: readonly NodePlan[],
    signal: AbortSignal | undefined,
    security: ListenerSecurity | undefined,
  ): Promise<boolean> {
    const unformatted = nodes.filter((node) => !existsSync(join(nodePaths(this.paths.home, node.nodeId).data, 'meta.properties')));
    // Each format is a JVM start (about a second): run them side by side, and let every one finish
    // before reporting a failure, so no StorageTool is still writing when the user acts on it.
    const outcomes = await Promise.allSettled(
      unformatted.map(async (node) => {
        const paths = nodePaths(this.paths.home, node.nodeId);
        const args = [
          ...this.#jvmArgs(node),
          'kafka.tools.StorageTool',
          'format',
          '--cluster-id',
          state.clusterId,
          '--config',
          paths.config,
          '--ignore-formatted',
          // SCRAM credentials live in the cluster metadata: the bootstrap records are the place to make them.
          ...(security === undefined ? [] : scramFormatArguments(security)),
        ];
        const { code, output } = await runToEnd(java.path, args, signal);
        if (code !== 0) {
          throw new HarnessError(ErrorCodes.brokerStartFailed, `formatting the storage of node ${node.nodeId} failed (exit ${code})`, {
            details: output.trim().split('\n').slice(-10),
          });
        }
        this.#log.debug({ nodeId: node.nodeId, dataDir: paths.data }, 'storage formatted');
      }),
    );
    const failure = outcomes.find((outcome) => outcome.status === 'rejected');
    if (failure) throw failure.reason;
    return unformatted.length > 0;
  }

  /** Starts one node's JVM and returns its pid. */
  async #startNode(java: JavaRuntime, node: NodePlan): Promise<number> {
    const paths = nodePaths(this.paths.home, node.nodeId);
    const out = openSync(paths.stdout, 'a');
    try {
      // Detached in its own session: the broker outlives this CLI and a Ctrl-C in its terminal.
      const child = spawn(java.path, [...this.#jvmArgs(node), 'kafka.Kafka', paths.config], {
        detached: true,
        stdio: ['ignore', out, out],
      });
      const pid = await new Promise<number>((resolve, reject) => {
        child.once('error', reject);
        child.once('spawn', () => resolve(child.pid as number));
      });
      trackStarting(pid);
      child.unref();
      await writePidFile(paths.pidFile, pid);
      this.#log.debug({ nodeId: node.nodeId, pid, clientPort: node.clientPort }, 'node started');
      return pid;
    } finally {
      closeSync(out);
    }
  }

  async #startFailure(nodeId: number, why: string): Promise<HarnessError> {
    const tail = await this.tailLog(nodeId);
    return new HarnessError(ErrorCodes.brokerStartFailed, tail.lines.length > 0 ? `${why}; last lines of ${tail.path}:` : `${why}; ${tail.path} is empty`, {
      details: tail.lines,
      nodeId,
    });
  }
}
