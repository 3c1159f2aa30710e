/**
 * An unannounced limit, like an API that publishes none: at most `unannouncedPerSecond` served
 * calls in any sliding second, and a bare 429 (no `Retry-After`) for every call over it. Unlike
 * a quota it keeps what it served when the limit changes at runtime, as a server under load
 * lowering its capacity still remembers the last second: a drop bites at once.
 */
export class UnannouncedLimit {
  private times: number[] = [];
  private head = 0;

  /** Serves (and counts) a call arriving at `now` (monotonic ms) if fewer than `perSecond` were served in the last second. */
  admit(now: number, perSecond: number): boolean {
    while (this.head < this.times.length && (this.times[this.head] as number) <= now - 1_000) this.head++;
    if (this.head > 1024 && this.head * 2 > this.times.length) {
      this.times = this.times.slice(this.head);
      this.head = 0;
    }
    if (this.times.length - this.head >= perSecond) return false;
    this.times.push(now);
    return true;
  }
}
