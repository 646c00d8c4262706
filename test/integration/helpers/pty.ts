/**
 * Runs a CLI on a real pseudo-terminal, through util-linux `script`, so that it takes its terminal
 * path (live tables, redraws in place) exactly as it does for a person; Ctrl-C is typed, not sent.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { onTestFinished } from 'vitest';
import { projectRoot } from '../../../shared/paths.js';
import { shouldRunWith } from './tools.js';

/** Whether the terminal tests can run here (util-linux's script; loud when they are skipped). */
export const ptyAvailable = (): boolean => shouldRunWith('script', 'apt install util-linux', ['--version']);

export interface PtyCli {
  /** Everything the terminal received so far, escape sequences and all. */
  readonly output: string;
  /** The terminal's text without escape sequences and carriage returns, line by line. */
  lines(): string[];
  /** Types Ctrl-C: the terminal sends SIGINT to the whole foreground process group, children included. */
  ctrlC(): void;
  exited: Promise<{ code: number | null; output: string }>;
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: terminal escape sequences are what this matches
const escapeSequence = /\x1b\[[0-9;?]*[A-Za-z]/g;

/** The sequence that moves the cursor up N lines: the mark of a view redrawn in place rather than scrolled. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: a terminal escape sequence is what this matches
export const cursorUp = /\x1b\[\d+A/;

const quote = (text: string): string => `'${text.replace(/'/g, `'\\''`)}'`;

/** Starts `node dist/<script>` on a 200×60 terminal; killed if the test ends first. */
export function startInPty(script: string, args: readonly string[]): PtyCli {
  // A fixed size: without one, the pty of a headless run is 0×0, and what fits would depend on the machine.
  const command = `stty cols 200 rows 60; exec ${[process.execPath, join(projectRoot, 'dist', script), ...args].map(quote).join(' ')}`;
  const child = spawn('script', ['--quiet', '--flush', '--return', '--command', command, '/dev/null'], {
    cwd: projectRoot,
    env: { ...process.env, LOG_FORMAT: 'json', FORCE_COLOR: '0' },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<{ code: number | null; output: string }>((resolve) => child.once('close', (code) => resolve({ code, output })));
  onTestFinished(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  return {
    get output() {
      return output;
    },
    lines: () => output.replace(escapeSequence, '').replace(/\r/g, '').split('\n'),
    ctrlC: () => child.stdin.write('\x03'),
    exited,
  };
}
