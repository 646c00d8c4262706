/**
 * npm run bench:latency — end-to-end latency at a fixed 2,000 msg/s (the harness's producer into 3
 * consumer processes, or -p N, already in their group, from the producer's x-sent-at header to the moment a
 * batch reaches the consumer) beside Apache Kafka's EndToEndLatency on the same broker, both running
 * at the same time: on a shared machine, two runs a minute apart can differ by more than the two
 * clients do. Also prints the producer's own send latency (send to acknowledgement), the first part
 * of the end-to-end path. Prints the figures (--json: one object).
 */
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { hideBin } from 'yargs/helpers';
import type { ConsumeReport } from '../../consumer/cli/summary.js';
import type { ProduceReport } from '../../producer/report.js';
import { brokersFlag, commandConfigFlag, createCli, requireInteger, runCli } from '../../shared/cli.js';
import { settings } from '../../shared/config.js';
import { ErrorCodes, ExitCodes, HarnessError } from '../../shared/errors.js';
import { connectClient, createKafka } from '../../shared/kafka-client.js';
import { getLogger } from '../../shared/logger.js';
import { distPath } from '../../shared/paths.js';
import { runMeasured, startJoinedConsumer } from './lib/measure.js';

interface Percentiles {
  p50Ms: number;
  p99Ms: number;
  p999Ms: number;
  maxMs?: number;
}

/** The harness's mean JSON order, so that Java moves records of the same size. */
const recordBytes = 565;
const ratePerSecond = 2_000;

