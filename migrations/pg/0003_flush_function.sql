-- Custom SQL migration (drizzle-kit generate --custom): the ledger writer's flush as one function.
-- One call writes a group-commit batch in one round trip and one transaction, with plans the
-- server keeps per connection (a statement this size costs more to plan than to run on a
-- batch of a few dozen rows). Rules, as in the SQLite writer: a result is inserted once per
-- (crawl, key) and replaces an earlier failure; a failure never overwrites a result (in the
-- table or in the same batch); a repeated failure updates its row; the counters move by what
-- was really inserted or deleted, and are returned as they now stand.
CREATE FUNCTION sluice_flush(p_results json, p_failures json, p_now_ms bigint, p_crawl_ids integer[])
RETURNS TABLE (crawl_id integer, done integer, failed integer)
LANGUAGE plpgsql VOLATILE AS $$
#variable_conflict use_column
BEGIN
  -- Writers of one crawl (any process, any host) take its progress row lock first and so
  -- commit one after another. In READ COMMITTED each statement of a function takes a new
  -- snapshot, so the statement below, run once the lock is granted, sees what the previous
  -- holder committed: that keeps "a failure never overwrites a result" exact in a race.
  PERFORM 1 FROM crawl_progress WHERE crawl_id = ANY (p_crawl_ids) ORDER BY crawl_id FOR UPDATE;
  RETURN QUERY
  WITH r AS (
    SELECT * FROM json_to_recordset(p_results) AS t(c integer, k text, p integer, s integer, b text, a integer, f bigint, d integer)
  ),
  x AS (
    SELECT * FROM json_to_recordset(p_failures) AS t(c integer, k text, p integer, e text, m text, s integer, a integer, f bigint)
  ),
  ins AS (
    INSERT INTO results (crawl_id, key, position, status, body, attempts, fetched_at, duration_ms)
    SELECT r.c, r.k, r.p, r.s, r.b, r.a, r.f, r.d FROM r
    ON CONFLICT DO NOTHING
    RETURNING results.crawl_id, results.key
  ),
  del AS (
    DELETE FROM failures USING ins WHERE failures.crawl_id = ins.crawl_id AND failures.key = ins.key
    RETURNING failures.crawl_id
  ),
  fails AS (
    INSERT INTO failures (crawl_id, key, position, error_class, reason, status, attempts, failed_at)
    SELECT x.c, x.k, x.p, x.e, x.m, x.s, x.a, x.f FROM x
    WHERE NOT EXISTS (SELECT 1 FROM results q WHERE q.crawl_id = x.c AND q.key = x.k)
      AND NOT EXISTS (SELECT 1 FROM r WHERE r.c = x.c AND r.k = x.k)
    ON CONFLICT (crawl_id, key) DO UPDATE SET error_class = excluded.error_class, reason = excluded.reason,
      status = excluded.status, attempts = excluded.attempts, failed_at = excluded.failed_at
    RETURNING failures.crawl_id, (failures.xmax = 0) AS inserted
  ),
  deltas AS (
    SELECT ins.crawl_id AS cid, 1 AS dn, 0 AS fd FROM ins
    UNION ALL SELECT del.crawl_id, 0, -1 FROM del
    UNION ALL SELECT fails.crawl_id, 0, 1 FROM fails WHERE fails.inserted
  )
  INSERT INTO crawl_progress AS cp (crawl_id, done, failed, last_progress_at)
  SELECT cid, sum(dn), sum(fd), p_now_ms FROM deltas GROUP BY cid
  HAVING sum(dn) <> 0 OR sum(fd) <> 0
  ON CONFLICT (crawl_id) DO UPDATE SET done = cp.done + excluded.done, failed = cp.failed + excluded.failed,
    last_progress_at = excluded.last_progress_at
  RETURNING cp.crawl_id, cp.done, cp.failed;
END
$$;
