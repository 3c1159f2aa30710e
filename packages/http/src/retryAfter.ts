/**
 * Parses the `Retry-After` response header (RFC 9110 §10.2.3) into a wait in milliseconds.
 * Pure: the caller passes the clock, so tests need no fake timers.
 */

/** Longest wait we honour: a server asking for days is broken, and a day still parks the key. */
export const MAX_RETRY_AFTER_MS = 24 * 60 * 60 * 1000;

const DELTA_SECONDS = /^\d+$/;
// Every HTTP-date form (IMF-fixdate, RFC 850, asctime) starts with a day name. Requiring it
// keeps Date.parse from reading "-1" or "1.5" as dates, which V8 would happily do.
const HTTP_DATE_START = /^(mon|tue|wed|thu|fri|sat|sun)/i;
const HAS_ZONE = /\b(gmt|utc)\b|[+-]\d{4}$/i;

/**
 * Returns how long the server asked us to wait, capped at {@link MAX_RETRY_AFTER_MS}, or null
 * when the header is missing or unusable.
 *
 * - delta-seconds: `"3"` → 3000 (integers only, as the RFC says; surrounding spaces allowed);
 * - HTTP-date: `max(0, date - nowMs)`, so a date in the past means "retry now";
 * - a repeated header (array): the longest usable wait, since waiting longer never breaks the
 *   server's request while waiting shorter might.
 */
export function parseRetryAfterMs(value: string | string[] | undefined, nowMs: number): number | null {
  if (value === undefined) return null;
  if (Array.isArray(value)) {
    const waits = value.map((one) => parseOne(one, nowMs)).filter((ms): ms is number => ms !== null);
    return waits.length > 0 ? Math.max(...waits) : null;
  }
  return parseOne(value, nowMs);
}

function parseOne(raw: string, nowMs: number): number | null {
  const value = raw.trim();
  if (DELTA_SECONDS.test(value)) return capWait(Number(value) * 1000);
  if (!HTTP_DATE_START.test(value)) return null;
  // asctime dates carry no zone, yet HTTP dates are always GMT; Date.parse would assume local time.
  const dateMs = Date.parse(HAS_ZONE.test(value) ? value : `${value} GMT`);
  if (Number.isNaN(dateMs)) return null;
  return capWait(Math.max(0, dateMs - nowMs));
}

function capWait(ms: number): number {
  return Math.min(ms, MAX_RETRY_AFTER_MS);
}
