import type { Store } from '@sluice/store';

/** hex6 key of a position in a range that starts at 0 (the crawl's key source). */
export function hexKey(position: number): string {
  return position.toString(16).toUpperCase().padStart(6, '0');
}

/** Per worker kill: how long until its pending keys came back. */
export interface Recovery {
  at: number;
  victim: number;
  pendingKeys: number;
  /** Kill → the last pending key was requested again or committed (null: never). The target metric. */
  recoveryMs: number | null;
  /** Kill → the last pending key was committed; longer when a re-run batch lost its worker again. */
  committedMs: number | null;
  /** Pending keys that were requested again: the fetches this kill cost twice. */
  refetched: number;
}

interface PendingKey {
  position: number;
  key: string;
  /** Requests the mock API had seen for the key when it was noted. */
  baseline: number;
  /** When a later request for it was first seen. */
  requestedAgainAt: number | null;
  /** True once seen requested again or in the ledger. */
  back: boolean;
}

interface Kill {
  at: number;
  victim: number;
  keys: PendingKey[];
  /** Keys not back yet. */
  open: number;
}

/** How often the mock API's per-key counters are polled for re-requests. */
const POLL_MS = 50;

/**
 * Measures recovery after worker kills. Once a victim is dead, every key the mock API has seen
 * requested that has no ledger row (and is not still pending from an earlier kill) is noted
 * with its request count: the victim's fetched but uncommitted keys are among them (so are
 * other workers' keys about to commit, which land within milliseconds and never decide the
 * maximum). A timer then watches for each key's next
 * request. A key is back when it is requested again or has a ledger row (`fetchedAt`),
 * whichever is first; the recovery is the time from the SIGKILL until the last key is back.
 */
export class RecoveryTracker {
  private readonly kills: Kill[] = [];
  private readonly timer: NodeJS.Timeout;
  private polling: Promise<void> | null = null;

  constructor(
    private readonly requestsForKey: (key: string) => number,
    private readonly store: Store,
    private readonly crawlId: number,
  ) {
    this.timer = setInterval(() => void this.pollOnce(), POLL_MS);
  }

  /**
   * Notes a kill; call it once the victim is dead. Keys still pending from an earlier kill
   * belong to that kill and are left out. Returns how many keys this kill left pending.
   */
  async noteKill(at: number, victim: number, total: number): Promise<number> {
    const finished = await this.store.ledger.finishedPositions(this.crawlId, 0, total - 1);
    const earlier = new Set(this.kills.flatMap((k) => k.keys.filter((p) => !p.back).map((p) => p.position)));
    const keys: PendingKey[] = [];
    for (let position = 0; position < total; position++) {
      if (finished.has(position) || earlier.has(position)) continue;
      const key = hexKey(position);
      const baseline = this.requestsForKey(key);
      if (baseline > 0) keys.push({ position, key, baseline, requestedAgainAt: null, back: false });
    }
    this.kills.push({ at, victim, keys, open: keys.length });
    return keys.length;
  }

  /** True while some kill still has keys that are not back. */
  recovering(): boolean {
    return this.kills.some((k) => k.open > 0);
  }

  /** Positions of every key some kill left pending (for the final ledger scan). */
  pendingPositions(): Set<number> {
    return new Set(this.kills.flatMap((k) => k.keys.map((p) => p.position)));
  }

  /** One poll at a time: a slow ledger read must not stack polls up. */
  private pollOnce(): Promise<void> {
    this.polling ??= this.poll()
      .catch(() => {})
      .finally(() => {
        this.polling = null;
      });
    return this.polling;
  }

  private async poll(): Promise<void> {
    const now = Date.now();
    for (const kill of this.kills) {
      if (kill.open === 0) continue;
      for (const p of kill.keys) {
        if (p.back) continue;
        if (this.requestsForKey(p.key) > p.baseline) p.requestedAgainAt = now;
        else if ((await this.store.ledger.finishedPositions(this.crawlId, p.position, p.position)).size === 0) continue;
        p.back = true;
        kill.open--;
      }
    }
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.polling;
    await this.poll();
  }

  /** Recoveries, given each pending key's ledger `fetchedAt` (absent: no row). */
  results(fetchedAt: ReadonlyMap<number, number>): Recovery[] {
    return this.kills.map((kill) => {
      let back = 0;
      let committed = 0;
      let lost = false;
      for (const p of kill.keys) {
        const rowAt = fetchedAt.get(p.position);
        if (rowAt === undefined) lost = true;
        else committed = Math.max(committed, rowAt - kill.at);
        const at = Math.min(p.requestedAgainAt ?? Number.POSITIVE_INFINITY, rowAt ?? Number.POSITIVE_INFINITY);
        back = Math.max(back, at - kill.at);
      }
      return {
        at: kill.at,
        victim: kill.victim,
        pendingKeys: kill.keys.length,
        recoveryMs: Number.isFinite(back) ? back : null,
        committedMs: lost ? null : committed,
        refetched: kill.keys.filter((p) => p.requestedAgainAt !== null).length,
      };
    });
  }
}
