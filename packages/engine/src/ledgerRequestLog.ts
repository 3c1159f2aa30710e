import type { RequestLogSink } from '@sluice/limiter';
import type { Store } from '@sluice/store';

/** The limiter's request log of one crawl, kept in the ledger (the limiter never touches the store itself). */
export function ledgerRequestLog(store: Store, crawlId: number): RequestLogSink {
  return {
    append: (timesMs, keepMs, credential) => store.logRequests(crawlId, timesMs, keepMs, credential),
    requestTimesSince: (sinceMs, credential) => store.ledger.requestTimesSince(crawlId, sinceMs, credential),
  };
}
