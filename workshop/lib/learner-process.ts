/**
 * A learner's module run as a child process (through learner-main.ts), for checks that must kill it
 * mid-stream (SIGKILL, like a crash) or stop it (SIGINT, like Ctrl-C). Its output is kept only to
 * explain a failure; a check decides from what the child did to Kafka and to files, never from its logs.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { projectRoot } from '../../shared/paths.js';

export interface LearnerExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface LearnerProcess {
  readonly pid: number;
  /** Resolves once the child has exited, whoever ended it. Never rejects. */
  readonly exited: Promise<LearnerExit>;
  /** True while the child has not exited. */
  readonly running: boolean;
  /** Sends a signal; false when the child has already exited. */
  kill(signal?: NodeJS.Signals): boolean;
  /** The last lines the child wrote (stdout and stderr interleaved), for a failure message. */
  outputTail(lines?: number): string;
}

export interface LearnerProcessOptions {
  /** Absolute path of the learner's module; it must export `main(args)`. */
  file: string;
  /** Passed to main as JSON: plain data only. */
  args: unknown;
  /** When it aborts, the child is killed with SIGKILL. */
  signal: AbortSignal;
  /** Extra environment variables for the child. */
  env?: Record<string, string>;
  /** Output lines kept for outputTail(). Default 200. */
  keepLines?: number;
}

const mainPath = join(projectRoot, 'workshop', 'lib', 'learner-main.ts');

export function startLearnerProcess(options: LearnerProcessOptions): LearnerProcess {
  const keepLines = options.keepLines ?? 200;
  const lines: string[] = [];
  // cwd is the project root so that `--import tsx` resolves from the project's node_modules.
  const child = spawn(process.execPath, ['--import', 'tsx', mainPath, options.file, JSON.stringify(options.args)], {
    cwd: projectRoot,
    env: { ...process.env, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  for (const stream of [child.stdout, child.stderr]) {
    let partial = '';
    stream.setEncoding('utf8');
    stream.on('data', (chunk: string) => {
      const parts = (partial + chunk).split('\n');
      partial = parts.pop() ?? '';
      lines.push(...parts);
      if (lines.length > keepLines) lines.splice(0, lines.length - keepLines);
    });
  }

  let running = true;
  const kill = () => child.kill('SIGKILL');
  const exited = new Promise<LearnerExit>((resolve) => {
    child.once('exit', (code, signal) => {
      running = false;
      options.signal.removeEventListener('abort', kill);
      resolve({ code, signal });
    });
    // A spawn that fails (no node binary) emits 'error' and never 'exit'.
    child.once('error', (error) => {
      if (!running) return;
      running = false;
      lines.push(`could not start the learner's process: ${error.message}`);
      options.signal.removeEventListener('abort', kill);
      resolve({ code: null, signal: null });
    });
  });
  if (options.signal.aborted) kill();
  else options.signal.addEventListener('abort', kill, { once: true });

  return {
    pid: child.pid ?? -1,
    exited,
    get running() {
      return running;
    },
    kill: (signal = 'SIGTERM') => running && child.kill(signal),
    outputTail: (count = 20) => lines.slice(-count).join('\n'),
  };
}
