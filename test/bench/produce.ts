/**
 * npm run bench:produce — the harness's producer against Apache Kafka's own ProducerPerformance and
 * against the naive one-await-per-message loop, on the same broker, record size and acks=all.
 * Prints a table and the ratios (--json: one object). Each run gets a fresh topic, deleted after.
 */
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { hideBin } from 'yargs/helpers';
import { brokersFlag, commandConfigFlag, createCli, requireInteger, runCli } from '../../shared/cli.js';
import { settings } from '../../shared/config.js';
import { ExitCodes, HarnessError, ErrorCodes } from '../../shared/errors.js';
import { connectClient, createKafka } from '../../shared/kafka-client.js';
import { getLogger } from '../../shared/logger.js';
import { distPath } from '../../shared/paths.js';
import { formatTable } from '../../shared/table.js';
import type { ProduceReport } from '../../producer/report.js';
import { runMeasured } from './lib/measure.js';

interface Figures {
  records: number;
  recordBytes: number;
  recordsPerSec: number;
  mbPerSec: number;
  p50Ms: number;
  p99Ms: number;
  peakRssMiB: number | undefined;
}

await runCli(async () => {
  const config = settings();
  const argv = await createCli(hideBin(process.argv), { scriptName: 'npm run bench:produce --' })
    .usage('Usage: npm run bench:produce -- [--quick] [--json]\n\nJava ProducerPerformance vs the naive KafkaJS loop vs this producer, on one broker.')
    .options({
      brokers: brokersFlag(config),
      'command-config': commandConfigFlag(),
      count: { alias: 'c', type: 'number', default: 1_000_000, describe: 'Records per run' },
      'naive-count': { type: 'number', default: 20_000, describe: 'Records for the naive loop (it needs minutes for a million)' },
      quick: { type: 'boolean', default: false, describe: '100,000 records (5,000 naive): about a minute in all' },
      json: { type: 'boolean', default: false, describe: 'Print the results as one JSON object' },
    })
    .example('npm run bench:produce -- --quick', 'a quick comparison')
    .example('npm run -s bench:produce -- --json | jq .ratioToJava', 'just the ratio')
    .parseAsync();
  const { brokers } = argv;
  // Other commands take them back as one -b flag.
  const brokerList = brokers.join(',');
  const count = argv.quick ? 100_000 : requireInteger('count', argv.count, 1_000);
  const naiveCount = argv.quick ? 5_000 : requireInteger('naive-count', argv['naive-count'], 100);
  const log = getLogger('bench-produce');
  const admin = createKafka({ clientId: 'bench-produce', brokers, log }).admin();
  await connectClient(admin, brokers);
  const progress = (line: string): void => {
    process.stderr.write(`${line}\n`);
  };

  const withTopic = async <T>(run: (topic: string) => Promise<T>): Promise<T> => {
    const topic = `bench-produce-${randomUUID()}`;
    await admin.createTopics({ waitForLeaders: true, topics: [{ topic, numPartitions: 6, replicationFactor: 1 }] });
    try {
      return await run(topic);
    } finally {
      // A million records is half a gigabyte: give the disk back before the next run.
      await admin.deleteTopics({ topics: [topic] }).catch(() => {});
    }
  };

  const harness = async (label: string, extra: string[]): Promise<Figures> => {
    progress(`running ${label} (${count.toLocaleString('en')} records)…`);
    return withTopic(async (topic) => {
      const run = await runMeasured(process.execPath, [
        distPath('producer/cli.js'),
        '-b',
        brokerList,
        '-t',
        topic,
        '-c',
        String(count),
        '--acks',
        'all',
        '--json',
        '-q',
        ...extra,
      ]);
      if (run.code !== 0) throw new HarnessError(ErrorCodes.runtime, `${label} failed: ${run.stderr.trim().split('\n').pop()}`);
      const report = JSON.parse(run.stdout) as ProduceReport;
      return {
        records: report.acknowledged,
        recordBytes: Math.round(report.bytes / report.acknowledged),
        recordsPerSec: report.recordsPerSec,
        mbPerSec: report.mbPerSec,
        p50Ms: report.p50Ms,
        p99Ms: report.p99Ms,
        peakRssMiB: run.peakRssMiB,
      };
    });
  };

  // Our messages are JSON orders of about 560 bytes; Java sends records of the same size.
  const variants: Record<string, Figures> = {};
  variants['harness --workers 2 --pool 1000'] = await harness('harness, 2 workers, prebuilt pool', ['--workers', '2', '--tasks', '4', '--pool', '1000']);
  const recordBytes = variants['harness --workers 2 --pool 1000'].recordBytes;

  progress(`running Java ProducerPerformance (${count.toLocaleString('en')} records of ${recordBytes} B)…`);
  const java = await withTopic(async (topic): Promise<Figures> => {
    const run = await runMeasured('java', [
      '-Xmx512m',
      `-Dlog4j2.configurationFile=${join(config.kafkaHome, 'config', 'log4j2.properties')}`,
      `-Dkafka.logs.dir=${join(config.kafkaHome, 'logs')}`,
      '-cp',
      join(config.kafkaHome, 'libs', '*'),
      'org.apache.kafka.tools.ProducerPerformance',
      '--topic',
      topic,
      '--num-records',
      String(count),
      '--record-size',
      String(recordBytes),
      '--throughput',
      '-1',
      '--command-property',
      `bootstrap.servers=${brokerList}`,
      'acks=all',
    ]);
    const match =
      /(\d+) records sent, ([\d.]+) records\/sec \(([\d.]+) MB\/sec\), [\d.]+ ms avg latency, [\d.]+ ms max latency, (\d+) ms 50th, \d+ ms 95th, (\d+) ms 99th/.exec(
        run.stdout,
      );
    if (run.code !== 0 || !match)
      throw new HarnessError(
        ErrorCodes.runtime,
        `ProducerPerformance failed (exit ${run.code}): ${`${run.stdout}${run.stderr}`.trim().split('\n').slice(-3).join(' | ')}`,
      );
    return {
      records: Number(match[1]),
      recordBytes,
      recordsPerSec: Number(match[2]),
      mbPerSec: Number(match[3]),
      p50Ms: Number(match[4]),
      p99Ms: Number(match[5]),
      peakRssMiB: run.peakRssMiB,
    };
  });

  progress(`running the naive loop (${naiveCount.toLocaleString('en')} records, one await per send)…`);
  const naive = await withTopic(async (topic): Promise<Figures> => {
    const run = await runMeasured(process.execPath, [distPath('test/bench/naive-producer.js'), brokerList, topic, String(naiveCount)]);
    if (run.code !== 0) throw new HarnessError(ErrorCodes.runtime, `the naive loop failed: ${run.stderr.trim().split('\n').pop()}`);
    const result = JSON.parse(run.stdout) as Omit<Figures, 'peakRssMiB' | 'recordBytes'>;
    return {
      ...result,
      recordBytes,
      recordsPerSec: Math.round(result.recordsPerSec * 10) / 10,
      mbPerSec: Math.round(result.mbPerSec * 100) / 100,
      peakRssMiB: run.peakRssMiB,
    };
  });

  variants['harness --workers 2 --pool 0'] = await harness('harness, 2 workers, faker per message', ['--workers', '2', '--tasks', '4', '--pool', '0']);
  variants['harness --workers 0 --pool 1000'] = await harness('harness, main thread, prebuilt pool', ['--workers', '0', '--tasks', '4', '--pool', '1000']);
  variants['harness --workers 0 --pool 0'] = await harness('harness, main thread, faker per message', ['--workers', '0', '--tasks', '4', '--pool', '0']);
  // How cost grows with the threads: rate and memory with 1 and 4 workers beside 0 and 2.
  variants['harness --workers 1 --pool 1000'] = await harness('harness, 1 worker, prebuilt pool', ['--workers', '1', '--tasks', '4', '--pool', '1000']);
  variants['harness --workers 4 --pool 1000'] = await harness('harness, 4 workers, prebuilt pool', ['--workers', '4', '--tasks', '4', '--pool', '1000']);
  await admin.disconnect();

  const best = variants['harness --workers 2 --pool 1000'];
  const ratioToJava = Math.round((best.recordsPerSec / java.recordsPerSec) * 100) / 100;
  const ratioToNaive = Math.round((best.recordsPerSec / naive.recordsPerSec) * 10) / 10;
  if (argv.json) {
    console.log(JSON.stringify({ count, naiveCount, java, naive, harness: best, variants, ratioToJava, ratioToNaive }));
    return ExitCodes.ok;
  }
  const rows = [['Java ProducerPerformance', java] as const, ['naive KafkaJS loop', naive] as const, ...Object.entries(variants)].map(([name, figures]) => [
    name,
    figures.records.toLocaleString('en'),
    figures.recordBytes,
    Math.round(figures.recordsPerSec).toLocaleString('en'),
    figures.mbPerSec.toFixed(2),
    figures.p50Ms,
    figures.p99Ms,
    figures.peakRssMiB ?? '-',
  ]);
  console.log(formatTable(['RUN', 'RECORDS', 'BYTES', 'RECORDS/S', 'MB/S', 'P50 MS', 'P99 MS', 'PEAK RSS MIB'], rows));
  console.log(`\nharness (2 workers, pool) / Java: ${ratioToJava}×   harness / naive loop: ${ratioToNaive}×   (acks=all, ${brokers.length} broker(s))`);
  console.log(`peak RSS of the default (2 workers): ${best.peakRssMiB ?? '-'} MiB for ${count.toLocaleString('en')} records (target: under 300 MiB)`);
  return ExitCodes.ok;
});
