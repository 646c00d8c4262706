/**
 * npm run bench:consume — this consumer beside bare KafkaJS (the same processes, eachBatch and
 * JSON.parse, nothing else), kcat and Apache Kafka's ConsumerPerformance, on one pre-filled topic;
 * then the start-up on an empty topic and the idle CPU of every consumer process (end-to-end
 * latency is bench:latency's). Every figure is wall clock from the command to its
 * exit, start-up included, so the ratios show what the harness itself costs.
 *
 *   npm run bench:consume -- [--quick] [-c 1000000] [-p 3] [--size 1000] [--scaling] [--json]
 */
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { hideBin } from 'yargs/helpers';
import type { ConsumeReport } from '../../consumer/cli/summary.js';
import { brokersFlag, commandConfigFlag, createCli, requireInteger, runCli } from '../../shared/cli.js';
import { settings } from '../../shared/config.js';
import { ErrorCodes, ExitCodes, HarnessError } from '../../shared/errors.js';
import { connectClient, createKafka, createProducer } from '../../shared/kafka-client.js';
import { createRootLogger, getLogger } from '../../shared/logger.js';
import { distPath } from '../../shared/paths.js';
import { formatTable } from '../../shared/table.js';
import { cpuTimeMs, processTree, runMeasured, startJoinedConsumer, type MeasuredRun } from './lib/measure.js';

/** One subject's run over the whole topic. */
interface Figures {
  records: number;
  /** Records over the wall clock, start-up included. */
  recordsPerSec: number;
  mbPerSec: number;
  /** From process start to exit, measured from outside. */
  wallMs: number;
  /** CPU time of the whole process tree (user + system), where the platform reports it. */
  cpuMs: number | undefined;
  peakRssMiB: number | undefined;
}

/** One point of the comparison: a topic of `count` messages of `bytes` each, read by each subject. */
interface Point {
  processes: number;
  count: number;
  /** Mean value size, bytes. */
  bytes: number;
  subjects: Record<string, Figures | undefined>;
  /** The machine's 1-minute load average when the point had been measured. */
  loadAverage: string;
  /** Wall-clock ratios: harness over bare KafkaJS (lower is better), harness rate over Java's (higher is better). */
  ratios: { fileToBare: number; noneToBare: number; fileRateToJava: number | undefined; noneRateToJava: number | undefined };
}

const round2 = (value: number): number => Math.round(value * 100) / 100;

