import type { Engine } from './engine';
import { loadCrawl } from './loadCrawl';
import { type MonitorEnd, monitorLoop } from './monitorLoop';
import type { WorkOptions } from './workOptions';
import { openWorkSession } from './workSession';

export type { WorkOptions };

export interface WorkSummary {
  crawl: string;
  total: number;
  done: number;
  failed: number;
  /** Keys this process finished. */
  finishedHere: number;
  durationMs: number;
  /** True when every key of the crawl has a result or a failure. */
  complete: boolean;
}

/**
 * Works on a crawl until every key is in the ledger or `signal` aborts: a BullMQ worker over
 * the crawl's batch queue, the producer when this process holds the lease (see
 * openWorkSession), and a monitor that notices completion (and re-enqueues keys missing from
 * the ledger once the queue is empty), follows the user's pause flag and keeps a heartbeat in
 * Redis (see monitorLoop).
 *
 * Shutdown: aborting `signal` aborts requests in flight; their batches fail back to the queue
 * (keys already committed are skipped when the batch runs again), the writer flushes, and the
 * session returns within a few seconds even when Redis is unreachable.
 * @throws LedgerUnwritableError, EndpointOutageError or CredentialsExhaustedError when the
 *   session stopped for one of them.
 */
export async function work(engine: Engine, ref: string | number, options: WorkOptions = {}): Promise<WorkSummary> {
  const crawl = await loadCrawl(engine.store, ref);
  const session = await openWorkSession(engine, crawl, options);
  let end: MonitorEnd;
  try {
    end = await monitorLoop(session, options);
  } finally {
    await session.close();
  }
  if (session.guard.fatal) throw session.guard.fatal;
  if (end.gaveUp) throw end.gaveUp;
  if (session.exhausted) throw session.exhausted;
  const p = await engine.store.ledger.progress(crawl.row.id);
  return {
    crawl: crawl.row.name,
    total: crawl.row.total,
    done: p.done,
    failed: p.failed,
    finishedHere: session.writer.committed,
    durationMs: Date.now() - session.startedAt,
    complete: end.complete,
  };
}
