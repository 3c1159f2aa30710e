import type { KeyItem } from '@sluice/core';
import { and, asc, eq, gte } from 'drizzle-orm';
import type { KeyFileQueries } from '../contract';
import { crawlKeys, keyFiles } from '../schema/pg';
import type { PgDb } from './client';

type Retry = <T>(fn: () => Promise<T>) => Promise<T>;

/** Rows per INSERT while copying keys (PostgreSQL allows 65535 parameters a statement). */
const INSERT_ROWS = 5_000;

/** The PostgreSQL side of `KeyFileQueries` (see the contract); each call retried over outages. */
export function createPgKeyFileQueries(db: PgDb, retry: Retry): KeyFileQueries {
  return {
    appendKeys: (crawlId, items) =>
      retry(() =>
        db.transaction(async (tx) => {
          for (let i = 0; i < items.length; i += INSERT_ROWS) {
            const rows = items.slice(i, i + INSERT_ROWS).map((item) => ({ crawlId, position: item.position, key: item.key }));
            await tx.insert(crawlKeys).values(rows).onConflictDoNothing();
          }
        }),
      ),
    readKeys: (crawlId, fromPosition, limit) =>
      retry(
        async (): Promise<KeyItem[]> =>
          db
            .select({ position: crawlKeys.position, key: crawlKeys.key })
            .from(crawlKeys)
            .where(and(eq(crawlKeys.crawlId, crawlId), gte(crawlKeys.position, fromPosition)))
            .orderBy(asc(crawlKeys.position))
            .limit(limit),
      ),
    recordKeyFile: (crawlId, sha256, keys) =>
      retry(async () => {
        const storedAt = Date.now();
        await db
          .insert(keyFiles)
          .values({ crawlId, sha256, keys, storedAt })
          .onConflictDoUpdate({ target: keyFiles.crawlId, set: { sha256, keys, storedAt } });
      }),
    keyFile: (crawlId) =>
      retry(async () => {
        const [row] = await db
          .select({ sha256: keyFiles.sha256, keys: keyFiles.keys, storedAt: keyFiles.storedAt })
          .from(keyFiles)
          .where(eq(keyFiles.crawlId, crawlId));
        return row;
      }),
  };
}
