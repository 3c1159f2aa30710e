import type { LimiterWindowName } from '@sluice/limiter';
import type { Store } from '@sluice/store';

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

/** Limits as far as the request log cares: which long windows a budget has. */
interface LongWindows {
  perHour: number;
  perDay: number;
}

/** The window a lost Redis would reset that the request log can rebuild: the longest of hour and day, or null. */
export function loggedWindow(limits: LongWindows): LimiterWindowName | null {
  return limits.perDay > 0 ? 'perDay' : limits.perHour > 0 ? 'perHour' : null;
}

/** How long log rows must be kept to rebuild `window`. */
export function keepMsFor(window: LimiterWindowName | null): number {
  return window === 'perDay' ? DAY_MS : window === 'perHour' ? HOUR_MS : 0;
}

/**
 * Request starts waiting to be written to the ledger's request log, per pool credential (`''`
 * without one), written together by `flush` on the worker's tick so logging costs no SQLite
 * write per request.
 */
export class RequestBudgetLog {
  private pending = new Map<string, number[]>();

  constructor(
    private readonly store: Store,
    private readonly crawlId: number,
    /** Rows older than this are pruned; 0 logs nothing. */
    readonly keepMs: number,
  ) {}

  get enabled(): boolean {
    return this.keepMs > 0;
  }

  add(atMs: number, credential: string | undefined): void {
    if (!this.enabled) return;
    const name = credential ?? '';
    const list = this.pending.get(name);
    if (list) list.push(atMs);
    else this.pending.set(name, [atMs]);
  }

  /**
   * Writes every pending start. When the ledger refuses a write, the starts not written yet are
   * kept, before any added meanwhile, for the next flush, and the error is thrown.
   */
  async flush(): Promise<void> {
    if (this.pending.size === 0) return;
    const entries = [...this.pending];
    this.pending = new Map();
    for (let i = 0; i < entries.length; i++) {
      const [name, times] = entries[i] as [string, number[]];
      try {
        await this.store.logRequests(this.crawlId, times, this.keepMs, name === '' ? undefined : name);
      } catch (err) {
        for (const [left, leftTimes] of entries.slice(i)) this.pending.set(left, [...leftTimes, ...(this.pending.get(left) ?? [])]);
        throw err;
      }
    }
  }
}
