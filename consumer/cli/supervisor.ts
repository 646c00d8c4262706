/**
 * The parent of `npm run consume`: splits the partitions, forks one child per slice, restarts a child
 * that crashes (same partitions, growing backoff, giving up after repeated crashes), shows the
 * children's stats, and on Ctrl-C has every child finish its batch, commit and exit before it prints
 * the summary.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';
import type { LogLevel } from '../../shared/config.js';
import { ErrorCodes, ExitCodes, HarnessError, TopicNotFoundError, UsageError, type ExitCode } from '../../shared/errors.js';
import { connectClient, createKafka } from '../../shared/kafka-client.js';
import { createRootLogger, shouldPrettyPrint, type Logger } from '../../shared/logger.js';
import { distPath } from '../../shared/paths.js';
import { installShutdown } from '../../shared/shutdown.js';
import { userScoped } from '../../shared/names.js';
import { ensureTopic, partitionCount } from '../../shared/topics.js';
import { DeadLetterModes, deadLetterTopicOf } from '../engine/dead-letter.js';
import { LiveTable } from './live-table.js';
import { CountBudget } from './count-budget.js';
import { commitGroupOffsets } from '../engine/group-offsets.js';
import type { ConsumerOptions } from './options.js';
import { fetchEndOffsets, FinishReasons, type Assignment, type FinishReason } from '../engine/partition-consumer.js';
import { encodeEndOffsets, SinkTypes, type DeadLetterDefinition, type PipelineSettings, type SinkDefinition } from '../engine/pipeline.js';
import { parsePartitionSlices, slicePartitions } from './partition-slices.js';
import { buildConsumeReport, formatChildTable, formatConsumeReport, type ChildView } from './summary.js';
import { addSnapshots, type StatsSnapshot } from '../engine/stats.js';
import { ChildStates, describeChildState, isSettled, type ChildState } from './child-state.js';
import {
  buildPartitionMap,
  EventLog,
  formatPartitionMap,
  OwnershipTracker,
  type ChildPartitions,
  type Ownership,
  type PolledOffsets,
} from './partition-map.js';
import { describePoll, Poller, withAdmin } from './poller.js';
import type { ChildConfig, ChildMessage, ParentMessage } from './types.js';

/** Children get this long to finish after Ctrl-C before the parent kills them. */
const stopGraceMs = 30_000;
const maxConsecutiveCrashes = 5;
/** A child that ran this long before crashing starts a fresh crash count. */
const healthyRunMs = 60_000;
/** The partition map's commits and log ends are read at most this often. */
const offsetsPollMs = 1_000;
/** The longest the children that are ready wait for the others before joining the group anyway. */
const joinHoldMs = 10_000;

interface Plan {
  partitionCount: number;
  assignments: Assignment[];
  endOffsets: Map<number, bigint> | undefined;
}

/** How many children the plan will most likely want, so that they can be forked before it is made. */
function expectedChildren(options: ConsumerOptions): number {
  if (options.partitionSlices) return options.partitionSlices.split(';').length;
  return options.processes ?? 3;
}

async function plan(options: ConsumerOptions, log: Logger): Promise<Plan> {
  const kafka = createKafka({ clientId: userScoped(options.user, 'harness-consume-admin'), brokers: options.brokers, log });
  const admin = kafka.admin();
  await connectClient(admin, options.brokers);
  try {
    const count = await partitionCount(admin, options.topic);
    if (count === undefined) throw new TopicNotFoundError(options.topic, 'produce to it first (npm run produce -- --create-topic), or pick another with -t');
    const all = Array.from({ length: count }, (_, partition) => partition);

    let assignments: Assignment[];
    if (options.assign === 'group') {
      assignments = Array.from({ length: options.processes ?? Math.min(count, 3) }, () => ({ mode: 'group' }));
    } else {
      const slices = options.partitionSlices
        ? parsePartitionSlices(options.partitionSlices, count)
        : slicePartitions(all, options.processes ?? Math.min(count, 3));
      if (options.partitionSlices && options.processes !== undefined && options.processes !== slices.length) {
        throw new UsageError(`--partitions lists ${slices.length} slices but --processes is ${options.processes}: drop -p, the slices decide`);
      }
      if (slices.some((slice) => slice.length === 0)) {
        throw new UsageError(`${slices.length} processes for ${count} partitions leaves a child with nothing: use -p ${count} or fewer, or --assign group`);
      }
      assignments = slices.map((partitions) => ({ mode: 'static', partitions, members: slices.length }));
    }

    if (options.offset.kind !== 'stored') await commitGroupOffsets(kafka, admin, options.groupId, options.topic, options.offset);
    if (options.dlq === 'topic') {
      const brokers = (await admin.describeCluster()).brokers.length;
      await ensureTopic(admin, { topic: deadLetterTopicOf(options.topic), partitions: 1, replicationFactor: Math.min(brokers, 3) }, log);
    }
    const endOffsets = options.exitAtEnd ? await fetchEndOffsets(admin, options.topic) : undefined;
    return { partitionCount: count, assignments, endOffsets };
  } finally {
    await admin.disconnect();
  }
}

