import type { ChaosOptions } from './options';
import type { Recovery } from './recovery';
import type { LedgerFigures } from './verify';

/** Longest acceptable recovery after a worker kill: lock 8 s + stalled check every 4 s + 3 s of slack. */
export const RECOVERY_TARGET_MS = 15_000;

/** What happened during the run, counted by the script. */
export interface RunCounts {
  workerKills: number;
  producerKills: number;
  redisRestarts: number;
  flushes: number;
  eventsPlanned: number;
  /** Producers started because the cursor went back (after `resume`) while none ran. */
  producerRestarts: number;
  /** Processes that ended by themselves other than a worker finishing the crawl. */
  unexpectedExits: string[];
  duplicateFetches: number;
  requests: number;
  wallMs: number;
  timedOut: boolean;
}

/** Every target a run must meet, by id, with how it is described when missed. */
const TARGETS = {
  exact: (o: ChaosOptions) => `exactly ${o.keys} unique keys`,
  lost: () => '0 lost keys',
  duplicateRows: () => '0 duplicate rows',
  failed: () => '0 failed keys',
  counters: () => 'counters match rows',
  integrity: () => 'integrity ok',
  bodies: () => 'every body valid',
  recovery: () => `longest recovery <= ${RECOVERY_TARGET_MS / 1000} s`,
  duplicateFetches: () => 'duplicate fetches within allowance',
  events: () => 'every planned event fired',
  exits: () => 'no process died by itself',
  deadline: () => 'finished before the deadline',
} satisfies Record<string, (o: ChaosOptions) => string>;

type TargetId = keyof typeof TARGETS;

export interface ChaosFigures {
  keys: number;
  uniqueKeysInLedger: number;
  lostKeys: number;
  resultRows: number;
  duplicateRows: number;
  failureRows: number;
  countersMatchRows: boolean;
  integrityCheck: string;
  invalidBodies: number;
  duplicateFetches: number;
  duplicateFetchAllowance: number;
  requests: number;
  workerKills: number;
  producerKills: number;
  redisRestarts: number;
  flushes: number;
  eventsFired: string;
  producerRestartsAfterRewind: number;
  unexpectedExits: string[];
  longestRecoveryS: number | null;
  medianRecoveryS: number | null;
  longestUntilCommittedS: number | null;
  /** Most keys one worker kill caused to be fetched again. */
  mostRefetchedPerKill: number;
  wallS: number;
  targets: Record<TargetId, boolean>;
  failedTargets: string[];
  pass: boolean;
}

/**
 * Duplicate fetches the run may cause: `kills × in-flight per worker` (in-flight = the
 * crawl's concurrency). A worker SIGKILL loses at most its requests in flight. A producer
 * kill counts as a kill too although it should cost none (the producer fetches nothing; a
 * batch it re-adds is skipped key by key against the ledger). A FLUSHALL counts as a kill of
 * every worker: their jobs vanish from Redis while they still fetch them, and `resume`
 * re-enqueues every key not yet committed. Redis restarts count none: with AOF the queue
 * survives.
 */
export function duplicateAllowance(o: ChaosOptions, c: RunCounts): number {
  return (c.workerKills + c.producerKills + c.flushes * o.workers) * o.concurrency;
}

function median(values: number[]): number | null {
  if (values.length === 0) return null;
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
}

export function buildFigures(o: ChaosOptions, l: LedgerFigures, c: RunCounts, rec: readonly Recovery[]): ChaosFigures {
  const recoveries = rec.map((r) => r.recoveryMs);
  const committed = rec.map((r) => r.committedMs);
  const neverRecovered = recoveries.some((r) => r === null);
  const measured = recoveries.filter((r): r is number => r !== null);
  const longest = neverRecovered || measured.length === 0 ? null : Math.max(...measured);
  const longestCommitted = committed.some((r) => r === null) || committed.length === 0 ? null : Math.max(...(committed as number[]));
  const allowance = duplicateAllowance(o, c);
  const fired = c.workerKills + c.producerKills + c.redisRestarts + c.flushes;
  const targets: Record<TargetId, boolean> = {
    exact: l.uniqueKeys === o.keys && l.resultRows === o.keys,
    lost: o.keys - l.uniqueKeys === 0,
    duplicateRows: l.resultRows - l.uniqueKeys === 0,
    failed: l.failureRows === 0,
    counters: l.counterDone === l.resultRows && l.counterFailed === l.failureRows,
    integrity: l.integrity === 'ok',
    bodies: l.invalidBodies === 0,
    recovery: rec.length === 0 || (longest !== null && longest <= RECOVERY_TARGET_MS),
    duplicateFetches: c.duplicateFetches <= allowance,
    events: fired === c.eventsPlanned,
    exits: c.unexpectedExits.length === 0,
    deadline: !c.timedOut,
  };
  const failedTargets = (Object.keys(targets) as TargetId[]).filter((id) => !targets[id]).map((id) => TARGETS[id](o));
  return {
    keys: o.keys,
    uniqueKeysInLedger: l.uniqueKeys,
    lostKeys: o.keys - l.uniqueKeys,
    resultRows: l.resultRows,
    duplicateRows: l.resultRows - l.uniqueKeys,
    failureRows: l.failureRows,
    countersMatchRows: l.counterDone === l.resultRows && l.counterFailed === l.failureRows,
    integrityCheck: l.integrity,
    invalidBodies: l.invalidBodies,
    duplicateFetches: c.duplicateFetches,
    duplicateFetchAllowance: allowance,
    requests: c.requests,
    workerKills: c.workerKills,
    producerKills: c.producerKills,
    redisRestarts: c.redisRestarts,
    flushes: c.flushes,
    eventsFired: `${fired}/${c.eventsPlanned}`,
    producerRestartsAfterRewind: c.producerRestarts,
    unexpectedExits: c.unexpectedExits,
    longestRecoveryS: longest === null ? null : round1(longest / 1000),
    medianRecoveryS: measured.length === 0 ? null : round1((median(measured) as number) / 1000),
    longestUntilCommittedS: longestCommitted === null ? null : round1(longestCommitted / 1000),
    mostRefetchedPerKill: Math.max(0, ...rec.map((r) => r.refetched)),
    wallS: round1(c.wallMs / 1000),
    targets,
    failedTargets,
    pass: failedTargets.length === 0,
  };
}

