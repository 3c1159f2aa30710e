import type { RedisClient } from '@sluice/queue';
import type { Logger } from './engine';

/** Throttle pauses starting closer together than this are counted into one line, not one line each. */
const THROTTLE_LOG_GAP_MS = 5_000;

/**
 * Logs what changes a worker's pace as it happens, so a log nobody watches live still tells
 * the story: the user's pause and resume, throttle pauses, and Redis going away and coming
 * back. (Outages and ledger trouble are logged by OutageWatch and LedgerGuard.)
 */
export class WorkEvents {
  private paused = false;
  private throttledUntil = 0;
  private lastThrottleLogMs = 0;
  private unloggedThrottles = 0;
  private redisDown = false;

  constructor(
    private readonly log: Logger,
    private readonly now: () => number = Date.now,
  ) {}

  /** The pause in force (SQLite flag or the BullMQ queue's). */
  pause(paused: boolean, how: string): void {
    if (paused === this.paused) return;
    this.paused = paused;
    if (paused) this.log.info(`paused (${how}): no new requests until resumed`, { event: 'paused' });
    else this.log.info('resumed: requests start again', { event: 'resumed' });
  }

  /** The crawl's throttle pause end (the limiter's), seen after each change (a new start logs once). */
  throttle(untilMs: number): void {
    const now = this.now();
    const startsNew = untilMs > now && this.throttledUntil <= now;
    this.throttledUntil = Math.max(this.throttledUntil, untilMs);
    if (!startsNew) return;
    if (now - this.lastThrottleLogMs < THROTTLE_LOG_GAP_MS) {
      this.unloggedThrottles++;
      return;
    }
    const more = this.unloggedThrottles > 0 ? ` (${this.unloggedThrottles} more pauses since the last such line)` : '';
    this.lastThrottleLogMs = now;
    this.unloggedThrottles = 0;
    const waitMs = untilMs - now;
    this.log.warn(`throttled by the API: every request of the crawl waits ${(waitMs / 1000).toFixed(1)} s${more}`, {
      event: 'throttled',
      waitMs,
    });
  }

  /**
   * Logs the connection going away (once) and coming back. A lost connection shows as
   * `reconnecting` even when the first new attempt succeeds (a quick Redis restart emits no
   * `error`); an intentional disconnect never reconnects, so it is not reported.
   */
  watchRedis(redis: RedisClient, what: string): void {
    const down = (reason: string) => {
      if (this.redisDown) return;
      this.redisDown = true;
      this.log.warn(`Redis unreachable (${what}): ${reason}; retrying, requests wait`, { event: 'redis-down' });
    };
    redis.on('error', (err: Error) => down(err.message));
    redis.on('reconnecting', () => down('connection lost'));
    redis.on('ready', () => {
      if (!this.redisDown) return;
      this.redisDown = false;
      this.log.info(`Redis reachable again (${what})`, { event: 'redis-up' });
    });
  }
}