/** Child i's sink: consumer-<i>.jsonl in --out-dir, or the one stream or counter they share. */
function sinkOf(options: ConsumerOptions, index: number): SinkDefinition {
  switch (options.sink) {
    case SinkTypes.file:
      return { type: SinkTypes.file, path: resolve(options.outDir ?? '.', `consumer-${index}.jsonl`) };
    case SinkTypes.stdout:
    case SinkTypes.none:
      return { type: options.sink };
  }
}

/** Child i's dead letters: the topic's .dlq topic, dlq-<i>.jsonl beside the output, or none. */
function deadLettersOf(options: ConsumerOptions, index: number): DeadLetterDefinition {
  switch (options.dlq) {
    case DeadLetterModes.topic:
      return { mode: DeadLetterModes.topic, topic: deadLetterTopicOf(options.topic) };
    case DeadLetterModes.file:
      return { mode: DeadLetterModes.file, path: resolve(options.outDir ?? '.', `dlq-${index}.jsonl`) };
    case DeadLetterModes.none:
      return { mode: DeadLetterModes.none };
  }
}

/** Everything child i's pipeline does, built once here and sent whole to the child. */
export function childPipeline(options: ConsumerOptions, index: number, assignment: Assignment, endOffsets: Map<number, bigint> | undefined): PipelineSettings {
  return {
    clientId: userScoped(options.user, `harness-consumer-${index}`),
    brokers: options.brokers,
    commandConfig: options.commandConfig,
    topic: options.topic,
    groupId: options.groupId,
    assignment,
    processing: options.processing,
    sinks: [sinkOf(options, index)],
    deadLetters: deadLettersOf(options, index),
    endOffsets: endOffsets ? encodeEndOffsets(endOffsets) : undefined,
  };
}

class ChildSlot implements ChildView {
  readonly index: number;
  readonly config: ChildConfig;
  pid: number | undefined;
  partitions: readonly number[];
  restarts = 0;
  state: ChildState = ChildStates.starting;
  restartDelayMs: number | undefined;
  stats: ChildView['stats'];
  endToEnd: string | undefined;
  process: ChildProcess | undefined;
  finished: FinishReason | undefined;
  lastError: string | undefined;
  crashesInARow = 0;
  startedAt = 0;
  /** Pending restart after a crash; it keeps the parent alive while the other children may be done. */
  restartTimer: NodeJS.Timeout | undefined;
  /** -c permission granted to the running child and not yet settled. */
  budgetOut = 0;
  /** What the child's earlier runs did, before it crashed and was restarted. */
  earlierRuns: StatsSnapshot | undefined;
  /** The pid of the running process once it has reported; undefined before its first report and after it exits. */
  reportedPid: number | undefined;
  /** The partitions the running process said it owns in its last report (none before it has joined). */
  reportedPartitions: readonly number[] = [];
  /** Its next offset to process per partition, from its last report. */
  positions = new Map<number, bigint>();

  constructor(config: ChildConfig) {
    this.index = config.index;
    this.config = config;
    const { assignment } = config.pipeline;
    this.partitions = assignment.mode === 'static' ? assignment.partitions : [];
  }

  /** Moves to `state`; only a restart has a delay. */
  enter(state: ChildState, restartDelayMs?: number): void {
    this.state = state;
    this.restartDelayMs = restartDelayMs;
  }
}

