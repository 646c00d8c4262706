import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { collectReports, watchWorker, type ThreadsOutcome } from '../../../producer/thread-outcome.js';
import type { SerializedError, ThreadProgress, ThreadReport, WorkerOutput } from '../../../producer/types.js';

/** A worker thread as the main thread sees it: only its events (a real one can't be made to crash on cue). */
function watched() {
  const thread = new EventEmitter();
  const seen = { progress: [] as ThreadProgress[], logs: [] as string[], reports: [] as ThreadReport[], fatal: [] as SerializedError[] };
  const ended = watchWorker(thread, 1, {
    onProgress: (progress) => seen.progress.push(progress),
    onLog: (text) => seen.logs.push(text),
    onReport: (report) => seen.reports.push(report),
    onFatal: (error) => seen.fatal.push(error),
  });
  return { thread, seen, ended };
}

const progress: ThreadProgress = { worker: 1, producer: 'p-w1', sent: 1_500, written: 1_000, failed: 0, bytes: 500_000, perPartition: { 0: 1_000 } };

describe('watchWorker', () => {
  it('passes progress and log lines on, and takes the report', async () => {
    const { thread, seen, ended } = watched();
    thread.emit('message', { type: 'progress', progress } satisfies WorkerOutput);
    thread.emit('message', { type: 'log', text: 'a relayed line\n' } satisfies WorkerOutput);
    const report: ThreadReport = { ...progress, sent: 1_000, latencyHistogram: '', firstError: undefined };
    thread.emit('message', { type: 'done', report } satisfies WorkerOutput);
    thread.emit('exit', 0);
    await ended;
    expect(seen).toEqual({ progress: [progress], logs: ['a relayed line\n'], reports: [report], fatal: [] });
  });

  it('reports a crash by the worker it happened in', async () => {
    const { thread, seen, ended } = watched();
    thread.emit('error', new Error('boom'));
    thread.emit('exit', 1);
    await ended;
    expect(seen.fatal).toEqual([{ code: 'RUNTIME', message: 'worker 1 crashed: boom' }]);
  });

  it('treats an exit without a report or an error as a failure, whatever its code', async () => {
    for (const exitCode of [1, 0]) {
      const { thread, seen, ended } = watched();
      thread.emit('exit', exitCode);
      await ended;
      expect(seen.fatal).toEqual([{ code: 'RUNTIME', message: `worker 1 exited (code ${exitCode}) without a report` }]);
    }
  });
});

describe('collectReports', () => {
  it('counts a thread without a report by its last progress, and one that never reported as zero', () => {
    const threads = [0, 1, 2].map((worker) => ({ worker, producer: `p-w${worker}` }));
    const own: ThreadReport = {
      worker: 0,
      producer: 'p-w0',
      sent: 10,
      written: 10,
      failed: 0,
      bytes: 5_000,
      perPartition: { 0: 10 },
      latencyHistogram: '',
      firstError: undefined,
    };
    const outcome: ThreadsOutcome = { reports: new Map([[0, own]]), fatal: { code: 'RUNTIME', message: 'worker 1 crashed: boom' } };
    const reports = collectReports(threads, outcome, new Map([[1, progress]]));
    expect(reports[0]).toBe(own);
    expect(reports[1]).toMatchObject({ producer: 'p-w1', sent: 1_500, written: 1_000, perPartition: { 0: 1_000 } });
    expect(reports[2]).toMatchObject({ producer: 'p-w2', sent: 0, written: 0 });
  });
});
