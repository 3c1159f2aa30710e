import type { Engine } from './engine';
import type { CrawlStatus } from './status';

/**
 * One line of `sluice crawl list`: the ledger's part of a crawl's status, so it answers
 * without Redis (`state` therefore knows only pauses written to the ledger).
 */
export type CrawlListEntry = Pick<CrawlStatus, 'id' | 'name' | 'state' | 'total' | 'done' | 'failed' | 'createdAt'>;

/** Every crawl of the ledger, oldest first. */
export async function listCrawls(engine: Engine): Promise<CrawlListEntry[]> {
  const rows = await engine.store.crawls.list();
  return Promise.all(
    rows.map(async (row): Promise<CrawlListEntry> => {
      const p = await engine.store.ledger.progress(row.id);
      const pending = row.total - p.done - p.failed;
      return {
        id: row.id,
        name: row.name,
        state: pending <= 0 ? 'done' : row.paused ? 'paused' : 'running',
        total: row.total,
        done: p.done,
        failed: p.failed,
        createdAt: new Date(row.createdAt).toISOString(),
      };
    }),
  );
}
