import type { Logger, ProgressSnapshot } from '@sluice/engine';
import { formatDuration } from './progressLine';

/** Default of `--log-interval`: a progress line this often when stderr is not a terminal. */
export const DEFAULT_LOG_INTERVAL_MS = 10_000;

/** The figures of one progress log line (also its JSON fields). */
export function progressFields(p: ProgressSnapshot, nowMs: number) {
  const finished = p.done + p.failed;
  const pending = Math.max(0, p.total - finished);
  return {
    event: 'progress',
    crawl: p.crawl,
    done: p.done,
    total: p.total,
    percent: p.total === 0 ? 100 : Math.floor((finished * 1000) / p.total) / 10,
    itemsPerSec: Math.round(p.ratePerSec * 10) / 10,
    etaSeconds: p.ratePerSec > 0 ? Math.ceil(pending / p.ratePerSec) : null,
    failed: p.failed,
    inFlight: p.inFlight,
    paused: p.paused,
    throttledForMs: Math.max(0, p.throttledUntil - nowMs),
    breaker: p.breaker,
    outageMs: p.outageSince > 0 ? nowMs - p.outageSince : 0,
    ledgerError: p.ledgerError,
  };
}

/** One line for people: `colours: 1200/6000 (20%), 340 items/s, ETA 14s, failed 0, …`. */
export function progressText(f: ReturnType<typeof progressFields>): string {
  const parts = [
    `${f.crawl}: ${f.done + f.failed}/${f.total} (${f.percent}%)`,
    `${f.itemsPerSec} items/s`,
    `ETA ${f.etaSeconds === null ? '?' : formatDuration(f.etaSeconds)}`,
    `failed ${f.failed}`,
    `in flight ${f.inFlight}`,
    `breaker ${f.breaker}`,
  ];
  if (f.paused) parts.push('paused');
  if (f.throttledForMs > 0) parts.push(`throttled ${formatDuration(f.throttledForMs / 1000)}`);
  if (f.outageMs > 0) parts.push(`endpoint unreachable for ${formatDuration(f.outageMs / 1000)}`);
  if (f.ledgerError) parts.push(`ledger not writable: ${f.ledgerError}`);
  return `progress ${parts.join(', ')}`;
}

/**
 * Progress as log lines, for logs nobody watches live (`> log 2>&1`, docker logs, systemd,
 * CI): one line every `intervalMs`, text or JSON as the logger writes them.
 */
export function createProgressLog(log: Logger, intervalMs: number, now: () => number = Date.now): (p: ProgressSnapshot) => void {
  let lastMs = now();
  return (p) => {
    const at = now();
    if (at - lastMs < intervalMs) return;
    lastMs = at;
    const fields = progressFields(p, at);
    log.info(progressText(fields), fields);
  };
}
