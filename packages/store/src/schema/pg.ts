import { bigint, index, integer, pgTable, primaryKey, text, uniqueIndex } from 'drizzle-orm/pg-core';

/**
 * The ledger schema in PostgreSQL: table for table and column for column the SQLite schema
 * (`./sqlite.ts`, whose comments say what each holds). Keep the two files parallel: a column
 * added there is added here in the same place, then `pnpm db:generate` writes both migrations.
 * Epoch-ms columns are `bigint` read as JS numbers (exact up to 2^53). `paused` stays an
 * integer 0/1 so both schemas infer the same row types (checked in `rowTypes.ts`).
 */

export const ledgerMeta = pgTable('ledger_meta', {
  singleton: integer('singleton').primaryKey(),
  ledgerId: text('ledger_id').notNull(),
  createdAt: bigint('created_at', { mode: 'number' }).notNull(),
});

export const crawls = pgTable('crawls', {
  id: integer('id').primaryKey().generatedByDefaultAsIdentity(),
  name: text('name').notNull().unique(),
  spec: text('spec').notNull(),
  specDir: text('spec_dir').notNull(),
  total: integer('total').notNull(),
  createdAt: bigint('created_at', { mode: 'number' }).notNull(),
  paused: integer('paused').notNull().default(0),
});

export const producerState = pgTable('producer_state', {
  crawlId: integer('crawl_id')
    .primaryKey()
    .references(() => crawls.id, { onDelete: 'cascade' }),
  nextBatch: integer('next_batch').notNull().default(0),
  updatedAt: bigint('updated_at', { mode: 'number' }).notNull(),
});

export const crawlProgress = pgTable('crawl_progress', {
  crawlId: integer('crawl_id')
    .primaryKey()
    .references(() => crawls.id, { onDelete: 'cascade' }),
  done: integer('done').notNull().default(0),
  failed: integer('failed').notNull().default(0),
  lastProgressAt: bigint('last_progress_at', { mode: 'number' }),
});

/**
 * No foreign key to `crawls` here, unlike the SQLite twin: PostgreSQL checks one per inserted
 * row (a trigger and a key-share lock each), ~3.3 µs of the ~16 µs a result row costs the
 * server. The flush function adds to the crawl's `crawl_progress` row in the same transaction,
 * whose foreign key then refuses results of a crawl that does not exist, once per flush; and
 * removing a crawl deletes its results first (crawlQueries.ts).
 */
export const results = pgTable(
  'results',
  {
    crawlId: integer('crawl_id').notNull(),
    key: text('key').notNull(),
    position: integer('position').notNull(),
    status: integer('status').notNull(),
    body: text('body').notNull(),
    attempts: integer('attempts').notNull(),
    fetchedAt: bigint('fetched_at', { mode: 'number' }).notNull(),
    durationMs: integer('duration_ms').notNull(),
  },
  (t) => [primaryKey({ columns: [t.crawlId, t.key] }), uniqueIndex('results_crawl_position').on(t.crawlId, t.position)],
);

export const failures = pgTable(
  'failures',
  {
    crawlId: integer('crawl_id')
      .notNull()
      .references(() => crawls.id, { onDelete: 'cascade' }),
    key: text('key').notNull(),
    position: integer('position').notNull(),
    errorClass: text('error_class').notNull(),
    reason: text('reason').notNull(),
    status: integer('status'),
    attempts: integer('attempts').notNull(),
    failedAt: bigint('failed_at', { mode: 'number' }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.crawlId, t.key] }), index('failures_crawl_position').on(t.crawlId, t.position)],
);

export const requestLog = pgTable(
  'request_log',
  {
    crawlId: integer('crawl_id')
      .notNull()
      .references(() => crawls.id, { onDelete: 'cascade' }),
    at: bigint('at', { mode: 'number' }).notNull(),
    /** The pool credential the request went out with (its environment variable's name), or null without a pool. */
    credential: text('credential'),
  },
  (t) => [index('request_log_crawl_at').on(t.crawlId, t.at)],
);

/** Keys copied from a crawl's key file, by position (see the SQLite schema). */
export const crawlKeys = pgTable(
  'crawl_keys',
  {
    crawlId: integer('crawl_id')
      .notNull()
      .references(() => crawls.id, { onDelete: 'cascade' }),
    position: integer('position').notNull(),
    key: text('key').notNull(),
  },
  (t) => [primaryKey({ columns: [t.crawlId, t.position] })],
);

/** The key file a crawl was created from: its SHA-256 and the number of keys copied. */
export const keyFiles = pgTable('key_files', {
  crawlId: integer('crawl_id')
    .primaryKey()
    .references(() => crawls.id, { onDelete: 'cascade' }),
  sha256: text('sha256').notNull(),
  keys: integer('keys').notNull(),
  storedAt: bigint('stored_at', { mode: 'number' }).notNull(),
});
