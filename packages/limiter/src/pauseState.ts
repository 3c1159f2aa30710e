import { sleep } from './sleep';

/**
 * This process's one record of a crawl-wide throttle pause: epoch ms until which no request of
 * the crawl starts. The Redis pause key is the truth shared by every process; this is its one
 * in-process copy, which admission (shared and local-only alike), the engine's checks and
 * status all read. It is extended by this process's own throttles (`CrawlLimiter.pause`, which
 * also writes the key) and by adopting what other processes wrote (pub/sub and the poll, see
 * `pauseWatch.ts`). It extends, never shortens: a pause ends only when its time passes.
 */
export class PauseState {
  private until = 0;

  /** `onChange` is called with the new end each time the pause starts or is extended. Default none. */
  constructor(private readonly onChange?: (untilMs: number) => void) {}

  /** Epoch ms until which requests wait; 0 or past when not paused. */
  get untilMs(): number {
    return this.until;
  }

  /** Milliseconds the pause still holds by this process's clock; 0 when not paused. */
  remainingMs(nowMs: number = Date.now()): number {
    return Math.max(0, this.until - nowMs);
  }

  /** Moves the end to `untilMs` when that is later; true when it did (a repeat or an earlier end changes nothing). */
  extend(untilMs: number): boolean {
    if (!Number.isFinite(untilMs) || untilMs <= this.until) return false;
    this.until = untilMs;
    this.onChange?.(untilMs);
    return true;
  }

  /** Resolves once no pause is in force (extensions made meanwhile included), or when `signal` aborts. */
  async wait(signal?: AbortSignal): Promise<void> {
    for (;;) {
      const left = this.remainingMs();
      if (left <= 0 || signal?.aborted) return;
      await sleep(left, signal);
    }
  }
}
