import type { BreakerState } from './circuitBreaker';

/** A point-in-time view of a crawl's progress, as shown by progress bars and logs. */
export interface ProgressSnapshot {
  crawl: string;
  total: number;
  done: number;
  failed: number;
  /** Keys finished per second over the last few seconds (all processes, from the ledger). */
  ratePerSec: number;
  /** Requests in flight in this process. */
  inFlight: number;
  /** Epoch ms until which the crawl is paused by a throttle signal, or 0. */
  throttledUntil: number;
  /** True while the crawl is paused (`sluice pause`, the dashboard, or a BullMQ tool). */
  paused: boolean;
  /** This process's circuit breaker. */
  breaker: BreakerState;
  /** Epoch ms since which the endpoint is unreachable, or 0. */
  outageSince: number;
  /** The driver's message while ledger writes fail, or null. */
  ledgerError: string | null;
}

/** Keys/s over a sliding window of (time, finished) samples. */
export class RateMeter {
  private readonly samples: Array<[number, number]> = [];

  constructor(private readonly windowMs = 10_000) {}

  /** Records the finished count at `at`; returns the rate over the window. */
  sample(finished: number, at: number = Date.now()): number {
    this.samples.push([at, finished]);
    while (this.samples.length > 2 && (this.samples[1] as [number, number])[0] <= at - this.windowMs) this.samples.shift();
    const [t0, n0] = this.samples[0] as [number, number];
    return at > t0 ? ((finished - n0) * 1000) / (at - t0) : 0;
  }
}
