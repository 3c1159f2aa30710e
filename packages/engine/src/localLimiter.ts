import type { Limits } from '@sluice/core';
import { effectiveConcurrency } from '@sluice/core';
import { Semaphore } from './semaphore';
import { sleep } from './sleep';

/**
 * Admission for one request: the concurrency cap plus the per-second/minute/hour/day windows,
 * as sliding windows over the start times of this process's requests.
 */
export interface Limiter {
  /** Waits until a request may start; returns the function that ends it. */
  acquire(signal?: AbortSignal): Promise<() => void>;
  /** Requests in flight in this process. */
  readonly inFlight: number;
}

const WINDOWS: Array<[keyof Limits, number]> = [
  ['perSecond', 1_000],
  ['perMinute', 60_000],
  ['perHour', 3_600_000],
  ['perDay', 86_400_000],
];

export function createLocalLimiter(limits: Limits, now: () => number = Date.now): Limiter {
  const semaphore = new Semaphore(effectiveConcurrency(limits));
  const windows = WINDOWS.filter(([name]) => limits[name] > 0).map(([name, lengthMs]) => ({
    max: limits[name],
    lengthMs,
    starts: [] as number[],
  }));

  /** Milliseconds until every window has room, 0 if it has room now. */
  function waitMs(at: number): number {
    let wait = 0;
    for (const w of windows) {
      while (w.starts.length > 0 && (w.starts[0] as number) <= at - w.lengthMs) w.starts.shift();
      if (w.starts.length >= w.max) wait = Math.max(wait, (w.starts[w.starts.length - w.max] as number) + w.lengthMs - at + 1);
    }
    return wait;
  }

  return {
    async acquire(signal) {
      const release = await semaphore.acquire();
      for (;;) {
        const at = now();
        const wait = waitMs(at);
        if (wait === 0) {
          for (const w of windows) w.starts.push(at);
          return release;
        }
        if (signal?.aborted) return release;
        await sleep(wait, signal);
      }
    },
    get inFlight() {
      return semaphore.inUse;
    },
  };
}
