/**
 * How much CPU a connected, idle KafkaJS consumer burns: KafkaJS 2.2.4 spins a 1 ms timer per
 * connection when nothing is pending (kafkajs#1556); patches/ fixes it. Prints % of one core.
 *
 *   npm run bench:idle -- [--seconds 30] [--json]
 */
import { randomUUID } from 'node:crypto';
import { createRequire } from 'node:module';
import { setTimeout as sleep } from 'node:timers/promises';
import { hideBin } from 'yargs/helpers';
import { brokersFlag, commandConfigFlag, createCli, requireInteger, runCli } from '../../shared/cli.js';
import { settings } from '../../shared/config.js';
import { connectClient, createKafka } from '../../shared/kafka-client.js';
import { getLogger } from '../../shared/logger.js';

await runCli(async () => {
  const argv = await createCli(hideBin(process.argv), { scriptName: 'npm run bench:idle --' })
    .options({
      seconds: { type: 'number', default: 30, describe: 'How long to measure' },
      brokers: brokersFlag(settings()),
      'command-config': commandConfigFlag(),
      json: { type: 'boolean', default: false, describe: 'Print the result as JSON' },
    })
    .parseAsync();
  const seconds = requireInteger('seconds', argv.seconds, 1, 3600);
  const { brokers } = argv;
  const log = getLogger('bench-idle');
  const kafka = createKafka({ clientId: 'bench-idle', brokers, log });
  const admin = kafka.admin();
  await connectClient(admin, brokers);
  const topic = `bench-idle-${randomUUID()}`;
  await admin.createTopics({ topics: [{ topic, numPartitions: 6 }], waitForLeaders: true });
  const consumer = kafka.consumer({ groupId: topic });
  try {
    await consumer.connect();
    await consumer.subscribe({ topics: [topic] });
    const joined = new Promise<void>((resolve) => consumer.on(consumer.events.GROUP_JOIN, () => resolve()));
    await consumer.run({ eachMessage: async () => {} });
    await joined;
    await sleep(2_000); // let the first fetches settle
    const before = process.cpuUsage();
    const startedAt = performance.now();
    await sleep(seconds * 1000);
    const used = process.cpuUsage(before);
    const elapsedMs = performance.now() - startedAt;
    const percentOfCore = ((used.user + used.system) / 1000 / elapsedMs) * 100;
    const kafkajsVersion = (createRequire(import.meta.url)('kafkajs/package.json') as { version: string }).version;
    const result = { kafkajsVersion, seconds, cpuMs: Math.round((used.user + used.system) / 1000), percentOfCore: Number(percentOfCore.toFixed(2)) };
    console.log(
      argv.json
        ? JSON.stringify(result)
        : `idle consumer (kafkajs ${kafkajsVersion}): ${result.percentOfCore} % of one core over ${seconds} s (${result.cpuMs} ms CPU)`,
    );
  } finally {
    await consumer.disconnect();
    await admin.deleteTopics({ topics: [topic] }).catch(() => {});
    await admin.disconnect();
  }
});
