/**
 * `pnpm bench:limits [--quick] [--storm-seconds N]`: measures Sluice's rate limits, throttle
 * pauses and storm recovery at the API. Two real `sluice work` processes (concurrency 50 each)
 * share one redis-server of the bench's own; the mock API runs in this process and records
 * every arrival, from which the figures are computed exactly. Prints a table with PASS/FAIL per
 * target. A benchmark, not a test: it exits 0 whatever it measured.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { clockMs, runScenario, type ScenarioResult, WORKERS } from './limits/scenario';
import { allowedIn, type Budget, countBetween, recoveryMs, windowFigures } from './limits/windows';
import { ROOT } from './processes';

interface Settings {
  quick: boolean;
  rateRunMs: number;
  stormMs: number;
}

interface Row {
  check: string;
  figure: string;
  value: string;
  target: string;
  pass?: boolean;
}

const SECOND: Budget = { label: '1 s', lengthMs: 1_000, max: 0 };
const MINUTE: Budget = { label: '60 s', lengthMs: 60_000, max: 0 };
const BIG_CRAWL = 100_000;
/** The key scripted to answer 429 once in the throttle checks (position 2,000). */
const THROTTLED_KEY = '0007D0';
const THROTTLE_RUN_MS = 10_000;
/**
 * Arrivals this soon after the 429 left the mock were sent before any worker could know of the
 * pause: the 429 still had to reach its worker and the pause Redis, and on a loaded 2-core
 * machine the worker's and the mock's event loops each lag a few milliseconds (the mock records
 * a request when its loop gets to it, not when it reached the socket).
 */
const IN_FLIGHT_MS = 10;
const STORM_AFTER_MS = 5_000;

const pct = (x: number) => `${(x * 100).toFixed(1)} %`;
const sec = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
const int = (n: number) => Math.round(n).toLocaleString('en');

function note(line: string): void {
  process.stderr.write(`bench:limits: ${line}\n`);
}

function problemRows(check: string, r: ScenarioResult): Row[] {
  const loop: Row = {
    check,
    figure: "mock API's longest event-loop stall (arrivals recorded late by up to)",
    value: `${r.mockLoopDelayMaxMs.toFixed(1)} ms`,
    target: '',
  };
  return [loop, ...r.problems.map((p) => ({ check, figure: 'worker problem', value: p, target: 'exit 0', pass: false }))];
}

async function rateCheck(label: string, limits: Record<string, number>, budgets: Budget[], s: Settings): Promise<Row[]> {
  note(`${label}: ${JSON.stringify(limits)}, ${WORKERS} workers × 50, ${s.rateRunMs / 1000} s`);
  const r = await runScenario({ name: `limits-${label.toLowerCase()}`, limits, keys: BIG_CRAWL, runMs: s.rateRunMs });
  const first = r.arrivals[0] ?? r.stoppedAt;
  const durationMs = r.stoppedAt - first;
  const served = countBetween(r.arrivals, first, r.stoppedAt + 0.001);
  const allowed = allowedIn(durationMs, budgets);
  const check = `${label} ${JSON.stringify(limits)}`;
  const rows: Row[] = [{ check, figure: 'requests seen by the mock', value: int(r.arrivals.length), target: '' }];
  for (const b of budgets) {
    const w = windowFigures(r.arrivals, b);
    rows.push({
      check,
      figure: `max in any ${b.label} window`,
      value: int(w.maxInWindow),
      target: `≤ ${b.max}`,
      pass: w.maxInWindow <= b.max,
    });
    rows.push({ check, figure: `windows over ${b.max}/${b.label}`, value: int(w.violations), target: '0', pass: w.violations === 0 });
  }
  const utilisation = served / allowed;
  rows.push({
    check,
    figure: `utilisation (${int(served)} in ${sec(durationMs)} / ${int(allowed)} allowed)`,
    value: pct(utilisation),
    target: '≥ 97 %',
    pass: utilisation >= 0.97,
  });
  if (r.finished) rows.push({ check, figure: 'crawl finished early (keys ran out)', value: 'yes', target: 'no', pass: false });
  return [...rows, ...problemRows(check, r)];
}

