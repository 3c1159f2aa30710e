import { and, asc, eq, sql } from 'drizzle-orm';
import type { Db } from './client';
import { crawlProgress, crawls, producerState } from './schema';

/** A crawl as stored: the spec stays JSON text here; the engine parses it. */
export interface CrawlRow {
  id: number;
  name: string;
  spec: string;
  specDir: string;
  total: number;
  createdAt: number;
  paused: boolean;
}

function toRow(r: typeof crawls.$inferSelect): CrawlRow {
  return { ...r, paused: r.paused === 1 };
}

export function createCrawlQueries(db: Db) {
  return {
    /** Inserts a crawl with its cursor and counters, in one transaction. Returns its id. */
    insert(input: { name: string; spec: string; specDir: string; total: number }): number {
      return db.transaction((tx) => {
        const now = Date.now();
        const row = tx
          .insert(crawls)
          .values({ ...input, createdAt: now })
          .returning({ id: crawls.id })
          .get();
        tx.insert(producerState).values({ crawlId: row.id, nextBatch: 0, updatedAt: now }).run();
        tx.insert(crawlProgress).values({ crawlId: row.id, done: 0, failed: 0 }).run();
        return row.id;
      });
    },

    /** Finds a crawl by numeric id or by name. */
    find(idOrName: string | number): CrawlRow | undefined {
      const asId = typeof idOrName === 'number' ? idOrName : /^\d+$/.test(idOrName) ? Number(idOrName) : null;
      const byId = asId !== null ? db.select().from(crawls).where(eq(crawls.id, asId)).get() : undefined;
      const row =
        byId ??
        db
          .select()
          .from(crawls)
          .where(eq(crawls.name, String(idOrName)))
          .get();
      return row ? toRow(row) : undefined;
    },

    list(): CrawlRow[] {
      return db.select().from(crawls).orderBy(asc(crawls.id)).all().map(toRow);
    },

    /** Replaces the stored spec (limits, retry, request) of an existing crawl. */
    updateSpec(crawlId: number, spec: string): void {
      db.update(crawls).set({ spec }).where(eq(crawls.id, crawlId)).run();
    },

    /**
     * Deletes a crawl and, through the schema's ON DELETE CASCADE, its cursor, counters,
     * results, failures and request log, in one statement. Returns false when it was not there.
     */
    remove(crawlId: number): boolean {
      return db.delete(crawls).where(eq(crawls.id, crawlId)).run().changes > 0;
    },

    setPaused(crawlId: number, paused: boolean): void {
      db.update(crawls)
        .set({ paused: paused ? 1 : 0 })
        .where(eq(crawls.id, crawlId))
        .run();
    },

    /** The next batch the producer will enqueue. */
    getCursor(crawlId: number): number {
      const row = db.select({ next: producerState.nextBatch }).from(producerState).where(eq(producerState.crawlId, crawlId)).get();
      return row?.next ?? 0;
    },

    /**
     * Moves the cursor from `expected` to `nextBatch` only if nobody moved it meanwhile (a
     * `resume` or reconcile resetting it must win over a producer finishing a fill).
     * Returns false when the cursor had moved.
     */
    advanceCursor(crawlId: number, expected: number, nextBatch: number): boolean {
      const result = db
        .update(producerState)
        .set({ nextBatch, updatedAt: Date.now() })
        .where(and(eq(producerState.crawlId, crawlId), eq(producerState.nextBatch, expected)))
        .run();
      return result.changes > 0;
    },

    setCursor(crawlId: number, nextBatch: number): void {
      db.insert(producerState)
        .values({ crawlId, nextBatch, updatedAt: Date.now() })
        .onConflictDoUpdate({ target: producerState.crawlId, set: { nextBatch, updatedAt: sql`excluded.updated_at` } })
        .run();
    },
  };
}

export type CrawlQueries = ReturnType<typeof createCrawlQueries>;
