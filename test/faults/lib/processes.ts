/**
 * The processes a fault scenario starts (producer, consumer, admin CLIs, run as a user runs them),
 * tracked so that every one of them, with its own children, is killed when the suite ends, fails or
 * is interrupted.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { isAlive } from '../../../kafka/processes.js';
import { ErrorCodes, HarnessError, InterruptedError } from '../../../shared/errors.js';
import { distPath } from '../../../shared/paths.js';
import { processTree } from '../../bench/lib/measure.js';

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface RunningCli {
  readonly name: string;
  readonly child: ChildProcess;
  readonly pid: number;
  /** Resolves when the process has exited and its stdout is complete. */
  readonly exited: Promise<Exit>;
  /** Everything it printed on stdout so far (data and --json reports; logs go to its log file). */
  stdout(): string;
  readonly logPath: string;
}

export class ProcessRegistry {
  readonly #running = new Set<RunningCli>();
  /** Processes stopped with SIGSTOP: they must get SIGCONT before anything can stop them. */
  readonly #frozen = new Set<number>();

  /** Starts `node dist/<script>` with `args`; its stderr (the logs) goes to `logPath`. */
  start(name: string, script: string, args: readonly string[], options: { env: NodeJS.ProcessEnv; logPath: string }): RunningCli {
    const log = openSync(options.logPath, 'a');
    let child: ChildProcess;
    try {
      child = spawn(process.execPath, [distPath(script), ...args], { stdio: ['ignore', 'pipe', log], env: options.env });
    } finally {
      closeSync(log);
    }
    if (child.pid === undefined) throw new HarnessError(ErrorCodes.runtime, `could not start ${name}`);
    let stdout = '';
    child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    const exited = new Promise<Exit>((resolve) => child.once('close', (code, signal) => resolve({ code, signal })));
    const running: RunningCli = { name, child, pid: child.pid, exited, stdout: () => stdout, logPath: options.logPath };
    this.#running.add(running);
    void exited.then(() => this.#running.delete(running));
    return running;
  }

  freeze(pid: number): void {
    this.#frozen.add(pid);
    process.kill(pid, 'SIGSTOP');
  }

  thaw(pid: number): void {
    this.#frozen.delete(pid);
    if (isAlive(pid)) process.kill(pid, 'SIGCONT');
  }

  /** Thaws what was frozen and SIGKILLs every process still running, children first found. */
  async killAll(): Promise<void> {
    for (const pid of [...this.#frozen]) this.thaw(pid);
    const trees = [...this.#running].map((running) => processTree(running.pid));
    for (const pid of trees.flat()) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    await Promise.all([...this.#running].map((running) => running.exited));
  }
}

export interface WaitOptions {
  timeoutMs: number;
  intervalMs?: number;
  signal?: AbortSignal | undefined;
}

/**
 * Polls `condition` until it holds and returns how long that took (ms). A condition that throws
 * counts as not yet (a broker that is down fails its queries). Times out with the condition's name.
 */
export async function waitFor(what: string, condition: () => boolean | Promise<boolean>, options: WaitOptions): Promise<number> {
  const startedAt = performance.now();
  const intervalMs = options.intervalMs ?? 200;
  let lastError: unknown;
  for (;;) {
    if (options.signal?.aborted) throw new InterruptedError(`interrupted while waiting for ${what}`);
    try {
      if (await condition()) return performance.now() - startedAt;
    } catch (error) {
      lastError = error;
    }
    if (performance.now() - startedAt > options.timeoutMs) {
      const why = lastError === undefined ? '' : ` (last error: ${lastError instanceof Error ? lastError.message : String(lastError)})`;
      throw new HarnessError(ErrorCodes.runtime, `timed out after ${Math.round(options.timeoutMs / 1000)} s waiting for ${what}${why}`);
    }
    await sleep(intervalMs, undefined, { signal: options.signal }).catch(() => {});
  }
}

/** Waits for a process to exit, at most `timeoutMs`; undefined if it is still running. */
export async function exitWithin(running: RunningCli, timeoutMs: number): Promise<Exit | undefined> {
  const timer = new AbortController();
  try {
    return await Promise.race([running.exited, sleep(timeoutMs, undefined, { signal: timer.signal }).then(() => undefined)]);
  } finally {
    // The exit won the race: the pending timer must not hold the suite open.
    timer.abort();
  }
}
