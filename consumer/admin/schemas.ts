/**
 * The admin API's shapes, as zod schemas: the same objects validate every request and generate the
 * OpenAPI document at /docs, so the two can't drift apart.
 */
import { z } from 'zod';

const brokerAddress = z.string().regex(/^(\[[0-9a-fA-F:]+\]|[^:\s/]+):\d{1,5}$/, 'host:port, e.g. 127.0.0.1:9092');

export const FileSinkSchema = z
  .object({
    type: z.literal('file'),
    path: z.string().min(1).max(500).describe('JSON Lines file, relative to OUTPUT_DIR; it may not leave that folder'),
  })
  .strict();

export const PostgresSinkSchema = z
  .object({
    type: z.literal('postgres'),
    table: z
      .string()
      .regex(/^[A-Za-z_][A-Za-z0-9_]{0,62}(\.[A-Za-z_][A-Za-z0-9_]{0,62})?$/, 'a table name like consumed_orders or schema.table')
      .describe('Table in ADMIN_DATABASE_URL (created if missing); the connection never comes from a request'),
  })
  .strict();

export const HttpSinkSchema = z
  .object({
    type: z.literal('http'),
    url: z.url({ protocol: /^https?$/ }).describe('Receives POSTed JSON batches; its origin must be in ADMIN_HTTP_ALLOW'),
  })
  .strict();

export const SinkSchema = z.discriminatedUnion('type', [FileSinkSchema, PostgresSinkSchema, HttpSinkSchema]);
export type SinkDefinition = z.infer<typeof SinkSchema>;

export const ConsumerInputSchema = z
  .object({
    name: z
      .string()
      .regex(/^[A-Za-z0-9][\w.-]{0,99}$/, 'letters, digits, ".", "_" or "-", up to 100')
      .optional(),
    brokers: z.array(brokerAddress).min(1).max(10).optional().describe('Default: the configured brokers; others only if in ADMIN_BROKER_ALLOW'),
    topic: z.string().regex(/^[A-Za-z0-9._-]{1,249}$/, 'a Kafka topic name'),
    group: z.string().min(1).max(249).describe('Consumer group; offsets are committed there'),
    autoStart: z.boolean().default(true),
    sinks: z.array(SinkSchema).min(1).max(5),
  })
  .strict();
export type ConsumerInput = z.infer<typeof ConsumerInputSchema>;

export const ConsumerStatuses = { active: 'ACTIVE', paused: 'PAUSED', inactive: 'INACTIVE', error: 'ERROR' } as const;
export type ConsumerStatus = (typeof ConsumerStatuses)[keyof typeof ConsumerStatuses];
export const allowedConsumerStatuses = Object.values(ConsumerStatuses) as [ConsumerStatus, ...ConsumerStatus[]];

export const PartitionLagSchema = z.object({
  current_offset: z.number().nullable(),
  log_end_offset: z.number(),
  lag: z.number().nullable(),
  status: z.string().describe("OK, WARN, STALL or STOP, by Burrow's rules"),
  estimated_lag_seconds: z.number().nullable(),
});

export const ProblemSchema = z.object({
  type: z.string(),
  title: z.string(),
  status: z.number(),
  detail: z.string(),
  errors: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
  currentStatus: z.string().optional(),
});

/** What persists across restarts: the definitions and the status each consumer should have. */
export const StoredConsumerSchema = z.object({
  id: z.uuid(),
  name: z.string(),
  brokers: z.array(z.string()),
  topic: z.string(),
  group: z.string(),
  sinks: z.array(SinkSchema),
  status: z.enum(allowedConsumerStatuses),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
  lastError: z.object({ message: z.string(), at: z.iso.datetime() }).nullable(),
});
export type StoredConsumer = z.infer<typeof StoredConsumerSchema>;

/** What the API returns: the stored definition, plus live counters and lag. */
export const ConsumerViewSchema = StoredConsumerSchema.extend({
  stats: z.object({
    processed: z.number(),
    failed: z.number(),
    rate: z.number().describe('messages per second over the last 10 s: 0 when nothing flows'),
    dead_lettered: z.number(),
    retries: z.number(),
  }),
  lag: z.record(z.string(), PartitionLagSchema).describe('per partition, when the group has committed offsets'),
});
export type ConsumerView = z.infer<typeof ConsumerViewSchema>;

export const AdminStateSchema = z.object({ version: z.literal(1), consumers: z.array(StoredConsumerSchema) });
export type AdminState = z.infer<typeof AdminStateSchema>;

/** The query of GET /api/monitor/consumer-group-offsets and consumer-group-lag. */
export const GroupQuerySchema = z
  .object({
    group_id: z.string().min(1).max(249).describe('Consumer group'),
    topic: z.string().min(1).max(249).optional().describe('Only this topic; default every topic the group has offsets for'),
  })
  .strict();

/** The query of the earlier design's POST /start-consumer. */
export const LegacyStartQuerySchema = z
  .object({
    broker: brokerAddress.optional().describe('Default: the configured brokers; others only if in ADMIN_BROKER_ALLOW'),
    topic: z.string().regex(/^[A-Za-z0-9._-]{1,249}$/, 'a Kafka topic name'),
    file_path: z.string().min(1).max(500).describe('JSON Lines file, relative to OUTPUT_DIR'),
    group_id: z.string().min(1).max(249),
    client_id: z
      .string()
      .regex(/^[A-Za-z0-9][\w.-]{0,99}$/)
      .optional()
      .describe("The consumer's name"),
  })
  .strict();

const topicName = z.string().regex(/^[A-Za-z0-9._-]{1,249}$/, 'a topic name: letters, digits, ".", "_" or "-", up to 249');

/** GET /api/topics/:name/records: which records the message browser shows. */
export const RecordsQuerySchema = z
  .object({
    partition: z.coerce.number().int().min(0).max(100_000).describe('Partition to read'),
    offset: z.coerce.number().int().min(0).optional().describe('First offset to read (default: the log start)'),
    timestamp: z.coerce.number().int().min(0).optional().describe('Or: the first record at or after this time, ms since the epoch'),
    limit: z.coerce.number().int().min(1).max(100).default(20).describe('Records to read, 1 to 100'),
  })
  .strict()
  .refine((query) => query.offset === undefined || query.timestamp === undefined, { message: 'give offset or timestamp, not both' });

/** POST /api/groups/:group/reset-offsets: where to move a group with no active members. */
export const OffsetResetSchema = z
  .object({
    topic: topicName.describe('The topic whose offsets move'),
    to: z.enum(['beginning', 'end', 'offset', 'timestamp']).describe('beginning, end, an offset, or the first record at or after a timestamp'),
    offset: z.number().int().min(0).optional().describe('With to=offset: the offset (clamped to the log, as Kafka does)'),
    timestamp: z.number().int().min(0).optional().describe('With to=timestamp: ms since the epoch'),
    dryRun: z.boolean().default(false).describe('Only preview: say what would be committed, commit nothing'),
  })
  .strict()
  .refine((body) => body.to !== 'offset' || body.offset !== undefined, { message: 'to=offset needs an offset', path: ['offset'] })
  .refine((body) => body.to !== 'timestamp' || body.timestamp !== undefined, { message: 'to=timestamp needs a timestamp', path: ['timestamp'] });
