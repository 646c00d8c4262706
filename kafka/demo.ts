/**
 * npm run demo — a first look: bring up the broker, send a dozen orders keyed by customer, read
 * them back and show where each landed.
 */
import { randomUUID } from 'node:crypto';
import type { Consumer } from 'kafkajs';
import { hideBin } from 'yargs/helpers';
import { userScoped } from '../shared/names.js';
import { commandConfigFlag, createCli, requireInteger, runCli } from '../shared/cli.js';
import { settings, type Settings } from '../shared/config.js';
import { ErrorCodes, ExitCodes, HarnessError, type ExitCode } from '../shared/errors.js';
import { connectClient, createConsumer, createKafka, createProducer, explainKafkaError, type KafkaClient } from '../shared/kafka-client.js';
import { getLogger, type Logger } from '../shared/logger.js';
import { MessageGenerator } from '../shared/message-generator.js';
import { MessageHeaders, MessageSchema, jsonContentType, type HarnessMessage } from '../shared/message.js';
import { installShutdown, rejectWhenStopped, type Shutdown } from '../shared/shutdown.js';
import { formatTable } from '../shared/table.js';
import { startBroker, startStopGraceMs } from './broker-control.js';
import { killStartingNodes } from './processes.js';

/** Reading a dozen records back takes about a second; much longer means something is wrong. */
const readBackTimeoutMs = 30_000;

/** Where one sent batch landed: the offset of its first record in each partition. */
interface Landing {
  partition: number;
  baseOffset: string;
}

type Row = [partition: number, offset: string, key: string | undefined, customer: string, amount: string];

/** The order in a record's value, or undefined for anything else in the topic (a line typed into kcat, say). */
function orderIn(value: Buffer | null): HarnessMessage | undefined {
  try {
    const parsed = MessageSchema.safeParse(JSON.parse(value?.toString() ?? ''));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Reads back exactly what this run sent: each partition from the offset the send reported, so older
 * records (earlier runs, anyone's test data) are never read, and anything that is not one of our
 * orders is skipped. Rejects on a consumer crash, on timeout and on Ctrl-C.
 */
async function readBack(
  consumer: Consumer,
  topic: string,
  sent: readonly HarnessMessage[],
  landings: readonly Landing[],
  shutdown: Shutdown,
  brokers: readonly string[],
): Promise<Row[]> {
  const wanted = new Set(sent.map((message) => message.id));
  const rows: Row[] = [];
  const allRead = new Promise<void>((resolve, reject) => {
    consumer.on(consumer.events.CRASH, ({ payload }) => reject(explainKafkaError(payload.error, brokers)));
    consumer
      .run({
        eachMessage: async ({ partition, message }) => {
          const order = orderIn(message.value);
          if (!order || !wanted.delete(order.id)) return;
          rows.push([
            partition,
            message.offset,
            message.key?.toString(),
            order.order.customer.name,
            `${order.order.amount.toFixed(2)} ${order.order.currency}`,
          ]);
          if (wanted.size === 0) resolve();
        },
      })
      // A new group would start at the end of each partition: start where this run's records are.
      .then(() => {
        for (const { partition, baseOffset } of landings) consumer.seek({ topic, partition, offset: baseOffset });
      })
      .catch(reject);
  });
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () =>
        reject(
          new HarnessError(
            ErrorCodes.runtime,
            `only ${rows.length} of ${sent.length} orders came back within ${readBackTimeoutMs / 1000} s: see npm run kafka:status`,
          ),
        ),
      readBackTimeoutMs,
    );
  });
  try {
    await Promise.race([allRead, timedOut, rejectWhenStopped(shutdown, 'reading the orders back')]);
  } finally {
    clearTimeout(timer);
  }
  return rows.sort((a, b) => a[0] - b[0] || Number(BigInt(a[1]) - BigInt(b[1])));
}

/** Orders per request: a broker refuses a request over 1 MB (message.max.bytes), about 2,000 orders. */
const ordersPerSend = 500;

