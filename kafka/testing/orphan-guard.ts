/**
 * Throwaway brokers are detached JVMs (LocalCluster starts them in their own session), so nothing
 * ends them when the test runner that started them ends. Two guards do, each for what the other
 * cannot see:
 * - an `exit` listener SIGKILLs them synchronously when the runner exits without stop() (a
 *   forgotten teardown, process.exit, an uncaught exception);
 * - a detached watchdog process (watchdog.ts) polls the runner's pid and cleans up within a second
 *   when it dies without running any listener: SIGKILL, an OOM kill, a closed terminal.
 */
import { spawn } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ErrorCodes, HarnessError } from '../../shared/errors.js';
import { distPath } from '../../shared/paths.js';
import { nodePaths } from '../layout.js';
import { killStartingNodes, removePidFile, runningPid, waitForExit } from '../processes.js';

/** Homes of the clusters this process runs, with the node pids known once they answered. */
const guarded = new Map<string, { pids: number[] }>();
let exitListenerInstalled = false;

function killEverythingSync(): void {
  // Nodes still starting are not in `guarded` yet; LocalCluster tracks those itself.
  killStartingNodes();
  for (const [home, cluster] of guarded) {
    for (const pid of cluster.pids) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // Already gone.
      }
    }
    rmSync(home, { recursive: true, force: true });
  }
  guarded.clear();
}

export function guardHome(home: string): void {
  if (!exitListenerInstalled) {
    process.on('exit', killEverythingSync);
    exitListenerInstalled = true;
  }
  guarded.set(home, { pids: [] });
}

export function setGuardedPids(home: string, pids: readonly number[]): void {
  const cluster = guarded.get(home);
  if (cluster) cluster.pids = [...pids];
}

export function releaseHome(home: string): void {
  guarded.delete(home);
}

/** The node pids of a home, from its pid files, each checked against its command line. */
async function runningNodePids(home: string): Promise<{ pid: number; pidFile: string }[]> {
  const names = await readdir(join(home, 'run')).catch(() => [] as string[]);
  const nodes = await Promise.all(
    names.map(async (name) => {
      const nodeId = Number(/^node-(\d+)\.pid$/.exec(name)?.[1]);
      if (!Number.isInteger(nodeId)) return undefined;
      const paths = nodePaths(home, nodeId);
      const pid = await runningPid(paths.pidFile, paths.config);
      return pid === undefined ? undefined : { pid, pidFile: paths.pidFile };
    }),
  );
  return nodes.filter((node) => node !== undefined);
}

/** SIGKILL, not a controlled shutdown: the data is about to be deleted, and no client waits for it. */
export async function killClusterNodes(home: string): Promise<void> {
  const nodes = await runningNodePids(home);
  for (const node of nodes) {
    try {
      process.kill(node.pid, 'SIGKILL');
    } catch {
      // Already gone.
    }
  }
  await Promise.all(nodes.map((node) => waitForExit(node.pid, 5_000)));
  await Promise.all(nodes.map((node) => removePidFile(node.pidFile)));
  await rm(home, { recursive: true, force: true });
}

/** watchdog.js beside this file once compiled; from the TypeScript sources (this repo's tests), dist/'s. */
function watchdogScript(): string {
  const sibling = fileURLToPath(new URL('./watchdog.js', import.meta.url));
  if (existsSync(sibling)) return sibling;
  const built = distPath('kafka/testing/watchdog.js');
  if (existsSync(built)) return built;
  throw new HarnessError(ErrorCodes.runtime, `${built} is missing: build kafka-harness first (npm run build)`);
}

/** Starts the watchdog for `home` and returns its pid; stop it with SIGTERM once the cluster is stopped. */
export async function startWatchdog(home: string, parentPid = process.pid): Promise<number> {
  // Its own session: a Ctrl-C in the runner's terminal must not end the watchdog along with the runner.
  const child = spawn(process.execPath, [watchdogScript(), String(parentPid), home], { detached: true, stdio: 'ignore' });
  const pid = await new Promise<number>((resolve, reject) => {
    child.once('error', reject);
    child.once('spawn', () => resolve(child.pid as number));
  });
  child.unref();
  return pid;
}

export function stopWatchdog(pid: number): void {
  try {
    process.kill(pid, 'SIGTERM');
  } catch {
    // It had already seen the home disappear and exited.
  }
}
