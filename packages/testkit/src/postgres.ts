import { randomBytes } from 'node:crypto';
import pg from 'pg';

/** The test PostgreSQL server: loopback, user `postgres`, trust authentication. */
export const TEST_POSTGRES_URL = process.env.SLUICE_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

/** `TEST_POSTGRES_URL` pointing at another database. */
export function postgresUrlFor(database: string, base = TEST_POSTGRES_URL): string {
  const url = new URL(base);
  url.pathname = `/${database}`;
  return url.toString();
}

async function admin<T>(fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: TEST_POSTGRES_URL });
  client.on('error', () => {});
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end().catch(() => {});
  }
}

/**
 * Runs `fn` with the URL of a fresh database `sluice_test_<random>` on the test server, dropped
 * (`with (force)`, cutting connections a failed test left open) afterwards whatever happens.
 */
export async function withTempPostgres<T>(fn: (url: string) => Promise<T>): Promise<T> {
  const database = `sluice_test_${randomBytes(6).toString('hex')}`;
  await admin((c) => c.query(`CREATE DATABASE ${database}`));
  try {
    return await fn(postgresUrlFor(database));
  } finally {
    await admin((c) => c.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`));
  }
}

/**
 * Cuts every connection to `database` on the test server (what a server restart does to its
 * clients); returns how many were cut.
 */
export async function terminatePostgresConnections(database: string): Promise<number> {
  return admin(async (c) => {
    const { rowCount } = await c.query(
      'SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()',
      [database],
    );
    return rowCount ?? 0;
  });
}

/** Cumulative activity counters of one database (`pg_stat_database`). */
export interface PostgresActivity {
  /** Committed transactions. */
  commits: number;
  /** Rows inserted, updated and deleted. */
  inserted: number;
  updated: number;
  deleted: number;
}

/**
 * `database`'s activity counters. The server publishes a backend's counts when its
 * transaction ends or it disconnects, so read them after the clients closed.
 */
export async function postgresActivity(database: string): Promise<PostgresActivity> {
  return admin(async (c) => {
    await c.query('SELECT pg_stat_clear_snapshot()');
    const { rows } = await c.query<{ commits: string; inserted: string; updated: string; deleted: string }>(
      `SELECT xact_commit AS commits, tup_inserted AS inserted, tup_updated AS updated, tup_deleted AS deleted
       FROM pg_stat_database WHERE datname = $1`,
      [database],
    );
    const r = rows[0];
    return {
      commits: Number(r?.commits ?? 0),
      inserted: Number(r?.inserted ?? 0),
      updated: Number(r?.updated ?? 0),
      deleted: Number(r?.deleted ?? 0),
    };
  });
}
