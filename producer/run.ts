/**
 * The producer's main thread: checks the broker and topic, starts the producing threads, shows
 * progress, handles Ctrl-C and prints the report. Exit 0 only when every message was written.
 */
import { Worker } from 'node:worker_threads';
import kafkajs, { type Admin } from 'kafkajs';
import type { LogLevel } from '../shared/config.js';
import { ErrorCodes, ExitCodes, HarnessError, TopicNotFoundError, type ExitCode } from '../shared/errors.js';
import { connectClient, createKafka } from '../shared/kafka-client.js';
import { createRootLogger, shouldPrettyPrint, type Logger } from '../shared/logger.js';
import { distPath } from '../shared/paths.js';
import { installShutdown } from '../shared/shutdown.js';
import { userScoped } from '../shared/names.js';
import { ensureTopic, partitionCount } from '../shared/topics.js';
import { sendBytesFor, toProduceSettings } from './options.js';
import { createProgressView, type ProgressView } from './progress-bar.js';
import { buildReport, describeLosses, formatReport, hasLosses, type StopReason } from './report.js';
import { serializeError, toHarnessError } from './thread-errors.js';
import { collectReports, startingProgress, watchWorker, type ThreadsOutcome } from './thread-outcome.js';
import type { ProduceSettings, ProducerOptions, SerializedError, ThreadIdentity, ThreadProgress, WorkerInput } from './types.js';
import { WorkGate, nowMicros } from './work-gate.js';

const { ConfigResourceTypes } = kafkajs;

/** How long Ctrl-C waits for in-flight sends to be acknowledged before giving up on them. */
const stopGraceMs = 30_000;
/**
 * The shared shutdown forces exit 130 (no summary) only if giving up after stopGraceMs, which
 * prints the summary and exits 1, itself hangs.
 */
const forceAfterMs = stopGraceMs + 5_000;
/**
 * Each worker's young generation, MiB (V8 gives a worker up to 48 by default). Messages and KafkaJS
 * requests live only while a send is in flight, so a small nursery does the same work: measured with
 * 300,000 records, 23-26 µs of CPU per message either way, and a peak RSS of 275-290 MiB instead of
 * 335 MiB with two workers. A cap on the old generation would save more but halves throughput.
 */
const workerYoungGenerationMb = 8;

/** The topic's max.message.bytes, when the broker says (undefined: its default applies). */
async function topicMaxMessageBytes(admin: Admin, topic: string): Promise<number | undefined> {
  const { resources } = await admin.describeConfigs({
    includeSynonyms: false,
    resources: [{ type: ConfigResourceTypes.TOPIC, name: topic, configNames: ['max.message.bytes'] }],
  });
  const value = Number(resources[0]?.configEntries.find((entry) => entry.configName === 'max.message.bytes')?.configValue);
  return Number.isFinite(value) && value > 0 ? value : undefined;
}

/**
 * The topic's partition count and the bytes a send to it may carry (its max.message.bytes); a
 * missing topic is created with --create-topic, else an error.
 */
async function prepareTopic(options: ProducerOptions, log: Logger): Promise<{ partitions: number; maxSendBytes: number }> {
  const admin = createKafka({ clientId: userScoped(options.user, 'harness-producer-admin'), brokers: options.brokers, log }).admin();
  await connectClient(admin, options.brokers);
  try {
    const partitions = await preparePartitions(admin, options, log);
    const maxSendBytes = sendBytesFor(options.topic, await topicMaxMessageBytes(admin, options.topic), options.payloadBytes);
    return { partitions, maxSendBytes };
  } finally {
    await admin.disconnect();
  }
}

/** The topic's partition count; a missing topic is created with --create-topic, else an error. */
async function preparePartitions(admin: Admin, options: ProducerOptions, log: Logger): Promise<number> {
  const existing = await partitionCount(admin, options.topic);
  if (existing !== undefined) return existing;
  if (!options.createTopic) {
    throw new TopicNotFoundError(
      options.topic,
      `create it with --create-topic --partitions ${options.partitions}, or pick another with -t (npm run kafka:status lists them)`,
    );
  }
  const brokerCount = (await admin.describeCluster()).brokers.length;
  await ensureTopic(admin, { topic: options.topic, partitions: options.partitions, replicationFactor: Math.min(brokerCount, 3) }, log);
  return options.partitions;
}

/** What the producing threads are given and report to, however they run. */
interface ThreadsRun {
  threads: readonly ThreadIdentity[];
  /** The one settings object every thread gets, in a worker or on the main thread. */
  settings: ProduceSettings;
  /** The work gate's shared memory, and the main thread's own view of it. */
  gateBuffer: SharedArrayBuffer;
  gate: WorkGate;
  log: Logger;
  logLevel: LogLevel;
  view: ProgressView;
  onProgress: (progress: ThreadProgress) => void;
  outcome: ThreadsOutcome;
}

function runWorkerThreads(run: ThreadsRun): Promise<void> {
  const { settings, gate, view, outcome } = run;
  const running = run.threads.map((identity) => {
    const input: WorkerInput = {
      thread: identity,
      settings,
      gate: run.gateBuffer,
      logLevel: run.logLevel,
      prettyLogs: shouldPrettyPrint(),
      relayLogs: view.active,
    };
    const thread = new Worker(distPath('producer/worker.js'), { workerData: input, resourceLimits: { maxYoungGenerationSizeMb: workerYoungGenerationMb } });
    return watchWorker(thread, identity.worker, {
      onProgress: run.onProgress,
      onLog: (text) => view.printAbove(text),
      onReport: (report) => outcome.reports.set(identity.worker, report),
      onFatal: (error) => {
        outcome.fatal ??= error;
        gate.stop();
      },
    });
  });
  return Promise.all(running).then(() => undefined);
}

