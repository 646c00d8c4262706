/**
 * npm run bench:consume — this consumer against Apache Kafka's ConsumerPerformance on a topic
 * pre-filled with JSON orders; then end-to-end latency with the producer at a fixed 2,000 msg/s;
 * then the idle CPU of every consumer process. Prints a table (--json: one object).
 */
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { hideBin } from 'yargs/helpers';
import type { ConsumeReport } from '../../consumer/cli/summary.js';
import { brokersFlag, commandConfigFlag, createCli, requireInteger, runCli } from '../../shared/cli.js';
import { settings } from '../../shared/config.js';
import { ErrorCodes, ExitCodes, HarnessError } from '../../shared/errors.js';
import { connectClient, createKafka } from '../../shared/kafka-client.js';
import { getLogger } from '../../shared/logger.js';
import { distPath } from '../../shared/paths.js';
import { formatTable } from '../../shared/table.js';
import { cpuTimeMs, processTree, runMeasured } from './lib/measure.js';

interface Figures {
  records: number;
  recordsPerSec: number;
  mbPerSec: number | undefined;
  /** As the subject measures itself (Java: group join and fetching; harness: from its first child to its summary). */
  elapsedMs: number;
  /** From process start to exit, measured from outside: start-up of the JVM or of Node and the children included. */
  wallMs: number;
  peakRssMiB: number | undefined;
}

