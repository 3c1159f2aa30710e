/**
 * Typed readings of the acquire script's replies (see `ACQUIRE_LUA`). A reply of another
 * shape means the script and this code disagree, which no retry fixes: it throws.
 */

/** Why the script refused a start. */
export type WaitReason = 'pause' | 'window' | 'concurrency';

export type AcquireReply =
  /** Admitted: the start is recorded at `startMs` (Redis time), `waitMs` from now (0: at once). */
  { admitted: true; startMs: number; waitMs: number } | { admitted: false; reason: WaitReason; waitMs: number };

/** The answer to confirming a reserved start (see `CONFIRM_LUA`). */
export type ConfirmReply =
  /** Send now; the start is recorded at `startMs` (Redis time). */
  | { confirmed: true; startMs: number }
  /** `pause` and `late`: the slot was given up, ask again; `early`: kept, confirm after `ms`. */
  | { confirmed: false; reason: 'pause' | 'late' | 'early'; ms: number };

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
  if (field(reply, 0) === 1) return { admitted: true, startMs: field(reply, 1), waitMs: field(reply, 2) };
  const reason = reply[1];
  if (reason !== 'pause' && reason !== 'window' && reason !== 'concurrency') {
    throw new Error(`shared limiter: unexpected script reply ${JSON.stringify(reply)}`);
  }
  return { admitted: false, reason, waitMs: field(reply, 2) };
}

export function parseConfirmReply(raw: unknown): ConfirmReply {
  const reply = asArray(raw);
  if (field(reply, 0) === 1) return { confirmed: true, startMs: field(reply, 1) };
  const reason = reply[1];
  if (reason !== 'pause' && reason !== 'late' && reason !== 'early') {
    throw new Error(`shared limiter: unexpected script reply ${JSON.stringify(reply)}`);
  }
  return { confirmed: false, reason, ms: field(reply, 2) };
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
