/**
 * The OpenAPI 3.1 document of the admin API, generated from the zod schemas that validate the
 * requests (OpenAPI 3.1 schemas are JSON Schema 2020-12, which zod emits).
 */
import { z } from 'zod';
import {
  ConsumerInputSchema,
  ConsumerViewSchema,
  GroupQuerySchema,
  LegacyStartQuerySchema,
  OffsetResetSchema,
  ProblemSchema,
  RecordsQuerySchema,
} from './schemas.js';

const schema = (zod: z.ZodType, io: 'input' | 'output' = 'output'): Record<string, unknown> => {
  const { $schema: _dialect, ...json } = z.toJSONSchema(zod, { target: 'draft-2020-12', io, unrepresentable: 'any' }) as Record<string, unknown>;
  return json;
};

const json = (ref: string, description: string) => ({ description, content: { 'application/json': { schema: { $ref: `#/components/schemas/${ref}` } } } });
const problem = (description: string) => ({ description, content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } } });
const idParameter = { name: 'id', in: 'path', required: true, schema: { type: 'string', format: 'uuid' } };
const nameParameter = { name: 'name', in: 'path', required: true, schema: { type: 'string' } };

/** The query parameters of a route, from the zod object schema that validates its query. */
export function queryParameters(zod: z.ZodObject): Record<string, unknown>[] {
  const json = schema(zod, 'input') as { properties?: Record<string, Record<string, unknown>>; required?: string[] };
  return Object.entries(json.properties ?? {}).map(([name, property]) => {
    const { description, ...propertySchema } = property;
    return {
      name,
      in: 'query',
      required: json.required?.includes(name) ?? false,
      ...(description === undefined ? {} : { description }),
      schema: propertySchema,
    };
  });
}

/** What any request that changes something may also get. */
const changeRefusals = { 403: problem('sent by a page on another origin (Sec-Fetch-Site or Origin)'), 503: problem('the server is shutting down') };

function action(verb: string, description: string) {
  return {
    post: {
      tags: ['consumers'],
      summary: description,
      parameters: [idParameter],
      responses: {
        200: json('Consumer', `the consumer after ${verb}`),
        404: problem('no such consumer'),
        409: problem('not possible from the current status (given in currentStatus)'),
        ...changeRefusals,
      },
    },
  };
}