await runCli(async () => {
  const config = settings();
  const argv = await createCli(hideBin(process.argv), { scriptName: 'npm run bench:latency --' })
    .usage(
      "Usage: npm run bench:latency -- [--seconds N] [--java-records N] [--quick] [--json]\n\nEnd-to-end latency at 2,000 msg/s beside Kafka's EndToEndLatency.",
    )
    .options({
      brokers: brokersFlag(config),
      'command-config': commandConfigFlag(),
      seconds: { type: 'number', default: 30, describe: 'How long the producer sends at 2,000 msg/s' },
      'java-records': { type: 'number', default: 10_000, describe: 'Records EndToEndLatency sends, one at a time' },
      processes: { alias: 'p', type: 'number', default: 3, describe: 'Consumer processes (npm run consume -p)' },
      quick: { type: 'boolean', default: false, describe: '10 s and 2,000 Java records: about half a minute in all' },
      json: { type: 'boolean', default: false, describe: 'Print the results as one JSON object' },
    })
    .example('npm run bench:latency -- --quick', 'a quick look')
    .example('npm run -s bench:latency -- --json | jq .ratioToJava', 'just the p99 ratio')
    .parseAsync();
  const { brokers } = argv;
  const brokerList = brokers.join(',');
  const seconds = argv.quick ? 10 : requireInteger('seconds', argv.seconds, 1);
  const javaRecords = argv.quick ? 2_000 : requireInteger('java-records', argv['java-records'], 100);
  const processes = requireInteger('processes', argv.processes, 1, 6);
  const log = getLogger('bench-latency');
  const progress = (line: string): void => void process.stderr.write(`${line}\n`);
  const admin = createKafka({ clientId: 'bench-latency', brokers, log }).admin();
  await connectClient(admin, brokers);
  const topics: string[] = [];
  const newTopic = async (numPartitions: number): Promise<string> => {
    const topic = `bench-latency-${randomUUID()}`;
    await admin.createTopics({ waitForLeaders: true, topics: [{ topic, numPartitions, replicationFactor: 1 }] });
    topics.push(topic);
    return topic;
  };

  try {
    const javaTopic = await newTopic(1);
    const topic = await newTopic(6);
    // The harness's consumers join their group first: the figure is the steady state, not the join.
    const consumer = await startJoinedConsumer({ brokers: brokerList, topic, group: `bench-e2e-${randomUUID()}`, processes, args: ['--json'] });
    await sleep(1_000);

    progress(`measuring at 2,000 msg/s for ${seconds} s, and Kafka's EndToEndLatency (${javaRecords.toLocaleString('en')} records) at the same time…`);
    // Kafka's tool: one record at a time, acks=all, each timed from send() until its consumer's poll returns it.
    const javaRunning = runMeasured('java', [
      '-Xmx512m',
      `-Dlog4j2.configurationFile=${join(config.kafkaHome, 'config', 'log4j2.properties')}`,
      `-Dkafka.logs.dir=${join(config.kafkaHome, 'logs')}`,
      '-cp',
      join(config.kafkaHome, 'libs', '*'),
      'org.apache.kafka.tools.EndToEndLatency',
      '--bootstrap-server',
      brokerList,
      '--topic',
      javaTopic,
      '--num-records',
      String(javaRecords),
      '--producer-acks',
      'all',
      '--record-size',
      String(recordBytes),
    ]);
    const produceRun = await runMeasured(process.execPath, [
      distPath('producer/cli.js'),
      '-b',
      brokerList,
      '-t',
      topic,
      '-r',
      String(ratePerSecond),
      '--duration',
      String(seconds),
      '-k',
      'id',
      '--workers',
      '1',
      '--json',
    ]);
    const javaRun = await javaRunning;
    if (produceRun.code !== 0) throw new HarnessError(ErrorCodes.runtime, `producing failed: ${produceRun.stderr.trim().split('\n').pop()}`);
    const producerReport = JSON.parse(produceRun.stdout) as ProduceReport;
    await sleep(1_000);
    if ((await consumer.stop()) !== 0) throw new HarnessError(ErrorCodes.runtime, `the consumer failed: ${consumer.stderr().trim().split('\n').pop()}`);
    // "Percentiles: 50th = 1, 99th = 3, 99.9th = 7" (whole milliseconds, rounded down) and "Avg latency: 1.2345 ms".
    const percentiles = /Percentiles: 50th = (\d+), 99th = (\d+), 99\.9th = (\d+)/.exec(javaRun.stdout);
    if (javaRun.code !== 0 || !percentiles)
      throw new HarnessError(ErrorCodes.runtime, `EndToEndLatency failed: ${`${javaRun.stdout}${javaRun.stderr}`.trim().split('\n').slice(-3).join(' | ')}`);
    const java: Percentiles & { avgMs: number; seconds: number } = {
      p50Ms: Number(percentiles[1]),
      p99Ms: Number(percentiles[2]),
      p999Ms: Number(percentiles[3]),
      avgMs: Number(/Avg latency: ([\d.]+) ms/.exec(javaRun.stdout)?.[1]),
      seconds: Math.round(javaRun.wallMs / 100) / 10,
    };
    const { endToEnd } = JSON.parse(consumer.stdout()) as ConsumeReport;
    const harness: Percentiles & { samples: number } = {
      p50Ms: endToEnd.p50Ms,
      p99Ms: endToEnd.p99Ms,
      p999Ms: endToEnd.p999Ms,
      maxMs: endToEnd.maxMs,
      samples: endToEnd.samples,
    };
    const producerAck: Percentiles = { p50Ms: producerReport.p50Ms, p99Ms: producerReport.p99Ms, p999Ms: producerReport.p999Ms, maxMs: producerReport.maxMs };
    // Java's figures are whole milliseconds rounded down: its p99 of "3" is anything from 3 to 3.99 ms.
    const ratioToJava = Math.round((harness.p99Ms / Math.max(java.p99Ms, 1)) * 100) / 100;

    if (argv.json) {
      console.log(JSON.stringify({ seconds, javaRecords, processes, recordBytes, java, harness, producerAck, ratioToJava }));
      return ExitCodes.ok;
    }
    const line = (figures: Percentiles): string =>
      `p50 ${figures.p50Ms} ms, p99 ${figures.p99Ms} ms, p99.9 ${figures.p999Ms} ms${figures.maxMs === undefined ? '' : `, max ${figures.maxMs} ms`}`;
    console.log(
      `Kafka EndToEndLatency (${javaRecords} records, one at a time, ${java.seconds} s with JVM start): ${line(java)} (whole ms, rounded down; avg ${java.avgMs} ms)`,
    );
    console.log(`harness at 2,000 msg/s (${harness.samples} messages, ${processes} consumer processes): ${line(harness)}`);
    console.log(`  of which the producer's send-to-acknowledgement: ${line(producerAck)}`);
    console.log(`harness p99 / Java p99: ${ratioToJava}×`);
    return ExitCodes.ok;
  } finally {
    await admin.deleteTopics({ topics }).catch(() => {});
    await admin.disconnect();
  }
});
