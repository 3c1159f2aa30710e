import type { FailureRecord, ResultRecord } from '@sluice/core';
import { escapeLiteral } from 'pg';
import { lockCrawlsSql } from './transaction';

/**
 * One group-commit flush as one query string, sent in one round trip with PostgreSQL's simple
 * query protocol, which runs the statements of one string as one transaction (committed at the
 * end, rolled back whole if any fails). Five round trips per flush (BEGIN, lock, insert,
 * counters, COMMIT) cost the client more CPU in socket writes than the rows themselves.
 *
 * The batch travels as one JSON document per kind of entry, unpacked server-side with
 * `json_to_recordset` (one-letter field names keep it small). The simple protocol takes no
 * parameters, so each document is quoted with node-postgres's `escapeLiteral`; nothing else
 * from outside is put into the text (crawl ids are checked to be integers).
 *
 * Two statements, because the second must see what the writer that held the lock before us
 * committed: in READ COMMITTED each statement takes its own snapshot, and a snapshot taken
 * before the lock was granted would not. Rules, as in the SQLite writer: a result is inserted
 * once per (crawl, key) and replaces an earlier failure; a failure never overwrites a result
 * (in the table or in this batch); a repeated failure updates its row; the counters move by
 * what was really inserted or deleted (atomic increments), and the statement returns them as
 * they now stand.
 */
export function flushStatement(
  crawlIds: readonly number[],
  results: readonly ResultRecord[],
  failures: readonly FailureRecord[],
  nowMs: number,
): string {
  const resultRows = escapeLiteral(
    JSON.stringify(
      results.map((r) => ({
        c: r.crawlId,
        k: r.key,
        p: r.position,
        s: r.status,
        b: r.body,
        a: r.attempts,
        f: r.fetchedAt,
        d: r.durationMs,
      })),
    ),
  );
  const failureRows = escapeLiteral(
    JSON.stringify(
      failures.map((f) => ({
        c: f.crawlId,
        k: f.key,
        p: f.position,
        e: f.errorClass,
        m: f.reason,
        s: f.status,
        a: f.attempts,
        f: f.failedAt,
      })),
    ),
  );
  if (!Number.isSafeInteger(nowMs)) throw new Error(`not a time: ${nowMs}`);
  return `${lockCrawlsSql(crawlIds)};
WITH r AS (SELECT * FROM json_to_recordset(${resultRows}) AS t(c int, k text, p int, s int, b text, a int, f bigint, d int)),
x AS (SELECT * FROM json_to_recordset(${failureRows}) AS t(c int, k text, p int, e text, m text, s int, a int, f bigint)),
ins AS (
  INSERT INTO results (crawl_id, key, position, status, body, attempts, fetched_at, duration_ms)
  SELECT c, k, p, s, b, a, f, d FROM r ON CONFLICT DO NOTHING RETURNING crawl_id, key),
del AS (DELETE FROM failures f USING ins WHERE f.crawl_id = ins.crawl_id AND f.key = ins.key RETURNING f.crawl_id),
fails AS (
  INSERT INTO failures (crawl_id, key, position, error_class, reason, status, attempts, failed_at)
  SELECT c, k, p, e, m, s, a, f FROM x
  WHERE NOT EXISTS (SELECT 1 FROM results q WHERE q.crawl_id = x.c AND q.key = x.k)
    AND NOT EXISTS (SELECT 1 FROM r WHERE r.c = x.c AND r.k = x.k)
  ON CONFLICT (crawl_id, key) DO UPDATE SET error_class = excluded.error_class, reason = excluded.reason,
    status = excluded.status, attempts = excluded.attempts, failed_at = excluded.failed_at
  RETURNING crawl_id, (xmax = 0) AS inserted),
deltas AS (
  SELECT crawl_id, 1 AS done, 0 AS failed FROM ins
  UNION ALL SELECT crawl_id, 0, -1 FROM del
  UNION ALL SELECT crawl_id, 0, 1 FROM fails WHERE inserted)
INSERT INTO crawl_progress (crawl_id, done, failed, last_progress_at)
SELECT crawl_id, sum(done), sum(failed), ${nowMs} FROM deltas GROUP BY crawl_id
HAVING sum(done) <> 0 OR sum(failed) <> 0
ON CONFLICT (crawl_id) DO UPDATE SET done = crawl_progress.done + excluded.done,
  failed = crawl_progress.failed + excluded.failed, last_progress_at = excluded.last_progress_at
RETURNING crawl_id, done, failed`;
}
