import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

/**
 * The top-level `migrations/<dialect>/` folder, found by walking up from this file (not from
 * the current directory), so it is found from the sources and from a bundled build alike.
 */
export function migrationsFolder(dialect: 'sqlite' | 'pg'): string {
  const start = __dirname;
  for (let dir = start; ; dir = dirname(dir)) {
    const candidate = join(dir, 'migrations', dialect);
    if (existsSync(join(candidate, 'meta', '_journal.json'))) return candidate;
    if (dirname(dir) === dir) return resolve(start, '../../../migrations', dialect);
  }
}

export interface JournalEntry {
  idx: number;
  tag: string;
  /** When drizzle-kit generated the migration (epoch ms); applied migrations are tracked by it. */
  when: number;
}
