import type { KeyItem, LedgerEntry } from '@sluice/core';
import type { crawls, failures, results } from './schema/sqlite';

/**
 * The ledger contract: what the engine may ask of a ledger, whichever database holds it
 * (a SQLite file or PostgreSQL). Every method is asynchronous because PostgreSQL is; the SQLite
 * implementation answers synchronously inside. Row types are derived from the drizzle schema
 * (the PostgreSQL schema is checked to infer the same types), so a column is declared once.
 */

/** Rows read per page when streaming results (`iterateResults`). */
export const RESULTS_PAGE_ROWS = 1000;

/**
 * A finished key's result (without its crawl id), its body as received: a compressed body
 * (`storage.compress`) is decompressed by the reader, so `bodyZ` never leaves the store.
 */
export type ResultRow = Omit<typeof results.$inferSelect, 'crawlId' | 'bodyZ'>;

/** A key that ended without a result, as stored (without its crawl id). */
export type FailureRow = Omit<typeof failures.$inferSelect, 'crawlId'>;

/** A crawl as stored: the spec stays JSON text here; the engine parses it. */
export type CrawlRow = Omit<typeof crawls.$inferSelect, 'paused'> & { paused: boolean };

/** The crawls table and the producer's cursor. */
export interface CrawlQueries {
  /**
   * Inserts a crawl with its cursor and counters, in one transaction. Returns its id.
   * `compressBodies` (default false) makes it store its bodies compressed (`storage.compress`);
   * only the SQLite ledger supports it, PostgreSQL rejects it.
   */
  insert(input: { name: string; spec: string; specDir: string; total: number; compressBodies?: boolean }): Promise<number>;
  /** True when the crawl stores its bodies compressed (always false on PostgreSQL). */
  compressesBodies(crawlId: number): Promise<boolean>;
  /** Finds a crawl by numeric id or by name. */
  find(idOrName: string | number): Promise<CrawlRow | undefined>;
  /** Every crawl, by id. */
  list(): Promise<CrawlRow[]>;
  /** Replaces the stored spec (limits, retry, request) of an existing crawl. */
  updateSpec(crawlId: number, spec: string): Promise<void>;
  setPaused(crawlId: number, paused: boolean): Promise<void>;
  /**
   * Deletes a crawl with everything of it in the ledger (cursor, counters, results, failures,
   * request log: the schema's ON DELETE CASCADE), in one statement. Resolves false when it was
   * not there.
   */
  remove(crawlId: number): Promise<boolean>;
  /** The next batch the producer will enqueue. */
  getCursor(crawlId: number): Promise<number>;
  /**
   * Moves the cursor from `expected` to `nextBatch` only if nobody moved it meanwhile (a
   * `resume` or reconcile resetting it must win over a producer finishing a fill).
   * Resolves false when the cursor had moved.
   */
  advanceCursor(crawlId: number, expected: number, nextBatch: number): Promise<boolean>;
  setCursor(crawlId: number, nextBatch: number): Promise<void>;
}

/** Finished-key counters of a crawl. */
export interface CrawlProgress {
  done: number;
  failed: number;
}

/** Counters by crawl id, as a committed write left them. */
export type CommittedProgress = ReadonlyMap<number, CrawlProgress>;

