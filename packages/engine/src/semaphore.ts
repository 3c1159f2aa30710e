/**
 * A counting semaphore: at most `size` holders at once, FIFO. Used for the per-process cap
 * on requests in flight.
 */
export class Semaphore {
  private available: number;
  private readonly waiters: Array<() => void> = [];

  constructor(readonly size: number) {
    this.available = size;
  }

  /** Waits for a slot; returns the function that frees it (call it exactly once). */
  async acquire(): Promise<() => void> {
    if (this.available > 0) this.available--;
    else await new Promise<void>((resolve) => this.waiters.push(resolve));
    return this.releaser();
  }

  /**
   * Takes a slot if one is free now, without waiting (and without the promise `acquire` costs
   * even then); null when all are taken. Never jumps the queue: a slot is free only while no
   * one waits.
   */
  tryAcquire(): (() => void) | null {
    if (this.available <= 0) return null;
    this.available--;
    return this.releaser();
  }

  private releaser(): () => void {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.waiters.shift();
      if (next) next();
      else this.available++;
    };
  }

  /** Holders right now. */
  get inUse(): number {
    return this.size - this.available;
  }
}
