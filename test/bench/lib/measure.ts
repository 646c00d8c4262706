/**
 * Runs a benchmark subject as its own process and measures its peak resident memory by polling
 * /proc (Linux); the subject prints its own throughput and latency figures.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { distPath } from '../../../shared/paths.js';

export interface MeasuredRun {
  code: number | null;
  stdout: string;
  stderr: string;
  peakRssMiB: number | undefined;
  wallMs: number;
  /**
   * CPU time of the whole process tree (user + system), ms, as last polled: a process's last 25 ms
   * before it exits can be missed. On a shared machine it moves far less than the wall clock.
   */
  cpuMs: number | undefined;
}

/** The pids of a process's children (Linux). */
export function childPids(pid: number): number[] {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

/** A process and all its descendants. */
export function processTree(pid: number): number[] {
  return [pid, ...childPids(pid).flatMap(processTree)];
}

/** CPU time a process has used so far, ms (user + system, from /proc/<pid>/stat). */
export function cpuTimeMs(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // After the command: state is field 3, utime 14 and stime 15 (1-based), in clock ticks of 10 ms.
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return undefined;
  }
}

function residentKiB(pid: number): number | undefined {
  try {
    const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) : undefined;
  } catch {
    return undefined;
  }
}

/** Runs a command to its end, polling the peak resident memory of its whole process tree. */
export function runMeasured(command: string, args: readonly string[], env: NodeJS.ProcessEnv = process.env): Promise<MeasuredRun> {
  const startedAt = performance.now();
  const child = spawn(command, [...args], { stdio: ['ignore', 'pipe', 'pipe'], env });
  let stdout = '';
  let stderr = '';
  let peakKiB: number | undefined;
  const cpuByPid = new Map<number, number>();
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const poll = setInterval(() => {
    if (child.pid === undefined) return;
    // The whole tree: a consumer's memory is its children's too.
    const tree = processTree(child.pid);
    const kib = tree.reduce((sum, pid) => sum + (residentKiB(pid) ?? 0), 0);
    if (kib > 0) peakKiB = Math.max(peakKiB ?? 0, kib);
    for (const pid of tree) {
      const used = cpuTimeMs(pid);
      if (used !== undefined) cpuByPid.set(pid, used);
    }
  }, 25);
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) => {
      clearInterval(poll);
      const cpuMs = cpuByPid.size === 0 ? undefined : [...cpuByPid.values()].reduce((sum, used) => sum + used, 0);
      resolve({
        code,
        stdout,
        stderr,
        peakRssMiB: peakKiB === undefined ? undefined : Math.round(peakKiB / 1024),
        wallMs: performance.now() - startedAt,
        cpuMs,
      });
    });
  });
}

/** A `npm run consume` whose children have all joined their group, for measuring it in its steady state. */
export interface JoinedConsumer {
  readonly pid: number;
  /** What it printed so far (its --json report once it has exited). */
  stdout(): string;
  stderr(): string;
  /** Asks it to stop (SIGINT: finish, commit, leave) and resolves with its exit code. */
  stop(): Promise<number | null>;
}

export interface JoinedConsumerOptions {
  brokers: string;
  topic: string;
  group: string;
  processes: number;
  /** Extra flags, e.g. ['--json'] for the final report on stdout. */
  args?: readonly string[];
}

/** Starts the consume CLI (sink and dead letters off) and resolves once every child says it joined the group. */
export async function startJoinedConsumer(options: JoinedConsumerOptions): Promise<JoinedConsumer> {
  const { brokers, topic, group, processes, args = [] } = options;
  const child = spawn(
    process.execPath,
    [distPath('consumer/cli/cli.js'), '-b', brokers, '-t', topic, '-G', group, '-p', String(processes), '--sink', 'none', '--dlq', 'none', ...args],
    // Its JSON logs say when each child has joined.
    { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, LOG_FORMAT: 'json' } },
  );
  let out = '';
  let err = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('close', resolve));
  const joined = () => err.match(/"msg":"joined the group"/g)?.length ?? 0;
  for (const deadline = Date.now() + 60_000; joined() < processes; await sleep(100)) {
    if (Date.now() > deadline || child.exitCode !== null) {
      child.kill('SIGKILL');
      throw new Error(`the consumer's ${processes} children did not all join group ${group} within 60 s: ${err.trim().split('\n').pop() ?? ''}`);
    }
  }
  return {
    pid: child.pid as number,
    stdout: () => out,
    stderr: () => err,
    stop: () => {
      child.kill('SIGINT');
      return exited;
    },
  };
}