await runCli(async () => {
  const config = settings();
  const argv = await createCli(hideBin(process.argv), { scriptName: 'npm run bench:consume --' })
    .usage('Usage: npm run bench:consume -- [--quick] [--json]\n\nJava ConsumerPerformance vs this consumer; end-to-end latency; idle CPU.')
    .options({
      brokers: brokersFlag(config),
      'command-config': commandConfigFlag(),
      count: { alias: 'c', type: 'number', default: 1_000_000, describe: 'Messages in the pre-filled topic' },
      'latency-seconds': { type: 'number', default: 30, describe: 'How long the 2,000 msg/s latency run lasts' },
      'idle-seconds': { type: 'number', default: 30, describe: 'How long idle CPU is measured' },
      quick: { type: 'boolean', default: false, describe: '100,000 messages and 10 s phases: about a minute in all' },
      json: { type: 'boolean', default: false, describe: 'Print the results as one JSON object' },
    })
    .example('npm run bench:consume -- --quick', 'a quick comparison')
    .parseAsync();
  const { brokers } = argv;
  // Other commands take them back as one -b flag.
  const brokerList = brokers.join(',');
  const count = argv.quick ? 100_000 : requireInteger('count', argv.count, 1_000);
  const latencySeconds = argv.quick ? 10 : requireInteger('latency-seconds', argv['latency-seconds'], 1);
  const idleSeconds = argv.quick ? 10 : requireInteger('idle-seconds', argv['idle-seconds'], 1);
  const log = getLogger('bench-consume');
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

  try {
    const topic = await newTopic();
    progress(`filling ${topic} with ${count.toLocaleString('en')} orders…`);
    await produce(topic, ['-c', String(count), '-k', 'id']);

    progress('running Java ConsumerPerformance…');
    const javaRun = await runMeasured('java', [
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
      String(count),
      '--group',
      `bench-java-${randomUUID()}`,
      '--timeout',
      '120000',
    ]);
    // start.time, end.time, data.consumed.in.MB, MB.sec, data.consumed.in.nMsg, nMsg.sec, rebalance.time.ms, fetch.time.ms, fetch.MB.sec, fetch.nMsg.sec
    const javaLine =
      javaRun.stdout
        .trim()
        .split('\n')
        .pop()
        ?.split(',')
        .map((cell) => cell.trim()) ?? [];
    if (javaRun.code !== 0 || javaLine.length < 10)
      throw new HarnessError(
        ErrorCodes.runtime,
        `ConsumerPerformance failed: ${`${javaRun.stdout}${javaRun.stderr}`.trim().split('\n').slice(-3).join(' | ')}`,
      );
    const java: Figures & { fetchRecordsPerSec: number; rebalanceMs: number } = {
      records: Number(javaLine[4]),
      recordsPerSec: Number(javaLine[5]),
      mbPerSec: Number(javaLine[3]),
      elapsedMs: Number(javaLine[6]) + Number(javaLine[7]),
      wallMs: javaRun.wallMs,
      peakRssMiB: javaRun.peakRssMiB,
      fetchRecordsPerSec: Number(javaLine[9]),
      rebalanceMs: Number(javaLine[6]),
    };

    const harness = async (label: string, args: string[]): Promise<Figures> => {
      progress(`running ${label}…`);
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
        return {
          records: report.totals.messages_processed,
          recordsPerSec: report.totals.processing_rate_per_second,
          mbPerSec: undefined,
          elapsedMs: report.elapsedMs,
          wallMs: run.wallMs,
          peakRssMiB: run.peakRssMiB,
        };
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    };
    const best = await harness('this consumer, 3 processes, file sink', ['-p', '3']);
    const noSink = await harness('this consumer, 3 processes, --sink none', ['-p', '3', '--sink', 'none']);
    const variants: Record<string, Figures> = {
      'harness -p 3, file sink': best,
      'harness -p 3, --sink none': noSink,
      'harness -p 1, file sink': await harness('this consumer, 1 process, file sink', ['-p', '1']),
      'harness -p 1, --sink none': await harness('this consumer, 1 process, --sink none', ['-p', '1', '--sink', 'none']),
    };

    // End-to-end latency: a consumer that is already in the group, the producer at a fixed rate.
    const latencyTopic = await newTopic();
    progress(`measuring end-to-end latency at 2,000 msg/s for ${latencySeconds} s…`);
    const consumer = spawn(
      process.execPath,
      [
        distPath('consumer/cli/cli.js'),
        '-b',
        brokerList,
        '-t',
        latencyTopic,
        '-G',
        `bench-e2e-${randomUUID()}`,
        '-p',
        '3',
        '--sink',
        'none',
        '--dlq',
        'none',
        '--json',
      ],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
        env: { ...process.env, LOG_FORMAT: 'json' },
      },
    );
    let consumerOut = '';
    let consumerErr = '';
    consumer.stdout.on('data', (chunk: Buffer) => (consumerOut += chunk.toString()));
    consumer.stderr.on('data', (chunk: Buffer) => (consumerErr += chunk.toString()));
    const consumerExited = new Promise<number | null>((resolve) => consumer.once('close', resolve));
    for (let waited = 0; (consumerErr.match(/"msg":"joined the group"/g)?.length ?? 0) < 3; waited += 100) {
      if (waited > 60_000) throw new HarnessError(ErrorCodes.runtime, 'the latency consumer did not join its group within 60 s');
      await sleep(100);
    }
    await sleep(1_000);
    await produce(latencyTopic, ['-r', '2000', '--duration', String(latencySeconds), '-k', 'id', '--workers', '1']);
    await sleep(1_000);

    // Idle CPU: the same processes, now with nothing to read.
    progress(`measuring idle CPU of the consumer's processes for ${idleSeconds} s…`);
    const pids = processTree(consumer.pid as number);
    const before = new Map(pids.map((pid) => [pid, cpuTimeMs(pid) ?? 0]));
    const idleStarted = performance.now();
    await sleep(idleSeconds * 1000);
    const idleMs = performance.now() - idleStarted;
    const idle = pids.map((pid) => ({
      pid,
      role: pid === consumer.pid ? 'parent' : 'child',
      percentOfCore: Math.round((((cpuTimeMs(pid) ?? 0) - (before.get(pid) ?? 0)) / idleMs) * 10_000) / 100,
    }));

    consumer.kill('SIGINT');
    if ((await consumerExited) !== 0) throw new HarnessError(ErrorCodes.runtime, `the latency consumer failed: ${consumerErr.trim().split('\n').pop()}`);
    const e2eReport = JSON.parse(consumerOut) as ConsumeReport;
    const e2e = {
      p50Ms: e2eReport.endToEnd.p50Ms,
      p99Ms: e2eReport.endToEnd.p99Ms,
      p999Ms: e2eReport.endToEnd.p999Ms,
      maxMs: e2eReport.endToEnd.maxMs,
      samples: e2eReport.endToEnd.samples,
    };

    const ratioToJava = Math.round((best.recordsPerSec / java.recordsPerSec) * 100) / 100;
    const ratioNoSinkToJava = Math.round((noSink.recordsPerSec / java.recordsPerSec) * 100) / 100;
    if (argv.json) {
      console.log(JSON.stringify({ count, java, harness: best, variants, ratioToJava, ratioNoSinkToJava, e2e, idle }));
      return ExitCodes.ok;
    }
    const rows = [['Java ConsumerPerformance', java] as const, ...Object.entries(variants)].map(([name, figures]) => [
      name,
      figures.records.toLocaleString('en'),
      Math.round(figures.recordsPerSec).toLocaleString('en'),
      (figures.elapsedMs / 1000).toFixed(2),
      (figures.wallMs / 1000).toFixed(2),
      figures.peakRssMiB ?? '-',
    ]);
    console.log(formatTable(['RUN', 'RECORDS', 'RECORDS/S', 'SECONDS', 'WALL SECONDS', 'PEAK RSS MIB'], rows));
    console.log(
      `\nharness (3 processes, file sink) / Java: ${ratioToJava}×   with --sink none: ${ratioNoSinkToJava}×   (Java without its ${java.rebalanceMs} ms group join: ${Math.round(java.fetchRecordsPerSec).toLocaleString('en')} records/s)`,
    );
    console.log(
      `end-to-end latency at 2,000 msg/s (${e2e.samples} messages): p50 ${e2e.p50Ms} ms, p99 ${e2e.p99Ms} ms, p99.9 ${e2e.p999Ms} ms, max ${e2e.maxMs} ms`,
    );
    console.log(`idle CPU over ${idleSeconds} s: ${idle.map((entry) => `${entry.role} ${entry.pid} ${entry.percentOfCore} %`).join(', ')}`);
    return ExitCodes.ok;
  } finally {
    await admin.deleteTopics({ topics }).catch(() => {});
    await admin.disconnect();
  }
});
