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
  /** Requests refused by a quota (`quota`/`quotas`), whatever the mode; they are also in `requests`. */
  throttled: number;
  /** Requests answered by a storm; they are also in `requests`. */
  stormed: number;
  /** Body bytes API answers handed to their sockets (compressed bytes for `'gzipBomb'`); headers excluded. */
  bytesSent: number;
  /**
   * Arrival times (epoch ms) per key, oldest first, e.g. to compute refetch delays. Present
   * only while `recordArrivals` is on.
   */
  arrivalsByKey?: Record<string, number[]>;
}

/** One API request's arrival, as kept when `recordArrivals` is on. */
export interface ArrivalRecord {
  /** Epoch milliseconds, sub-millisecond resolution. */
  at: number;
  /** The request's key (upper-cased `hex`, or `symbol` as sent). */
  key: string;
}

/** The counters a reset sets back to zero, in one place. */
const zeroCounts = () => ({ requests: 0, resets: 0, duplicates: 0, throttled: 0, stormed: 0, bytesSent: 0 });

export class StatsRecorder {
  private counts = zeroCounts();
  private readonly perKey = new Map<string, number>();
  private readonly perStatus = new Map<number, number>();
  // Two parallel arrays rather than objects: a million arrivals stay cheap to keep.
  private arrivalTimes: number[] = [];
  private arrivalKeys: string[] = [];

  /**
   * Records an arriving API request and returns its 0-based attempt: how many earlier
   * requests its key had. Uncounted keys always report attempt 0.
   */
  recordRequest(key: string, countKey: boolean, recordArrival: boolean): number {
    this.counts.requests++;
    // timeOrigin + now() is epoch milliseconds with sub-millisecond resolution, which limiter checks need.
    if (recordArrival) {
      this.arrivalTimes.push(performance.timeOrigin + performance.now());
      this.arrivalKeys.push(key);
    }
    if (!countKey) return 0;
    const before = this.perKey.get(key) ?? 0;
    this.perKey.set(key, before + 1);
    if (before === 1) this.counts.duplicates++;
    return before;
  }

  recordResponse(status: number): void {
    this.perStatus.set(status, (this.perStatus.get(status) ?? 0) + 1);
  }

  recordReset(): void {
    this.counts.resets++;
  }

  recordThrottled(): void {
    this.counts.throttled++;
  }

  recordStormed(): void {
    this.counts.stormed++;
  }

  recordBytes(bytes: number): void {
    this.counts.bytesSent += bytes;
  }

  requestsForKey(key: string): number {
    return this.perKey.get(key) ?? 0;
  }

  duplicateKeys(): number {
    return this.counts.duplicates;
  }

  /** Epoch milliseconds of each API request's arrival, oldest first (a copy). */
  arrivals(): number[] {
    return this.arrivalTimes.slice();
  }

  /** Each API request's arrival time and key, oldest first (a copy). */
  arrivalLog(): ArrivalRecord[] {
    return this.arrivalTimes.map((at, i) => ({ at, key: this.arrivalKeys[i] as string }));
  }

  private arrivalsByKey(): Record<string, number[]> {
    // A Map, then fromEntries: a key such as `__proto__` must stay an ordinary entry.
    const byKey = new Map<string, number[]>();
    this.arrivalTimes.forEach((at, i) => {
      const key = this.arrivalKeys[i] as string;
      const times = byKey.get(key);
      if (times === undefined) byKey.set(key, [at]);
      else times.push(at);
    });
    return Object.fromEntries(byKey);
  }

  /**
   * Costs O(keys), plus O(arrivals) with `withArrivals`: hot loops should use
   * `requestsForKey` and `duplicateKeys` instead.
   */
  snapshot(withArrivals = false): MockStats {
    const stats: MockStats = {
      requests: this.counts.requests,
      byKey: Object.fromEntries(this.perKey),
      responsesByStatus: Object.fromEntries(this.perStatus),
      resets: this.counts.resets,
      distinctKeys: this.perKey.size,
      duplicateKeys: this.counts.duplicates,
      throttled: this.counts.throttled,
      stormed: this.counts.stormed,
      bytesSent: this.counts.bytesSent,
    };
    if (withArrivals) stats.arrivalsByKey = this.arrivalsByKey();
    return stats;
  }

  /** Forgets everything, including per-key attempts: scripted outcomes start over. */
  reset(): void {
    this.counts = zeroCounts();
    this.perKey.clear();
    this.perStatus.clear();
    this.arrivalTimes = [];
    this.arrivalKeys = [];
  }
}
