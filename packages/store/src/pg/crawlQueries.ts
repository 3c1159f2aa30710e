import { and, asc, eq, sql } from 'drizzle-orm';
import type { CrawlQueries, CrawlRow } from '../contract';
import { crawlIdOf } from '../crawlRef';
import { crawlProgress, crawls, producerState, results } from '../schema/pg';
import type { PgDb } from './client';

type Retry = <T>(fn: () => Promise<T>) => Promise<T>;

function toRow(r: typeof crawls.$inferSelect): CrawlRow {
  return { ...r, paused: r.paused === 1 };
}

/** The crawls table and the producer cursor in PostgreSQL; each call retried over outages. */
export function createPgCrawlQueries(db: PgDb, retry: Retry): CrawlQueries {
  return {
    insert: ({ compressBodies = false, ...input }) => {
      // The engine refuses `storage.compress` on PostgreSQL with a ConfigError before this.
      if (compressBodies) return Promise.reject(new Error('compressed body storage is not supported on a PostgreSQL ledger'));
      return retry(() =>
        db.transaction(async (tx) => {
          const now = Date.now();
          const [row] = await tx
            .insert(crawls)
            .values({ ...input, createdAt: now })
            .returning({ id: crawls.id });
          if (!row) throw new Error('insert into crawls returned no id');
          await tx.insert(producerState).values({ crawlId: row.id, nextBatch: 0, updatedAt: now });
          await tx.insert(crawlProgress).values({ crawlId: row.id, done: 0, failed: 0 });
          return row.id;
        }),
      );
    },

    compressesBodies: async () => false,

    find: (idOrName) =>
      retry(async () => {
        const asId = crawlIdOf(idOrName);
        const [byId] = asId !== null ? await db.select().from(crawls).where(eq(crawls.id, asId)) : [];
        const [row] = byId
          ? [byId]
          : await db
              .select()
              .from(crawls)
              .where(eq(crawls.name, String(idOrName)));
        return row ? toRow(row) : undefined;
      }),

    list: () => retry(async () => (await db.select().from(crawls).orderBy(asc(crawls.id))).map(toRow)),

    updateSpec: (crawlId, spec) =>
      retry(async () => {
        await db.update(crawls).set({ spec }).where(eq(crawls.id, crawlId));
      }),

    setPaused: (crawlId, paused) =>
      retry(async () => {
        await db
          .update(crawls)
          .set({ paused: paused ? 1 : 0 })
          .where(eq(crawls.id, crawlId));
      }),

    // Results have no foreign key to cascade along (schema/pg.ts): they go first, after the
    // crawl's progress row is locked as every flush locks it, so a flush committing meanwhile
    // lands before the delete and none after it.
    remove: (crawlId) =>
      retry(() =>
        db.transaction(async (tx) => {
          await tx.select({ id: crawlProgress.crawlId }).from(crawlProgress).where(eq(crawlProgress.crawlId, crawlId)).for('update');
          await tx.delete(results).where(eq(results.crawlId, crawlId));
          const gone = await tx.delete(crawls).where(eq(crawls.id, crawlId)).returning({ id: crawls.id });
          return gone.length > 0;
        }),
      ),

    getCursor: (crawlId) =>
      retry(async () => {
        const [row] = await db.select({ next: producerState.nextBatch }).from(producerState).where(eq(producerState.crawlId, crawlId));
        return row?.next ?? 0;
      }),

    // One UPDATE with the expected value in its WHERE: PostgreSQL re-checks the condition on
    // the latest row version after waiting for a concurrent writer, so exactly one of two
    // producers racing from the same cursor wins.
    advanceCursor: (crawlId, expected, nextBatch) =>
      retry(async () => {
        const moved = await db
          .update(producerState)
          .set({ nextBatch, updatedAt: Date.now() })
          .where(and(eq(producerState.crawlId, crawlId), eq(producerState.nextBatch, expected)))
          .returning({ crawlId: producerState.crawlId });
        return moved.length > 0;
      }),

    setCursor: (crawlId, nextBatch) =>
      retry(async () => {
        await db
          .insert(producerState)
          .values({ crawlId, nextBatch, updatedAt: Date.now() })
          .onConflictDoUpdate({ target: producerState.crawlId, set: { nextBatch, updatedAt: sql`excluded.updated_at` } });
      }),
  };
}
