import { setTimeout as delay } from 'node:timers/promises';
import { ConfigError } from '@sluice/core';
import { type CrawlStatus, type Engine, status } from '@sluice/engine';
import type { CommandContext } from '../context';
import { withEngine } from '../engineFor';
import { formatDuration } from '../progressLine';
import { stateLabel } from '../stateLabel';

export interface StatusOptions {
  json: boolean;
  /** Print again every `intervalMs` until SIGINT/SIGTERM. */
  watch?: boolean;
  /** Default 2000; at least 100. */
  intervalMs?: number;
}

const BAR_WIDTH = 30;
const MIN_INTERVAL_MS = 100;

/** `[██████░░░░]`, drawn only on a TTY. */
function bar(percent: number): string {
  const full = Math.max(0, Math.min(BAR_WIDTH, Math.floor((percent / 100) * BAR_WIDTH)));
  return `[${'█'.repeat(full)}${'░'.repeat(BAR_WIDTH - full)}]`;
}

/** Keys per second: whole numbers when fast, three significant digits when slow (5 a minute). */
export function formatRate(perSec: number): string {
  if (perSec >= 100) return String(Math.round(perSec));
  if (perSec >= 1) return perSec.toFixed(1);
  return perSec > 0 ? String(Number(perSec.toPrecision(3))) : '0';
}

/** Like formatDuration, with days for quota-bound crawls (`3d04h`). */
export function formatEta(seconds: number | null): string {
  if (seconds === null) return '?';
  if (seconds < 86_400) return formatDuration(seconds);
  const hours = Math.round(seconds / 3600);
  return `${Math.floor(hours / 24)}d${String(hours % 24).padStart(2, '0')}h`;
}

function ago(iso: string | null, nowMs: number): string {
  return iso === null ? 'never' : `${formatDuration((nowMs - Date.parse(iso)) / 1000)} ago`;
}

/** Errors grouped by class, each with its latest example among the last ten. */
function errorLines(s: CrawlStatus): string[] {
  const classes = Object.entries(s.errorsByClass);
  if (classes.length === 0) return ['  errors: none recently'];
  return [
    '  recent errors by class:',
    ...classes.map(([name, count]) => {
      const latest = s.recentErrors.find((e) => e.errorClass === name);
      return `    ${name} ×${count}${latest ? `  latest ${latest.key}: ${latest.reason}` : ''}`;
    }),
  ];
}

/** One line per pool credential: its name, state and use per window (`perDay 20 used, 5 left`). */
function credentialLines(s: CrawlStatus): string[] {
  if (s.credentials.length === 0) return [];
  return [
    '  credentials:',
    ...s.credentials.map((c) => {
      const windows = Object.entries(c.used).map(([w, n]) => `${w} ${n} used, ${c.remaining[w] ?? 0} left`);
      const state = c.state === 'paused' && c.pausedUntil ? `paused until ${c.pausedUntil}` : c.state;
      return `    ${c.label ?? c.name} ${state}${windows.length > 0 ? `; ${windows.join(', ')}` : ''}`;
    }),
  ];
}

/** The adaptive rate's line (`limits.perSecond: "auto"`), or none. */
function adaptiveLines(s: CrawlStatus): string[] {
  const a = s.adaptiveRate;
  if (a === null) return [];
  const last =
    a.lastCutAt === null
      ? 'no cut yet'
      : `limit found ${a.limitFoundPerSecond ?? '?'}/s; ${a.cuts} cuts, last ${a.lastCutAt}: ${a.lastCutReason ?? 'throttle'}`;
  return [`  adaptive rate ${a.ratePerSecond}/s (${a.phase}; ${last}; ${a.increases} increases)`];
}