/** The group's commits and the log ends for the partition map, read through an admin client of the parent's. */
function offsetsReader(options: ConsumerOptions, log: Logger) {
  // Failures show in the map's status line; KafkaJS's own retry logs would only push the table around.
  const quiet = log.child({ component: 'consume-offsets' }, { level: 'silent' });
  return withAdmin(
    () => createKafka({ clientId: userScoped(options.user, 'harness-consume-admin'), brokers: options.brokers, log: quiet }).admin(),
    options.brokers,
    async (admin): Promise<PolledOffsets> => {
      // Commits first, then ends: a commit landing in between can only overstate the lag, never make it negative.
      const committed = await admin.fetchOffsets({ groupId: options.groupId, topics: [options.topic] });
      const ends = await admin.fetchTopicOffsets(options.topic);
      return {
        committed: new Map(
          committed.flatMap(({ partitions }) =>
            partitions.filter(({ offset }) => offset !== '-1').map(({ partition, offset }) => [partition, BigInt(offset)] as const),
          ),
        ),
        ends: new Map(ends.map(({ partition, high }) => [partition, BigInt(high)] as const)),
      };
    },
  );
}

/** What the partition map needs of a slot: a child that has reported partitions speaks for itself, else the parent's expectation does. */
function partitionsOf(slot: ChildSlot): ChildPartitions {
  const reporting = slot.process !== undefined && slot.reportedPartitions.length > 0;
  return {
    index: slot.index,
    pid: slot.pid,
    reporting,
    state: slot.process ? 'joining' : describeChildState(slot.state, slot.restartDelayMs),
    partitions: reporting ? slot.reportedPartitions : slot.partitions,
    positions: slot.positions,
  };
}

/** Who owns what, for the ownership events: the children that run and have reported under their current pid. */
function ownershipOf(slots: readonly ChildSlot[]): Map<number, Ownership> {
  const owned = new Map<number, Ownership>();
  for (const slot of slots) {
    if (slot.process !== undefined && slot.reportedPid !== undefined) owned.set(slot.index, { pid: slot.reportedPid, partitions: slot.reportedPartitions });
  }
  return owned;
}

