/**
 * Sluice domain types.
 *
 * Glossary
 * - crawl:      one bulk download: a key source, a request template, limits, retry policy and
 *               validation. Stored in SQLite with an id; everything else hangs off it.
 * - key:        one unit of work inside a crawl (`IBM`, `FF00AA`).
 * - position:   a key's stable index in its key source (0..total-1). Progress is a set of
 *               positions; batches are aligned ranges of positions.
 * - key source: where keys come from (a numeric range, a file, a CSV column, a list), always
 *               in the same deterministic order.
 * - batch:      the unit the queue carries: up to `batchSize` consecutive positions. Redis
 *               cost is paid per batch, HTTP and ledger work per key.
 * - result:     the validated response for one key: status, body, timing, attempts.
 * - failure:    a key that ended without a result (permanent error or attempts exhausted),
 *               with its last error. Retriable on demand.
 * - ledger:     the SQLite tables of results and failures. A key is finished iff it has a row
 *               in one of them; Redis only dispatches.
 */

/** One key with its stable position in the key source. */
export interface KeyItem {
  position: number;
  key: string;
}

/** How a finished request was judged. */
export type Outcome = 'ok' | 'throttled' | 'transient' | 'permanent';

/** The row written to the ledger for a key that produced a valid response. */
export interface ResultRecord {
  crawlId: number;
  position: number;
  key: string;
  /** HTTP status of the final response. */
  status: number;
  /** Response body as received (JSON text). */
  body: string;
  /** Number of HTTP attempts used, throttled attempts excluded. */
  attempts: number;
  /** Epoch milliseconds when the final response arrived. */
  fetchedAt: number;
  /** Duration of the final attempt in milliseconds. */
  durationMs: number;
}

/** The row written to the ledger for a key that ended without a result. */
export interface FailureRecord {
  crawlId: number;
  position: number;
  key: string;
  /** Error class name, e.g. `PermanentError`, `TransientError`, `InvalidKeyError`. */
  errorClass: string;
  /** Human-readable reason, with secrets redacted. */
  reason: string;
  /** HTTP status of the last response, if any. */
  status: number | null;
  attempts: number;
  failedAt: number;
}

/** A key's final entry: exactly one of these is written per key. */
export type LedgerEntry = { kind: 'result'; record: ResultRecord } | { kind: 'failure'; record: FailureRecord };

/** A batch of work as carried by one queue job. Never contains URLs or secrets. */
export interface BatchPayload {
  crawlId: number;
  /** Batch number: positions [batch * batchSize, (batch + 1) * batchSize). */
  batch: number;
  items: KeyItem[];
}
