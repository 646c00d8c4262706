/**
 * A throwaway multi-node Kafka cluster for one check: a temporary home, free ports picked at run time
 * (clear of 9092/19092 and the tests' 13092+), the project's jars shared rather than fetched again.
 * It is a drill, not a store: nodes are SIGKILLed, like a crashed machine, and the home is deleted.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bootstrapServers } from '../../kafka/layout.js';
import { LocalCluster } from '../../kafka/local-cluster.js';
import { waitForExit } from '../../kafka/processes.js';
import { pickBasePort } from '../../kafka/testing/free-ports.js';
import { settings } from '../../shared/config.js';
import type { Logger } from '../../shared/logger.js';

const host = '127.0.0.1';
/**
 * Client ports are drawn from 20000-21999, so controllers land on 30000-31999: above the tests'
 * 13092+/23092+ and below Linux's ephemeral range (32768+), where a client's own port could collide.
 */
const lowestBasePort = 20_000;
const highestBasePort = 21_990;

export interface ThrowawayClusterOptions {
  nodes: number;
  log: Logger;
  /** How long the nodes may take to answer, ms. */
  timeoutMs: number;
  /** Aborting stops the start; close() still has to be called. */
  signal: AbortSignal;
}

export interface ThrowawayCluster {
  readonly brokers: string[];
  /** Node id → client port. */
  readonly ports: ReadonlyMap<number, number>;
  /** SIGKILLs one node, as a crash would; true when it was running. */
  killNode(nodeId: number): Promise<boolean>;
  /** Starts whatever nodes are not running and waits until all answer. */
  restart(timeoutMs: number, signal: AbortSignal): Promise<void>;
  /** Idempotent: SIGKILLs every node and deletes the home. */
  close(): Promise<void>;
}

function killAll(pids: Iterable<number>): void {
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // Already gone.
    }
  }
}

export async function startThrowawayCluster(options: ThrowawayClusterOptions): Promise<ThrowawayCluster> {
  const home = await mkdtemp(join(tmpdir(), 'harness-workshop-cluster-'));
  const cluster = new LocalCluster({
    home,
    libs: join(settings().kafkaHome, 'libs'),
    log: options.log,
    javaHome: settings().javaHome,
    heapOpts: '-Xms256m -Xmx512m',
  });
  // The nodes are detached (they would outlive this process): whatever ends it, they go with it.
  const pids = new Set<number>();
  const killOnExit = (): void => killAll(pids);
  process.once('exit', killOnExit);
  const remember = async (): Promise<void> => {
    for (const node of await cluster.nodeStatuses()) if (node.pid !== undefined) pids.add(node.pid);
  };

  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closing ??= (async () => {
      await remember().catch(() => {});
      killAll(pids);
      process.removeListener('exit', killOnExit);
      // The killed JVMs may still hold files open for a moment; rm copes with that on Linux.
      await rm(home, { recursive: true, force: true, maxRetries: 3 });
    })();
    return closing;
  };

  try {
    const basePort = await pickBasePort({ nodeCount: options.nodes, host, range: { low: lowestBasePort, high: highestBasePort } });
    const { state } = await cluster.up({ nodes: options.nodes, basePort, timeoutMs: options.timeoutMs, signal: options.signal });
    await remember();
    return {
      brokers: bootstrapServers(state),
      ports: new Map(state.nodes.map((node) => [node.nodeId, node.clientPort])),
      async killNode(nodeId) {
        const node = (await cluster.nodeStatuses()).find((status) => status.nodeId === nodeId);
        if (node?.pid === undefined) return false;
        killAll([node.pid]);
        // Its ports are free only once it is gone, and a restart needs them.
        await waitForExit(node.pid, 10_000);
        return true;
      },
      async restart(timeoutMs, signal) {
        await cluster.up({ timeoutMs, signal });
        await remember();
      },
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}
