/**
 * Typed readings of the acquire script's replies (see `ACQUIRE_LUA`). A reply of another
 * shape means the script and this code disagree, which no retry fixes: it throws.
 */

/** Why the script refused a start. */
export type WaitReason = 'pause' | 'window' | 'concurrency';

export type AcquireReply = { admitted: true; nowMs: number } | { admitted: false; reason: WaitReason; waitMs: number };

export interface PeekReply {
  /** Redis time of the peek, epoch ms. */
  nowMs: number;
  /** The crawl-wide pause, epoch ms; 0 or past when not paused. */
  pausedUntilMs: number;
  /** Milliseconds until every window has room; 0 when it has room now. */
  waitMs: number;
  /** Leases alive, or null when there is no global concurrency cap. */
  inFlight: number | null;
  /** Starts in each configured window, in the order the windows were passed. */
  counts: number[];
}

function field(reply: unknown[], index: number): number {
  const value = Number(reply[index]);
  if (!Number.isFinite(value)) throw new Error(`shared limiter: unexpected script reply ${JSON.stringify(reply)}`);
  return value;
}

function asArray(reply: unknown): unknown[] {
  if (!Array.isArray(reply)) throw new Error(`shared limiter: unexpected script reply ${JSON.stringify(reply)}`);
  return reply;
}

export function parseAcquireReply(raw: unknown): AcquireReply {
  const reply = asArray(raw);
  if (field(reply, 0) === 1) return { admitted: true, nowMs: field(reply, 1) };
  const reason = reply[1];
  if (reason !== 'pause' && reason !== 'window' && reason !== 'concurrency') {
    throw new Error(`shared limiter: unexpected script reply ${JSON.stringify(reply)}`);
  }
  return { admitted: false, reason, waitMs: field(reply, 2) };
}

export function parsePeekReply(raw: unknown, windows: number): PeekReply {
  const reply = asArray(raw);
  const inFlight = field(reply, 3);
  return {
    nowMs: field(reply, 0),
    pausedUntilMs: field(reply, 1),
    waitMs: field(reply, 2),
    inFlight: inFlight < 0 ? null : inFlight,
    counts: Array.from({ length: windows }, (_, i) => field(reply, 4 + i)),
  };
}