/**
 * `exact`: with any rate limit configured every admission checks the crawl-wide pause in Redis,
 * so no worker may start a request once the pause is written. Without one, other processes
 * learn of it by a pub/sub announcement, and what they send meanwhile still arrives: reported,
 * not judged.
 */
async function throttleCheck(label: string, limits: Record<string, number>, exact: boolean): Promise<Row[]> {
  note(`throttle ${label}: ${JSON.stringify(limits)}, key ${THROTTLED_KEY} answers 429 Retry-After: 3 once`);
  const r = await runScenario({
    name: `throttle-${label.replace(/\W+/g, '')}`,
    limits,
    keys: BIG_CRAWL,
    runMs: THROTTLE_RUN_MS,
    outcomes: { [THROTTLED_KEY]: [{ status: 429, retryAfter: '3' }, 'ok'] },
  });
  const check = `throttle, ${label}`;
  const index = r.log.findIndex((a) => a.key === THROTTLED_KEY);
  const at = r.log[index]?.at;
  if (at === undefined) return [{ check, figure: 'the 429 was never requested', value: '-', target: '', pass: false }];
  const later = r.log.slice(index + 1).map((a) => a.at);
  const retry = r.log.slice(index + 1).find((a) => a.key === THROTTLED_KEY)?.at;
  // Requests already on the wire when the 429 left the mock cannot be called back; they arrive
  // within a loopback hop of it. Anything later was sent after a worker could have known.
  const inFlight = later.filter((t) => t >= at && t <= at + IN_FLIGHT_MS).length;
  const inPause = later.filter((t) => t > at + IN_FLIGHT_MS && t < at + 3_000);
  const next = later.find((t) => t > at + IN_FLIGHT_MS);
  const gap = next === undefined ? Number.POSITIVE_INFINITY : next - at;
  const rows: Row[] = [
    { check, figure: `already in flight (arrived ≤ ${IN_FLIGHT_MS} ms after the 429)`, value: int(inFlight), target: '' },
    {
      check,
      figure: `requests arriving ${IN_FLIGHT_MS} ms – 3 s after the 429 (any worker)`,
      value: int(inPause.length),
      target: exact ? '0' : '(informative: no rate limit)',
      pass: exact ? inPause.length === 0 : undefined,
    },
    {
      check,
      figure: 'last of those, after the 429',
      value: inPause.length > 0 ? `${(Math.max(...inPause) - at).toFixed(1)} ms` : '-',
      target: '',
    },
    {
      check,
      figure: 'next request after the 429 (not in flight)',
      value: sec(gap),
      target: exact ? '≥ 3 s' : '',
      pass: exact ? gap >= 3_000 : undefined,
    },
    {
      check,
      figure: 'the throttled key asked again after',
      value: retry === undefined ? 'never' : sec(retry - at),
      target: '≥ 3 s',
      pass: retry !== undefined && retry - at >= 3_000,
    },
  ];
  return [...rows, ...problemRows(check, r)];
}

