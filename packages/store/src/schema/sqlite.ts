import { index, integer, primaryKey, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';

/**
 * The ledger schema. `results` and `failures` are the truth about what is done: a key is
 * finished iff it has a row in one of them. Rows are keyed by (crawl, key); a key's position
 * is unique within its crawl too, which the producer uses to skip finished keys by range.
 */

/**
 * The ledger's own identity: one row, written on first open. Its random `id` namespaces every
 * Redis key of the ledger's crawls, so two ledgers sharing one Redis (both with a crawl 1)
 * never see each other's queues, limiter windows or heartbeats.
 */
export const ledgerMeta = sqliteTable('ledger_meta', {
  /** Always 1: the table holds one row. */
  singleton: integer('singleton').primaryKey(),
  /** Random id (16 hex digits), made when the ledger was created or first opened. */
  ledgerId: text('ledger_id').notNull(),
  createdAt: integer('created_at').notNull(),
});

export const crawls = sqliteTable('crawls', {
  id: integer('id').primaryKey({ autoIncrement: true }),
  name: text('name').notNull().unique(),
  /** The validated spec as JSON. Holds `{env.NAME}` placeholders, never their values. */
  spec: text('spec').notNull(),
  /** Folder that relative key-file paths are resolved against. */
  specDir: text('spec_dir').notNull(),
  /** Number of distinct keys in the key source. */
  total: integer('total').notNull(),
  createdAt: integer('created_at').notNull(),
  /** 1 while a user has paused the crawl. */
  paused: integer('paused').notNull().default(0),
});

/** Producer cursor: the next batch to enqueue. Saved after every addBulk. */
export const producerState = sqliteTable('producer_state', {
  crawlId: integer('crawl_id')
    .primaryKey()
    .references(() => crawls.id, { onDelete: 'cascade' }),
  nextBatch: integer('next_batch').notNull().default(0),
  updatedAt: integer('updated_at').notNull(),
});

/** Finished-key counters, updated in the same transaction as the rows they count. */
export const crawlProgress = sqliteTable('crawl_progress', {
  crawlId: integer('crawl_id')
    .primaryKey()
    .references(() => crawls.id, { onDelete: 'cascade' }),
  done: integer('done').notNull().default(0),
  failed: integer('failed').notNull().default(0),
  /** Epoch ms of the last commit that finished a key: proof of progress, not just liveness. */
  lastProgressAt: integer('last_progress_at'),
});

export const results = sqliteTable(
  'results',
  {
    crawlId: integer('crawl_id')
      .notNull()
      .references(() => crawls.id, { onDelete: 'cascade' }),
    key: text('key').notNull(),
    position: integer('position').notNull(),
    status: integer('status').notNull(),
    body: text('body').notNull(),
    attempts: integer('attempts').notNull(),
    fetchedAt: integer('fetched_at').notNull(),
    durationMs: integer('duration_ms').notNull(),
  },
  (t) => [primaryKey({ columns: [t.crawlId, t.key] }), uniqueIndex('results_crawl_position').on(t.crawlId, t.position)],
);

export const failures = sqliteTable(
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
    failedAt: integer('failed_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.crawlId, t.key] }), index('failures_crawl_position').on(t.crawlId, t.position)],
);

/**
 * Start times of requests of crawls with hourly or daily budgets: after Redis loses the
 * limiter's windows, they are rebuilt from here so a spent budget is not handed out again.
 * Rows older than a day are pruned.
 */
export const requestLog = sqliteTable(
  'request_log',
  {
    crawlId: integer('crawl_id')
      .notNull()
      .references(() => crawls.id, { onDelete: 'cascade' }),
    at: integer('at').notNull(),
  },
  (t) => [index('request_log_crawl_at').on(t.crawlId, t.at)],
);
