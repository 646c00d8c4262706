/**
 * The consumer's flags: yargs definitions with their defaults, and the function that validates
 * them into options (cross-field rules included).
 */
import type { Argv, InferredOptionTypes } from 'yargs';
import { brokersFlag, commandConfigFlag, requireInteger, userFlag } from '../../shared/cli.js';
import { userScoped } from '../../shared/names.js';
import type { Settings } from '../../shared/config.js';
import { UsageError } from '../../shared/errors.js';
import { allowedDeadLetterModes, type DeadLetterMode } from '../engine/dead-letter.js';
import type { StartOffset } from '../engine/group-offsets.js';
import { SinkTypes, type ProcessingSettings, type SinkType } from '../engine/pipeline.js';

export const AssignModes = { static: 'static', group: 'group' } as const;
export type AssignMode = (typeof AssignModes)[keyof typeof AssignModes];
export const allowedAssignModes: readonly AssignMode[] = Object.values(AssignModes);

/** The engine's sinks that need no server settings: the ones --sink offers. */
export const allowedSinkKinds = [SinkTypes.file, SinkTypes.stdout, SinkTypes.none] as const satisfies readonly SinkType[];
export type SinkKind = (typeof allowedSinkKinds)[number];

export const defaultGroup = 'harness-consumers';

export function consumerFlags(settings: Settings) {
  return {
    brokers: brokersFlag(settings, 'Connection:'),
    'command-config': commandConfigFlag('Connection:'),
    user: userFlag(settings, 'Connection:'),
    topic: { alias: 't', type: 'string', default: settings.topic, group: 'Connection:', describe: 'Topic to consume (KAFKA_TOPIC)' },
    group: { alias: 'G', type: 'string', default: defaultGroup, group: 'Connection:', describe: 'Consumer group: where offsets are committed' },

    processes: { alias: 'p', type: 'number', group: 'Processes:', describe: 'Child processes [default: min(partitions, 3)]' },
    assign: {
      type: 'string',
      choices: allowedAssignModes,
      default: 'static' as AssignMode,
      group: 'Processes:',
      describe: 'static: child i owns a fixed share of the partitions; group: Kafka balances them',
    },
    partitions: { type: 'string', group: 'Processes:', describe: 'Static slices, one per child: "0,1;2,3;4,5"' },

    offset: {
      alias: 'o',
      type: 'string',
      default: 'stored',
      group: 'Where and how long:',
      describe: "beginning | end | stored (the group's commits, else beginning) | <n>",
    },
    exit: {
      alias: 'e',
      type: 'boolean',
      default: false,
      group: 'Where and how long:',
      describe: 'Exit when every partition reaches the end offset seen at start',
    },
    count: { alias: 'c', type: 'number', group: 'Where and how long:', describe: 'Stop after this many messages in all' },

    'out-dir': { type: 'string', group: 'Output:', describe: 'Write consumer-<i>.jsonl files here (fsynced before each commit)' },
    sink: {
      type: 'string',
      choices: allowedSinkKinds,
      group: 'Output:',
      describe: 'file (with --out-dir) | stdout | none (count only) [default: file with --out-dir, else stdout]',
    },
    json: { type: 'boolean', default: false, group: 'Output:', describe: 'Print the final report as one JSON object' },
    'stats-interval': {
      type: 'number',
      group: 'Output:',
      describe: 'Seconds between stats (a live table on a terminal, log lines otherwise) [default: 1 on a terminal, 10 otherwise]',
    },
    quiet: { alias: 'q', type: 'boolean', default: false, group: 'Output:', describe: 'No live table, warnings and errors only' },
    verbose: { alias: 'v', type: 'boolean', default: false, group: 'Output:', describe: 'Debug logs, KafkaJS included' },

    'batch-size': { type: 'number', default: 500, group: 'Processing:', describe: 'Messages per write, flush and commit' },
    'batch-timeout-ms': { type: 'number', default: 500, group: 'Processing:', describe: 'Longest a fetch waits for data on the broker' },
    'max-retries': { type: 'number', default: 3, group: 'Processing:', describe: 'Retries of a failing handler or sink' },
    'retry-backoff-ms': { type: 'number', default: 200, group: 'Processing:', describe: 'First retry wait; doubles each time, with jitter' },
    'error-threshold': { type: 'number', default: 10, group: 'Processing:', describe: 'Failed messages in a row that pause a partition' },
    'pause-ms': { type: 'number', default: 5_000, group: 'Processing:', describe: 'How long a paused partition rests' },
    dlq: {
      type: 'string',
      choices: allowedDeadLetterModes,
      default: 'topic' as DeadLetterMode,
      group: 'Processing:',
      describe: 'Dead letters: <topic>.dlq, dlq-<i>.jsonl files, or dropped',
    },
    strict: { type: 'boolean', default: false, group: 'Processing:', describe: 'Also check the harness message schema (any JSON passes without it)' },
    'fail-rate': {
      type: 'number',
      default: 0,
      group: 'Processing:',
      describe: 'Make this share (0-1) of handler calls fail, to watch retries and dead letters',
    },
  } as const;
}