/** The text block of one crawl; `tty` adds a progress bar. */
export function statusText(s: CrawlStatus, tty: boolean, nowMs: number = Date.now()): string {
  const q = s.queue
    ? `batches waiting ${s.queue.waiting}, active ${s.queue.active}, delayed ${s.queue.delayed}`
    : 'queue unknown (Redis unreachable)';
  const throttled = s.throttledUntil === null ? 'no' : `until ${s.throttledUntil}`;
  const lines = [
    `${s.name} (id ${s.id}): ${stateLabel(s.state, s.failed)}, ${s.percent}%, health ${s.health}`,
    ...(tty ? [`  ${bar(s.percent)} ${s.percent}%`] : []),
    `  done ${s.done} / ${s.total} (${s.percent}%), failed ${s.failed}, pending ${s.pending}`,
    `  in flight ${s.inFlight}; ${q}; enqueued through ${s.enqueuedThrough}`,
    `  items/s ${formatRate(s.ratePerSec.last1m)} (1m), ${formatRate(s.ratePerSec.last5m)} (5m); ETA ${formatEta(s.etaSeconds)}; throttled ${throttled}`,
    `  workers online ${s.workersOnline}; breaker ${s.breaker}; last progress ${ago(s.lastProgressAt, nowMs)}`,
    ...(s.outageSince ? [`  endpoint unreachable since ${s.outageSince} (circuit open; requests wait)`] : []),
    ...(s.ledgerError ? [`  ledger not writable: ${s.ledgerError} (workers hold their requests)`] : []),
    ...(s.health === 'no-worker' ? [`  no worker: start one with \`sluice work ${s.name}\``] : []),
    ...adaptiveLines(s),
    ...credentialLines(s),
    ...errorLines(s),
  ];
  return `${lines.join('\n')}\n`;
}

function render(all: CrawlStatus[], ref: string | undefined, json: boolean, tty: boolean, compact: boolean): string {
  if (json)
    return `${compact ? JSON.stringify(ref === undefined ? all : all[0]) : JSON.stringify(ref === undefined ? all : all[0], null, 2)}\n`;
  if (all.length === 0) return 'no crawls yet: start one with `sluice run <spec>`\n';
  return all.map((s) => statusText(s, tty)).join('');
}

/**
 * Prints again every interval until `ctx.signal` aborts: in place on a TTY (cursor home, clear),
 * as timestamped blocks otherwise, and one JSON document per line with `--json`.
 */
async function watch(engine: Engine, ref: string | undefined, options: StatusOptions, ctx: CommandContext): Promise<void> {
  const intervalMs = options.intervalMs ?? 2000;
  const tty = ctx.stdout.isTTY === true && !options.json;
  if (tty) ctx.stdout.write('\x1b[?25l\x1b[2J');
  try {
    while (!ctx.signal.aborted) {
      const all = await status(engine, ref);
      const now = new Date();
      const body = render(all, ref, options.json, tty, true);
      if (options.json) ctx.stdout.write(body);
      else if (tty) {
        const header = `sluice status, every ${intervalMs} ms, ${now.toLocaleTimeString()} (Ctrl-C to stop)\n\n`;
        ctx.stdout.write(`\x1b[H${`${header}${body}`.replaceAll('\n', '\x1b[K\n')}\x1b[J`);
      } else ctx.stdout.write(`--- ${now.toISOString()} ---\n${body}\n`);
      await delay(intervalMs, undefined, { signal: ctx.signal }).catch(() => {});
    }
  } finally {
    if (tty) ctx.stdout.write('\x1b[?25h');
  }
}

/**
 * `sluice status [<crawl>] [--json] [--watch] [--interval ms]`. JSON: an object for one crawl,
 * an array for all (indented once, one line per document with --watch).
 */
export async function statusCommand(ref: string | undefined, options: StatusOptions, ctx: CommandContext): Promise<number> {
  if (options.intervalMs !== undefined && options.intervalMs < MIN_INTERVAL_MS) {
    throw new ConfigError(`--interval: expected at least ${MIN_INTERVAL_MS} ms`);
  }
  return withEngine(ctx, async (engine) => {
    if (options.watch) await watch(engine, ref, options, ctx);
    else ctx.stdout.write(render(await status(engine, ref), ref, options.json, ctx.stdout.isTTY === true, false));
    return 0;
  });
}
