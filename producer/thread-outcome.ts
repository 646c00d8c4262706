/**
 * How the main thread follows its producing threads: each ends with its report, or with the error
 * that stopped it, and then counts by its last progress.
 */
import type { EventEmitter } from 'node:events';
import { ErrorCodes } from '../shared/errors.js';
import { reportFromProgress } from './report.js';
import type { SerializedError, ThreadIdentity, ThreadProgress, ThreadReport, WorkerOutput } from './types.js';

/** What the producing threads handed back; filled in as they end. */
export interface ThreadsOutcome {
  reports: Map<number, ThreadReport>;
  /** The first error that ended a thread without a report (a failed send is in the reports instead). */
  fatal: SerializedError | undefined;
}

export interface WorkerEvents {
  onProgress(progress: ThreadProgress): void;
  /** A log line the worker relays (when the main thread shows a progress bar). */
  onLog(text: string): void;
  onReport(report: ThreadReport): void;
  onFatal(error: SerializedError): void;
}

/**
 * Follows one worker thread until it exits. Exiting without a report or an error (process.exit()
 * in the worker, an event loop that ran dry) is a failure too.
 */
export function watchWorker(thread: EventEmitter, worker: number, events: WorkerEvents): Promise<void> {
  return new Promise((resolve) => {
    let ended = false;
    thread.on('message', (message: WorkerOutput) => {
      if (message.type === 'progress') return events.onProgress(message.progress);
      if (message.type === 'log') return events.onLog(message.text);
      ended = true;
      if (message.type === 'done') events.onReport(message.report);
      else events.onFatal(message.error);
    });
    thread.once('error', (error: Error) => {
      ended = true;
      events.onFatal({ code: ErrorCodes.runtime, message: `worker ${worker} crashed: ${error.message}` });
    });
    thread.once('exit', (exitCode: number) => {
      if (!ended) events.onFatal({ code: ErrorCodes.runtime, message: `worker ${worker} exited (code ${exitCode}) without a report` });
      resolve();
    });
  });
}

/** A thread's progress before it sent anything, so one that dies before its first message still shows. */
export function startingProgress(thread: ThreadIdentity): ThreadProgress {
  return { ...thread, sent: 0, written: 0, failed: 0, bytes: 0, perPartition: {} };
}

/** One report per thread: its own, else one made from its last progress. */
export function collectReports(threads: readonly ThreadIdentity[], outcome: ThreadsOutcome, lastProgress: ReadonlyMap<number, ThreadProgress>): ThreadReport[] {
  return threads.map((thread) => outcome.reports.get(thread.worker) ?? reportFromProgress(lastProgress.get(thread.worker) ?? startingProgress(thread)));
}