export type ConsumerArgv = InferredOptionTypes<ReturnType<typeof consumerFlags>>;

export interface ConsumerOptions {
  brokers: string[];
  /** --command-config: the file each child reads its TLS and SASL settings from (else the environment's). */
  commandConfig: string | undefined;
  /** Topic and group, already scoped to the user: `alice.test-topic`. */
  topic: string;
  groupId: string;
  /** HARNESS_USER / --user: also prefixes the children's client ids. */
  user: string | undefined;
  processes: number | undefined;
  assign: AssignMode;
  partitionSlices: string | undefined;
  offset: StartOffset;
  exitAtEnd: boolean;
  count: number | undefined;
  outDir: string | undefined;
  sink: SinkKind;
  json: boolean;
  statsIntervalMs: number;
  quiet: boolean;
  verbose: boolean;
  /** The flags every child's pipeline takes as given. */
  processing: ProcessingSettings;
  dlq: DeadLetterMode;
  /** A share (0-1) of handler calls made to fail, to watch retries and dead letters. */
  failRate: number;
}

export function parseStartOffset(text: string): StartOffset {
  if (text === 'stored' || text === 'beginning' || text === 'end') return { kind: text };
  if (/^\d+$/.test(text)) return { kind: 'offset', offset: BigInt(text) };
  throw new UsageError(`--offset "${text}" is not beginning, end, stored or an offset ≥ 0`);
}

export function toConsumerOptions(argv: ConsumerArgv, stderrIsTerminal: boolean): ConsumerOptions {
  const outDir = argv['out-dir'];
  const sink = (argv.sink as SinkKind | undefined) ?? (outDir ? 'file' : 'stdout');
  if (sink === 'file' && !outDir) throw new UsageError('--sink file needs --out-dir DIR (one consumer-<i>.jsonl per child)');
  const failRate = argv['fail-rate'];
  if (!(failRate >= 0 && failRate <= 1)) throw new UsageError(`--fail-rate must be between 0 and 1 (got ${failRate})`);
  const statsSeconds = argv['stats-interval'] ?? (stderrIsTerminal ? 1 : 10);
  if (!(statsSeconds > 0)) throw new UsageError(`--stats-interval must be above 0 seconds (got ${statsSeconds})`);
  const assign = argv.assign as AssignMode;
  if (argv.partitions !== undefined && assign !== 'static') throw new UsageError('--partitions lists static slices: it needs --assign static');
  if (argv.quiet && argv.verbose) throw new UsageError('--quiet and --verbose contradict each other: pick one');
  return {
    brokers: argv.brokers,
    commandConfig: argv['command-config'],
    topic: userScoped(argv.user, argv.topic),
    groupId: userScoped(argv.user, argv.group),
    user: argv.user,
    processes: argv.processes === undefined ? undefined : requireInteger('processes', argv.processes, 1, 64),
    assign,
    partitionSlices: argv.partitions,
    offset: parseStartOffset(argv.offset),
    exitAtEnd: argv.exit,
    count: argv.count === undefined ? undefined : requireInteger('count', argv.count, 1),
    outDir,
    sink,
    json: argv.json,
    statsIntervalMs: statsSeconds * 1000,
    quiet: argv.quiet,
    verbose: argv.verbose,
    processing: {
      batchSize: requireInteger('batch-size', argv['batch-size'], 1, 100_000),
      batchTimeoutMs: requireInteger('batch-timeout-ms', argv['batch-timeout-ms'], 1, 60_000),
      maxRetries: requireInteger('max-retries', argv['max-retries'], 0, 100),
      retryBackoffMs: requireInteger('retry-backoff-ms', argv['retry-backoff-ms'], 0, 600_000),
      errorThreshold: requireInteger('error-threshold', argv['error-threshold'], 1),
      pauseMs: requireInteger('pause-ms', argv['pause-ms'], 1, 3_600_000),
      strict: argv.strict,
    },
    dlq: argv.dlq as DeadLetterMode,
    failRate,
  };
}

export function describeExamples<T>(cli: Argv<T>): Argv<T> {
  return cli
    .example('npm run consume', '3 children on test-topic, each with 2 of its 6 partitions, JSON Lines on stdout')
    .example('npm run consume -- -o beginning -e --out-dir out', 'read everything there is into out/consumer-<i>.jsonl, then exit')
    .example('npm run consume -- -p 2 --partitions "0,1,2;3,4,5"', 'choose the slices')
    .example('npm run consume -- --assign group -p 4', "let Kafka's group protocol balance the partitions")
    .example('npm run consume -- --fail-rate 0.05 --dlq file', 'watch retries, dead letters (dlq-<i>.jsonl) and pauses')
    .example('npm run lag -- -G harness-consumers', 'how far behind the group is');
}