export function openApiDocument(): Record<string, unknown> {
  return {
    openapi: '3.1.0',
    info: {
      title: 'kafka-harness admin',
      version: '1.0.0',
      description: 'Creates, starts, pauses and stops Kafka consumers that write to files, PostgreSQL or HTTP.',
    },
    components: {
      schemas: {
        ConsumerInput: schema(ConsumerInputSchema, 'input'),
        Consumer: schema(ConsumerViewSchema),
        Problem: schema(ProblemSchema),
        LegacyStartQuery: schema(LegacyStartQuerySchema, 'input'),
        OffsetReset: schema(OffsetResetSchema, 'input'),
      },
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'Needed when the server runs with ADMIN_TOKEN' } },
    },
    security: [{ bearer: [] }],
    paths: {
      '/api/consumers': {
        get: {
          tags: ['consumers'],
          summary: 'List consumers',
          responses: {
            200: {
              description: 'every consumer',
              content: { 'application/json': { schema: { type: 'array', items: { $ref: '#/components/schemas/Consumer' } } } },
            },
          },
        },
        post: {
          tags: ['consumers'],
          summary: 'Create a consumer (started unless autoStart is false)',
          requestBody: { required: true, content: { 'application/json': { schema: { $ref: '#/components/schemas/ConsumerInput' } } } },
          responses: {
            201: json('Consumer', 'created'),
            400: problem('invalid definition, path outside OUTPUT_DIR, URL not allowed, broker not allowed'),
            409: problem('ADMIN_MAX_CONSUMERS reached or name taken'),
            413: problem('body too large'),
            415: problem('body not application/json'),
            ...changeRefusals,
          },
        },
      },
      '/api/consumers/{id}': {
        get: {
          tags: ['consumers'],
          summary: 'One consumer: definition, status, stats and lag per partition',
          parameters: [idParameter],
          responses: { 200: json('Consumer', 'the consumer'), 404: problem('no such consumer') },
        },
        put: {
          tags: ['consumers'],
          summary: 'Replace the definition; a running consumer restarts with it',
          parameters: [idParameter],
          requestBody: { required: true, content: { 'application/json': { schema: { $ref: '#/components/schemas/ConsumerInput' } } } },
          responses: {
            200: json('Consumer', 'updated'),
            400: problem('invalid definition'),
            404: problem('no such consumer'),
            415: problem('body not application/json'),
            ...changeRefusals,
          },
        },
        delete: {
          tags: ['consumers'],
          summary: 'Stop (flush, commit) and delete',
          parameters: [idParameter],
          responses: { 204: { description: 'deleted' }, 404: problem('no such consumer'), ...changeRefusals },
        },
      },
      '/api/consumers/{id}/start': action('start', 'Start (from INACTIVE or ERROR)'),
      '/api/consumers/{id}/stop': action('stop', 'Stop: finish the batch, commit, leave the group'),
      '/api/consumers/{id}/pause': action('pause', 'Pause fetching (from ACTIVE)'),
      '/api/consumers/{id}/resume': action('resume', 'Resume fetching (from PAUSED)'),
      '/api/consumers/stop-all': {
        post: {
          tags: ['consumers'],
          summary: 'Stop every running consumer',
          responses: { 200: { description: 'ids of the consumers stopped' }, ...changeRefusals },
        },
      },
      '/api/topics': {
        get: {
          tags: ['cluster'],
          summary: 'Every topic on the cluster',
          responses: { 200: { description: 'the topics' }, 503: problem('the broker did not answer') },
        },
      },
      '/api/topics/{name}': {
        get: {
          tags: ['cluster'],
          summary:
            "One topic now: its partitions (log start and end, leader, replicas, ISR), each group's commits and owners, the timeline and 15 minutes of history",
          parameters: [nameParameter],
          responses: { 200: { description: 'the topic view' }, 404: problem('no such topic'), 503: problem('the broker did not answer') },
        },
      },
      '/api/topics/{name}/live': {
        get: {
          tags: ['cluster'],
          summary: 'The topic view pushed once a second as server-sent events, from one poller shared by every listener',
          parameters: [nameParameter],
          responses: { 200: { description: 'a stream of topic views', content: { 'text/event-stream': {} } }, 404: problem('no such topic') },
        },
      },
      '/api/topics/{name}/records': {
        get: {
          tags: ['cluster'],
          summary: 'The message browser: records of one partition from an offset or a time, read by a consumer that commits nothing',
          parameters: [nameParameter, ...queryParameters(RecordsQuerySchema)],
          responses: {
            200: { description: 'the records, with key, headers, timestamp and value' },
            400: problem('invalid query'),
            404: problem('no such topic or partition'),
            429: problem('too many reads of the browser at once'),
            503: problem('the broker did not answer'),
          },
        },
      },
      '/api/groups': {
        get: {
          tags: ['cluster'],
          summary: 'Every consumer group on the cluster: state, members, assignment, commits, lag and lag in seconds',
          responses: { 200: { description: 'the groups' }, 503: problem('the broker did not answer') },
        },
      },
      '/api/groups/{group}/reset-offsets': {
        post: {
          tags: ['cluster'],
          summary: 'Move the offsets of a group with no active members (dryRun: preview only), as kafka-consumer-groups --reset-offsets does',
          parameters: [{ name: 'group', in: 'path', required: true, schema: { type: 'string' } }],
          requestBody: { required: true, content: { 'application/json': { schema: { $ref: '#/components/schemas/OffsetReset' } } } },
          responses: {
            200: { description: 'the new offset of each partition (committed unless dryRun)' },
            400: problem('invalid body'),
            404: problem('no such topic'),
            409: problem('the group has active members'),
            ...changeRefusals,
          },
        },
      },
      '/api/monitor/consumer-group-offsets': {
        get: {
          tags: ['monitor'],
          summary: 'Committed offsets: { topic: { partition: offset } }',
          parameters: queryParameters(GroupQuerySchema),
          responses: { 200: { description: 'offsets' }, 404: problem('no committed offsets') },
        },
      },
      '/api/monitor/consumer-group-lag': {
        get: {
          tags: ['monitor'],
          summary: 'Lag per partition with a Burrow status (OK, WARN, STALL, STOP) and an estimate in seconds',
          parameters: queryParameters(GroupQuerySchema),
          responses: {
            200: { description: '{ partition: { current_offset, log_end_offset, lag, status, estimated_lag_seconds } }' },
            404: problem('no committed offsets'),
          },
        },
      },
      '/api/runtime': {
        get: {
          tags: ['monitor'],
          summary: 'Consumers, event-loop delay, active handles, memory, uptime',
          responses: { 200: { description: 'runtime report' } },
        },
      },
      '/metrics': { get: { tags: ['system'], summary: 'Prometheus metrics', responses: { 200: { description: 'text exposition format' } } } },
      '/healthz': { get: { tags: ['system'], summary: 'The server is up', security: [], responses: { 200: { description: 'ok' } } } },
      '/readyz': {
        get: { tags: ['system'], summary: 'The brokers answer', security: [], responses: { 200: { description: 'ready' }, 503: problem('no broker answers') } },
      },
      '/start-consumer': {
        post: {
          tags: ['earlier routes'],
          summary: 'Create and start a consumer writing to file_path',
          parameters: queryParameters(LegacyStartQuerySchema),
          responses: { 201: json('Consumer', 'created and started; also carries consumer_id'), 400: problem('invalid query') },
        },
      },
      '/stop-consumer/{id}': {
        post: {
          tags: ['earlier routes'],
          summary: 'POST /api/consumers/{id}/stop',
          parameters: [idParameter],
          responses: { 200: json('Consumer', 'stopped') },
        },
      },
      '/pause-consumer/{id}': {
        post: {
          tags: ['earlier routes'],
          summary: 'POST /api/consumers/{id}/pause',
          parameters: [idParameter],
          responses: { 200: json('Consumer', 'paused') },
        },
      },
      '/resume-consumer/{id}': {
        post: {
          tags: ['earlier routes'],
          summary: 'POST /api/consumers/{id}/resume',
          parameters: [idParameter],
          responses: { 200: json('Consumer', 'resumed') },
        },
      },
      '/terminate-consumer/{id}': {
        post: { tags: ['earlier routes'], summary: 'DELETE /api/consumers/{id}', parameters: [idParameter], responses: { 204: { description: 'deleted' } } },
      },
      '/stop-all': { post: { tags: ['earlier routes'], summary: 'POST /api/consumers/stop-all', responses: { 200: { description: 'stopped ids' } } } },
      '/list-consumers': { get: { tags: ['earlier routes'], summary: 'GET /api/consumers', responses: { 200: { description: 'every consumer' } } } },
      '/consumer-status/{id}': {
        get: { tags: ['earlier routes'], summary: 'GET /api/consumers/{id}', parameters: [idParameter], responses: { 200: json('Consumer', 'the consumer') } },
      },
      '/monitor-threads': { get: { tags: ['earlier routes'], summary: 'GET /api/runtime', responses: { 200: { description: 'runtime report' } } } },
    },
  };
}
