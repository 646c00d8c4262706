/**
 * The bare KafkaJS baseline of bench:consume: what this project's KafkaJS (with its patches) does
 * with none of the harness around it. N processes, each joining one group with its own slice of the
 * partitions (the harness's static assigner and group settings, so both pay the same group
 * protocol), eachBatch with KafkaJS's default commits (one per batch), JSON.parse of every value,
 * nothing written; each process leaves once
 * its partitions reach the end offsets read at the start. Prints one JSON line: records, elapsedMs,
 * recordsPerSec, bytes. The wall clock, measured from outside, is the figure to compare.
 *
 *   node dist/test/bench/bare-consumer.js -t <topic> [-p 3] [--no-parse]
 */
import { fork } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { hideBin } from 'yargs/helpers';
import { brokersFlag, createCli, requireInteger, runCli } from '../../shared/cli.js';
import { settings } from '../../shared/config.js';
import { ErrorCodes, ExitCodes, HarnessError } from '../../shared/errors.js';
import { connectClient, createConsumer, createKafka } from '../../shared/kafka-client.js';
import { createRootLogger } from '../../shared/logger.js';
import { slicePartitions } from '../../consumer/cli/partition-slices.js';
import { createStaticAssigner } from '../../consumer/engine/static-assigner.js';

interface ChildStart {
  brokers: string[];
  topic: string;
  groupId: string;
  partitions: number[];
  /** [partition, end offset] as decimal strings. */
  ends: [number, string][];
  parse: boolean;
  /** Processes in all, so the first generation of the group waits for them (as the harness's does). */
  processes: number;
}

interface ChildDone {
  records: number;
  bytes: number;
}

const quiet = createRootLogger({ level: 'silent' });

/** One bare consumer: counts (and parses) until each of its partitions reaches its end offset. */
async function runChild(start: ChildStart): Promise<ChildDone> {
  const kafka = createKafka({ clientId: 'bench-bare', brokers: start.brokers, log: quiet });
  // The harness's group and fetch settings (session 10 s, heartbeat 1 s, fetches wait at most 500 ms),
  // so that the difference measured is the harness's own work, not KafkaJS's defaults.
  const consumer = createConsumer(kafka, {
    groupId: start.groupId,
    partitionAssigners: [createStaticAssigner(start.topic, start.partitions, { members: start.processes })],
    sessionTimeout: 10_000,
    heartbeatInterval: 1_000,
    maxWaitTimeInMs: 500,
  });
  const remaining = new Map(start.ends.map(([partition, end]) => [partition, BigInt(end)]));
  for (const partition of [...remaining.keys()]) if (!start.partitions.includes(partition) || remaining.get(partition) === 0n) remaining.delete(partition);
  let records = 0;
  let bytes = 0;
  let sink = 0;
  let resolve: () => void = () => {};
  const done = new Promise<void>((settle) => (resolve = settle));
  if (remaining.size === 0) resolve();
  await connectClient(consumer, start.brokers);
  await consumer.subscribe({ topics: [start.topic], fromBeginning: true });
  await consumer.run({
    partitionsConsumedConcurrently: start.partitions.length,
    eachBatch: async ({ batch }) => {
      const end = remaining.get(batch.partition);
      if (end === undefined) return;
      for (const message of batch.messages) {
        if (BigInt(message.offset) >= end) break;
        records += 1;
        const value = message.value;
        if (!value) continue;
        bytes += value.length;
        // Kept in a sum, so the parse can't be optimised away.
        if (start.parse) sink += JSON.parse(value.toString('utf8')) === null ? 0 : 1;
      }
      if (BigInt(batch.lastOffset()) + 1n >= end) {
        remaining.delete(batch.partition);
        if (remaining.size === 0) resolve();
      }
    },
  });
  await done;
  await consumer.disconnect();
  void sink;
  return { records, bytes };
}

if (process.send) {
  process.once('message', (start: ChildStart) => {
    runChild(start).then(
      (result) => process.send?.(result, () => process.exit(0)),
      (error: unknown) => {
        process.stderr.write(`bare consumer failed: ${String(error)}\n`);
        process.exit(1);
      },
    );
  });
} else {
  await runCli(async () => {
    const argv = await createCli(hideBin(process.argv), { scriptName: 'node dist/test/bench/bare-consumer.js' })
      .usage(
        'Usage: node dist/test/bench/bare-consumer.js -t <topic> [-p 3]\n\nBare KafkaJS: N processes read a topic to its end offsets (eachBatch, JSON.parse).',
      )
      .options({
        brokers: brokersFlag(settings()),
        topic: { alias: 't', type: 'string', demandOption: true, describe: 'Topic to read from the beginning' },
        processes: { alias: 'p', type: 'number', default: 3, describe: 'Processes, each with a slice of the partitions' },
        parse: { type: 'boolean', default: true, describe: 'JSON.parse every value (--no-parse: count only)' },
      })
      .parseAsync();
    const startedAt = performance.now();
    const kafka = createKafka({ clientId: 'bench-bare-admin', brokers: argv.brokers, log: quiet });
    const admin = kafka.admin();
    await connectClient(admin, argv.brokers);
    const offsets = await admin.fetchTopicOffsets(argv.topic).finally(() => admin.disconnect());
    const partitions = offsets.map((entry) => entry.partition).sort((a, b) => a - b);
    const processes = requireInteger('processes', argv.processes, 1, partitions.length);
    const groupId = `bench-bare-${randomUUID()}`;
    const ends = offsets.map((entry): [number, string] => [entry.partition, entry.high]);
    const results = await Promise.all(
      slicePartitions(partitions, processes).map(
        (slice) =>
          new Promise<ChildDone>((resolve, reject) => {
            const child = fork(fileURLToPath(import.meta.url), [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
            let result: ChildDone | undefined;
            child.once('message', (message: ChildDone) => (result = message));
            child.once('exit', (code) =>
              result && code === 0 ? resolve(result) : reject(new HarnessError(ErrorCodes.runtime, `a bare consumer exited with ${code}`)),
            );
            child.send({ brokers: argv.brokers, topic: argv.topic, groupId, partitions: slice, ends, parse: argv.parse, processes } satisfies ChildStart);
          }),
      ),
    );
    const elapsedMs = performance.now() - startedAt;
    const records = results.reduce((sum, result) => sum + result.records, 0);
    const bytes = results.reduce((sum, result) => sum + result.bytes, 0);
    console.log(JSON.stringify({ records, bytes, elapsedMs: Math.round(elapsedMs), recordsPerSec: Math.round(records / (elapsedMs / 1000)) }));
    return ExitCodes.ok;
  });
}
