/**
 * One row per message in a PostgreSQL table keyed by (topic, partition, offset). Each batch is one
 * transaction whose INSERT skips keys already present, so a batch replayed after a crash (written,
 * not yet committed to Kafka) adds no row twice: the table holds each message exactly once.
 */
import { createRequire } from 'node:module';
import type pg from 'pg';
import { ErrorCodes, HarnessError, UsageError, messageOf } from '../../../shared/errors.js';
import type { Envelope } from '../envelope.js';
import type { Sink, SinkWriteResult } from './types.js';

/**
 * pg, loaded when it is first needed: every consumer child loads this file (through the pipeline),
 * and few of them write to PostgreSQL, so the others' start-up no longer pays for it.
 */
const loadPg = (): typeof pg => createRequire(import.meta.url)('pg') as typeof pg;

export interface PostgresSinkOptions {
  /** e.g. postgresql://user@127.0.0.1:5432/db; never logged or shown in errors. */
  connectionString: string;
  /** `table` or `schema.table`; quoted, so case-sensitive. Created by open() if missing. */
  table: string;
  /** Connections at most; default 4 (batches of different partitions are written concurrently). */
  poolSize?: number;
}

/** Postgres truncates longer identifiers (NAMEDATALEN 64), so two long names could silently meet. */
const identifierPart = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;

/** Without a limit, pg waits forever for a server that doesn't answer; this way the caller's retry gets a turn. */
const connectionTimeoutMs = 10_000;

/** Creating a table another session is creating at the same moment fails with one of these, though the table then exists. */
const concurrentCreateCodes = new Set(['23505', '42P07']);

/** The table name as SQL, after checking it is a plain name: it is interpolated, not bound. */
export function quoteTableName(table: string): string {
  const parts = table.split('.');
  if (parts.length > 2 || !parts.every((part) => identifierPart.test(part))) {
    throw new UsageError(
      `postgres table ${JSON.stringify(table)} is not a plain SQL name: use letters, digits and _ (not starting with a digit), at most 63 each, optionally schema.table`,
    );
  }
  return parts.map((part) => loadPg().escapeIdentifier(part)).join('.');
}

/** SQLSTATE of a server error, or the errno name (ECONNREFUSED…) of a network one. */
function errorCode(error: unknown): string | undefined {
  const code: unknown = error instanceof Error ? (error as Error & { code?: unknown }).code : undefined;
  return typeof code === 'string' ? code : undefined;
}

/** One array per column: unnest() turns them back into rows, so a batch of any size is one statement with 7 parameters. */
function toColumns(batch: readonly Envelope[]): unknown[][] {
  const topics: string[] = [];
  const partitions: number[] = [];
  const offsets: number[] = [];
  const timestamps: (string | null)[] = [];
  const keys: (string | null)[] = [];
  const headers: string[] = [];
  const payloads: (string | null)[] = [];
  for (const envelope of batch) {
    const ts = new Date(envelope.ts);
    topics.push(envelope.topic);
    partitions.push(envelope.partition);
    offsets.push(envelope.offset);
    // An ISO string, not epoch ms through a float division: the millisecond survives exactly.
    timestamps.push(Number.isNaN(ts.getTime()) ? null : ts.toISOString());
    keys.push(envelope.key);
    headers.push(JSON.stringify(envelope.headers));
    // A payload of undefined has no JSON text: it becomes SQL NULL, while a JSON null stays jsonb 'null'.
    payloads.push(envelope.payload === undefined ? null : JSON.stringify(envelope.payload));
  }
  return [topics, partitions, offsets, timestamps, keys, headers, payloads];
}

/** Whether a string anywhere in the value holds U+0000 (in a key or a text), which PostgreSQL refuses in text and jsonb. */
function containsNul(value: unknown): boolean {
  if (typeof value === 'string') return value.includes('\u0000');
  if (Array.isArray(value)) return value.some(containsNul);
  if (value !== null && typeof value === 'object') return Object.entries(value).some(([key, inner]) => key.includes('\u0000') || containsNul(inner));
  return false;
}

function holdsNul(envelope: Envelope): boolean {
  return containsNul(envelope.key) || containsNul(envelope.headers) || containsNul(envelope.payload);
}

export class PostgresSink implements Sink {
  readonly name: string;
  readonly #pool: pg.Pool;
  readonly #connectionString: string;
  readonly #createSql: string;
  readonly #insertSql: string;
  #opened: boolean = false;
  #closed: boolean = false;

