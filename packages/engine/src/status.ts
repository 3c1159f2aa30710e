import { createRedis, openBatchQueue, pingRedis } from '@sluice/queue';
import type { Engine } from './engine';
import { type LoadedCrawl, loadCrawl, toLoadedCrawl } from './loadCrawl';

/** One crawl's status. Stable JSON shape of `sluice status --json` (one object per crawl). */
export interface CrawlStatus {
  id: number;
  name: string;
  /** `done` when every key has a result or failure, `paused`, or `running` (pending keys). */
  state: 'done' | 'running' | 'paused';
  total: number;
  /** Keys with a result. */
  done: number;
  /** Keys that ended without a result. */
  failed: number;
  /** Keys with neither yet. */
  pending: number;
  /** done / total × 100, one decimal. */
  percent: number;
  /** Keys the producer has walked past (enqueued or skipped). */
  enqueuedThrough: number;
  /** Jobs (batches) in Redis, or null when Redis is unreachable. */
  queue: { waiting: number; active: number; delayed: number } | null;
  createdAt: string;
}

function statusOf(crawl: LoadedCrawl, engine: Engine, queue: CrawlStatus['queue']): CrawlStatus {
  const { row } = crawl;
  const p = engine.store.ledger.progress(row.id);
  const pending = Math.max(0, row.total - p.done - p.failed);
  return {
    id: row.id,
    name: row.name,
    state: pending === 0 ? 'done' : row.paused ? 'paused' : 'running',
    total: row.total,
    done: p.done,
    failed: p.failed,
    pending,
    percent: Math.floor((p.done * 1000) / row.total) / 10,
    enqueuedThrough: Math.min(engine.store.crawls.getCursor(row.id) * crawl.batchSize, row.total),
    queue,
    createdAt: new Date(row.createdAt).toISOString(),
  };
}

/**
 * Status of one crawl (by id or name) or of all crawls: ledger counts from SQLite, queue
 * counts from Redis when it answers.
 */
export async function status(engine: Engine, ref?: string | number): Promise<CrawlStatus[]> {
  const crawls = ref === undefined ? engine.store.crawls.list().map(toLoadedCrawl) : [loadCrawl(engine.store, ref)];
  const redisUp = crawls.length > 0 && (await pingRedis(engine.config.redisUrl, 1000));
  if (!redisUp) return crawls.map((c) => statusOf(c, engine, null));
  const redis = createRedis(engine.config.redisUrl, 'sluice-status');
  redis.on('error', () => {});
  try {
    const out: CrawlStatus[] = [];
    for (const crawl of crawls) {
      const queue = openBatchQueue(redis, engine.config.prefix, crawl.row.id);
      try {
        out.push(statusOf(crawl, engine, await queue.liveCount()));
      } finally {
        await queue.close();
      }
    }
    return out;
  } finally {
    redis.disconnect();
  }
}