/** --workers 0: the producing loop runs in this thread (as one thread), sharing its event loop with the progress bar. */
async function runOnMainThread(run: ThreadsRun): Promise<void> {
  const { settings, gate, outcome } = run;
  const running = run.threads.map(async (identity) => {
    try {
      // Loaded only here: with worker threads the main thread never needs faker or the send loop.
      const { produceFromThread } = await import('./produce-loop.js');
      outcome.reports.set(identity.worker, await produceFromThread(identity, settings, gate, run.log, run.onProgress));
    } catch (error) {
      outcome.fatal ??= serializeError(error, settings.brokers);
      gate.stop();
    }
  });
  await Promise.all(running);
}

export async function runProducer(options: ProducerOptions, rootLog: Logger, logLevel: LogLevel): Promise<ExitCode> {
  const { partitions, maxSendBytes } = await prepareTopic(options, rootLog);
  const threads: ThreadIdentity[] = Array.from({ length: Math.max(options.workers, 1) }, (_, worker) => ({
    worker,
    producer: userScoped(options.user, `harness-${process.pid}-w${worker}`),
  }));
  const settings = toProduceSettings(options, partitions, threads.length, maxSendBytes);
  const gateBuffer = WorkGate.createBuffer();
  const gate = new WorkGate(gateBuffer, settings);
  const view: ProgressView = createProgressView(options.count, !options.quiet, options.acks === '0' ? 'written' : 'acknowledged');
  // While the bar shows, every log line must be printed above it rather than across it.
  const log = view.active ? createRootLogger({ level: logLevel, stream: view.logStream() }).child({ component: 'producer' }) : rootLog;
  // Announced here, with the grace this run gives in-flight sends rather than the backstop's.
  const shutdown = installShutdown({ log, graceMs: forceAfterMs, announce: false });
  shutdown.signal.addEventListener('abort', () => {
    log.info({ signal: shutdown.signal.reason, graceMs: stopGraceMs }, 'stopping: finishing in-flight work (press Ctrl-C again to force)');
    gate.stop();
  });

  const lastProgress = new Map<number, ThreadProgress>(threads.map((thread) => [thread.worker, startingProgress(thread)]));
  const onProgress = (progress: ThreadProgress): void => {
    lastProgress.set(progress.worker, progress);
    let written = 0;
    let failed = 0;
    for (const entry of lastProgress.values()) {
      written += entry.written;
      failed += entry.failed;
    }
    view.update(written, failed);
  };

  log.info(
    {
      topic: options.topic,
      partitions,
      count: options.count || 'until stopped',
      workers: options.workers,
      tasks: options.tasks,
      rate: options.ratePerSecond ?? 'unlimited',
      key: options.key,
    },
    'producing',
  );
  const outcome: ThreadsOutcome = { reports: new Map(), fatal: undefined };
  let graceTimer: NodeJS.Timeout | undefined;
  const graceOver = new Promise<'grace over'>((resolve) => {
    shutdown.signal.addEventListener('abort', () => (graceTimer = setTimeout(() => resolve('grace over'), stopGraceMs)), { once: true });
  });
  let ending: 'finished' | 'grace over';
  try {
    const run: ThreadsRun = { threads, settings, gateBuffer, gate, log, logLevel, view, onProgress, outcome };
    const running = options.workers === 0 ? runOnMainThread(run) : runWorkerThreads(run);
    ending = await Promise.race([running.then(() => 'finished' as const), graceOver]);
  } finally {
    clearTimeout(graceTimer);
    view.stop();
    shutdown.dispose();
  }
  const endedAt = nowMicros();

  // A thread without a report (it crashed, or is still waiting for the broker) counts by its last progress.
  const reports = collectReports(threads, outcome, lastProgress);
  const sent = reports.reduce((sum, report) => sum + report.sent, 0);
  // Nothing went out (the broker refused the connection, say): the error alone says it best.
  if (outcome.fatal && sent === 0) throw toHarnessError(outcome.fatal);

  const written = reports.reduce((sum, report) => sum + report.written, 0);
  const failed = reports.some((report) => report.failed > 0);
  const stoppedBy: StopReason =
    outcome.fatal || failed ? 'failure' : shutdown.requested ? 'signal' : options.count > 0 && written >= options.count ? 'count' : 'duration';
  const gaveUp: SerializedError | undefined =
    ending === 'grace over'
      ? { code: ErrorCodes.deliveryFailed, message: `stopped waiting for the broker ${stopGraceMs / 1000} s after the stop request` }
      : undefined;
  const elapsedMs = gate.startedAtMicros > 0 ? (endedAt - gate.startedAtMicros) / 1000 : 0;
  const report = buildReport({ topic: options.topic, acks: options.acks, threads: reports, elapsedMs, stoppedBy, error: outcome.fatal ?? gaveUp });
  console.log(options.json ? JSON.stringify(report) : formatReport(report));

  if (hasLosses(report))
    throw new HarnessError(ErrorCodes.deliveryFailed, describeLosses(report), { topic: options.topic, failed: report.failed, unconfirmed: report.unconfirmed });
  return ExitCodes.ok;
}
