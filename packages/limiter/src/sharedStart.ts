import type { LeaseKeeper } from './leaseKeeper';

/**
 * One start the crawl's shared limiter admitted: its member in the windows and the lease set
 * (what `SharedLimiter.touch` re-dates). Call `release` once, when the request ends; it frees
 * the concurrency lease, if the crawl has a global cap. A plain object per start, so nothing
 * has to be hung on a function and read back.
 */
export class SharedStart {
  private released = false;

  constructor(
    /** The start's member in the window logs and lease set; `''` when nothing was recorded. */
    readonly member: string,
    private readonly leases: LeaseKeeper | null,
  ) {}

  release(): void {
    if (this.released) return;
    this.released = true;
    this.leases?.release(this.member);
  }
}

/** The start of a crawl without limits, or of an aborted wait: nothing recorded, nothing to free. Shared, never allocated per request. */
export const NO_START = new SharedStart('', null);
