import { and, asc, eq, sql } from 'drizzle-orm';
import { BODY_CODEC } from '../bodyCodec';
import type { CrawlQueries, CrawlRow } from '../contract';
import { crawlIdOf } from '../crawlRef';
import { bodyDictionaries, crawlProgress, crawls, producerState } from '../schema/sqlite';
import type { Db } from './client';

function toRow(r: typeof crawls.$inferSelect): CrawlRow {
  return { ...r, paused: r.paused === 1 };
}

export function createCrawlQueries(db: Db): CrawlQueries {
  // Prepared once: the producer reads its cursor every 50 ms and the worker's monitor its crawl twice a second.
  const cursorOf = db
    .select({ next: producerState.nextBatch })
    .from(producerState)
    .where(eq(producerState.crawlId, sql.placeholder('crawlId')))
    .prepare();
  const crawlById = db
    .select()
    .from(crawls)
    .where(eq(crawls.id, sql.placeholder('id')))
    .prepare();
  return {
    async insert(input) {
      const { compressBodies = false, ...values } = input;
      return db.transaction((tx) => {
        const now = Date.now();
        const row = tx
          .insert(crawls)
          .values({ ...values, createdAt: now })
          .returning({ id: crawls.id })
          .get();
        if (compressBodies) tx.insert(bodyDictionaries).values({ crawlId: row.id, codec: BODY_CODEC }).run();
        tx.insert(producerState).values({ crawlId: row.id, nextBatch: 0, updatedAt: now }).run();
        tx.insert(crawlProgress).values({ crawlId: row.id, done: 0, failed: 0 }).run();
        return row.id;
      });
    },

    async find(idOrName) {
      const asId = crawlIdOf(idOrName);
      const byId = asId !== null ? crawlById.get({ id: asId }) : undefined;
      const row =
        byId ??
        db
          .select()
          .from(crawls)
          .where(eq(crawls.name, String(idOrName)))
          .get();
      return row ? toRow(row) : undefined;
    },

    async compressesBodies(crawlId) {
      return (
        db.select({ id: bodyDictionaries.crawlId }).from(bodyDictionaries).where(eq(bodyDictionaries.crawlId, crawlId)).get() !== undefined
      );
    },

    async list() {
      return db.select().from(crawls).orderBy(asc(crawls.id)).all().map(toRow);
    },

    async updateSpec(crawlId, spec) {
      db.update(crawls).set({ spec }).where(eq(crawls.id, crawlId)).run();
    },

    async remove(crawlId) {
      return db.delete(crawls).where(eq(crawls.id, crawlId)).run().changes > 0;
    },

    async setPaused(crawlId, paused) {
      db.update(crawls)
        .set({ paused: paused ? 1 : 0 })
        .where(eq(crawls.id, crawlId))
        .run();
    },

    async getCursor(crawlId) {
      return cursorOf.get({ crawlId })?.next ?? 0;
    },

    async advanceCursor(crawlId, expected, nextBatch) {
      const result = db
        .update(producerState)
        .set({ nextBatch, updatedAt: Date.now() })
        .where(and(eq(producerState.crawlId, crawlId), eq(producerState.nextBatch, expected)))
        .run();
      return result.changes > 0;
    },

    async setCursor(crawlId, nextBatch) {
      db.insert(producerState)
        .values({ crawlId, nextBatch, updatedAt: Date.now() })
        .onConflictDoUpdate({ target: producerState.crawlId, set: { nextBatch, updatedAt: sql`excluded.updated_at` } })
        .run();
    },
  };
}
