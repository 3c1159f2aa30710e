import type * as pg from './pg';
import type * as sqlite from './sqlite';

/**
 * Compile-time proof that the two schemas stay parallel: every table infers the same row type
 * in both dialects. A column added to one schema only fails `pnpm typecheck` here, unless it is
 * listed in `SqliteOnly` (and the `body_dictionaries` table exists in SQLite only).
 */
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
type Tables = 'ledgerMeta' | 'crawls' | 'producerState' | 'crawlProgress' | 'results' | 'failures' | 'requestLog';
/** Columns only SQLite has: compressed bodies (`results.body_z`, `storage.compress`) are SQLite-only. */
type SqliteOnly = { results: 'bodyZ' };
type Row<T extends Tables> = Omit<(typeof sqlite)[T]['$inferSelect'], T extends keyof SqliteOnly ? SqliteOnly[T] : never>;
type Check = { [T in Tables]: Same<Row<T>, (typeof pg)[T]['$inferSelect']> };
export const schemasAreParallel: { [T in Tables]: Check[T] } = {
  ledgerMeta: true,
  crawls: true,
  producerState: true,
  crawlProgress: true,
  results: true,
  failures: true,
  requestLog: true,
};
