/**
 * Counters of what the mock saw. Recording is on the hot path of every request, so it is a
 * couple of Map operations; snapshots are built only when asked for.
 */

/** A snapshot of the counters, as returned by `stats()` and `GET /__mock/stats`. */
export interface MockStats {
  /** API requests received (`/id` and `/query`), including those answered with an error or reset. */
  requests: number;
  /** Requests per counted key (see the `trackKeys` option). */
  byKey: Record<string, number>;
  /** Responses sent by API endpoints, per HTTP status. Resets are not responses. */
  responsesByStatus: Record<number, number>;
  /** Requests whose socket was destroyed by a `'reset'` outcome. */
  resets: number;
  /** Number of distinct counted keys. */
  distinctKeys: number;
  /** Number of counted keys requested more than once. */
  duplicateKeys: number;
}

export class StatsRecorder {
  private requests = 0;
  private resets = 0;
  private duplicates = 0;
  private readonly perKey = new Map<string, number>();
  private readonly perStatus = new Map<number, number>();
  private arrivalTimes: number[] = [];

  /**
   * Records an arriving API request and returns its 0-based attempt: how many earlier
   * requests its key had. Uncounted keys always report attempt 0.
   */
  recordRequest(key: string, countKey: boolean, recordArrival: boolean): number {
    this.requests++;
    // timeOrigin + now() is epoch milliseconds with sub-millisecond resolution, which limiter checks need.
    if (recordArrival) this.arrivalTimes.push(performance.timeOrigin + performance.now());
    if (!countKey) return 0;
    const before = this.perKey.get(key) ?? 0;
    this.perKey.set(key, before + 1);
    if (before === 1) this.duplicates++;
    return before;
  }

  recordResponse(status: number): void {
    this.perStatus.set(status, (this.perStatus.get(status) ?? 0) + 1);
  }

  recordReset(): void {
    this.resets++;
  }

  requestsForKey(key: string): number {
    return this.perKey.get(key) ?? 0;
  }

  duplicateKeys(): number {
    return this.duplicates;
  }

  /** Epoch milliseconds of each API request's arrival, oldest first (a copy). */
  arrivals(): number[] {
    return this.arrivalTimes.slice();
  }

  /** Costs O(keys): hot loops should use `requestsForKey` and `duplicateKeys` instead. */
  snapshot(): MockStats {
    return {
      requests: this.requests,
      byKey: Object.fromEntries(this.perKey),
      responsesByStatus: Object.fromEntries(this.perStatus),
      resets: this.resets,
      distinctKeys: this.perKey.size,
      duplicateKeys: this.duplicates,
    };
  }

  /** Forgets everything, including per-key attempts: scripted outcomes start over. */
  reset(): void {
    this.requests = 0;
    this.resets = 0;
    this.duplicates = 0;
    this.perKey.clear();
    this.perStatus.clear();
    this.arrivalTimes = [];
  }
}
