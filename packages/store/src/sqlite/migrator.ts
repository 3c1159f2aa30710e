import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type BetterSqlite3 from 'better-sqlite3';
import type { JournalEntry } from '../migrationsFolder';

/**
 * Applies drizzle-kit's generated migrations (`migrations/sqlite/`), recording them in drizzle's own
 * `__drizzle_migrations` table so drizzle-kit's tooling stays compatible.
 *
 * Why not drizzle's `migrate()`: several `sluice work` processes often start at the same
 * moment; drizzle reads the applied list before taking a write lock, so two processes can both
 * try to create the tables. Here the whole check-and-apply runs under `BEGIN IMMEDIATE`, which
 * serialises starters: the second one waits, then finds nothing left to do.
 */

export function applyMigrations(db: BetterSqlite3.Database, migrationsFolder: string): number {
  const journal = JSON.parse(readFileSync(join(migrationsFolder, 'meta', '_journal.json'), 'utf8')) as {
    entries: JournalEntry[];
  };
  db.exec('CREATE TABLE IF NOT EXISTS __drizzle_migrations (id INTEGER PRIMARY KEY AUTOINCREMENT, hash text NOT NULL, created_at numeric)');
  const apply = db.transaction(() => {
    const last = db.prepare('SELECT max(created_at) AS at FROM __drizzle_migrations').get() as { at: number | null };
    let applied = 0;
    for (const entry of journal.entries) {
      if (last.at !== null && entry.when <= last.at) continue;
      const sql = readFileSync(join(migrationsFolder, `${entry.tag}.sql`), 'utf8');
      for (const statement of sql.split('--> statement-breakpoint')) {
        if (statement.trim()) db.exec(statement);
      }
      const hash = createHash('sha256').update(sql).digest('hex');
      db.prepare('INSERT INTO __drizzle_migrations (hash, created_at) VALUES (?, ?)').run(hash, entry.when);
      applied++;
    }
    return applied;
  });
  return apply.immediate();
}
