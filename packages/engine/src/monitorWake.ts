/**
 * Wakes the work monitor the moment it has something to notice (the last key committed, the
 * ledger turned unwritable) instead of at its next poll.
 */
export class MonitorWake {
  private controller = new AbortController();

  /** Aborts on a wake-up. */
  get signal(): AbortSignal {
    return this.controller.signal;
  }

  wake(): void {
    this.controller.abort();
  }

  /** Ready for the next wake-up, once the monitor has woken up from this one. */
  rearm(): void {
    if (this.controller.signal.aborted) this.controller = new AbortController();
  }
}
