/**
 * One scenario's stage: its own topic, group and folder on a throwaway cluster, the producer and
 * consumer CLIs started as a user starts them, the waits a scenario needs, and the final count.
 */
import { randomUUID } from 'node:crypto';
import { mkdir, readdir, readlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Admin } from 'kafkajs';
import type { ProduceReport } from '../../../producer/report.js';
import type { ConsumeReport } from '../../../consumer/cli/summary.js';
import { ErrorCodes, HarnessError } from '../../../shared/errors.js';
import { createKafka, type KafkaClient } from '../../../shared/kafka-client.js';
import type { Logger } from '../../../shared/logger.js';
import type { FaultCluster } from './cluster.js';
import { caughtUp, committedTotal, compare, endOffsetTotal, fileSizes, type IdTally, readTopic } from './counting.js';
import { exitWithin, type ProcessRegistry, type RunningCli, waitFor } from './processes.js';

export interface SuiteContext {
  /** Messages per scenario. */
  count: number;
  /** How long the producer should take for `count` (its --rate follows), so faults land mid-stream. */
  produceSeconds: number;
  workDir: string;
  log: Logger;
  signal: AbortSignal;
  processes: ProcessRegistry;
  singleNode(): Promise<FaultCluster>;
  threeNodes(): Promise<FaultCluster>;
  /** Tells what the scenario is doing (progress line on a terminal, a log line elsewhere). */
  step(text: string): void;
}

export interface Check {
  name: string;
  ok: boolean;
  detail?: string | undefined;
}

export interface Outcome {
  id: number;
  title: string;
  produced: number;
  acknowledged: number;
  /** Distinct ids in the topic, read back independently. */
  inTopic: number;
  /** Distinct ids of the topic found in the sinks (the fewest of any sink when there are several). */
  consumed: number;
  lost: number;
  /** Extra copies in the sinks. */
  duplicates: number;
  /** Extra copies in the topic (a producer retry that was not deduplicated). */
  topicDuplicates: number;
  recoveryMs: number | undefined;
  checks: Check[];
  notes: string[];
  error?: string | undefined;
  /** Where the scenario's logs and files are. */
  dir: string;
}

/** A group of places that together should hold every message of the topic once. */
export interface SinkTally {
  name: string;
  tally: IdTally;
}

export interface ProducerRun {
  report: ProduceReport;
  exitCode: number | null;
}

const producerSlackMs = 180_000;

export class Stage {
  readonly ctx: SuiteContext;
  readonly cluster: FaultCluster;
  readonly id: number;
  readonly topic: string;
  readonly group: string;
  readonly dir: string;
  readonly outDir: string;
  readonly kafka: KafkaClient;
  readonly admin: Admin;
  readonly checks: Check[] = [];
  readonly notes: string[] = [];
  readonly producerReports: ProduceReport[] = [];
  consumerReport: ConsumeReport | undefined;
  #runs = 0;

  private constructor(ctx: SuiteContext, cluster: FaultCluster, id: number) {
    this.ctx = ctx;
    this.cluster = cluster;
    this.id = id;
    const suffix = randomUUID().slice(0, 8);
    this.topic = `faults-${id}-${suffix}`;
    this.group = `faults-${id}-${suffix}`;
    this.dir = join(ctx.workDir, `scenario-${id}`);
    this.outDir = join(this.dir, 'out');
    this.kafka = createKafka({ clientId: `faults-${id}`, brokers: cluster.brokers, log: ctx.log.child({ lib: 'suite-client' }) });
    this.admin = this.kafka.admin();
  }

  static async create(ctx: SuiteContext, cluster: FaultCluster, id: number, topic: { replicationFactor: number; minInsyncReplicas?: number }): Promise<Stage> {
    const stage = new Stage(ctx, cluster, id);
    await mkdir(stage.outDir, { recursive: true });
    await stage.admin.connect();
    await stage.admin.createTopics({
      waitForLeaders: true,
      topics: [
        {
          topic: stage.topic,
          numPartitions: 6,
          replicationFactor: topic.replicationFactor,
          configEntries: topic.minInsyncReplicas === undefined ? [] : [{ name: 'min.insync.replicas', value: String(topic.minInsyncReplicas) }],
        },
      ],
    });
    return stage;
  }

  /** The environment of every CLI: this cluster only, JSON logs into the log files. */
  env(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
    const { KAFKA_BROKERS: _brokers, KAFKA_BOOTSTRAP_SERVERS: _bootstrap, HARNESS_USER: _user, KAFKA_TOPIC: _topic, ...rest } = process.env;
    return { ...rest, KAFKA_BROKERS: this.cluster.brokers.join(','), LOG_FORMAT: 'json', LOG_LEVEL: 'info', ...extra };
  }

