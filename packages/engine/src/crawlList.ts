import type { Engine } from './engine';

/** One line of `sluice crawl list`: ledger figures only, so it answers without Redis. */
export interface CrawlListEntry {
  id: number;
  name: string;
  /** `done` when every key has a result or failure, `paused`, or `running` (pending keys). */
  state: 'done' | 'running' | 'paused';
  /** Keys in the key source. */
  total: number;
  /** Keys with a result. */
  done: number;
  /** Keys that ended without a result. */
  failed: number;
  /** When the crawl was created (ISO 8601). */
  createdAt: string;
}

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
