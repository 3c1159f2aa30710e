import { and, asc, between, count, eq, getTableColumns, gt, gte, sql } from 'drizzle-orm';
import { type FailureRow, type LedgerReads, RESULTS_PAGE_ROWS, type ResultRow } from '../contract';
import { pagesByPosition } from '../pagesByPosition';
import { crawlProgress, failures, requestLog, results } from '../schema/sqlite';
import type { BodyCompression } from './bodyCompression';
import type { Db } from './client';

const crawlId = sql.placeholder('crawlId');
const from = sql.placeholder('from');
const to = sql.placeholder('to');
const since = sql.placeholder('since');

/**
 * Read side of the SQLite ledger: typed drizzle queries, prepared once. Compressed bodies
 * (`storage.compress`) are decompressed here, so readers see them as received.
 */
export function createLedgerReads(db: Db, bodies: BodyCompression): LedgerReads {
  const { crawlId: _r, ...resultColumns } = getTableColumns(results);
  const { crawlId: _f, ...failureColumns } = getTableColumns(failures);
  const resultsInRange = db
    .select({ position: results.position })
    .from(results)
    .where(and(eq(results.crawlId, crawlId), between(results.position, from, to)))
    .prepare();
  const failuresInRange = db
    .select({ position: failures.position })
    .from(failures)
    .where(and(eq(failures.crawlId, crawlId), between(failures.position, from, to)))
    .prepare();
  const progress = db.select().from(crawlProgress).where(eq(crawlProgress.crawlId, crawlId)).prepare();
  const countResults = db.select({ n: count() }).from(results).where(eq(results.crawlId, crawlId)).prepare();
  const countFailures = db.select({ n: count() }).from(failures).where(eq(failures.crawlId, crawlId)).prepare();
  const resultsPage = db
    .select(resultColumns)
    .from(results)
    .where(and(eq(results.crawlId, crawlId), gt(results.position, sql.placeholder('after'))))
    .orderBy(asc(results.position))
    .limit(RESULTS_PAGE_ROWS)
    .prepare();
  const failuresPage = db
    .select(failureColumns)
    .from(failures)
    .where(and(eq(failures.crawlId, crawlId), gt(failures.position, sql.placeholder('after'))))
    .orderBy(asc(failures.position))
    .limit(RESULTS_PAGE_ROWS)
    .prepare();
  const failuresInOrder = db
    .select(failureColumns)
    .from(failures)
    .where(eq(failures.crawlId, crawlId))
    .orderBy(asc(failures.position))
    .limit(sql.placeholder('limit'))
    .prepare();
  const fetchedSince = db
    .select({ n: count() })
    .from(results)
    .where(and(eq(results.crawlId, crawlId), gte(results.fetchedAt, since)))
    .prepare();
  const requestTimes = db
    .select({ at: requestLog.at })
    .from(requestLog)
    .where(and(eq(requestLog.crawlId, crawlId), gte(requestLog.at, since)))
    .orderBy(asc(requestLog.at))
    .prepare();
  const credentialRequestTimes = db
    .select({ at: requestLog.at })
    .from(requestLog)
    .where(and(eq(requestLog.crawlId, crawlId), gte(requestLog.at, since), eq(requestLog.credential, sql.placeholder('credential'))))
    .orderBy(asc(requestLog.at))
    .prepare();

  return {
    async requestTimesSince(id, sinceMs, credential) {
      if (credential !== undefined) return credentialRequestTimes.all({ crawlId: id, since: sinceMs, credential }).map((r) => r.at);
      return requestTimes.all({ crawlId: id, since: sinceMs }).map((r) => r.at);
    },
    async finishedPositions(id, first, last) {
      const range = { crawlId: id, from: first, to: last };
      const finished = new Set<number>();
      for (const r of resultsInRange.all(range)) finished.add(r.position);
      for (const r of failuresInRange.all(range)) finished.add(r.position);
      return finished;
    },
    async progress(id) {
      const row = progress.get({ crawlId: id });
      return row ? { done: row.done, failed: row.failed } : { done: 0, failed: 0 };
    },
    async lastProgressAt(id) {
      return progress.get({ crawlId: id })?.lastProgressAt ?? null;
    },
    async recount(id) {
      return { done: countResults.get({ crawlId: id })?.n ?? 0, failed: countFailures.get({ crawlId: id })?.n ?? 0 };
    },
    async resultsSince(id, sinceMs) {
      return fetchedSince.get({ crawlId: id, since: sinceMs })?.n ?? 0;
    },
    async *iterateResults(id): AsyncGenerator<ResultRow> {
      for await (const page of pagesByPosition((after) => resultsPage.all({ crawlId: id, after }))) {
        for (const { bodyZ, ...row } of page) {
          if (bodyZ !== null) row.body = bodies.decode(id, { body: row.body, bodyZ });
          yield row;
        }
      }
    },
    async listFailures(id, limit = 1_000_000) {
      return failuresInOrder.all({ crawlId: id, limit });
    },
    async *iterateFailures(id): AsyncGenerator<FailureRow> {
      for await (const page of pagesByPosition((after) => failuresPage.all({ crawlId: id, after }))) yield* page;
    },
  };
}
