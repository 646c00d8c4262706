/**
 * Runs the harness's CLIs the way a user does (compiled, in their own process) and captures what
 * they print and how they exit.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { join } from 'node:path';
import { onTestFinished } from 'vitest';
import { projectRoot } from '../../../shared/paths.js';

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface CliOptions {
  /** Variables added to (or, when undefined, removed from) the test process's environment. */
  env?: Record<string, string | undefined>;
  timeoutMs?: number;
}

function environment(overrides: CliOptions['env'] = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, LOG_FORMAT: 'json', FORCE_COLOR: '0' };
  for (const [name, value] of Object.entries(overrides)) {
    if (value === undefined) delete env[name];
    else env[name] = value;
  }
  return env;
}

export interface RunningCli {
  child: ChildProcessWithoutNullStreams;
  /** Everything printed so far. */
  readonly stdout: string;
  readonly stderr: string;
  /** Resolves when the process exits. */
  exited: Promise<CliResult>;
}

/** Starts `node dist/<script>` and returns at once; the process is killed if the test ends first. */
export function startCli(script: string, args: readonly string[], options: CliOptions = {}): RunningCli {
  const child = spawn(process.execPath, [join(projectRoot, 'dist', script), ...args], { cwd: projectRoot, env: environment(options.env) });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<CliResult>((resolve) => child.once('close', (code, signal) => resolve({ code, signal, stdout, stderr })));
  const timeout = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 170_000);
  void exited.then(() => clearTimeout(timeout));
  onTestFinished(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  return {
    child,
    get stdout() {
      return stdout;
    },
    get stderr() {
      return stderr;
    },
    exited,
  };
}

/** Runs a CLI to completion. */
export function runCli(script: string, args: readonly string[], options: CliOptions = {}): Promise<CliResult> {
  return startCli(script, args, options).exited;
}

/** Lines a CLI wrote to stderr that are not JSON log records: what a user reads as its messages. */
export function plainLines(stderr: string): string[] {
  return stderr.split('\n').filter((line) => line.length > 0 && !line.startsWith('{'));
}