async function sendOrders(
  kafka: KafkaClient,
  brokers: readonly string[],
  topic: string,
  sent: readonly HarnessMessage[],
  generator: MessageGenerator,
): Promise<Landing[]> {
  const producer = createProducer(kafka, { idempotent: true });
  await connectClient(producer, brokers);
  const firstOffsets = new Map<number, string>();
  try {
    for (let start = 0; start < sent.length; start += ordersPerSend) {
      const metadata = await producer.send({
        topic,
        acks: -1,
        messages: sent.slice(start, start + ordersPerSend).map((message) => ({
          key: message.order.customer.id,
          value: generator.serialize(message),
          headers: { [MessageHeaders.contentType]: jsonContentType, [MessageHeaders.sentAt]: String(Date.now()), [MessageHeaders.producer]: 'demo' },
        })),
      });
      // Sends go one after another, so a partition's first answer holds its lowest offset.
      for (const entry of metadata) if (!firstOffsets.has(entry.partition)) firstOffsets.set(entry.partition, entry.baseOffset ?? '0');
    }
  } catch (error) {
    throw explainKafkaError(error, brokers);
  } finally {
    await producer.disconnect();
  }
  return [...firstOffsets].map(([partition, baseOffset]) => ({ partition, baseOffset })).sort((a, b) => a.partition - b.partition);
}

async function runDemo(count: number, seed: number, config: Settings, log: Logger, shutdown: Shutdown): Promise<ExitCode> {
  console.log('1. The broker');
  // On a shared cluster (HARNESS_USER) the demo keeps to the learner's own topic, created if missing.
  const topic = userScoped(config.user, config.topic);
  const upConfig = { runtime: 'auto', nodes: undefined, basePort: undefined, timeoutMs: 90_000, topic, partitions: 6 } as const;
  const { brokers, report } = await startBroker(upConfig, config, log, shutdown.signal);
  for (const line of report) console.log(line);

  console.log(`\n2. Sending ${count} orders to ${topic}, keyed by customer id (murmur2 picks the partition, as the Java client would)`);
  const kafka = createKafka({ clientId: userScoped(config.user, 'harness-demo'), brokers, log });
  const generator = new MessageGenerator({ producer: 'demo', worker: 0, seed });
  const sent = Array.from({ length: count }, (_, seq) => generator.create(0, seq));
  const landings = await sendOrders(kafka, brokers, topic, sent, generator);
  console.log(`   acknowledged (acks=all): ${landings.map((entry) => `partition ${entry.partition} from offset ${entry.baseOffset}`).join(', ')}`);

  console.log(`\n3. Reading them back with a new consumer group, from the offsets the broker acknowledged`);
  const consumer = createConsumer(kafka, { groupId: userScoped(config.user, `harness-demo-${randomUUID()}`) });
  await connectClient(consumer, brokers);
  let rows: Row[];
  try {
    await consumer.subscribe({ topics: [topic] });
    rows = await readBack(consumer, topic, sent, landings, shutdown, brokers);
  } finally {
    await consumer.disconnect();
  }
  console.log(formatTable(['PARTITION', 'OFFSET', 'KEY', 'CUSTOMER', 'AMOUNT'], rows).replace(/^/gm, '   '));
  console.log('\n   Same key, same partition: run the demo again and each customer lands where it did before.');
  return ExitCodes.ok;
}

await runCli(async () => {
  const config = settings();
  const argv = await createCli(hideBin(process.argv), { scriptName: 'npm run demo --' })
    .usage('Usage: npm run demo -- [options]\n\nStarts the broker if needed, sends a few orders keyed by customer and reads them back.')
    .options({
      count: { alias: 'c', type: 'number', default: 12, describe: 'Orders to send' },
      seed: { type: 'number', default: 1, describe: 'Faker seed: the same seed sends the same orders' },
      'command-config': commandConfigFlag(),
    })
    .example('npm run demo', 'the whole round trip in a few seconds')
    .epilog('Ctrl-C stops it (exit 130); a broker it was still starting is stopped again, one already up keeps running.')
    .parseAsync();
  const count = requireInteger('count', argv.count, 1, 10_000);
  const seed = requireInteger('seed', argv.seed, 0);
  const log = getLogger('demo');
  const shutdown = installShutdown({ log, graceMs: startStopGraceMs, onForce: killStartingNodes });
  try {
    return await runDemo(count, seed, config, log, shutdown);
  } finally {
    shutdown.dispose();
  }
});
