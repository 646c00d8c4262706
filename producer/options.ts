/**
 * The producer's flags: their yargs definitions (defaults beside them), and the one function that
 * turns parsed flags into validated options, cross-field rules included.
 */
import type { Argv, InferredOptionTypes } from 'yargs';
import { brokersFlag, commandConfigFlag, requireInteger, userFlag } from '../shared/cli.js';
import { userScoped } from '../shared/names.js';
import type { Settings } from '../shared/config.js';
import { UsageError } from '../shared/errors.js';
import { checkKeyField, parseKeyStrategy } from './keys.js';
import { allowedAcks, allowedCompressions, type AcksMode, type Compression } from './enumerations.js';
import type { ProduceSettings, ProducerOptions } from './types.js';

export const defaultCount = 10_000;

/**
 * One message must fit in one send, and produce-loop's messagesPerSend keeps a send under 900 KB,
 * below the broker's default message.max.bytes (1,048,588): a bigger message is always refused.
 */
export const maxPayloadBytes = 800_000;

export function producerFlags(settings: Settings) {
  return {
    brokers: brokersFlag(settings, 'Connection:'),
    'command-config': commandConfigFlag('Connection:'),
    user: userFlag(settings, 'Connection:'),
    topic: { alias: 't', type: 'string', default: settings.topic, group: 'Connection:', describe: 'Topic to produce to (KAFKA_TOPIC)' },
    'create-topic': { type: 'boolean', default: false, group: 'Connection:', describe: 'Create the topic if it is missing' },
    partitions: { type: 'number', default: 6, group: 'Connection:', describe: 'Partitions of a topic made by --create-topic' },

    count: { alias: 'c', type: 'number', group: 'How much:', describe: `Messages in all; 0 = until Ctrl-C [default: ${defaultCount}, or 0 with --duration]` },
    duration: { type: 'number', group: 'How much:', describe: 'Stop after this many seconds' },
    rate: { alias: 'r', type: 'number', group: 'How much:', describe: 'Messages per second across all workers [default: unlimited]' },

    workers: { type: 'number', default: 2, group: 'Concurrency:', describe: 'worker_threads, each with its own producer; 0 = the main thread only' },
    tasks: { type: 'number', default: 4, group: 'Concurrency:', describe: 'Concurrent async send loops per thread' },
    'batch-size': {
      type: 'number',
      default: 500,
      group: 'Concurrency:',
      describe: 'Messages per send request; fewer when they would pass 900 KB, which the broker refuses',
    },
    'max-in-flight': {
      type: 'number',
      default: 5,
      group: 'Concurrency:',
      describe: "Sends awaiting the broker per producer (one per thread), shared by the thread's tasks; 1 with --idempotent",
    },

    key: {
      alias: 'k',
      type: 'string',
      default: 'none',
      group: 'Messages:',
      describe: 'Key: none | id | user | random | a field path such as order.customer.country',
    },
    acks: {
      type: 'string',
      choices: allowedAcks,
      default: 'all' as AcksMode,
      group: 'Messages:',
      describe: 'Acknowledgement: all replicas, the leader (1) or none (0: the report then counts messages written, not acknowledged)',
    },
    compression: {
      alias: 'z',
      type: 'string',
      choices: allowedCompressions,
      default: 'none' as Compression,
      group: 'Messages:',
      describe: 'Batch compression',
    },
    idempotent: { type: 'boolean', default: false, group: 'Messages:', describe: 'Idempotent producer: no duplicates from retries (needs --acks all)' },
    'payload-bytes': {
      type: 'number',
      default: 0,
      group: 'Messages:',
      describe: `Pad each JSON message to about this many bytes (a padding field), at most ${maxPayloadBytes}`,
    },
    seed: { type: 'number', group: 'Messages:', describe: 'Faker seed: the same seed sends the same ids, orders and -k random keys' },
    pool: {
      type: 'number',
      default: 1_000,
      group: 'Messages:',
      describe: 'Prebuilt order bodies to cycle through (ids, seq and time stay unique); 0 = faker for every message',
    },

    json: { type: 'boolean', default: false, group: 'Output:', describe: 'Print the final report as one JSON object on stdout' },
    quiet: { alias: 'q', type: 'boolean', default: false, group: 'Output:', describe: 'No progress bar, warnings and errors only' },
    verbose: { alias: 'v', type: 'boolean', default: false, group: 'Output:', describe: 'Debug logs, KafkaJS included' },
  } as const;
}

export type ProducerArgv = InferredOptionTypes<ReturnType<typeof producerFlags>>;

function positive(name: string, value: number | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (Number.isNaN(value)) throw new UsageError(`--${name} takes a number above 0, not a word`);
  if (!Number.isFinite(value) || value <= 0) throw new UsageError(`--${name} must be a number above 0 (got ${value})`);
  return value;
}

