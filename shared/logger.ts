/**
 * The one pino root. Logs always go to stderr, so stdout stays free for data (JSON Lines, --json
 * reports). On a terminal they are pretty-printed; anywhere else (CI, pipes, files) they are JSON.
 */
import { pino, type Logger } from 'pino';
import pretty from 'pino-pretty';
import { settings, type LogLevel } from './config.js';

export type { Logger } from 'pino';

export interface RootLoggerOptions {
  level?: LogLevel;
  /** Pretty output; defaults to whether stderr is a terminal (workers must be told: theirs never is). */
  pretty?: boolean;
  /** Fields on every line, e.g. `{ childIndex: 2 }`. */
  base?: Record<string, unknown>;
  /** Where lines go instead of stderr, e.g. up to a parent process that owns the terminal. */
  stream?: NodeJS.WritableStream;
}

export function shouldPrettyPrint(): boolean {
  const { logFormat } = settings();
  return logFormat === 'auto' ? process.stderr.isTTY === true : logFormat === 'pretty';
}

export function createRootLogger(options: RootLoggerOptions = {}): Logger {
  const level = options.level ?? settings().logLevel;
  const base = { pid: process.pid, ...options.base };
  // Synchronous writes: a CLI that exits right after logging an error must not lose that line.
  const prettyPrint = options.pretty ?? shouldPrettyPrint();
  const destination = prettyPrint
    ? pretty({ destination: options.stream ?? 2, sync: true, colorize: true, singleLine: true, ignore: 'pid,hostname', translateTime: 'HH:MM:ss.l' })
    : (options.stream ?? pino.destination({ fd: 2, sync: true }));
  return pino({ level, base }, destination);
}

let root: Logger | undefined;

/** A child of the process-wide root, one per component: `getLogger('producer', { worker: 1 })`. */
export function getLogger(component: string, bindings: Record<string, unknown> = {}): Logger {
  root ??= createRootLogger();
  return root.child({ component, ...bindings });
}

/** Replace the process-wide root, e.g. with `-v`/`-q` applied or inside a worker thread. */
export function setRootLogger(logger: Logger): void {
  root = logger;
}