const round1 = (n: number) => Math.round(n * 10) / 10;
const mark = (ok: boolean) => (ok ? 'ok' : 'FAIL');
const num = (n: number) => n.toLocaleString('en');

/** The figures as a Markdown table (the same rows docs/guarantees.md shows). */
export function formatTable(f: ChaosFigures, o: ChaosOptions): string {
  const ok = (id: TargetId) => mark(f.targets[id]);
  const rows: [string, string, string, string][] = [
    ['keys in ledger (unique)', num(f.uniqueKeysInLedger), `= ${num(f.keys)}`, ok('exact')],
    ['lost keys (total − unique in ledger)', num(f.lostKeys), '0', ok('lost')],
    ['duplicate rows (result rows − unique keys)', num(f.duplicateRows), '0', ok('duplicateRows')],
    ['failed keys (failure rows)', num(f.failureRows), '0', ok('failed')],
    ['ledger counters = row counts', String(f.countersMatchRows), 'true', ok('counters')],
    ['PRAGMA integrity_check', f.integrityCheck, 'ok', ok('integrity')],
    ['bodies with hex.clean ≠ key', num(f.invalidBodies), '0', ok('bodies')],
    [
      'duplicate fetches (keys requested > once)',
      num(f.duplicateFetches),
      `≤ ${num(f.duplicateFetchAllowance)} = (${f.workerKills} + ${f.producerKills} + ${f.flushes}×${o.workers}) kills × ${o.concurrency}`,
      ok('duplicateFetches'),
    ],
    [
      'most keys fetched again after one worker kill',
      num(f.mostRefetchedPerKill),
      `(info: ${o.concurrency} requests in flight per worker)`,
      '',
    ],
    [
      'longest recovery after a worker kill',
      f.workerKills === 0 ? 'no kills' : f.longestRecoveryS === null ? 'never' : `${f.longestRecoveryS} s (median ${f.medianRecoveryS} s)`,
      `≤ ${RECOVERY_TARGET_MS / 1000} s`,
      ok('recovery'),
    ],
    [
      "longest until a kill's keys are all committed",
      f.workerKills === 0 ? 'no kills' : f.longestUntilCommittedS === null ? 'never' : `${f.longestUntilCommittedS} s`,
      '(info: includes re-runs whose worker was killed again)',
      '',
    ],
    [
      'events: worker kills / producer kills / Redis restarts / FLUSHALL',
      `${f.workerKills} / ${f.producerKills} / ${f.redisRestarts} / ${f.flushes}`,
      `all ${f.eventsFired.split('/')[1]}`,
      ok('events'),
    ],
    ['processes that died by themselves', f.unexpectedExits.length === 0 ? '0' : f.unexpectedExits.join(', '), '0', ok('exits')],
    ['API requests', num(f.requests), '', ''],
    ['wall time', `${f.wallS} s`, '', ok('deadline')],
  ];
  const lines = ['| figure | value | target | |', '|---|---|---|---|', ...rows.map((r) => `| ${r.join(' | ')} |`)];
  return `${lines.join('\n')}\n\n${f.pass ? 'PASS: every target holds' : `FAIL: ${f.failedTargets.join('; ')}`}\n`;
}

/** How the figures are defined, printed under the table. */
export const DEFINITIONS = `recovery after a worker kill: once the victim is dead, every key the mock API has seen
requested that has no ledger row (and was not noted by an earlier kill) is noted, the victim's
fetched but uncommitted keys among them; a key is back when the mock sees it requested again
or its ledger row appears; the recovery is the time from the SIGKILL until the last noted key
is back. Keys fetched again after a kill: noted keys the mock saw requested again.
duplicate fetches: keys the mock API saw requested more than once (trackKeys on).
`;