/** The read side of the ledger. */
export interface LedgerReads {
  /** Start times (epoch ms) of logged requests since `sinceMs`, oldest first; only those of one pool credential when given. */
  requestTimesSince(crawlId: number, sinceMs: number, credential?: string): Promise<number[]>;
  /** Positions in [from, to] that already have a result or a failure. */
  finishedPositions(crawlId: number, from: number, to: number): Promise<Set<number>>;
  /** Finished-key counters, maintained by the ledger writer. */
  progress(crawlId: number): Promise<CrawlProgress>;
  /** Epoch ms of the last commit that finished a key of the crawl, or null. */
  lastProgressAt(crawlId: number): Promise<number | null>;
  /** Counts rows directly (slow on huge crawls; used to verify the counters). */
  recount(crawlId: number): Promise<{ done: number; failed: number }>;
  /** Results fetched at or after `sinceMs` (epoch ms), for rates. */
  resultsSince(crawlId: number, sinceMs: number): Promise<number>;
  /**
   * Streams results in position order without loading them all: pages of rows read by
   * position (keyset pagination), so memory stays constant and no read holds the database.
   */
  iterateResults(crawlId: number): AsyncIterable<ResultRow>;
  /** Failures in position order, at most `limit` (default 1,000,000). */
  listFailures(crawlId: number, limit?: number): Promise<FailureRow[]>;
  /** Streams every failure in position order without loading them all (pages, like `iterateResults`). */
  iterateFailures(crawlId: number): AsyncIterable<FailureRow>;
}

/** What the ledger remembers of a crawl's key file. */
export interface KeyFileRecord {
  /** SHA-256 of the file's bytes, hex. */
  sha256: string;
  /** Distinct keys copied into the ledger. */
  keys: number;
  storedAt: number;
}

/**
 * A crawl's keys copied from its key file (tables `crawl_keys` and `key_files`), so workers on
 * any host read keys from the ledger instead of the file. Appends are idempotent by position.
 */
export interface KeyFileQueries {
  /** Adds keys at their positions, in one transaction; positions already stored are kept. */
  appendKeys(crawlId: number, items: readonly KeyItem[]): Promise<void>;
  /** Up to `limit` stored keys from `fromPosition` on, in position order. */
  readKeys(crawlId: number, fromPosition: number, limit: number): Promise<KeyItem[]>;
  /** Marks the copy complete: the file's hash and the number of keys. */
  recordKeyFile(crawlId: number, sha256: string, keys: number): Promise<void>;
  /** The crawl's key file record, or undefined when its keys were never (fully) copied. */
  keyFile(crawlId: number): Promise<KeyFileRecord | undefined>;
}

/**
 * An open ledger. The only way into the database: no driver types leak out of this package.
 */
export interface Store {
  /** Which database holds the ledger. */
  readonly kind: 'sqlite' | 'postgres';
  /**
   * How far apart group-commit flushes should start (ms): 0 for SQLite, where a commit is a
   * call in the worker's own process; 20 for PostgreSQL, where each flush is a round trip and a
   * server transaction, so fewer, larger batches cost client and server less per key.
   */
  readonly flushIntervalMs: number;
  /**
   * Where the ledger is, printable: the SQLite file path, or the PostgreSQL URL without its
   * password.
   */
  readonly path: string;
  /** The ledger's random id (16 hex digits): part of every Redis key of its crawls. */
  readonly ledgerId: string;
  readonly crawls: CrawlQueries;
  readonly ledger: LedgerReads;
  /** Keys copied from a crawl's key file, so workers anywhere need no file. */
  readonly keyFiles: KeyFileQueries;
  /**
   * Writes entries in one transaction and resolves once it committed. Idempotent: a result is
   * stored once per (crawl, key); a result replaces an earlier failure of its key; a failure
   * never overwrites a result; the progress counters move by what was really inserted.
   * Resolves the counters, as this transaction left them, of each crawl whose counters it moved
   * (so a worker learns that a crawl is complete without another round trip).
   */
  writeEntries(entries: readonly LedgerEntry[]): Promise<CommittedProgress>;
  /** Deletes a crawl's failures so they can be fetched again; resolves how many. */
  clearFailures(crawlId: number): Promise<number>;
  /** Logs request start times (epoch ms), sent with pool credential `credential` if given, and prunes those older than `keepMs`. */
  logRequests(crawlId: number, times: readonly number[], keepMs: number, credential?: string): Promise<void>;
  /** A consistency check of the database: `ok` when healthy. */
  integrityCheck(): Promise<string>;
  close(): Promise<void>;
}