export function toProducerOptions(argv: ProducerArgv): ProducerOptions {
  const durationSeconds = positive('duration', argv.duration);
  const options: ProducerOptions = {
    brokers: argv.brokers,
    commandConfig: argv['command-config'],
    topic: userScoped(argv.user, argv.topic),
    // A learner's own topic on a shared cluster does not exist until they first produce to it.
    createTopic: argv['create-topic'] || argv.user !== undefined,
    user: argv.user,
    partitions: requireInteger('partitions', argv.partitions, 1, 10_000),
    count: argv.count === undefined ? (durationSeconds ? 0 : defaultCount) : requireInteger('count', argv.count, 0),
    durationMs: durationSeconds === undefined ? undefined : durationSeconds * 1000,
    ratePerSecond: positive('rate', argv.rate),
    workers: requireInteger('workers', argv.workers, 0, 64),
    tasks: requireInteger('tasks', argv.tasks, 1, 1_000),
    batchSize: requireInteger('batch-size', argv['batch-size'], 1, 100_000),
    maxInFlight: requireInteger('max-in-flight', argv['max-in-flight'], 1, 100),
    key: parseKeyStrategy(argv.key),
    acks: argv.acks,
    compression: argv.compression,
    idempotent: argv.idempotent,
    payloadBytes: requireInteger('payload-bytes', argv['payload-bytes'], 0, 10_000_000),
    seed: argv.seed === undefined ? undefined : requireInteger('seed', argv.seed, 0),
    bodyPool: requireInteger('pool', argv.pool, 0, 1_000_000),
    json: argv.json,
    quiet: argv.quiet,
    verbose: argv.verbose,
  };
  if (options.idempotent && options.acks !== 'all') {
    throw new UsageError(`--idempotent needs --acks all (got --acks ${options.acks}): only then can the broker tell a retry from a new message`);
  }
  if (options.payloadBytes > maxPayloadBytes) {
    throw new UsageError(
      `--payload-bytes ${options.payloadBytes} is over ${maxPayloadBytes}: the broker refuses a message that big (message.max.bytes, 1048588 by default)`,
    );
  }
  // A field path for -k is checked now, so a typo is a usage error before any connection.
  checkKeyField(options.key, options.payloadBytes);
  if (options.quiet && options.verbose) throw new UsageError('--quiet and --verbose contradict each other: pick one');
  if (options.topic.trim() === '') throw new UsageError('--topic is empty');
  return options;
}

/**
 * What every producing thread is handed: the options minus those only the main thread acts on,
 * with the topic's real partition count and the number of threads sharing the work.
 */
export function toProduceSettings(options: ProducerOptions, partitions: number, threads: number, maxSendBytes = defaultMaxSendBytes): ProduceSettings {
  // Named only to leave them out: a flag added to ProducerOptions reaches the threads unless listed here.
  const { createTopic: _createTopic, partitions: _partitions, workers: _workers, json: _json, quiet: _quiet, verbose: _verbose, ...shared } = options;
  return { ...shared, partitions, threads, maxSendBytes };
}

/**
 * The broker refuses a record batch over message.max.bytes (1,048,588 by default), and a send of
 * keyless messages is one batch to one partition, so each send stays under this many bytes.
 */
export const defaultMaxSendBytes = 900_000;
/** A record batch's header (61 bytes), with room to spare: what a batch adds to its records. */
export const batchOverheadBytes = 100;
/** What a record adds to its JSON on the wire: key, three headers and framing, generously. */
export const recordOverheadBytes = 200;

/**
 * The bytes a send may carry to a topic whose max.message.bytes is `topicMaxMessageBytes`
 * (undefined: the broker's default applies), or a usage error when --payload-bytes can't fit in
 * one record batch of it: every send would be refused.
 */
export function sendBytesFor(topic: string, topicMaxMessageBytes: number | undefined, payloadBytes: number): number {
  if (topicMaxMessageBytes === undefined) return defaultMaxSendBytes;
  const maxSendBytes = Math.min(defaultMaxSendBytes, topicMaxMessageBytes - batchOverheadBytes);
  const fits = maxSendBytes - recordOverheadBytes;
  if (payloadBytes > fits) {
    throw new UsageError(
      `--payload-bytes ${payloadBytes} can't fit in one message of topic "${topic}" (max.message.bytes ${topicMaxMessageBytes}): use --payload-bytes ${Math.max(0, fits)} or less`,
    );
  }
  return maxSendBytes;
}

export function describeExamples<T>(cli: Argv<T>): Argv<T> {
  return cli
    .example('npm run produce', `${defaultCount} orders to test-topic, 2 worker threads × 4 tasks`)
    .example('npm run produce -- -c 50000 --idempotent', 'more, with no duplicates when a send is retried')
    .example('npm run produce -- -r 500 --duration 10', '500 messages a second for 10 seconds')
    .example('npm run produce -- -c 0 -k user', "until Ctrl-C, each customer's orders on one partition, in order")
    .example('npm run produce -- -t orders --create-topic', 'to a new topic (6 partitions; --partitions N)')
    .example('npm run -s produce -- --json | jq .recordsPerSec', 'the report as JSON');
}
