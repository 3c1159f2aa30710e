import type { Writable } from 'node:stream';
import { type ProgressSnapshot, percentOf } from '@sluice/engine';
import { SingleBar } from 'cli-progress';

/** Formats seconds as `1h02m`, `3m05s` or `42s`. */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '?';
  const s = Math.round(seconds);
  if (s >= 3600) return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
  if (s >= 60) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${s}s`;
}

/**
 * The live progress line of `run` and `work`, drawn only on a TTY. Returns the callback for
 * progress snapshots and a function that clears the line.
 */
export function createProgressLine(out: Writable): { update: (p: ProgressSnapshot) => void; stop: () => void } {
  const bar = new SingleBar(
    {
      stream: out as NodeJS.WritableStream,
      format: '{crawl} [{bar}] {pct}% | {value}/{total} | failed {failed} | {rate}/s | ETA {eta_h}{throttle}',
      hideCursor: true,
      clearOnComplete: false,
      etaBuffer: 50,
    },
    undefined,
  );
  let started = false;
  return {
    update(p) {
      const eta = p.ratePerSec > 0 ? formatDuration((p.total - p.done - p.failed) / p.ratePerSec) : '?';
      const throttle = p.throttledUntil > Date.now() ? ` | throttled ${formatDuration((p.throttledUntil - Date.now()) / 1000)}` : '';
      // cli-progress's own {percentage} truncates to a whole number; this one is rounded to 0.1.
      const payload = {
        crawl: p.crawl,
        pct: percentOf(p.done + p.failed, p.total),
        failed: p.failed,
        rate: Math.round(p.ratePerSec),
        eta_h: eta,
        throttle,
      };
      if (!started) {
        bar.start(p.total, p.done + p.failed, payload);
        started = true;
      } else bar.update(p.done + p.failed, payload);
    },
    stop() {
      if (started) bar.stop();
    },
  };
}
