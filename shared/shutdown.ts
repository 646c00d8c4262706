/**
 * Graceful stop on the first SIGINT/SIGTERM, forced stop on the second or when the deadline passes.
 * The handlers only abort a signal; the loops that own the work see it, finish their in-flight
 * batch, commit and disconnect.
 */
import { ExitCodes, InterruptedError } from './errors.js';
import type { Logger } from './logger.js';

export interface ShutdownOptions {
  log: Logger;
  /** How long a graceful stop may take before the process is forced out (ms). */
  graceMs: number;
  /** Called just before a forced exit, e.g. to SIGKILL child processes. Must be synchronous. */
  onForce?: () => void;
  /** Say how to force a stop when the first signal arrives (default true). */
  announce?: boolean;
}

export interface Shutdown {
  /** Aborted when a stop is requested; its `reason` says why. */
  readonly signal: AbortSignal;
  readonly requested: boolean;
  /** Resolves with the reason once a stop is requested. */
  readonly whenRequested: Promise<string>;
  /** Ask for a graceful stop from code (e.g. --duration elapsed). */
  requestStop(reason: string): void;
  /** Removes the signal handlers and clears the deadline: call once the work has stopped. */
  dispose(): void;
}

/**
 * `npm run` forwards the terminal's SIGINT to the script it runs, which also gets it from the
 * terminal itself: one Ctrl-C can arrive twice within a few milliseconds. Only a signal after this
 * window counts as the second, forcing one.
 */
const duplicateSignalWindowMs = 300;

const stopSignals = ['SIGINT', 'SIGTERM'] as const;

export function installShutdown(options: ShutdownOptions): Shutdown {
  const { log, graceMs, onForce, announce = true } = options;
  const controller = new AbortController();
  let firstSignalAt = 0;
  let deadline: NodeJS.Timeout | undefined;
  let resolveRequested: (reason: string) => void = () => {};
  const whenRequested = new Promise<string>((resolve) => (resolveRequested = resolve));

  const force = (why: string): void => {
    log.warn({ why }, 'forced stop: in-flight work is abandoned');
    onForce?.();
    process.exit(ExitCodes.interrupted);
  };

  const requestStop = (reason: string): void => {
    if (controller.signal.aborted) return;
    controller.abort(reason);
    resolveRequested(reason);
    deadline = setTimeout(() => force(`still busy ${graceMs} ms after the stop request`), graceMs);
    deadline.unref();
  };

  const onSignal = (name: NodeJS.Signals): void => {
    if (!controller.signal.aborted) {
      firstSignalAt = Date.now();
      if (announce) log.info({ signal: name, graceMs }, 'stopping: finishing in-flight work (press Ctrl-C again to force)');
      requestStop(name);
      return;
    }
    if (firstSignalAt > 0 && Date.now() - firstSignalAt < duplicateSignalWindowMs) return;
    force(`second ${name}`);
  };

  for (const name of stopSignals) process.on(name, onSignal);

  return {
    signal: controller.signal,
    get requested() {
      return controller.signal.aborted;
    },
    whenRequested,
    requestStop,
    dispose() {
      for (const name of stopSignals) process.off(name, onSignal);
      clearTimeout(deadline);
    },
  };
}

/**
 * Rejects with an InterruptedError once a stop is requested. Race it with work that holds nothing
 * worth finishing (a status query, waiting for records to arrive):
 * `await Promise.race([work, rejectWhenStopped(shutdown, 'reading the orders back')])`.
 */
export function rejectWhenStopped(shutdown: Shutdown, doing: string): Promise<never> {
  return shutdown.whenRequested.then((reason) => {
    throw new InterruptedError(`interrupted (${reason}) while ${doing}`);
  });
}
