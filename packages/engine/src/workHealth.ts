import type { CrawlLimiter } from '@sluice/limiter';
import type { AttemptRecorder, CrawlScope, RedisClient } from '@sluice/queue';
import type { GroupCommitWriter } from '@sluice/store';
import type { Logger } from './engine';
import { Heartbeat } from './heartbeat';
import type { KeyFetchContext } from './keyFetchContext';
import type { LedgerGuard } from './ledgerGuard';
import type { LoadedCrawl } from './loadCrawl';
import type { MonitorWake } from './monitorWake';
import { endpointOf, OutageWatch } from './outageWatch';
import type { WorkOptions } from './workOptions';

/** What a work session hands its health watch. */
interface HealthInputs {
  readonly ctx: KeyFetchContext;
  readonly guard: LedgerGuard;
  readonly recorder: AttemptRecorder;
  readonly limiter: CrawlLimiter;
  readonly redis: RedisClient;
  readonly scope: CrawlScope;
  readonly log: Logger;
  /** Whether the endpoint answered any key before this session. */
  readonly answeredBefore: boolean;
}

/**
 * Watches what status shows of this worker: the outage (circuit open) and the heartbeat,
 * beaten at once when the breaker or the ledger changes. A ledger error also goes to the
 * recent errors; a ledger given up on wakes the monitor, which stops the session.
 */
export function watchHealth(
  crawl: LoadedCrawl,
  c: HealthInputs,
  writer: GroupCommitWriter,
  wake: MonitorWake,
  startedAt: number,
  options: WorkOptions,
) {
  const { ctx, guard, recorder } = c;
  // Before the heartbeat's breaker listener, so a beat sent on a change already carries the outage.
  const outage = new OutageWatch({
    breaker: ctx.breaker,
    endpoint: endpointOf(crawl.spec.request.url),
    answeredBefore: c.answeredBefore,
    maxOutageMs: options.maxOutageMs,
    logEveryMs: options.outageLogEveryMs,
    log: c.log,
  });
  const heartbeat = new Heartbeat(c.redis, c.scope, startedAt, () => ({
    finished: writer.committed,
    inFlight: c.limiter.inFlight,
    breaker: ctx.breaker.current,
    throttledUntil: c.limiter.pausedUntil,
    ledgerError: guard.error,
    outageSince: outage.since,
  }));
  // Breaker changes reach status at once, not at the next regular heartbeat.
  ctx.breaker.onChange(() => heartbeat.beat());
  guard.onChange(() => {
    heartbeat.beat();
    if (guard.error !== null && guard.fatal === null) {
      recorder.error({ at: Date.now(), key: '', errorClass: 'LedgerWriteError', reason: guard.error });
      void recorder.flush();
    }
    if (guard.fatal) wake.wake();
  });
  return { outage, heartbeat };
}
