import type { LimiterWindowName } from './limiterKeys';

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

/**
 * One crawl's request log in the ledger, as the limiter needs it: hourly and daily budgets log
 * every start, so a Redis that lost its windows can be re-seeded and a spent budget is never
 * handed out again. The engine passes an adapter over its store (the limiter never touches the
 * ledger itself).
 */
export interface RequestLogSink {
  /** Appends starts (epoch ms) of `credential` (none: the crawl's own), and prunes rows older than `keepMs`. */
  append(timesMs: readonly number[], keepMs: number, credential?: string): Promise<void>;
  /** Logged starts (epoch ms) at or after `sinceMs`, of `credential` (none: the crawl's own). */
  requestTimesSince(sinceMs: number, credential?: string): Promise<number[]>;
}

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
 * Request starts waiting to be written to the request log, per pool credential (`''` without
 * one), written together by `flush` on the limiter's tick so logging costs no ledger write per
 * request.
 */
export class RequestBudgetLog {
  private pending = new Map<string, number[]>();

  constructor(
    private readonly sink: RequestLogSink,
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
    for (const [i, [name, times]] of entries.entries()) {
      try {
        await this.sink.append(times, this.keepMs, name === '' ? undefined : name);
      } catch (err) {
        for (const [left, leftTimes] of entries.slice(i)) this.pending.set(left, [...leftTimes, ...(this.pending.get(left) ?? [])]);
        throw err;
      }
    }
  }
}
