/**
 * Pid files and the processes they name. A pid is only trusted while that process's command line
 * still names our node's config file: after a reboot the same pid may belong to anything.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

export async function writePidFile(pidFile: string, pid: number): Promise<void> {
  await mkdir(dirname(pidFile), { recursive: true });
  await writeFile(pidFile, `${pid}\n`);
}

export async function readPidFile(pidFile: string): Promise<number | undefined> {
  try {
    const pid = Number((await readFile(pidFile, 'utf8')).trim());
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

export async function removePidFile(pidFile: string): Promise<void> {
  await rm(pidFile, { force: true });
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    // ESRCH: gone. EPERM: it exists but belongs to another user, so it is not one we started.
    return false;
  }
}

function commandLine(pid: number): string | undefined {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
  } catch {
    // No /proc (macOS): ask ps.
    try {
      return execFileSync('ps', ['-o', 'args=', '-p', String(pid)], { encoding: 'utf8' }).trim() || undefined;
    } catch {
      return undefined;
    }
  }
}

/** The pid from the file, if that process is alive and is the node started with `configPath`. */
export async function runningPid(pidFile: string, configPath: string): Promise<number | undefined> {
  const pid = await readPidFile(pidFile);
  if (pid === undefined || !isAlive(pid)) return undefined;
  return commandLine(pid)?.includes(configPath) ? pid : undefined;
}

export async function waitForExit(pid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!isAlive(pid)) return true;
    await sleep(100);
  }
  return !isAlive(pid);
}

/** SIGTERM (Kafka's controlled shutdown), then SIGKILL if it is still there after `graceMs`. */
export async function stopProcess(pid: number, graceMs: number): Promise<'stopped' | 'killed'> {
  try {
    process.kill(pid, 'SIGTERM');
  } catch {
    return 'stopped';
  }
  if (await waitForExit(pid, graceMs)) return 'stopped';
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    return 'stopped';
  }
  await waitForExit(pid, 5_000);
  return 'killed';
}

/**
 * Nodes this process started that have not answered yet. A graceful stop (first Ctrl-C) stops them
 * with SIGTERM; a forced exit (second Ctrl-C) has no time to wait, so it SIGKILLs them instead of
 * leaving a half-started broker holding its ports.
 */
const startingPids = new Set<number>();

export function trackStarting(pid: number): void {
  startingPids.add(pid);
}

/** The node answered (it now outlives this process) or was stopped: nothing left to kill. */
export function untrackStarting(pid: number): void {
  startingPids.delete(pid);
}

/** Synchronous, for the shutdown helper's onForce. */
export function killStartingNodes(): void {
  for (const pid of startingPids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // Already gone.
    }
  }
  startingPids.clear();
}
