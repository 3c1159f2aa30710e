import type { BatchQueue } from '@sluice/queue';
import type { Store } from '@sluice/store';
import type { Logger } from './engine';
import type { LoadedCrawl } from './loadCrawl';

/**
 * Decides whether a crawl is complete, and repairs the one way it could silently stall: the
 * producer has passed the end and Redis holds no job, yet the ledger lacks keys (Redis lost
 * jobs, or a batch was dropped). Then the cursor goes back to 0 and the producer re-walks the
 * key source, enqueueing only keys missing from the ledger.
 *
 * Order matters: the queue is read before the ledger. A job leaves Redis only after its rows
 * committed, so any key still missing after an empty queue was seen is really missing.
 */
export async function checkCompletion(store: Store, queue: BatchQueue, crawl: LoadedCrawl, log: Logger): Promise<'complete' | 'running'> {
  const id = crawl.row.id;
  const finished = async () => {
    const p = await store.ledger.progress(id);
    return p.done + p.failed;
  };
  if ((await finished()) >= crawl.row.total) return 'complete';
  if ((await store.crawls.getCursor(id)) < crawl.totalBatches) return 'running';
  const live = await queue.liveCount();
  if (live.waiting + live.active + live.delayed > 0) return 'running';
  const missing = crawl.row.total - (await finished());
  if (missing <= 0) return 'complete';
  log.warn(`${missing} keys of ${crawl.row.name} are missing from the ledger with nothing queued; re-enqueueing them`);
  await store.crawls.setCursor(id, 0);
  return 'running';
}
