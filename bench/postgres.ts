/**
 * The PostgreSQL ledger beside SQLite: the same workload through the real CLI with
 * `--db postgres://…` (a fresh database on the local server), its items/s against the SQLite
 * run of the same round, and what it cost the server per key (from `pg_stat_database`).
 */
import { openStore } from '@sluice/store';
import { postgresActivity, withTempPostgres } from '@sluice/testkit';
import type { Workload } from './workloads';

export interface PgRound {
  sqlitePerSec: number;
  pgPerSec: number;
  /** PostgreSQL items/s ÷ SQLite items/s. */
  ratio: number;
  /** Rows the server inserted per second of the run (results, counters, cursor, request log). */
  rowsPerSec: number;
  /** Rows inserted and updated per key. */
  rowsPerKey: number;
  /** Committed transactions per key (group commit makes this far below 1). */
  commitsPerKey: number;
}

/** Throws unless the ledger holds every key of the workload exactly once. */
export async function checkPgLedger(url: string, keys: number): Promise<void> {
  const store = await openStore(url);
  try {
    const counts = await store.ledger.recount(1);
    const positions = await store.ledger.finishedPositions(1, 0, keys - 1);
    if (counts.done !== keys || positions.size !== keys) {
      throw new Error(
        `the PostgreSQL ledger does not hold every key exactly once: ${JSON.stringify({ ...counts, positions: positions.size })}`,
      );
    }
  } finally {
    await store.close();
  }
}

/** A PostgreSQL run's own figures, before they are set against the round's SQLite run. */
export type PgRun = Omit<PgRound, 'sqlitePerSec' | 'ratio'>;

/** Sets a PostgreSQL run against the SQLite run of the same round. */
export function againstSqlite(run: PgRun, sqlitePerSec: number): PgRound {
  return { ...run, sqlitePerSec, ratio: run.pgPerSec / sqlitePerSec };
}

/** Runs `runSluice` on a fresh PostgreSQL ledger and reads what it cost the server. */
export async function pgRound(w: Workload, runSluice: (ledger: string) => Promise<{ perSec: number; wallMs: number }>): Promise<PgRun> {
  return withTempPostgres(async (url) => {
    const database = new URL(url).pathname.slice(1);
    const before = await postgresActivity(database);
    const run = await runSluice(url);
    const after = await postgresActivity(database);
    const inserted = after.inserted - before.inserted;
    return {
      pgPerSec: run.perSec,
      rowsPerSec: (inserted * 1000) / run.wallMs,
      rowsPerKey: (inserted + after.updated - before.updated) / w.keys,
      commitsPerKey: (after.commits - before.commits) / w.keys,
    };
  });
}

/** The PostgreSQL table (medians), printed after the main one. */
export function pgTable(rows: Array<{ w: Workload; rounds: PgRound[] }>, median: (values: number[]) => number): string {
  const lines = [
    '| workload | keys | SQLite items/s | PostgreSQL items/s | PG ÷ SQLite | PG rows/s | PG rows/key | PG commits/key |',
    '|---|---|---|---|---|---|---|---|',
  ];
  for (const { w, rounds } of rows) {
    const m = (f: (r: PgRound) => number) => median(rounds.map(f));
    lines.push(
      `| ${w.name} | ${w.keys.toLocaleString('en')} | ${m((r) => r.sqlitePerSec).toFixed(0)} | ${m((r) => r.pgPerSec).toFixed(0)} | ${m((r) => r.ratio).toFixed(2)}× | ${m((r) => r.rowsPerSec).toFixed(0)} | ${m((r) => r.rowsPerKey).toFixed(2)} | ${m((r) => r.commitsPerKey).toFixed(3)} |`,
    );
  }
  return `${lines.join('\n')}\n`;
}
