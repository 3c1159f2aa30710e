import { monitorEventLoopDelay } from 'node:perf_hooks';

/**
 * Measures this process's longest event-loop stall from now until `stop()`, in ms (capped at
 * `capMs`). A mock API in the test's process records a request's arrival when its loop gets to
 * it: one that came during a stall of S ms is recorded up to S ms late. Requests sent within
 * one second therefore arrive, as recorded, within one second less S of each other, and a
 * limit kept on sends shows at the mock as at most the limit in any window of 1000 − S ms.
 */
export function loopStallMeter(capMs = 500): { stop(): number } {
  const delay = monitorEventLoopDelay({ resolution: 5 });
  delay.enable();
  return {
    stop() {
      delay.disable();
      return Math.min(delay.max / 1e6, capMs);
    },
  };
}
