import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import type { Envelope } from '../../consumer/engine/envelope.js';
import { PostgresSink, quoteTableName, type PostgresSinkOptions } from '../../consumer/engine/sinks/postgres-sink.js';
import { ErrorCodes, UsageError } from '../../shared/errors.js';
import { postgresUrl, shouldRunWithPostgres } from './helpers/postgres.js';

const runPostgres = await shouldRunWithPostgres();

const envelope = (partition: number, offset: number, overrides: Partial<Envelope> = {}): Envelope => ({
  topic: 'orders',
  partition,
  offset,
  ts: 1_700_000_000_123 + offset,
  key: `k${offset}`,
  headers: { 'x-sent-at': String(offset) },
  payload: { n: offset },
  ...overrides,
});
const range = (partition: number, from: number, to: number): Envelope[] => Array.from({ length: to - from + 1 }, (_, i) => envelope(partition, from + i));

describe('PostgresSink without a server', () => {
  it.each(['', '1events', 'events-2', 'a.b.c', 'public.', '.events', 'x'.repeat(64), 'events;drop table x', 'my events', '"events"', 'événements'])(
    'refuses the table name %j',
    (table) => {
      expect(() => new PostgresSink({ connectionString: postgresUrl, table })).toThrow(UsageError);
      expect(() => new PostgresSink({ connectionString: postgresUrl, table })).toThrow(`postgres table ${JSON.stringify(table)} is not a plain SQL name`);
    },
  );

  it.each(['events', '_events_2', 'public.events', 'x'.repeat(63), `${'s'.repeat(63)}.${'t'.repeat(63)}`])('accepts the table name %j', async (table) => {
    const sink = new PostgresSink({ connectionString: postgresUrl, table });
    await sink.close();
  });

  it('quotes both parts of a schema-qualified name', () => {
    expect(quoteTableName('public.Events')).toBe('"public"."Events"');
  });

  it('keeps the connection string and its password out of the name and the errors', async () => {
    const connectionString = 'postgresql://root:s3cret-pw@127.0.0.1:1/test';
    const sink = new PostgresSink({ connectionString, table: 'events' });
    expect(sink.name).toBe('postgres events');
    const error = await sink.open().then(
      () => undefined,
      (thrown: unknown) => thrown,
    );
    expect(error).toMatchObject({ code: ErrorCodes.runtime, retriable: true });
    expect((error as Error).message).toMatch(/^postgres events: cannot create the table: .*ECONNREFUSED/);
    expect(JSON.stringify(error)).not.toContain('s3cret');
    await sink.close();
  });

  it('fails on a write before open', async () => {
    const sink = new PostgresSink({ connectionString: postgresUrl, table: 'events' });
    await expect(sink.write([envelope(0, 0)])).rejects.toMatchObject({ code: ErrorCodes.closed });
    await sink.close();
  });
});

