/** A producer worker thread: runs one producing loop and reports to the main thread. */
import { Writable } from 'node:stream';
import { parentPort, workerData } from 'node:worker_threads';
import { useCommandConfig } from '../shared/config.js';
import { createRootLogger, setRootLogger } from '../shared/logger.js';
import { produceFromThread } from './produce-loop.js';
import { serializeError } from './thread-errors.js';
import type { WorkerInput, WorkerOutput } from './types.js';
import { WorkGate } from './work-gate.js';

const input = workerData as WorkerInput;
const port = parentPort;
// Only run.ts starts this file, as a worker; run directly there would be nobody to report to.
if (port === null) throw new Error('producer/worker.js runs only as a worker thread started by producer/run.js');
const send = (output: WorkerOutput): void => port.postMessage(output);
// A worker's stderr is never a terminal, so the main thread says whether to pretty-print, and
// whether to hand it the lines to print above its progress bar.
const relay = new Writable({
  write(chunk: Buffer, _encoding, done) {
    send({ type: 'log', text: chunk.toString() });
    done();
  },
});
const log = createRootLogger({
  level: input.logLevel,
  pretty: input.prettyLogs,
  base: { worker: input.thread.worker },
  ...(input.relayLogs ? { stream: relay } : {}),
}).child({
  component: 'producer',
});
setRootLogger(log);

const { settings } = input;
// The main thread's --command-config, read here: its secrets never cross the thread boundary.
useCommandConfig(settings.commandConfig);
const gate = new WorkGate(input.gate, settings);
try {
  const report = await produceFromThread(input.thread, settings, gate, log, (progress) => send({ type: 'progress', progress }));
  send({ type: 'done', report });
} catch (error) {
  gate.stop();
  send({ type: 'fatal', error: serializeError(error, settings.brokers) });
}