  constructor(options: PostgresSinkOptions) {
    const table = quoteTableName(options.table);
    this.name = `postgres ${options.table}`;
    this.#connectionString = options.connectionString;
    this.#pool = new (loadPg().Pool)({
      connectionString: options.connectionString,
      max: options.poolSize ?? 4,
      connectionTimeoutMillis: connectionTimeoutMs,
      application_name: 'kafka-harness',
    });
    // An idle connection the server drops emits 'error' on the pool, and an unhandled 'error' event
    // ends the process. The pool discards that connection; the next write opens a new one or fails and is retried.
    this.#pool.on('error', () => {});
    this.#createSql = `CREATE TABLE IF NOT EXISTS ${table} (
      topic text NOT NULL,
      partition integer NOT NULL,
      "offset" bigint NOT NULL,
      ts timestamptz,
      key text,
      headers jsonb NOT NULL,
      payload jsonb,
      consumed_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (topic, partition, "offset")
    )`;
    this.#insertSql = `INSERT INTO ${table} (topic, partition, "offset", ts, key, headers, payload)
      SELECT * FROM unnest($1::text[], $2::integer[], $3::bigint[], $4::timestamptz[], $5::text[], $6::jsonb[], $7::jsonb[])
      ON CONFLICT (topic, partition, "offset") DO NOTHING`;
  }

  async open(): Promise<void> {
    this.#checkNotClosed();
    try {
      await this.#pool.query(this.#createSql);
    } catch (error) {
      // IF NOT EXISTS checks before it inserts into the catalog, so two sessions can both pass the check.
      if (!concurrentCreateCodes.has(errorCode(error) ?? '')) throw this.#failure('cannot create the table', error);
    }
    this.#opened = true;
  }

  async write(batch: readonly Envelope[]): Promise<SinkWriteResult> {
    this.#checkNotClosed();
    if (!this.#opened) throw new HarnessError(ErrorCodes.closed, `${this.name} was never opened`);
    // PostgreSQL text and jsonb can't hold U+0000: such a row would fail every retry and block its
    // partition, so it goes to the dead letters instead.
    const refused = batch.filter(holdsNul);
    const rows = refused.length === 0 ? batch : batch.filter((envelope) => !holdsNul(envelope));
    const rejected = refused.length === 0 ? {} : { rejected: { envelopes: refused, error: 'PostgreSQL text cannot hold the NUL character (\\u0000)' } };
    if (rows.length === 0) return { duplicates: 0, ...rejected };
    let client: pg.PoolClient;
    try {
      client = await this.#pool.connect();
    } catch (error) {
      throw this.#failure('cannot connect', error);
    }
    let broken: Error | undefined;
    try {
      await client.query('BEGIN');
      const result = await client.query(this.#insertSql, toColumns(rows));
      // If the connection drops during COMMIT nobody knows whether it landed; the retry is safe either way,
      // since rows already there are skipped.
      await client.query('COMMIT');
      return { duplicates: rows.length - (result.rowCount ?? 0), ...rejected };
    } catch (error) {
      await client.query('ROLLBACK').catch((rollbackError: unknown) => {
        broken = rollbackError instanceof Error ? rollbackError : new Error(messageOf(rollbackError));
      });
      throw this.#failure('cannot insert the batch', error);
    } finally {
      // A connection that could not even roll back is in an unknown state: the pool must drop it, not reuse it.
      client.release(broken);
    }
  }

  /** write() commits its transaction before it resolves, so there is nothing left to make durable. */
  async flush(): Promise<void> {}

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#pool.end();
  }

  #checkNotClosed(): void {
    // A closed pool never reopens: a call after close() is a bug in the caller, not a retry case.
    if (this.#closed) throw new HarnessError(ErrorCodes.closed, `${this.name} is closed`);
  }

  /** Retriable: the server may be restarting. The connection string holds credentials, so it never reaches the message. */
  #failure(what: string, error: unknown): HarnessError {
    let message = messageOf(error);
    if (this.#connectionString) message = message.replaceAll(this.#connectionString, '<connection string>');
    return new HarnessError(ErrorCodes.runtime, `${this.name}: ${what}: ${message}`, {
      cause: error,
      retriable: true,
      sink: this.name,
      causeCode: errorCode(error),
    });
  }
}
