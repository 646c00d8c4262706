/**
 * The PostgreSQL server of this kind of machine (127.0.0.1:5432, trust authentication, database
 * `test`), or ADMIN_DATABASE_URL's. A laptop without one skips these tests loudly; CI must run them.
 */
import pg from 'pg';
import { settings } from '../../../shared/config.js';
import { readAdminSettings } from '../../../consumer/admin/settings.js';

export const postgresUrl = readAdminSettings().databaseUrl ?? 'postgresql://root@127.0.0.1:5432/test';

async function postgresAnswers(): Promise<boolean> {
  const client = new pg.Client({ connectionString: postgresUrl, connectionTimeoutMillis: 2_000 });
  try {
    await client.connect();
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => {});
  }
}

/** Whether tests that need PostgreSQL should run: yes if it answers, and always under CI. */
export async function shouldRunWithPostgres(): Promise<boolean> {
  if (await postgresAnswers()) return true;
  if (settings().ci) return true; // under CI its absence is a failure, not a skip
  process.stderr.write(`\n*** SKIPPED: PostgreSQL is not reachable at ${new URL(postgresUrl).host}, so the tests that need it did not run ***\n\n`);
  return false;
}

/** Runs one query on a short-lived connection. */
export async function query<T extends pg.QueryResultRow = pg.QueryResultRow>(text: string, values: unknown[] = []): Promise<T[]> {
  const client = new pg.Client({ connectionString: postgresUrl });
  await client.connect();
  try {
    return (await client.query<T>(text, values)).rows;
  } finally {
    await client.end();
  }
}