async function stormCheck(s: Settings): Promise<Row[]> {
  const perSecond = 100;
  note(`storm: perSecond ${perSecond}, 100 % 503 for ${s.stormMs / 1000} s after ${STORM_AFTER_MS / 1000} s`);
  let stormEnd = 0;
  const r = await runScenario({
    name: 'storm',
    limits: { perSecond },
    keys: BIG_CRAWL,
    runMs: STORM_AFTER_MS + s.stormMs + (s.quick ? 15_000 : 20_000),
    during: (mock) => {
      const timer = setTimeout(() => {
        mock.startStorm({ status: 503, durationMs: s.stormMs });
        stormEnd = clockMs() + s.stormMs;
      }, STORM_AFTER_MS);
      return () => clearTimeout(timer);
    },
  });
  const check = `storm ${s.stormMs / 1000} s, perSecond ${perSecond}`;
  const stormStart = stormEnd - s.stormMs;
  const recovery = stormEnd > 0 ? recoveryMs(r.arrivals, stormEnd, perSecond * 0.9) : null;
  const rows: Row[] = [
    { check, figure: 'requests during the storm (all 503)', value: int(countBetween(r.arrivals, stormStart, stormEnd)), target: '' },
    { check, figure: 'keys moved to failed (ledger)', value: int(r.failed), target: '0', pass: r.failed === 0 },
    {
      check,
      figure: 'storm end → end of first 1 s with ≥ 90 requests',
      value: recovery === null ? 'never' : sec(recovery),
      target: '≤ 10 s',
      pass: recovery !== null && recovery <= 10_000,
    },
  ];
  const w = windowFigures(r.arrivals, { ...SECOND, max: perSecond });
  rows.push({ check, figure: 'windows over 100/1 s', value: int(w.violations), target: '0', pass: w.violations === 0 });
  return [...rows, ...problemRows(check, r)];
}

function parseLimitsArgs(argv: string[]): Settings {
  const { values } = parseArgs({
    args: argv,
    options: { quick: { type: 'boolean', default: false }, 'storm-seconds': { type: 'string' }, help: { type: 'boolean', default: false } },
  });
  if (values.help) {
    process.stdout.write(
      'usage: pnpm bench:limits [--quick] [--storm-seconds N]\n  --quick: 10 s rate runs, 15 s storm (default 30 s, 60 s)\n',
    );
    process.exit(0);
  }
  const quick = values.quick;
  const stormSeconds = values['storm-seconds'] === undefined ? null : Number(values['storm-seconds']);
  if (stormSeconds !== null && !(stormSeconds > 0)) throw new Error('--storm-seconds: expected a number > 0');
  return { quick, rateRunMs: quick ? 10_000 : 30_000, stormMs: (stormSeconds ?? (quick ? 15 : 60)) * 1000 };
}

function table(rows: Row[]): string {
  const lines = ['| check | figure | value | target | |', '|---|---|---|---|---|'];
  for (const r of rows)
    lines.push(`| ${r.check} | ${r.figure} | ${r.value} | ${r.target} | ${r.pass === undefined ? '' : r.pass ? 'PASS' : 'FAIL'} |`);
  return lines.join('\n');
}

async function main() {
  const s = parseLimitsArgs(process.argv.slice(2));
  const started = Date.now();
  const rows = [
    ...(await rateCheck('A', { perSecond: 200 }, [{ ...SECOND, max: 200 }], s)),
    ...(await rateCheck(
      'B',
      { perSecond: 20, perMinute: 300 },
      [
        { ...SECOND, max: 20 },
        { ...MINUTE, max: 300 },
      ],
      s,
    )),
    ...(await throttleCheck('no limits', {}, false)),
    ...(await throttleCheck('perSecond 1000', { perSecond: 1000 }, true)),
    ...(await stormCheck(s)),
  ];
  const failed = rows.filter((r) => r.pass === false).length;
  process.stdout.write(
    `\n${table(rows)}\n\n${WORKERS} × \`sluice work -c 50\`, mock API in-process; ${s.quick ? 'quick' : 'full'} run, ${Math.round((Date.now() - started) / 1000)} s; ${failed === 0 ? 'all targets met' : `${failed} target(s) missed`}\n`,
  );
  const outDir = join(ROOT, 'bench-results');
  mkdirSync(outDir, { recursive: true });
  writeFileSync(
    join(outDir, `limits-${new Date().toISOString().replace(/[:.]/g, '-')}.json`),
    JSON.stringify({ settings: s, rows }, null, 2),
  );
}

main().catch((err) => {
  process.stderr.write(`bench:limits: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
