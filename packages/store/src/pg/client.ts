import { InfrastructureError, toError } from '@sluice/core';
import { drizzle, type NodePgDatabase } from 'drizzle-orm/node-postgres';
import pg from 'pg';
import * as schema from '../schema/pg';
import { describeLedger, postgresPlace } from '../target';

export type PgDb = NodePgDatabase<typeof schema> & { $client: pg.Pool };

/**
 * Connections per process. A worker needs one for its group-commit writer (one flush at a
 * time), a few for batch look-ups and the producer, one for the monitor.
 */
const POOL_MAX = 8;
/** A start against an unreachable server fails within this time (exit 3), not after minutes. */
const CONNECT_TIMEOUT_MS = 10_000;

/** An open PostgreSQL connection pool with drizzle on top. */
export interface PgClient {
  db: PgDb;
  pool: pg.Pool;
  /** `host:port/database`, for messages (never the password). */
  place: string;
  /** The URL without password, as `Store.path` shows it. */
  shown: string;
}

/** Removes the URL's password from a driver message, should one ever quote it. */
function withoutPassword(message: string, url: string): string {
  let password = '';
  try {
    password = decodeURIComponent(new URL(url).password);
  } catch {
    // Unparsable URL: pg reports that without quoting it.
  }
  return password ? message.split(password).join('***') : message;
}

/**
 * Opens a pool on `url` and checks that the server answers with these credentials.
 * @throws InfrastructureError naming host:port/database (never the password) when it does not.
 */
export async function connectPg(url: string): Promise<PgClient> {
  const p = postgresPlace(url);
  const place = `${p.host}:${p.port}/${p.database}`;
  const pool = new pg.Pool({
    connectionString: url,
    max: POOL_MAX,
    connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
    application_name: 'sluice',
    // Our named statements (the flush, the finished-keys look-up) run thousands of times with
    // arguments of one shape. Left to choose (`auto`), the server planned the look-up afresh
    // on every call: ~170 µs of its CPU against ~60 with the generic plan. A SET on each new
    // connection before its first use, not a startup option, which some poolers refuse; a
    // server that does not know the setting (before PostgreSQL 12) keeps its default.
    onConnect: async (client) => {
      await client.query('SET plan_cache_mode = force_generic_plan').catch(() => {});
    },
  });
  // An idle connection the server closed (restart) must not crash the process; the next query
  // gets a new connection, and the store's retries cover the ones in flight.
  pool.on('error', () => {});
  try {
    await pool.query('SELECT 1');
  } catch (thrown) {
    await pool.end().catch(() => {});
    const err = toError(thrown);
    throw new InfrastructureError(`cannot open PostgreSQL ledger at ${place}: ${withoutPassword(err.message, url)}`);
  }
  return { db: drizzle(pool, { schema }) as PgDb, pool, place, shown: describeLedger(url) };
}
