import { and, asc, between, count, eq, getTableColumns, gt, gte, sql } from 'drizzle-orm';
import { type FailureRow, type LedgerReads, RESULTS_PAGE_ROWS, type ResultRow } from '../contract';
import { pagesByPosition } from '../pagesByPosition';
import { crawlProgress, failures, requestLog, results } from '../schema/pg';
import type { PgDb } from './client';

type Retry = <T>(fn: () => Promise<T>) => Promise<T>;

/** Read side of the PostgreSQL ledger: typed drizzle queries, each retried over outages. */
export function createPgLedgerReads(db: PgDb, retry: Retry): LedgerReads {
  const { crawlId: _r, ...resultColumns } = getTableColumns(results);
  const { crawlId: _f, ...failureColumns } = getTableColumns(failures);
  // Asked once per batch, so prepared once per connection rather than planned every time.
  const finishedPositions = db
    .select({ position: results.position })
    .from(results)
    .where(and(eq(results.crawlId, sql.placeholder('id')), between(results.position, sql.placeholder('first'), sql.placeholder('last'))))
    .unionAll(
      db
        .select({ position: failures.position })
        .from(failures)
        .where(
          and(eq(failures.crawlId, sql.placeholder('id')), between(failures.position, sql.placeholder('first'), sql.placeholder('last'))),
        ),
    )
    .prepare('finished_positions');
  const progressRow = (id: number) => retry(async () => (await db.select().from(crawlProgress).where(eq(crawlProgress.crawlId, id)))[0]);

  return {
    requestTimesSince: (id, sinceMs, credential) =>
      retry(async () => {
        const byCredential = credential === undefined ? undefined : eq(requestLog.credential, credential);
        const rows = await db
          .select({ at: requestLog.at })
          .from(requestLog)
          .where(and(eq(requestLog.crawlId, id), gte(requestLog.at, sinceMs), byCredential))
          .orderBy(asc(requestLog.at));
        return rows.map((r) => r.at);
      }),

    finishedPositions: (id, first, last) =>
      retry(async () => new Set((await finishedPositions.execute({ id, first, last })).map((r) => r.position))),

    async progress(id) {
      const row = await progressRow(id);
      return row ? { done: row.done, failed: row.failed } : { done: 0, failed: 0 };
    },

    async lastProgressAt(id) {
      return (await progressRow(id))?.lastProgressAt ?? null;
    },

    recount: (id) =>
      retry(async () => {
        const [done] = await db.select({ n: count() }).from(results).where(eq(results.crawlId, id));
        const [failed] = await db.select({ n: count() }).from(failures).where(eq(failures.crawlId, id));
        return { done: done?.n ?? 0, failed: failed?.n ?? 0 };
      }),

    resultsSince: (id, sinceMs) =>
      retry(async () => {
        const [row] = await db
          .select({ n: count() })
          .from(results)
          .where(and(eq(results.crawlId, id), gte(results.fetchedAt, sinceMs)));
        return row?.n ?? 0;
      }),

    async *iterateResults(id): AsyncGenerator<ResultRow> {
      const page = (after: number) =>
        retry(() =>
          db
            .select(resultColumns)
            .from(results)
            .where(and(eq(results.crawlId, id), gt(results.position, after)))
            .orderBy(asc(results.position))
            .limit(RESULTS_PAGE_ROWS),
        );
      for await (const rows of pagesByPosition(page)) yield* rows;
    },

    async *iterateFailures(id): AsyncGenerator<FailureRow> {
      const page = (after: number) =>
        retry(() =>
          db
            .select(failureColumns)
            .from(failures)
            .where(and(eq(failures.crawlId, id), gt(failures.position, after)))
            .orderBy(asc(failures.position))
            .limit(RESULTS_PAGE_ROWS),
        );
      for await (const rows of pagesByPosition(page)) yield* rows;
    },

    listFailures: (id, limit = 1_000_000) =>
      retry(() => db.select(failureColumns).from(failures).where(eq(failures.crawlId, id)).orderBy(asc(failures.position)).limit(limit)),
  };
}