export async function runSupervisor(options: ConsumerOptions, rootLog: Logger, logLevel: LogLevel): Promise<ExitCode> {
  // A child takes longer to start (Node, then KafkaJS, pino, zod…) than the plan takes to read the
  // topic: the first children are forked now and wait for their start message meanwhile.
  const forkChild = (): ChildProcess => fork(distPath('consumer/cli/child.js'), [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const warm = Array.from({ length: expectedChildren(options) }, forkChild);
  // A forked child that is never used has nothing keeping it alive once its channel closes.
  const releaseWarm = (): void => {
    for (const child of warm.splice(0)) if (child.connected) child.disconnect();
  };
  let planned: Plan;
  try {
    planned = await plan(options, rootLog);
  } catch (error) {
    releaseWarm();
    throw error;
  }
  const { assignments, endOffsets, partitionCount: partitions } = planned;
  const table = process.stderr.isTTY && !options.quiet ? new LiveTable() : undefined;
  // With a live table, every log line must be printed above it rather than across it.
  const log = table ? createRootLogger({ level: logLevel, stream: table.logStream() }).child({ component: 'consume' }) : rootLog;
  const startedAt = performance.now();
  const slots = assignments.map(
    (assignment, index) =>
      new ChildSlot({
        index,
        pipeline: childPipeline(options, index, assignment, endOffsets),
        failRate: options.failRate,
        counted: options.count !== undefined,
        statsIntervalMs: Math.min(options.statsIntervalMs, 1_000),
        logLevel,
        prettyLogs: shouldPrettyPrint(),
        relayLogs: table !== undefined,
      }),
  );

  let gaveUp: HarnessError | undefined;
  let resolveAllDone: () => void = () => {};
  const allDone = new Promise<void>((done) => (resolveAllDone = done));
  const checkAllDone = (): void => {
    if (slots.every((slot) => isSettled(slot.state))) resolveAllDone();
  };

  const shutdown = installShutdown({
    log,
    graceMs: stopGraceMs,
    onForce: () => {
      for (const slot of slots) slot.process?.kill('SIGKILL');
    },
  });
  // Children with nothing left to read would never ask again: once the count is used, stop everyone.
  const budget = options.count === undefined ? undefined : new CountBudget(options.count, () => stopChildren());
  const stopChildren = (): void => {
    budget?.close();
    for (const slot of slots) {
      if (slot.process?.connected) slot.process.send({ type: 'stop' } satisfies ParentMessage);
      if (slot.restartTimer) {
        clearTimeout(slot.restartTimer);
        slot.restartTimer = undefined;
        slot.enter(ChildStates.done);
      }
    }
    checkAllDone();
  };
  shutdown.signal.addEventListener('abort', stopChildren);

  // The first start: children that join the group one by one make it rebalance once per child (each
  // joiner stops the members already in it). So each child connects, says it is ready, and waits;
  // once every running child is ready they all join together. A restarted child joins at once.
  const ready = new Set<ChildSlot>();
  let joinsReleased = false;
  const releaseJoins = (): void => {
    joinsReleased = true;
    clearTimeout(joinDeadline);
    for (const slot of ready) if (slot.process?.connected) slot.process.send({ type: 'join' } satisfies ParentMessage);
    ready.clear();
  };
  const releaseJoinsIfAllReady = (): void => {
    if (!joinsReleased && slots.every((slot) => slot.process === undefined || ready.has(slot))) releaseJoins();
  };
  // A child that is slow to start must not hold the others for ever: after this, they join anyway.
  const joinDeadline = setTimeout(releaseJoins, joinHoldMs);
  joinDeadline.unref();

  // With -e, a child whose partitions are all at their end waits in the group until every running
  // child is: one that left earlier would make the others stop their work and rebalance.
  const atEnd = new Set<ChildSlot>();
  const releaseLeavesIfAllAtEnd = (): void => {
    if (atEnd.size === 0 || !slots.every((slot) => slot.process === undefined || atEnd.has(slot))) return;
    for (const slot of atEnd) if (slot.process?.connected) slot.process.send({ type: 'leave' } satisfies ParentMessage);
    atEnd.clear();
  };

  const spawn = (slot: ChildSlot): void => {
    // Restarted children carry on from the group's commits; -o only moved them once, before the first start.
    let child = warm.shift();
    while (child && !child.connected) child = warm.shift();
    child ??= forkChild();
    slot.process = child;
    slot.pid = child.pid;
    slot.enter(ChildStates.running);
    slot.startedAt = Date.now();
    slot.finished = undefined;
    child.send({ type: 'start', config: slot.config } satisfies ParentMessage);
    child.on('message', (message: ChildMessage) => {
      if (message.type === 'log') {
        if (table) table.printAbove(message.text);
        else process.stderr.write(message.text);
        return;
      }
      if (message.type === 'budget') {
        budget?.request(message.wanted, (granted) => {
          if (!child.connected) return false;
          slot.budgetOut += granted;
          child.send({ type: 'budget', id: message.id, granted } satisfies ParentMessage);
          return true;
        });
        return;
      }
      if (message.type === 'at-end') {
        atEnd.add(slot);
        releaseLeavesIfAllAtEnd();
        return;
      }
      if (message.type === 'ready') {
        ready.add(slot);
        if (joinsReleased) releaseJoins();
        else releaseJoinsIfAllReady();
        return;
      }
      if (message.type === 'budget-settle') {
        slot.budgetOut -= message.granted;
        budget?.settle(message.granted, message.used);
        return;
      }
      slot.stats = slot.earlierRuns ? addSnapshots(slot.earlierRuns, message.stats) : message.stats;
      slot.reportedPid = message.pid;
      slot.reportedPartitions = message.partitions;
      slot.positions = new Map(message.positions.map(([partition, offset]) => [partition, BigInt(offset)]));
      if (message.partitions.length > 0 || options.assign === 'group') slot.partitions = message.partitions;
      if (message.type === 'finished') {
        slot.finished = message.reason;
        slot.endToEnd = message.endToEnd;
        slot.lastError = message.error;
        if (message.error && !message.fatal) log.error({ child: slot.index, error: message.error }, 'child crashed');
      }
    });
    child.once('exit', (code, signal) => {
      slot.process = undefined;
      slot.reportedPid = undefined;
      slot.reportedPartitions = [];
      ready.delete(slot);
      releaseJoinsIfAllReady();
      atEnd.delete(slot);
      releaseLeavesIfAllAtEnd();
      slot.earlierRuns = slot.stats;
      // What a dead child held may be in its file already (written, not committed): count it as used,
      // so the total never goes past -c.
      budget?.settle(slot.budgetOut, slot.budgetOut);
      slot.budgetOut = 0;
      const clean = code === 0 && slot.finished !== undefined && slot.finished !== FinishReasons.crashed;
      if (clean || shutdown.requested) {
        slot.enter(ChildStates.done);
        checkAllDone();
        return;
      }
      if (code === 2) {
        // The child found a problem a restart can't fix (its message says which).
        slot.enter(ChildStates.gaveUp);
        gaveUp ??= new HarnessError(ErrorCodes.runtime, slot.lastError ?? `child ${slot.index} cannot run`);
        shutdown.requestStop('a child cannot run');
        checkAllDone();
        return;
      }
      slot.crashesInARow = Date.now() - slot.startedAt > healthyRunMs ? 1 : slot.crashesInARow + 1;
      if (slot.crashesInARow >= maxConsecutiveCrashes) {
        slot.enter(ChildStates.gaveUp);
        gaveUp ??= new HarnessError(
          ErrorCodes.runtime,
          `child ${slot.index} (partitions ${slot.partitions.join(',') || 'by the group'}) crashed ${slot.crashesInARow} times in a row, last with: ${slot.lastError ?? `exit ${code ?? signal}`}`,
        );
        log.error({ child: slot.index, code, signal }, 'child keeps crashing; not restarting it');
        // Without this child its partitions go unread: stop the others instead of pretending all is well.
        shutdown.requestStop('a child kept crashing');
        checkAllDone();
        return;
      }
      const delayMs = Math.min(30_000, 1_000 * 2 ** (slot.crashesInARow - 1));
      slot.enter(ChildStates.restarting, delayMs);
      slot.restarts += 1;
      log.warn(
        { child: slot.index, pid: slot.pid, code, signal, delayMs, restart: slot.restarts },
        'child exited unexpectedly; restarting it with the same partitions',
      );
      slot.restartTimer = setTimeout(() => {
        slot.restartTimer = undefined;
        spawn(slot);
      }, delayMs);
      // Placed after the timer so that, with -c already used up, the settle above stops it again.
      if (budget?.exhausted) stopChildren();
    });
  };

  log.info(
    {
      topic: options.topic,
      group: options.groupId,
      processes: slots.length,
      assign: options.assign,
      slices: options.assign === 'static' ? slots.map((slot) => slot.partitions) : 'by the group',
    },
    'starting consumers',
  );
  for (const slot of slots) spawn(slot);
  releaseWarm();

  // The partition map is for a person watching: off a terminal, no admin client polls anything.
  const offsets = table ? offsetsReader(options, log) : undefined;
  const offsetsPoller = offsets ? new Poller(offsets.read, offsetsPollMs) : undefined;
  offsetsPoller?.start();
  const ownership = new OwnershipTracker();
  const events = new EventLog(5);

  const draw = (): void => {
    if (table) {
      const now = new Date();
      events.add(ownership.update(ownershipOf(slots)), now);
      const map = buildPartitionMap(partitions, slots.map(partitionsOf), offsetsPoller?.state.value);
      const status = offsetsPoller ? `offsets ${describePoll(offsetsPoller.state, now)}` : '';
      table.render([...events.lines, formatChildTable(slots), '', formatPartitionMap(map), status].join('\n'));
    } else if (!options.quiet) {
      for (const slot of slots)
        log.info(
          { child: slot.index, pid: slot.pid, partitions: slot.partitions, state: describeChildState(slot.state, slot.restartDelayMs), ...slot.stats },
          'consumer stats',
        );
    }
  };
  const ticker = setInterval(draw, options.statsIntervalMs);
  ticker.unref();

  await allDone;
  clearInterval(ticker);
  // Closing the client first ends a read that waits on a silent broker, rather than waiting out its retries.
  const polled = offsetsPoller?.stop();
  await offsets?.close();
  await polled;
  table?.clear();
  shutdown.dispose();

  const finishReasons = slots.map((slot) => slot.finished);
  const stoppedBy = gaveUp
    ? 'failure'
    : shutdown.requested
      ? 'signal'
      : budget?.exhausted
        ? FinishReasons.count
        : (finishReasons.find((reason) => reason !== undefined) ?? FinishReasons.stopped);
  const report = buildConsumeReport(options.topic, options.groupId, slots, performance.now() - startedAt, stoppedBy);
  // With lines on stdout, the report goes to stderr so stdout stays pure data.
  const out = options.sink === 'stdout' ? process.stderr : process.stdout;
  out.write(`${options.json ? JSON.stringify(report) : formatConsumeReport(report, slots)}\n`);
  if (gaveUp) throw gaveUp;
  return ExitCodes.ok;
}
