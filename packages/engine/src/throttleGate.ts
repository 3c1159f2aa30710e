import { sleep } from './sleep';

/**
 * The crawl-wide pause after a throttle signal: when any key is told to slow down, every key
 * of the crawl in this process waits until the signalled time, so one 429 does not turn into
 * a burst of 429s that each cost the API's patience.
 */
export class ThrottleGate {
  private untilMs = 0;

  /** Called when this process starts or extends a pause, to share it with other processes. */
  onPause: ((untilMs: number) => void) | null = null;

  /** Called on every pause started or extended, from this process or adopted (for event logs). */
  onChange: ((untilMs: number) => void) | null = null;

  constructor(private readonly now: () => number = Date.now) {}

  /** Pauses everyone for `ms` from now (extends, never shortens, a running pause). */
  pauseFor(ms: number): void {
    this.adopt(this.now() + ms);
    this.onPause?.(this.untilMs);
  }

  /** Takes over a pause another process signalled (not shared again). */
  adopt(untilMs: number): void {
    if (untilMs <= this.untilMs) return;
    this.untilMs = untilMs;
    this.onChange?.(untilMs);
  }

  /** Epoch ms until which requests wait; 0 or past when not paused. */
  get pausedUntil(): number {
    return this.untilMs;
  }

  /** Resolves once no pause is in force. */
  async wait(signal?: AbortSignal): Promise<void> {
    for (;;) {
      const left = this.untilMs - this.now();
      if (left <= 0 || signal?.aborted) return;
      await sleep(left, signal);
    }
  }
}

/** Cooldown when a throttle gave no usable Retry-After: 1 s, 2 s, 4 s … capped at 60 s. */
export function throttleCooldownMs(consecutiveThrottles: number): number {
  return Math.min(60_000, 1000 * 2 ** Math.max(0, consecutiveThrottles - 1));
}
