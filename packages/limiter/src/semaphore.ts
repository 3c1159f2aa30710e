/**
 * A counting semaphore: at most `size` holders at once, FIFO. The per-process cap on requests
 * in flight. Holding a slot allocates nothing: the holder (an Admitted request) remembers that
 * it holds one and calls `release` once.
 */
export class Semaphore {
  private available: number;
  private readonly waiters: Array<() => void> = [];

  constructor(readonly size: number) {
    this.available = size;
  }

  /** Waits for a slot; call `release` exactly once when done with it. */
  async acquire(): Promise<void> {
    if (this.available > 0) this.available--;
    else await new Promise<void>((resolve) => this.waiters.push(resolve));
  }

  /**
   * Takes a slot if one is free now, without waiting (and without the promise `acquire` costs
   * even then); false when all are taken. Never jumps the queue: a slot is free only while no
   * one waits.
   */
  tryAcquire(): boolean {
    if (this.available <= 0) return false;
    this.available--;
    return true;
  }

  /** Frees one slot taken by `acquire` or `tryAcquire`: hands it to the oldest waiter, if any. */
  release(): void {
    const next = this.waiters.shift();
    if (next) next();
    else this.available++;
  }

  /** Holders right now. */
  get inUse(): number {
    return this.size - this.available;
  }
}
