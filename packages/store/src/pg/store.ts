import { randomBytes } from 'node:crypto';
import { InfrastructureError, toError } from '@sluice/core';
import type { Store } from '../contract';
import { migrationsFolder } from '../migrationsFolder';
import { connectPg } from './client';
import { createPgCrawlQueries } from './crawlQueries';
import { createPgKeyFileQueries } from './keyFileQueries';
import { createPgLedgerReads } from './ledgerReads';
import { createPgFailureClearer, createPgLedgerWriter, createPgRequestLogger } from './ledgerWriter';
import { applyPgMigrations } from './migrator';
import { withRetry } from './retry';
import { inTransaction } from './transaction';

/**
 * Group-commit pacing (see `Store.flushIntervalMs`): at W1's rates, batches of ~170 rows
 * instead of ~30. Measured on the flush function: ~15.7 µs of server CPU per row in batches of
 * 100, ~13.9 in batches of 200; the 20 ms a key may wait for its commit is nothing beside a
 * request.
 */
const PG_FLUSH_INTERVAL_MS = 20;

/**
 * The PostgreSQL ledger: any number of processes on any number of hosts share it. Pending
 * migrations are applied on open (serialised by an advisory lock); every later call is retried
 * with backoff while the server is away (a restart), for up to a minute.
 * @throws InfrastructureError naming host:port/database (never the password) when the server
 *   cannot be reached, refuses the credentials, or the migrations fail.
 */
export async function openPgStore(url: string): Promise<Store> {
  const { db, pool, place, shown } = await connectPg(url);
  const retry = <T>(fn: () => Promise<T>) => withRetry(fn, { place });
  let ledgerId: string;
  try {
    await applyPgMigrations(pool, migrationsFolder('pg'));
    ledgerId = await inTransaction(pool, async (client) => {
      // The first opener's id wins when several open a new ledger at once.
      await client.query('INSERT INTO ledger_meta (singleton, ledger_id, created_at) VALUES (1, $1, $2) ON CONFLICT DO NOTHING', [
        randomBytes(8).toString('hex'),
        Date.now(),
      ]);
      const { rows } = await client.query<{ ledger_id: string }>('SELECT ledger_id FROM ledger_meta WHERE singleton = 1');
      const id = rows[0]?.ledger_id;
      if (!id) throw new Error('ledger_meta has no row');
      return id;
    });
  } catch (thrown) {
    await pool.end().catch(() => {});
    const err = toError(thrown);
    throw new InfrastructureError(`cannot migrate PostgreSQL ledger at ${place}: ${err.message}`, { cause: err });
  }
  let closed: Promise<void> | null = null;
  return {
    kind: 'postgres',
    flushIntervalMs: PG_FLUSH_INTERVAL_MS,
    path: shown,
    ledgerId,
    crawls: createPgCrawlQueries(db, retry),
    ledger: createPgLedgerReads(db, retry),
    keyFiles: createPgKeyFileQueries(db, retry),
    writeEntries: createPgLedgerWriter(pool, retry),
    clearFailures: createPgFailureClearer(pool, retry),
    logRequests: createPgRequestLogger(pool, retry),
    integrityCheck: () =>
      retry(async () => {
        // PostgreSQL checks its own pages; what can go wrong here is the counters drifting.
        const { rows } = await pool.query<{ crawl_id: number }>(
          `SELECT p.crawl_id FROM crawl_progress p
           WHERE p.done <> (SELECT count(*) FROM results r WHERE r.crawl_id = p.crawl_id)
              OR p.failed <> (SELECT count(*) FROM failures f WHERE f.crawl_id = p.crawl_id)`,
        );
        return rows.length === 0 ? 'ok' : `counters differ from rows for crawl(s) ${rows.map((r) => r.crawl_id).join(', ')}`;
      }),
    close: () => {
      closed ??= pool.end().catch(() => {});
      return closed;
    },
  };
}
