/**
 * Throwaway Kafka clusters for the fault suite: a temporary home, the project's cached jars, and
 * ports found free at run time, away from the ones the project and its tests use. Never the broker
 * on 9092.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdir, rm, symlink } from 'node:fs/promises';
import { join } from 'node:path';
import { LocalCluster } from '../../../kafka/local-cluster.js';
import { pickBasePort } from '../../../kafka/testing/free-ports.js';
import { settings } from '../../../shared/config.js';
import { ErrorCodes, HarnessError } from '../../../shared/errors.js';
import type { Logger } from '../../../shared/logger.js';

const heapOpts = '-Xms256m -Xmx512m';

/** Client ports from 24000-28999, so controllers land on 34000-38999: clear of 9092-9094, 19092-19094 and 13092+. */
const basePorts = { low: 24_000, high: 29_000 };

export interface FaultCluster {
  readonly cluster: LocalCluster;
  readonly brokers: string[];
  readonly nodeIds: number[];
  /** The JVM's pid of a node, if it runs. */
  pidOf(nodeId: number): Promise<number | undefined>;
  /** Starts whatever node is stopped and waits until every node answers. */
  startStopped(): Promise<void>;
  /** Stops every node and deletes the home. */
  destroy(): Promise<void>;
}

export async function startCluster(home: string, nodes: number, log: Logger): Promise<FaultCluster> {
  await mkdir(home, { recursive: true });
  // The project's jars, instead of fetching 55 MB again.
  const projectLibs = join(settings().kafkaHome, 'libs');
  if (!existsSync(projectLibs)) throw new HarnessError(ErrorCodes.runtime, `${projectLibs} is missing: run npm run kafka:fetch once`);
  await symlink(projectLibs, join(home, 'libs'));
  const cluster = new LocalCluster({ home, log, javaHome: settings().javaHome, heapOpts });
  const basePort = await pickBasePort({ nodeCount: nodes, host: '127.0.0.1', attempts: 50, range: basePorts });
  let destroyed = false;
  const destroy = async (): Promise<void> => {
    if (destroyed) return;
    destroyed = true;
    await cluster.down({ wipe: true });
    await rm(home, { recursive: true, force: true });
  };
  try {
    const { brokers, state } = await cluster.up({ nodes, basePort, timeoutMs: 120_000 });
    return {
      cluster,
      brokers,
      nodeIds: state.nodes.map((node) => node.nodeId),
      pidOf: async (nodeId) => (await cluster.nodeStatuses(state)).find((node) => node.nodeId === nodeId)?.pid,
      startStopped: async () => {
        await cluster.up({ timeoutMs: 120_000 });
      },
      destroy,
    };
  } catch (error) {
    await destroy();
    throw error;
  }
}

/**
 * For a forced exit, when nothing may be awaited: SIGKILLs the nodes of a home by their pid files,
 * only if the process is still a node of that home (its command line names it).
 */
export function killClusterSync(home: string): void {
  const run = join(home, 'run');
  for (const name of existsSync(run) ? readdirSync(run) : []) {
    try {
      const pid = Number(readFileSync(join(run, name), 'utf8').trim());
      if (!readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(home)) continue;
      process.kill(pid, 'SIGCONT');
      process.kill(pid, 'SIGKILL');
    } catch {
      // gone already
    }
  }
}
