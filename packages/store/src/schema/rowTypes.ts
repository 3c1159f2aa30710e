import type * as pg from './pg';
import type * as sqlite from './sqlite';

/**
 * Compile-time proof that the two schemas stay parallel: every table infers the same row type
 * in both dialects. A column added to one schema only fails `pnpm typecheck` here.
 */
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
type Tables = 'ledgerMeta' | 'crawls' | 'producerState' | 'crawlProgress' | 'results' | 'failures' | 'requestLog';
type Check = { [T in Tables]: Same<(typeof sqlite)[T]['$inferSelect'], (typeof pg)[T]['$inferSelect']> };
export const schemasAreParallel: { [T in Tables]: Check[T] } = {
  ledgerMeta: true,
  crawls: true,
  producerState: true,
  crawlProgress: true,
  results: true,
  failures: true,
  requestLog: true,
};
