import { unlessAborted } from './abortable';
import { checkCompletion } from './completion';
import { type ProgressSnapshot, RateMeter } from './progress';
import { QueuePauseReader } from './queuePause';
import { sleep } from './sleep';
import type { WorkOptions } from './workOptions';
import type { WorkSession } from './workSession';

/** How a session's monitor ended. */
export interface MonitorEnd {
  /** Every key of the crawl has a result or a failure. */
  complete: boolean;
  /** Set when the endpoint stayed unreachable past `maxOutageMs`. */
  gaveUp: Error | null;
}

/**
 * Watches a work session until the crawl is complete or the session should stop (its signal,
 * a ledger given up on, an outage too long). Each round, about every `progressIntervalMs`
 * (sooner when the last key commits): follows the user's pause (ledger flag or BullMQ queue),
 * renews the heartbeat, flushes counters, runs the limiter's upkeep, checks completion (which
 * re-enqueues keys missing from the ledger once the queue is empty) and reports progress.
 */
export async function monitorLoop(
  session: WorkSession,
  options: Pick<WorkOptions, 'onProgress' | 'progressIntervalMs'>,
): Promise<MonitorEnd> {
  const { crawl, store, ctx, signal } = session;
  const meter = new RateMeter();
  const queuePause = new QueuePauseReader(session.queue.queue);
  for (;;) {
    queuePause.read();
    const pausedInLedger = (await store.crawls.find(crawl.row.id))?.paused ?? false;
    ctx.pause.set(pausedInLedger || queuePause.paused);
    session.events.pause(ctx.pause.paused, pausedInLedger ? 'sluice pause or the dashboard' : 'the BullMQ queue was paused');
    session.heartbeat.beatIfDue();
    void session.recorder.flush();
    void session.limiter.tick();
    const state = await unlessAborted(checkCompletion(store, session.queue, crawl, session.log), signal, 'running' as const);
    const p = await store.ledger.progress(crawl.row.id);
    options.onProgress?.(progressOf(session, p.done, p.failed, meter));
    if (state === 'complete') return { complete: true, gaveUp: null };
    const gaveUp = session.outage.check();
    if (signal.aborted || session.guard.fatal || gaveUp) return { complete: false, gaveUp };
    await sleep(options.progressIntervalMs ?? 500, AbortSignal.any([signal, session.wake.signal]));
    session.wake.rearm();
  }
}

function progressOf(session: WorkSession, done: number, failed: number, meter: RateMeter): ProgressSnapshot {
  const { crawl, ctx } = session;
  return {
    crawl: crawl.row.name,
    total: crawl.row.total,
    done,
    failed,
    ratePerSec: meter.sample(done + failed),
    inFlight: session.limiter.inFlight,
    throttledUntil: session.limiter.pausedUntil,
    paused: ctx.pause.paused,
    breaker: ctx.breaker.current,
    outageSince: session.outage.since,
    ledgerError: session.guard.error,
  };
}
