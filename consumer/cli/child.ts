/**
 * One consumer child process: owns its slice of the partitions, reports stats to the parent over
 * IPC, and stops cleanly on the parent's word, on SIGINT/SIGTERM, or when the parent disappears.
 */
import { useCommandConfig } from '../../shared/config.js';
import { messageOf } from '../../shared/errors.js';
import { createRootLogger, setRootLogger, type Logger } from '../../shared/logger.js';
import { installShutdown } from '../../shared/shutdown.js';
import type { MessageHandler } from '../engine/batch-processor.js';
import { FinishReasons, type Finish, type MessageBudget } from '../engine/partition-consumer.js';
import { createPipeline, SinkTypes } from '../engine/pipeline.js';
import { relayToParent } from './live-table.js';
import type { ChildConfig, ChildMessage, ParentMessage } from './types.js';

/** A graceful stop must finish well inside the parent's own deadline. */
const stopGraceMs = 25_000;

function send(message: ChildMessage): Promise<void> {
  return new Promise((resolve) => {
    if (!process.connected || !process.send) return resolve();
    process.send(message, undefined, undefined, () => resolve());
  });
}

/** --fail-rate: fails that share of handler calls, so retries and dead letters can be watched. */
function flakyHandler(rate: number): MessageHandler | undefined {
  if (rate <= 0) return undefined;
  return () => {
    if (Math.random() < rate) throw new Error(`simulated failure (--fail-rate ${rate})`);
  };
}

/** -c: the parent's CountBudget, asked over IPC. */
class IpcBudget implements MessageBudget {
  #nextId = 0;
  readonly #pending = new Map<number, (granted: number) => void>();

  take(wanted: number): Promise<number> {
    // Without a parent there is nobody to grant anything: the child is stopping anyway.
    if (!process.connected) return Promise.resolve(0);
    const id = this.#nextId++;
    return new Promise((resolve) => {
      this.#pending.set(id, resolve);
      void send({ type: 'budget', id, wanted });
    });
  }

  settle(granted: number, used: number): void {
    if (granted > 0) void send({ type: 'budget-settle', granted, used });
  }

  grant(id: number, granted: number): void {
    this.#pending.get(id)?.(granted);
    this.#pending.delete(id);
  }

  /** The parent is gone: every waiting request gets nothing. */
  refuseAll(): void {
    for (const resolve of this.#pending.values()) resolve(0);
    this.#pending.clear();
  }
}

/**
 * Tells the parent this child is ready to join the group and waits for its word, so that the
 * children join in one generation instead of each making the others rebalance. A stop, or the
 * parent's disappearance, ends the wait too.
 */
function waitForJoin(signal: AbortSignal): Promise<void> {
  return askParent({ type: 'ready' }, 'join', signal);
}

/**
 * With -e: tells the parent every partition of this child is at its end and waits for its word to
 * leave, so that no child leaves (and makes the others rebalance) while another still reads.
 */
function waitToLeave(signal: AbortSignal): Promise<void> {
  return askParent({ type: 'at-end' }, 'leave', signal);
}

/** Sends `message` and resolves on the parent's `answer`, on a stop, or once the parent is gone. */
function askParent(message: ChildMessage, answer: ParentMessage['type'], signal: AbortSignal): Promise<void> {
  if (!process.connected || signal.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const done = (): void => {
      process.off('message', onMessage);
      process.off('disconnect', done);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const onMessage = (reply: ParentMessage): void => {
      if (reply.type === answer) done();
    };
    process.on('message', onMessage);
    process.once('disconnect', done);
    signal.addEventListener('abort', done, { once: true });
    void send(message);
  });
}

async function run(config: ChildConfig, budget: IpcBudget, log: Logger): Promise<Finish> {
  // The parent's --command-config, read here: its secrets never cross the IPC channel.
  useCommandConfig(config.pipeline.commandConfig);
  const shutdown = installShutdown({ log, graceMs: stopGraceMs, announce: false });
  const pipeline = createPipeline({
    ...config.pipeline,
    log,
    handler: flakyHandler(config.failRate),
    budget: config.counted ? budget : undefined,
    signal: shutdown.signal,
    beforeJoin: () => waitForJoin(shutdown.signal),
    atEnd: () => waitToLeave(shutdown.signal),
  });
  const { stats } = pipeline;

  const report = () => ({
    index: config.index,
    pid: process.pid,
    partitions: [...pipeline.assigned],
    positions: [...pipeline.positions].map(([partition, offset]): [number, string] => [partition, offset.toString()]),
    stats: stats.snapshot(),
  });
  const ticker = setInterval(() => void send({ type: 'stats', ...report() }), config.statsIntervalMs);
  ticker.unref();
  shutdown.signal.addEventListener('abort', () => void pipeline.stop(FinishReasons.stopped));
  // `npm run consume | head`: the reader is gone, which is a reason to stop, not to crash.
  if (config.pipeline.sinks.some((sink) => sink.type === SinkTypes.stdout)) {
    process.stdout.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'EPIPE') shutdown.requestStop('stdout closed');
    });
  }
  // The parent is gone (killed, or crashed): stop cleanly rather than run on as an orphan.
  process.once('disconnect', () => shutdown.requestStop('parent disconnected'));
  process.on('message', (message: ParentMessage) => {
    if (message.type === 'stop') shutdown.requestStop('parent asked');
  });

  let finish: Finish;
  try {
    await pipeline.start();
    finish = await pipeline.finished;
    if (finish.reason === FinishReasons.crashed) await pipeline.stop(FinishReasons.crashed);
  } catch (error) {
    finish = { reason: FinishReasons.crashed, error: messageOf(error) };
    await pipeline.stop(FinishReasons.crashed);
  } finally {
    clearInterval(ticker);
    shutdown.dispose();
  }
  await send({
    type: 'finished',
    reason: finish.reason,
    ...(finish.error ? { error: finish.error } : {}),
    ...(finish.fatal ? { fatal: true } : {}),
    endToEnd: stats.endToEndEncoded(),
    ...report(),
  });
  return finish;
}

const budget = new IpcBudget();
process.on('message', (message: ParentMessage) => {
  if (message.type === 'budget') budget.grant(message.id, message.granted);
});
process.once('disconnect', () => budget.refuseAll());
process.once('message', (message: ParentMessage) => {
  if (message.type !== 'start') return;
  const { config } = message;
  const log = createRootLogger({
    level: config.logLevel,
    pretty: config.prettyLogs,
    base: { child: config.index },
    ...(config.relayLogs ? { stream: relayToParent() } : {}),
  }).child({ component: 'consumer' });
  setRootLogger(log);
  run(config, budget, log).then(
    (finish) => {
      // The parent reports a crash; exit 2 tells it that restarting would not help.
      process.exit(finish.fatal ? 2 : finish.reason === FinishReasons.crashed ? 1 : 0);
    },
    (error: unknown) => {
      log.error({ err: error }, 'consumer failed');
      process.exit(1);
    },
  );
});
