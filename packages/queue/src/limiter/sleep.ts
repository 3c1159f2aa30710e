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

/** Sleeps `ms`, or less if `signal` aborts (then resolves early instead of throwing). */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  if (ms <= 0 || signal?.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}