await runCli(async () => {
  const config = settings();
  const argv = await createCli(hideBin(process.argv), { scriptName: 'npm run bench:consume --' })
    .usage(
      'Usage: npm run bench:consume -- [--quick] [-c N] [-p N] [--size BYTES] [--scaling] [--json]\n\nThis consumer vs bare KafkaJS, kcat and Java ConsumerPerformance; start-up; idle CPU (end-to-end latency: npm run bench:latency).',
    )
    .options({
      brokers: brokersFlag(config),
      'command-config': commandConfigFlag(),
      count: { alias: 'c', type: 'number', default: 1_000_000, describe: 'Messages in the pre-filled topic' },
      processes: { alias: 'p', type: 'number', default: 3, describe: 'Consumer processes (harness and bare KafkaJS)' },
      size: {
        type: 'number',
        describe: 'Bytes per JSON message (a synthetic order of exactly this size); default: the producer’s own orders (~565 B)',
      },
      scaling: {
        type: 'boolean',
        default: false,
        describe: 'Run the "how cost grows" table: 1, 2, 3, 6 processes; 100 B, 1 KB, 10 KB; 1M and 5M messages',
      },
      'skip-java': { type: 'boolean', default: false, describe: 'Leave out Java ConsumerPerformance' },
      'idle-seconds': { type: 'number', default: 30, describe: 'How long idle CPU is measured' },
      quick: { type: 'boolean', default: false, describe: '100,000 messages and 10 s phases: about a minute in all' },
      json: { type: 'boolean', default: false, describe: 'Print the results as one JSON object' },
    })
    .example('npm run bench:consume -- --quick', 'a quick comparison')
    .example('npm run bench:consume -- -p 6 --size 1000 -c 500000', 'one point: 6 processes, 1 KB messages')
    .example('npm run bench:consume -- --scaling --json > scaling.json', 'the whole scaling table')
    .parseAsync();
  const { brokers } = argv;
  // Other commands take them back as one -b flag.
  const brokerList = brokers.join(',');
  const count = argv.quick ? 100_000 : requireInteger('count', argv.count, 1_000);
  const processes = requireInteger('processes', argv.processes, 1, 6);
  const size = argv.size === undefined ? undefined : requireInteger('size', argv.size, 60, 900_000);
  const idleSeconds = argv.quick ? 10 : requireInteger('idle-seconds', argv['idle-seconds'], 1);
  const log = getLogger('bench-consume');
  const quiet = createRootLogger({ level: 'silent' });
  const progress = (line: string): void => void process.stderr.write(`${line}\n`);
  const admin = createKafka({ clientId: 'bench-consume', brokers, log }).admin();
  await connectClient(admin, brokers);
  const topics: string[] = [];
  const newTopic = async (): Promise<string> => {
    const topic = `bench-consume-${randomUUID()}`;
    await admin.createTopics({ waitForLeaders: true, topics: [{ topic, numPartitions: 6, replicationFactor: 1 }] });
    topics.push(topic);
    return topic;
  };
  const produce = async (topic: string, args: string[]): Promise<void> => {
    const run = await runMeasured(process.execPath, [distPath('producer/cli.js'), '-b', brokerList, '-t', topic, '-q', ...args]);
    if (run.code !== 0) throw new HarnessError(ErrorCodes.runtime, `producing failed: ${run.stderr.trim().split('\n').pop()}`);
  };

  /**
   * A topic of `messages` JSON messages: the producer's orders, or with `bytes`, synthetic orders of
   * exactly that size (an id, a sequence number, line items, padding), keyed by id.
   */
  const fill = async (messages: number, bytes: number | undefined): Promise<string> => {
    const topic = await newTopic();
    progress(`filling ${topic} with ${messages.toLocaleString('en')} ${bytes === undefined ? 'orders' : `${bytes}-byte messages`}…`);
    if (bytes === undefined) {
      await produce(topic, ['-c', String(messages), '-k', 'id']);
      return topic;
    }
    const producer = createProducer(createKafka({ clientId: 'bench-consume-fill', brokers, log: quiet }), { allowAutoTopicCreation: false });
    await connectClient(producer, brokers);
    const item = '{"sku":"SKU-00042","qty":3,"price":12.5}';
    const messageOf = (seq: number) => {
      const id = randomUUID();
      const head = `{"id":"${id}","seq":${seq},"items":[`;
      const room = bytes - head.length - '],"pad":""}'.length;
      const items = Math.max(0, Math.floor((room + 1) / (item.length + 1)));
      const listed = Array.from({ length: items }, () => item).join(',');
      const pad = 'x'.repeat(Math.max(0, bytes - head.length - listed.length - '],"pad":""}'.length));
      return { key: id, value: `${head}${listed}],"pad":"${pad}"}`, headers: { 'x-sent-at': String(Date.now()) } };
    };
    // Batches under the broker's 1 MB request limit, four in flight.
    const perSend = Math.max(1, Math.min(2_000, Math.floor(900_000 / (bytes + 64))));
    let next = 0;
    const loop = async (): Promise<void> => {
      while (next < messages) {
        const from = next;
        next = Math.min(messages, next + perSend);
        await producer.send({ topic, acks: 1, messages: Array.from({ length: next - from }, (_, index) => messageOf(from + index)) });
      }
    };
    await Promise.all(Array.from({ length: 4 }, loop));
    await producer.disconnect();
    return topic;
  };

  const figuresOf = (run: MeasuredRun, records: number, bytes: number): Figures => {
    const seconds = run.wallMs / 1000;
    return {
      records,
      recordsPerSec: Math.round(records / seconds),
      mbPerSec: round2((records * bytes) / 1_000_000 / seconds),
      wallMs: Math.round(run.wallMs),
      cpuMs: run.cpuMs,
      peakRssMiB: run.peakRssMiB,
    };
  };

  const java = async (topic: string, messages: number, bytes: number): Promise<Figures> => {
    progress('  Java ConsumerPerformance…');
    const run = await runMeasured('java', [
      '-Xmx512m',
      `-Dlog4j2.configurationFile=${join(config.kafkaHome, 'config', 'log4j2.properties')}`,
      `-Dkafka.logs.dir=${join(config.kafkaHome, 'logs')}`,
      '-cp',
      join(config.kafkaHome, 'libs', '*'),
      'org.apache.kafka.tools.ConsumerPerformance',
      '--bootstrap-server',
      brokerList,
      '--topic',
      topic,
      '--messages',
      String(messages),
      '--group',
      `bench-java-${randomUUID()}`,
      '--timeout',
      '120000',
    ]);
    // start.time, end.time, data.consumed.in.MB, MB.sec, data.consumed.in.nMsg, nMsg.sec, rebalance.time.ms, fetch.time.ms, fetch.MB.sec, fetch.nMsg.sec
    const line = run.stdout.trim().split('\n').pop()?.split(',') ?? [];
    if (run.code !== 0 || line.length < 10)
      throw new HarnessError(ErrorCodes.runtime, `ConsumerPerformance failed: ${`${run.stdout}${run.stderr}`.trim().split('\n').slice(-3).join(' | ')}`);
    return figuresOf(run, Number(line[4]), bytes);
  };

  const kcat = async (topic: string, messages: number, bytes: number): Promise<Figures | undefined> => {
    progress('  kcat, one process, to a file…');
    const dir = await mkdtemp(join(tmpdir(), 'bench-kcat-'));
    try {
      const run = await runMeasured('sh', ['-c', `exec kcat -b "$0" -C -t "$1" -o beginning -e -q -f '%s\\n' > "$2"`, brokerList, topic, join(dir, 'out')]);
      // Not installed (apt-get install -y kcat): the table shows a dash.
      if (run.code === 127) return undefined;
      if (run.code !== 0) throw new HarnessError(ErrorCodes.runtime, `kcat failed: ${run.stderr.trim().split('\n').pop()}`);
      return figuresOf(run, messages, bytes);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  };

  const bare = async (topic: string, messages: number, bytes: number, children: number): Promise<Figures & { valueBytes: number }> => {
    progress(`  bare KafkaJS, ${children} process(es), JSON.parse…`);
    const run = await runMeasured(process.execPath, [distPath('test/bench/bare-consumer.js'), '-b', brokerList, '-t', topic, '-p', String(children)]);
    if (run.code !== 0) throw new HarnessError(ErrorCodes.runtime, `bare KafkaJS failed: ${run.stderr.trim().split('\n').pop()}`);
    const result = JSON.parse(run.stdout) as { records: number; bytes: number };
    if (result.records !== messages) throw new HarnessError(ErrorCodes.runtime, `bare KafkaJS read ${result.records} of ${messages}`);
    return { ...figuresOf(run, result.records, bytes), valueBytes: result.bytes };
  };

  /** Mean value size of a topic, as bare KafkaJS counts it reading the whole topic. */
  const meanBytes = async (topic: string, messages: number): Promise<number> => {
    const run = await bare(topic, messages, 0, 3);
    return Math.round(run.valueBytes / messages);
  };

  const harness = async (topic: string, messages: number, bytes: number, label: string, args: string[]): Promise<Figures> => {
    progress(`  ${label}…`);
    const dir = await mkdtemp(join(tmpdir(), 'bench-consume-'));
    try {
      const run = await runMeasured(process.execPath, [
        distPath('consumer/cli/cli.js'),
        '-b',
        brokerList,
        '-t',
        topic,
        '-G',
        `bench-${randomUUID()}`,
        '-o',
        'beginning',
        '-e',
        '--json',
        '-q',
        '--dlq',
        'none',
        '--out-dir',
        dir,
        ...args,
      ]);
      if (run.code !== 0) throw new HarnessError(ErrorCodes.runtime, `${label} failed: ${run.stderr.trim().split('\n').pop()}`);
      const report = JSON.parse(run.stdout) as ConsumeReport;
      if (report.totals.messages_processed !== messages)
        throw new HarnessError(ErrorCodes.runtime, `${label} read ${report.totals.messages_processed} of ${messages}`);
      return figuresOf(run, report.totals.messages_processed, bytes);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  };

  /** Reads one topic with every subject; kcat and Java only when asked (they do not depend on -p). */
  const measure = async (topic: string, messages: number, bytes: number, children: number, others: { java: boolean; kcat: boolean }): Promise<Point> => {
    progress(`${children} process(es), ${messages.toLocaleString('en')} messages of ${bytes} B:`);
    const subjects: Record<string, Figures | undefined> = {};
    if (others.java && !argv['skip-java']) subjects['Java ConsumerPerformance (1 process)'] = await java(topic, messages, bytes);
    if (others.kcat) subjects['kcat (1 process, to a file)'] = await kcat(topic, messages, bytes);
    const { valueBytes: _, ...bareRun } = await bare(topic, messages, bytes, children);
    subjects[`bare KafkaJS -p ${children} (eachBatch, JSON.parse)`] = bareRun;
    const file = await harness(topic, messages, bytes, `harness -p ${children}, file sink`, ['-p', String(children)]);
    subjects[`harness -p ${children}, file sink`] = file;
    const none = await harness(topic, messages, bytes, `harness -p ${children}, --sink none`, ['-p', String(children), '--sink', 'none']);
    subjects[`harness -p ${children}, --sink none`] = none;
    const javaRun = subjects['Java ConsumerPerformance (1 process)'];
    return {
      processes: children,
      count: messages,
      bytes,
      subjects,
      loadAverage: loadAverage(),
      ratios: {
        fileToBare: round2(file.wallMs / bareRun.wallMs),
        noneToBare: round2(none.wallMs / bareRun.wallMs),
        fileRateToJava: javaRun ? round2(file.recordsPerSec / javaRun.recordsPerSec) : undefined,
        noneRateToJava: javaRun ? round2(none.recordsPerSec / javaRun.recordsPerSec) : undefined,
      },
    };
  };

  const printPoint = (point: Point): void => {
    const rows = Object.entries(point.subjects).map(([name, figures]) => [
      name,
      figures?.records.toLocaleString('en'),
      figures?.recordsPerSec.toLocaleString('en'),
      figures?.mbPerSec,
      figures ? (figures.wallMs / 1000).toFixed(2) : undefined,
      figures?.cpuMs === undefined ? undefined : (figures.cpuMs / 1000).toFixed(2),
      figures?.peakRssMiB,
    ]);
    console.log(`\n${point.processes} process(es), ${point.count.toLocaleString('en')} messages of ${point.bytes} B (load average ${point.loadAverage})`);
    console.log(formatTable(['RUN', 'RECORDS', 'RECORDS/S', 'MB/S', 'WALL S', 'CPU S', 'PEAK RSS MIB'], rows));
    const { fileToBare, noneToBare, fileRateToJava, noneRateToJava } = point.ratios;
    console.log(
      `harness wall / bare KafkaJS wall: file sink ${fileToBare}×, --sink none ${noneToBare}×` +
        (fileRateToJava === undefined ? '' : `   harness rate / Java's: file sink ${fileRateToJava}×, --sink none ${noneRateToJava}×`),
    );
  };

  try {
    if (argv.scaling) {
      // Each row is one topic read by every subject; processes share the first topic.
      const points: Point[] = [];
      const base = await fill(count, size);
      const baseBytes = size ?? (await meanBytes(base, count));
      for (const children of [1, 2, 3, 6]) points.push(await measure(base, count, baseBytes, children, { java: children === 1, kcat: children === 1 }));
      for (const bytes of [100, 1_000, 10_000]) {
        // 10 KB messages: a tenth of the count, so that the topic stays around a gigabyte.
        const messages = bytes >= 10_000 ? Math.max(1_000, Math.floor(count / 10)) : count;
        points.push(await measure(await fill(messages, bytes), messages, bytes, 3, { java: true, kcat: true }));
      }
      const big = count * 5;
      points.push(await measure(await fill(big, size), big, baseBytes, 3, { java: true, kcat: false }));
      if (argv.json) {
        console.log(JSON.stringify({ points }));
        return ExitCodes.ok;
      }
      for (const point of points) printPoint(point);
      return ExitCodes.ok;
    }

    const topic = await fill(count, size);
    // The producer's orders vary in size: their mean, as bare KafkaJS counts it (a first read, which also warms the page cache).
    const point = await measure(topic, count, size ?? (await meanBytes(topic, count)), processes, { java: true, kcat: true });

    // Start-up: -e on an empty topic, children forked, joined and gone.
    progress(`start-up: ${processes} processes, -e on an empty topic…`);
    const empty = await newTopic();
    const startups: number[] = [];
    for (let attempt = 0; attempt < 3; attempt += 1) {
      const startedAt = performance.now();
      const run = await runMeasured(process.execPath, [
        distPath('consumer/cli/cli.js'),
        '-b',
        brokerList,
        '-t',
        empty,
        '-G',
        `bench-empty-${randomUUID()}`,
        '-o',
        'beginning',
        '-e',
        '-p',
        String(processes),
        '--sink',
        'none',
        '--dlq',
        'none',
        '-q',
        '--json',
      ]);
      if (run.code !== 0) throw new HarnessError(ErrorCodes.runtime, `the empty-topic run failed: ${run.stderr.trim().split('\n').pop()}`);
      startups.push(Math.round(performance.now() - startedAt));
    }

    // Idle CPU: a consumer in its group with nothing to read. (End-to-end latency is bench:latency's,
    // beside Kafka's EndToEndLatency run at the same time.)
    const idleTopic = await newTopic();
    const consumer = await startJoinedConsumer({ brokers: brokerList, topic: idleTopic, group: `bench-idle-${randomUUID()}`, processes });
    progress(`measuring idle CPU of the consumer's processes for ${idleSeconds} s…`);
    const pids = processTree(consumer.pid);
    const before = new Map(pids.map((pid) => [pid, cpuTimeMs(pid) ?? 0]));
    const idleStarted = performance.now();
    await sleep(idleSeconds * 1000);
    const idleMs = performance.now() - idleStarted;
    const idle = pids.map((pid) => ({
      pid,
      role: pid === consumer.pid ? 'parent' : 'child',
      percentOfCore: Math.round((((cpuTimeMs(pid) ?? 0) - (before.get(pid) ?? 0)) / idleMs) * 10_000) / 100,
    }));

    if ((await consumer.stop()) !== 0) throw new HarnessError(ErrorCodes.runtime, `the idle consumer failed: ${consumer.stderr().trim().split('\n').pop()}`);

    if (argv.json) {
      console.log(JSON.stringify({ ...point, startupMs: startups, idle }));
      return ExitCodes.ok;
    }
    printPoint(point);
    console.log(`start-up, -e on an empty topic with ${processes} processes: ${startups.map((ms) => `${(ms / 1000).toFixed(2)} s`).join(', ')}`);
    console.log(`idle CPU over ${idleSeconds} s: ${idle.map((entry) => `${entry.role} ${entry.pid} ${entry.percentOfCore} %`).join(', ')}`);
    return ExitCodes.ok;
  } finally {
    await admin.deleteTopics({ topics }).catch(() => {});
    await admin.disconnect();
  }
});

/** The machine's 1-minute load average, printed beside every figure: a shared machine moves them. */
function loadAverage(): string {
  return (loadavg()[0] ?? 0).toFixed(2);
}
