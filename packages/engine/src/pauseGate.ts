/**
 * The user's pause, inside one worker process: while closed, no new request starts (requests
 * in flight finish). Opened again by `resume`. The state itself lives in SQLite; the worker's
 * monitor copies it here each tick.
 */
export class PauseGate {
  private closed = false;
  private waiters: Array<() => void> = [];

  get paused(): boolean {
    return this.closed;
  }

  set(paused: boolean): void {
    if (paused === this.closed) return;
    this.closed = paused;
    if (!paused) {
      const waiting = this.waiters;
      this.waiters = [];
      for (const resolve of waiting) resolve();
    }
  }

  /** Resolves when not paused, or when `signal` aborts. */
  wait(signal?: AbortSignal): Promise<void> {
    if (!this.closed || signal?.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        signal?.removeEventListener('abort', done);
        resolve();
      };
      this.waiters.push(done);
      signal?.addEventListener('abort', done, { once: true });
    });
  }
}
