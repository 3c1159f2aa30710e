/**
 * Resolves after `ms`, or as soon as `wake()` is called. The limiter's waits go through this
 * so close() and the last waiter leaving end them at once instead of keeping a timer alive.
 */
export function napper(): { nap(ms: number): Promise<void>; wake(): void } {
  let current: (() => void) | null = null;
  return {
    nap(ms) {
      return new Promise((resolve) => {
        const timer = setTimeout(done, Math.max(0, ms));
        function done() {
          clearTimeout(timer);
          if (current === done) current = null;
          resolve();
        }
        current = done;
      });
    },
    wake() {
      current?.();
    },
  };
}

export { sleep } from '@sluice/core';
