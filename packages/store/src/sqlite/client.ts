import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { InfrastructureError } from '@sluice/core';
import Database from 'better-sqlite3';
import { type BetterSQLite3Database, drizzle } from 'drizzle-orm/better-sqlite3';
import { migrationsFolder } from '../migrationsFolder';
import * as schema from '../schema/sqlite';
import { applyMigrations } from './migrator';

export type Db = BetterSQLite3Database<typeof schema> & { $client: Database.Database };

/**
 * Pragmas, in one place:
 * - WAL: readers (status, export) never block the writer, and one fsync per commit batch.
 * - synchronous=NORMAL: a power loss may roll back the last commits, never corrupt. That is
 *   safe here because the ledger is reconciled against the key source on resume: a key whose
 *   row was lost is simply fetched again.
 * - busy_timeout: several worker processes share one file; a writer waits for the lock.
 */
function applyPragmas(sqlite: Database.Database): void {
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('synchronous = NORMAL');
  sqlite.pragma('busy_timeout = 15000');
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma('cache_size = -16384');
}

/**
 * Opens (creating if needed) the SQLite file, applies pragmas and pending migrations.
 * @throws InfrastructureError when the file cannot be opened or migrated.
 */
export function openDb(path: string): Db {
  try {
    if (path !== ':memory:') mkdirSync(dirname(resolve(path)), { recursive: true });
    const sqlite = new Database(path);
    applyPragmas(sqlite);
    applyMigrations(sqlite, migrationsFolder('sqlite'));
    return drizzle(sqlite, { schema }) as Db;
  } catch (err) {
    throw new InfrastructureError(`cannot open database ${path}: ${(err as Error).message}`, { cause: err });
  }
}