  #logPath(what: string): string {
    this.#runs += 1;
    return join(this.dir, `${this.#runs}-${what}.log`);
  }

  /** The producer as the brief runs it: acks=all, idempotent, ids as keys, at a rate that makes it last. */
  startProducer(count: number, rate = Math.max(100, Math.ceil(this.ctx.count / this.ctx.produceSeconds))): RunningCli {
    const args = ['-b', this.cluster.brokers.join(','), '-t', this.topic, '-c', String(count), '--acks', 'all', '--idempotent'];
    args.push('-k', 'id', '--workers', '1', '-r', String(rate), '--json', '-q');
    return this.ctx.processes.start('producer', 'producer/cli.js', args, { env: this.env(), logPath: this.#logPath('producer') });
  }

  /** `npm run consume -- -p 3 --out-dir DIR` (restarts go on from the group's commits: `-o stored`). */
  startConsumer(): RunningCli {
    const args = ['-b', this.cluster.brokers.join(','), '-t', this.topic, '-G', this.group, '-p', '3', '--out-dir', this.outDir];
    args.push('-o', 'stored', '--dlq', 'file', '--json', '--stats-interval', '5');
    return this.ctx.processes.start('consumer', 'consumer/cli/cli.js', args, { env: this.env(), logPath: this.#logPath('consumer') });
  }

  get consumerFiles(): string[] {
    return [0, 1, 2].map((index) => join(this.outDir, `consumer-${index}.jsonl`));
  }

  wait(what: string, condition: () => boolean | Promise<boolean>, timeoutMs = 120_000): Promise<number> {
    return waitFor(what, condition, { timeoutMs, signal: this.ctx.signal, intervalMs: 250 });
  }

  /** Until the topic holds `fraction` of `count` messages: the producer is that far. */
  untilWritten(fraction: number, count = this.ctx.count): Promise<number> {
    return this.wait(
      `${Math.round(fraction * 100)} % of the messages in the topic`,
      async () => (await endOffsetTotal(this.admin, this.topic)) >= fraction * count,
    );
  }

  /** Until the group has committed `fraction` of `count` messages: the consumer is that far. */
  untilCommitted(fraction: number, count = this.ctx.count, group = this.group): Promise<number> {
    return this.wait(
      `${Math.round(fraction * 100)} % of the messages committed by ${group}`,
      async () => (await committedTotal(this.admin, group, this.topic)) >= fraction * count,
      180_000,
    );
  }

  /**
   * Time from `since` (a performance.now()) until every probe value is above its baseline: each
   * affected sink has taken new messages again.
   */
  async untilGrown(what: string, probe: () => Promise<number[]>, baseline: readonly number[], since: number): Promise<number> {
    await this.wait(
      what,
      async () => {
        const now = await probe();
        return now.every((value, index) => value > (baseline[index] ?? 0));
      },
      180_000,
    );
    return performance.now() - since;
  }

  fileProbe(paths: readonly string[] = this.consumerFiles): () => Promise<number[]> {
    return () => fileSizes(paths);
  }

  /** Waits for a producer to end and keeps its --json report. */
  async producerDone(producer: RunningCli, timeoutMs = this.ctx.produceSeconds * 1000 + producerSlackMs): Promise<ProducerRun> {
    const exit = await exitWithin(producer, timeoutMs);
    if (!exit) throw new HarnessError(ErrorCodes.runtime, `the producer was still running ${Math.round(timeoutMs / 1000)} s later (log: ${producer.logPath})`);
    const text = producer.stdout().trim();
    if (text === '') throw new HarnessError(ErrorCodes.runtime, `the producer exited ${exit.code ?? exit.signal} without a report (log: ${producer.logPath})`);
    const report = JSON.parse(text.split('\n').at(-1) ?? '') as ProduceReport;
    this.producerReports.push(report);
    await writeFile(producer.logPath.replace(/\.log$/, '-report.json'), `${text}\n`);
    return { report, exitCode: exit.code };
  }

  /** Until the group has committed everything in the topic. */
  untilCaughtUp(group = this.group): Promise<number> {
    return this.wait(`${group} to consume everything in ${this.topic}`, () => caughtUp(this.admin, group, this.topic), 300_000);
  }

  /** Ctrl-C to the consumer: it finishes its batches, commits and prints its report. */
  async stopConsumer(consumer: RunningCli): Promise<void> {
    consumer.child.kill('SIGINT');
    const exit = await exitWithin(consumer, 60_000);
    if (!exit) {
      this.check('the consumer stops within 60 s of Ctrl-C', false, `still running; log: ${consumer.logPath}`);
      return;
    }
    const text = consumer.stdout().trim();
    if (text !== '') this.consumerReport = JSON.parse(text.split('\n').at(-1) ?? '') as ConsumeReport;
    this.check('the consumer exits 0 on Ctrl-C', exit.code === 0, `exit ${exit.code ?? exit.signal}; log: ${consumer.logPath}`);
  }

  check(name: string, ok: boolean, detail?: string): void {
    this.checks.push({ name, ok, detail: ok ? undefined : detail });
  }

  /** Which consumer file a process has open (Linux): tells which child a pid is. */
  async fileHeldBy(pid: number): Promise<string | undefined> {
    const fds = await readdir(`/proc/${pid}/fd`).catch(() => [] as string[]);
    for (const fd of fds) {
      const target = await readlink(`/proc/${pid}/fd/${fd}`).catch(() => '');
      if (this.consumerFiles.includes(target)) return target;
    }
    return undefined;
  }

  /**
   * The verdict: the topic read back independently is the truth; every acknowledged message must
   * be in it, and every message in it must be in every sink.
   */
  async count(title: string, sinks: readonly SinkTally[], recoveryMs: number | undefined): Promise<Outcome> {
    this.ctx.step('reading the topic back and counting ids');
    const topic = await readTopic(this.kafka, this.admin, this.cluster.brokers, this.topic);
    const produced = this.producerReports.reduce((sum, report) => sum + report.sent, 0);
    const acknowledged = this.producerReports.reduce((sum, report) => sum + report.acknowledged, 0);
    const unacknowledgedLost = Math.max(0, acknowledged - topic.ids.size);
    let missing = 0;
    let duplicates = 0;
    // A sink that keeps every record of the topic holds its duplicates too: only copies beyond those are the sink's.
    const topicDuplicates = topic.records - topic.ids.size;
    let consumed = Number.POSITIVE_INFINITY;
    for (const sink of sinks) {
      const result = compare(topic, sink.tally);
      missing += result.missing;
      duplicates += Math.max(0, result.duplicates - topicDuplicates);
      consumed = Math.min(consumed, topic.ids.size - result.missing);
      if (result.unknown > 0) this.check(`${sink.name} holds only messages of the topic`, false, `${result.unknown} id(s) that the topic does not have`);
      if (result.missing > 0) this.notes.push(`${sink.name}: ${result.missing} message(s) of the topic missing`);
    }
    this.check('every acknowledged message is in the topic', unacknowledgedLost === 0, `${acknowledged} acknowledged, ${topic.ids.size} distinct in the topic`);
    this.check('every message of the topic is in every sink', missing === 0, `${missing} missing`);
    this.check('the topic was read back (not empty)', topic.ids.size > 0, `${topic.reader} found no message`);
    this.notes.push(`topic read back with ${topic.reader}`);
    if (unacknowledgedLost > 0) this.notes.push(await this.#partitionsShort());
    const lost = unacknowledgedLost + missing;
    return {
      id: this.id,
      title,
      produced,
      acknowledged,
      inTopic: topic.ids.size,
      consumed: Number.isFinite(consumed) ? consumed : 0,
      lost,
      duplicates,
      topicDuplicates,
      recoveryMs,
      checks: this.checks,
      notes: this.notes,
      dir: this.dir,
    };
  }

  /** Which partitions hold fewer records than the producer says it had acknowledged there. */
  async #partitionsShort(): Promise<string> {
    const acknowledged = new Map<number, number>();
    for (const report of this.producerReports) {
      for (const [partition, count] of Object.entries(report.perPartition))
        acknowledged.set(Number(partition), (acknowledged.get(Number(partition)) ?? 0) + count);
    }
    const offsets = await this.admin.fetchTopicOffsets(this.topic);
    const short = offsets
      .map((entry) => ({ partition: entry.partition, inTopic: Number(entry.high) - Number(entry.low), acked: acknowledged.get(entry.partition) ?? 0 }))
      .filter((entry) => entry.inTopic < entry.acked)
      .map((entry) => `partition ${entry.partition}: ${entry.acked} acknowledged, ${entry.inTopic} records`);
    return `short partitions: ${short.join(', ') || 'none by record count'}`;
  }

  async close(): Promise<void> {
    await this.admin.disconnect().catch(() => {});
  }
}
