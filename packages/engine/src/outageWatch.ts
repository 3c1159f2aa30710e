import { EndpointOutageError } from '@sluice/core';
import type { CircuitBreaker } from './circuitBreaker';
import type { Logger } from './engine';

/** Default give-up time for an endpoint that has not answered once: a wrong URL or a dead host. */
export const NEVER_ANSWERED_MAX_OUTAGE_MS = 60_000;
/** Longest silence while an outage lasts: it is logged again at least this often. */
export const OUTAGE_LOG_EVERY_MS = 30_000;

export interface OutageWatchOptions {
  breaker: CircuitBreaker;
  /** `host:port` of the endpoint, for the log lines. */
  endpoint: string;
  /** True when the endpoint answered before this process started (the crawl has results). */
  answeredBefore: boolean;
  /**
   * Give up after the circuit stayed open this long. Default: 60000 for an endpoint that never
   * answered, no limit once it has (APIs go down at night; the crawl waits for them).
   */
  maxOutageMs?: number;
  /** An outage is logged again this often while it lasts. Default 30000. */
  logEveryMs?: number;
  log: Logger;
  now?: () => number;
}

/**
 * Makes an outage loud: the breaker's first opening is logged at once with the endpoint and
 * the error, again every `logEveryMs` while the circuit stays open, and its end too. `check`
 * returns the error to stop with when the outage outlasted its limit.
 */
export class OutageWatch {
  private sinceMs = 0;
  private lastLogMs = 0;
  private readonly now: () => number;

  constructor(private readonly options: OutageWatchOptions) {
    this.now = options.now ?? Date.now;
    options.breaker.onChange((state) => (state === 'closed' ? this.ended() : this.started()));
  }

  /** Epoch ms when the current outage began (the circuit first opened), or 0. */
  get since(): number {
    return this.sinceMs;
  }

  /** Logs a reminder when due; returns the error to stop with once the outage outlasted its limit. */
  check(): EndpointOutageError | null {
    if (this.sinceMs === 0) return null;
    const now = this.now();
    const { endpoint, breaker, log } = this.options;
    const lasted = now - this.sinceMs;
    const limitMs = this.limitMs();
    if (lasted >= limitMs) {
      const why = breaker.answered || this.options.answeredBefore ? '--max-outage' : 'it never answered; --max-outage';
      return new EndpointOutageError(
        `endpoint ${endpoint} unreachable for ${seconds(lasted)} (${breaker.lastFailure || 'no answer'}); gave up (${why} ${seconds(limitMs)})`,
      );
    }
    if (now - this.lastLogMs >= (this.options.logEveryMs ?? OUTAGE_LOG_EVERY_MS)) {
      this.lastLogMs = now;
      log.warn(`endpoint ${endpoint} still unreachable after ${seconds(lasted)}: ${breaker.lastFailure || 'no answer'}`, {
        event: 'outage',
        endpoint,
        outageMs: lasted,
      });
    }
    return null;
  }

  private limitMs(): number {
    if (this.options.maxOutageMs !== undefined) return this.options.maxOutageMs;
    return this.options.breaker.answered || this.options.answeredBefore ? Number.POSITIVE_INFINITY : NEVER_ANSWERED_MAX_OUTAGE_MS;
  }

  private started(): void {
    if (this.sinceMs !== 0) return;
    this.sinceMs = this.now();
    this.lastLogMs = this.sinceMs;
    const { endpoint, breaker, log } = this.options;
    const limit = this.limitMs();
    const giveUp = Number.isFinite(limit) ? `gives up after ${seconds(limit)}` : 'waits for it to come back';
    log.warn(`endpoint ${endpoint} unreachable: ${breaker.lastFailure || 'no answer'}; requests wait (circuit open), ${giveUp}`, {
      event: 'outage',
      endpoint,
      outageMs: 0,
    });
  }

  private ended(): void {
    if (this.sinceMs === 0) return;
    const lasted = this.now() - this.sinceMs;
    this.sinceMs = 0;
    this.options.log.info(`endpoint ${this.options.endpoint} answers again after ${seconds(lasted)}`, {
      event: 'outage-end',
      endpoint: this.options.endpoint,
      outageMs: lasted,
    });
  }
}

function seconds(ms: number): string {
  return ms >= 10_000 ? `${Math.round(ms / 1000)} s` : `${(ms / 1000).toFixed(1)} s`;
}

/** `host:port` of a URL template (placeholders never change the origin), for log lines. */
export function endpointOf(url: string): string {
  const m = /^[a-z][a-z0-9+.-]*:\/\/(?:[^@/?#]*@)?([^/?#]+)/i.exec(url);
  return m?.[1] ?? url;
}