describe.runIf(runPostgres)('PostgresSink', () => {
  let admin: pg.Pool;
  beforeAll(() => {
    admin = new pg.Pool({ connectionString: postgresUrl, max: 2 });
  });
  afterAll(() => admin.end());

  /** A table name no other test uses, dropped when the test ends. */
  function newTable(schema?: string): string {
    const table = `${schema ? `${schema}.` : ''}sink_test_${randomBytes(6).toString('hex')}`;
    onTestFinished(async () => {
      await admin.query(`DROP TABLE IF EXISTS ${quoteTableName(table)}`);
    });
    return table;
  }

  /** A sink closed when the test ends. */
  function createSink(options: Partial<PostgresSinkOptions> & { table: string }): PostgresSink {
    const sink = new PostgresSink({ connectionString: postgresUrl, ...options });
    onTestFinished(() => sink.close());
    return sink;
  }

  async function rows(table: string): Promise<Record<string, unknown>[]> {
    const result = await admin.query(
      `SELECT topic, partition, "offset", ts, key, headers, payload, consumed_at FROM ${quoteTableName(table)} ORDER BY partition, "offset"`,
    );
    return result.rows as Record<string, unknown>[];
  }

  it('creates the table and inserts a batch, one row per message', async () => {
    const table = newTable();
    const sink = createSink({ table });
    await sink.open();
    const batch = [
      envelope(0, 0),
      envelope(0, 1, { key: null, headers: {}, payload: null }),
      envelope(0, 2, { payload: ['a', 2, { deep: [true] }] }),
      envelope(1, 2 ** 40, { payload: 'just a string', headers: { a: '1', b: 'ü' } }),
      envelope(1, 2 ** 40 + 1, { ts: Number.NaN, payload: 42.5 }),
    ];
    const before = new Date();
    expect(await sink.write(batch)).toEqual({ duplicates: 0 });
    await sink.flush();

    const stored = await rows(table);
    expect(stored.map(({ topic, partition, offset, ts, key, headers, payload }) => ({ topic, partition, offset, ts, key, headers, payload }))).toEqual([
      { topic: 'orders', partition: 0, offset: '0', ts: new Date(1_700_000_000_123), key: 'k0', headers: { 'x-sent-at': '0' }, payload: { n: 0 } },
      { topic: 'orders', partition: 0, offset: '1', ts: new Date(1_700_000_000_124), key: null, headers: {}, payload: null },
      {
        topic: 'orders',
        partition: 0,
        offset: '2',
        ts: new Date(1_700_000_000_125),
        key: 'k2',
        headers: { 'x-sent-at': '2' },
        payload: ['a', 2, { deep: [true] }],
      },
      {
        topic: 'orders',
        partition: 1,
        offset: String(2 ** 40),
        ts: new Date(1_700_000_000_123 + 2 ** 40),
        key: `k${2 ** 40}`,
        headers: { a: '1', b: 'ü' },
        payload: 'just a string',
      },
      {
        topic: 'orders',
        partition: 1,
        offset: String(2 ** 40 + 1),
        ts: null,
        key: `k${2 ** 40 + 1}`,
        headers: { 'x-sent-at': String(2 ** 40 + 1) },
        payload: 42.5,
      },
    ]);
    for (const row of stored) expect((row.consumed_at as Date).getTime()).toBeGreaterThanOrEqual(before.getTime() - 1_000);
  });

  it('skips rows it already has, also from another sink on the same table, and counts them as duplicates', async () => {
    const table = newTable('public');
    const first = createSink({ table });
    await first.open();
    expect(await first.write(range(0, 0, 4))).toEqual({ duplicates: 0 });
    expect(await first.write(range(0, 0, 4))).toEqual({ duplicates: 5 });
    expect(await first.write(range(0, 3, 7))).toEqual({ duplicates: 2 });

    // A consumer restarted after a crash replays what it wrote but had not committed to Kafka.
    const second = createSink({ table });
    await second.open();
    expect(await second.write([...range(0, 6, 9), ...range(1, 6, 7)])).toEqual({ duplicates: 2 });
    expect(await second.write([envelope(1, 8), envelope(1, 8)])).toEqual({ duplicates: 1 });

    const stored = await rows(table);
    expect(stored.map((row) => `${String(row.partition)}/${String(row.offset)}`)).toEqual([
      ...['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'].map((offset) => `0/${offset}`),
      '1/6',
      '1/7',
      '1/8',
    ]);
  });

  it('writes a batch whole or not at all', async () => {
    const table = newTable();
    const sink = createSink({ table });
    await sink.open();
    await sink.write([envelope(0, 0)]);
    // The last row of the next batch breaks a rule the others keep, so only it fails inside the statement.
    await admin.query(`ALTER TABLE ${quoteTableName(table)} ADD CONSTRAINT offset_below_100 CHECK ("offset" < 100)`);
    const batch = [...range(0, 1, 5), envelope(0, 100)];

    const error = await sink.write(batch).then(
      () => undefined,
      (thrown: unknown) => thrown,
    );
    expect(error).toMatchObject({ code: ErrorCodes.runtime, retriable: true });
    expect((error as Error).message).toMatch(/^postgres sink_test_[0-9a-f]+: cannot insert the batch: .*offset_below_100/);
    expect((error as Error).message).not.toContain(postgresUrl);
    expect((await rows(table)).map((row) => row.offset)).toEqual(['0']);

    // The retry after the cause is gone succeeds on the same sink: the failed transaction left nothing behind.
    await admin.query(`ALTER TABLE ${quoteTableName(table)} DROP CONSTRAINT offset_below_100`);
    expect(await sink.write(batch)).toEqual({ duplicates: 0 });
    expect((await rows(table)).map((row) => row.offset)).toEqual(['0', '1', '2', '3', '4', '5', '100']);
  });

  it('inserts a batch far beyond the 65,535 bind parameters of one statement', async () => {
    const table = newTable();
    const sink = createSink({ table });
    await sink.open();
    expect(await sink.write(range(3, 0, 19_999))).toEqual({ duplicates: 0 });
    const { rows: counted } = await admin.query(`SELECT count(*)::int AS n FROM ${quoteTableName(table)}`);
    expect(counted).toEqual([{ n: 20_000 }]);
  });

  it('opens from several sinks at once on a table that does not exist yet', async () => {
    const table = newTable();
    const sinks = Array.from({ length: 8 }, () => createSink({ table, poolSize: 1 }));
    await Promise.all(sinks.map((sink) => sink.open()));
    await Promise.all(sinks.map((sink, i) => sink.write([envelope(i, 0)])));
    expect(await rows(table)).toHaveLength(8);
  });

  it('does nothing for an empty batch', async () => {
    const table = newTable();
    const sink = createSink({ table });
    await sink.open();
    expect(await sink.write([])).toEqual({ duplicates: 0 });
    expect(await rows(table)).toEqual([]);
  });

  it('fails on a write after close, and closes twice without complaint', async () => {
    const table = newTable();
    const sink = createSink({ table });
    await sink.open();
    await sink.close();
    await sink.close();
    await expect(sink.write([envelope(0, 0)])).rejects.toMatchObject({ code: ErrorCodes.closed, message: `postgres ${table} is closed` });
    await expect(sink.open()).rejects.toMatchObject({ code: ErrorCodes.closed });
  });
});

describe.runIf(runPostgres)('PostgresSink and the NUL character', () => {
  it('hands back rows PostgreSQL cannot store instead of failing the batch forever', async () => {
    const table = `sink_nul_${randomBytes(6).toString('hex')}`;
    const sink = new PostgresSink({ connectionString: postgresUrl, table });
    onTestFinished(async () => {
      await sink.close();
      const pool = new pg.Pool({ connectionString: postgresUrl, max: 1 });
      await pool.query(`DROP TABLE IF EXISTS ${quoteTableName(table)}`);
      await pool.end();
    });
    await sink.open();
    const bad = envelope(0, 2, { payload: { note: 'nul \u0000 inside' } });
    const result = await sink.write([envelope(0, 1), bad, envelope(0, 3, { payload: { text: 'a literal \\u0000 is fine' } })]);
    expect(result.duplicates).toBe(0);
    expect(result.rejected?.envelopes).toEqual([bad]);
    expect(result.rejected?.error).toMatch(/NUL/);
    const pool = new pg.Pool({ connectionString: postgresUrl, max: 1 });
    const { rows } = await pool.query(`SELECT "offset" FROM ${quoteTableName(table)} ORDER BY "offset"`);
    await pool.end();
    expect(rows.map((row: { offset: string }) => Number(row.offset))).toEqual([1, 3]);
  });
});
