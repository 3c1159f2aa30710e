import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type pg from 'pg';
import type { JournalEntry } from '../migrationsFolder';
import { inTransaction } from './transaction';

/**
 * Applies drizzle-kit's generated PostgreSQL migrations (`migrations/pg/`), recording them in
 * drizzle's own `drizzle.__drizzle_migrations` table so drizzle-kit's tooling stays compatible.
 *
 * Why not drizzle's `migrate()`: many workers on many hosts start at once, and drizzle reads
 * the applied list before anything serialises them. Here check-and-apply runs in one
 * transaction under a transaction-level advisory lock: the first starter applies, the others
 * wait on the lock and then find nothing left to do. PostgreSQL's DDL is transactional, so a
 * starter killed half-way leaves nothing half-applied.
 */

/** Advisory lock key of the check-and-apply (any constant other code does not use). */
const MIGRATION_LOCK_KEY = 0x511ce1ed9;

export async function applyPgMigrations(pool: pg.Pool, migrationsFolder: string): Promise<number> {
  const journal = JSON.parse(readFileSync(join(migrationsFolder, 'meta', '_journal.json'), 'utf8')) as {
    entries: JournalEntry[];
  };
  return inTransaction(pool, async (client) => {
    await client.query('SELECT pg_advisory_xact_lock($1::bigint)', [MIGRATION_LOCK_KEY]);
    await client.query('CREATE SCHEMA IF NOT EXISTS drizzle');
    await client.query(
      'CREATE TABLE IF NOT EXISTS drizzle.__drizzle_migrations (id SERIAL PRIMARY KEY, hash text NOT NULL, created_at bigint)',
    );
    const last = await client.query<{ at: string | null }>('SELECT max(created_at)::text AS at FROM drizzle.__drizzle_migrations');
    const lastAt = last.rows[0]?.at == null ? null : Number(last.rows[0].at);
    let applied = 0;
    for (const entry of journal.entries) {
      if (lastAt !== null && entry.when <= lastAt) continue;
      const sql = readFileSync(join(migrationsFolder, `${entry.tag}.sql`), 'utf8');
      for (const statement of sql.split('--> statement-breakpoint')) {
        if (statement.trim()) await client.query(statement);
      }
      const hash = createHash('sha256').update(sql).digest('hex');
      await client.query('INSERT INTO drizzle.__drizzle_migrations (hash, created_at) VALUES ($1, $2)', [hash, entry.when]);
      applied++;
    }
    return applied;
  });
}
