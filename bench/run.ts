/**
 * `pnpm bench [W1,W1Z,W1F,W1FZ,W2,W4] [--rounds N] [--keys N]` and `pnpm bench:full`: the ceiling (a plain undici +
 * SQLite script, no queue) against Sluice (the real CLI, with its own Redis) on the same
 * workload, in the same run, against a fresh mock API process. Prints a table of medians.
 * A benchmark, not a test: it asserts nothing, it reports.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { startRedisServer } from '@sluice/testkit';
import { ledgerCounts, RedisMemorySampler, sqliteBytesPerRow } from './measure';
import { againstSqlite, checkPgLedger, type PgRound, pgRound, pgTable } from './postgres';
import { cpuMs, ROOT, runNode, runTs, startMockProcess, warmUpMock } from './processes';
import { type SharedRound, sharedTable, sharedWorkersRound } from './sharedWorkers';
import { crawlName, shapeQuery, WORKLOADS, type Workload, writeBenchSpec } from './workloads';

/** Builds the CLI bundle now, so no round pays for (or times) a rebuild. */
async function bundleCli(): Promise<void> {
  const out = await runNode('apps/cli/scripts/bundle.cjs', []);
  if (out.code !== 0) throw new Error(`bundling the CLI failed: ${out.stderr}`);
}

interface RoundResult {
  ceilingPerSec: number;
  sluicePerSec: number;
  ratio: number;
  redisPeakMB: number;
  workerPeakRssMB: number;
  ceilingPeakRssMB: number;
  sluiceBytesPerRow: number;
  ceilingBytesPerRow: number;
  sluiceWallS: number;
  /** CPU of the `sluice run` process per 1,000 keys, in ms: what a key costs, less sensitive than items/s to other load on the machine. */
  sluiceCpuMsPerK: number;
  /** Client CPU per key in µs, start-up included: the ceiling script's process and the `sluice run` process. */
  ceilingCpuUsPerKey: number;
  sluiceCpuUsPerKey: number;
  /** The same without each process's start-up (its CPU until its first request to the API). */
  ceilingRunCpuUsPerKey: number;
  sluiceRunCpuUsPerKey: number;
  /** CPU of the Sluice run's redis-server per key, in µs. */
  redisCpuUsPerKey: number;
  exportS: number;
  /** The PostgreSQL ledger's run of the round, on workloads that have one. */
  pg?: PgRound;
  /** The same crawl through one and through two `sluice work` processes on a PostgreSQL ledger. */
  shared?: SharedRound[];
}

/** The figures of a round (all but the PostgreSQL part). */
type Figure = Exclude<keyof RoundResult, 'pg' | 'shared'>;

const MB = 1024 * 1024;

async function ceilingRound(w: Workload, apiUrl: string, dir: string) {
  const keys = Math.min(w.keys, w.ceilingKeys ?? w.keys);
  const db = join(dir, 'ceiling.db');
  const out = await runTs('bench/ceiling.ts', [apiUrl, String(keys), String(w.concurrency), db, shapeQuery(w)], { apiOrigin: apiUrl });
  if (out.code !== 0) throw new Error(`ceiling failed: ${out.stderr}`);
  const size = sqliteBytesPerRow(db, 'results');
  if (size.rows !== keys) throw new Error(`ceiling stored ${size.rows} of ${keys} rows`);
  return { perSec: (keys * 1000) / out.wallMs, peakRss: out.peakRssBytes, bytesPerRow: size.perRow, ...cpuPerKey(out, keys) };
}

/** Client CPU per key in µs, with and without the process's start-up (all of it when the start-up is unknown). */
function cpuPerKey(out: { cpuMs: number; startupCpuMs: number | null }, keys: number) {
  return { cpuUsPerKey: (out.cpuMs * 1000) / keys, runCpuUsPerKey: ((out.cpuMs - (out.startupCpuMs ?? 0)) * 1000) / keys };
}

/** Runs the real CLI on the workload against `ledger` (the SQLite file in `dir` unless given). */
export async function sluiceRound(w: Workload, apiUrl: string, dir: string, ledger?: string) {
  const redis = await startRedisServer(dir);
  const sampler = new RedisMemorySampler(redis.url);
  try {
    const specPath = join(dir, 'spec.json');
    writeBenchSpec(w, apiUrl, specPath);
    const db = ledger ?? join(dir, 'sluice.db');
    const redisCpuBeforeMs = cpuMs(redis.pid);
    // The real command as users run it (the bundled CLI, built before the clock starts).
    const out = await runNode(
      'apps/cli/bin/sluice.cjs',
      ['--db', db, '--redis', redis.url, '--prefix', 'bench', 'run', specPath, '--json', '--no-progress'],
      {
        onTick: () => {
          void sampler.sample();
        },
        apiOrigin: apiUrl,
      },
    );
    const redisCpuUsPerKey = ((cpuMs(redis.pid) - redisCpuBeforeMs) * 1000) / w.keys;
    if (out.code !== 0) throw new Error(`sluice exited ${out.code}: ${out.stderr}`);
    // Printed before any check, so a long run's figures survive a failing check.
    process.stderr.write(`${w.name}: sluice finished in ${(out.wallMs / 1000).toFixed(1)} s: ${out.stdout.trim()}\n`);
    const summary = JSON.parse(out.stdout) as { done: number; failed: number };
    if (summary.done !== w.keys) throw new Error(`sluice stored ${summary.done} of ${w.keys}`);
    const cpuMsPerK = (out.cpuMs * 1000) / w.keys;
    const result = {
      perSec: (w.keys * 1000) / out.wallMs,
      wallMs: out.wallMs,
      peakRss: out.peakRssBytes,
      redisPeak: sampler.peakBytes,
      cpuMsPerK,
      ...cpuPerKey(out, w.keys),
      redisCpuUsPerKey,
    };
    if (ledger !== undefined) {
      await checkPgLedger(ledger, w.keys);
      return { ...result, bytesPerRow: 0, exportMs: 0 };
    }
    const counts = ledgerCounts(db);
    if (counts.rows !== w.keys || counts.distinctPositions !== w.keys || counts.min !== 0 || counts.max !== w.keys - 1) {
      throw new Error(`the ledger does not hold every key exactly once: ${JSON.stringify(counts)}`);
    }
    process.stderr.write(
      `${w.name}: ledger holds ${counts.rows} rows, ${counts.distinctPositions} distinct positions ${counts.min}–${counts.max}\n`,
    );
    const size = sqliteBytesPerRow(db, 'results');
    // Export every result as JSON lines, as users do: the read side of compressed storage.
    const exported = await runNode('apps/cli/bin/sluice.cjs', [
      '--db',
      db,
      '--redis',
      redis.url,
      'export',
      crawlName(w),
      '--format',
      'jsonl',
      '--out',
      join(dir, 'export.jsonl'),
    ]);
    if (exported.code !== 0) throw new Error(`sluice export exited ${exported.code}: ${exported.stderr}`);
    return { ...result, exportMs: exported.wallMs, bytesPerRow: size.perRow };
  } finally {
    sampler.close();
    await redis.stop();
  }
}

async function round(w: Workload, index: number): Promise<RoundResult> {
  const dir = mkdtempSync(join(tmpdir(), `sluice-bench-${w.name}-`));
  const mock = await startMockProcess(w.latencyMs);
  try {
    await warmUpMock(mock.url);
    // Alternate the order (ceiling, SQLite, PostgreSQL; then the reverse) so no side always
    // runs on a warmer machine or a mock API that has served more requests.
    const forward = index % 2 === 0;
    const runPg = () => pgRound(w, (ledger) => sluiceRound(w, mock.url, dir, ledger));
    const c1 = forward ? await ceilingRound(w, mock.url, dir) : null;
    const pg1 = !forward && w.postgres ? await runPg() : null;
    const s = await sluiceRound(w, mock.url, dir);
    const c = c1 ?? (await ceilingRound(w, mock.url, dir));
    const pgRun = pg1 ?? (forward && w.postgres ? await runPg() : null);
    const pg = pgRun ? againstSqlite(pgRun, s.perSec) : undefined;
    if (pg) process.stderr.write(`${w.name}: PostgreSQL ledger ${fmt(pg.pgPerSec)}/s, ${fmt(pg.ratio, 2)}× SQLite\n`);
    const shared: SharedRound[] = [];
    for (const workers of w.postgres ? [1, 2] : []) {
      const r = await sharedWorkersRound(w, mock.url, dir, workers);
      process.stderr.write(
        `${w.name}: ${workers} × sluice work ${fmt(r.perSec)}/s, Redis ${fmt(r.redisCpuUsPerKey, 1)} µs/key, PostgreSQL ${fmt(r.pgCpuUsPerKey, 1)} µs/key\n`,
      );
      shared.push(r);
    }
    return {
      ...(pg ? { pg, shared } : {}),
      ceilingPerSec: c.perSec,
      sluicePerSec: s.perSec,
      ratio: s.perSec / c.perSec,
      redisPeakMB: s.redisPeak / MB,
      workerPeakRssMB: s.peakRss / MB,
      ceilingPeakRssMB: c.peakRss / MB,
      sluiceBytesPerRow: s.bytesPerRow,
      ceilingBytesPerRow: c.bytesPerRow,
      sluiceWallS: s.wallMs / 1000,
      exportS: s.exportMs / 1000,
      sluiceCpuMsPerK: s.cpuMsPerK,
      ceilingCpuUsPerKey: c.cpuUsPerKey,
      sluiceCpuUsPerKey: s.cpuUsPerKey,
      ceilingRunCpuUsPerKey: c.runCpuUsPerKey,
      sluiceRunCpuUsPerKey: s.runCpuUsPerKey,
      redisCpuUsPerKey: s.redisCpuUsPerKey,
    };
  } finally {
    await mock.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

function parseBenchArgs(argv: string[]): { workloads: Workload[]; rounds: number } {
  const { values, positionals } = parseArgs({
    args: argv,
    options: {
      rounds: { type: 'string', default: '3' },
      keys: { type: 'string' },
      help: { type: 'boolean', default: false },
    },
    allowPositionals: true,
  });
  if (values.help) {
    process.stdout.write(`usage: pnpm bench [${Object.keys(WORKLOADS).join(',')}] [--rounds N] [--keys N]\n`);
    process.exit(0);
  }
  const rounds = Number(values.rounds);
  const keys = values.keys === undefined ? undefined : Number(values.keys);
  const names =
    positionals.length > 0
      ? positionals.flatMap((arg) => arg.split(',').map((n) => n.trim().toUpperCase()))
      : ['W1', 'W1Z', 'W1F', 'W1FZ', 'W2', 'W4'];
  const workloads = names.map((n) => {
    const w = WORKLOADS[n];
    if (!w) throw new Error(`unknown workload ${n}; known: ${Object.keys(WORKLOADS).join(', ')}`);
    return keys === undefined ? w : { ...w, keys, ceilingKeys: undefined };
  });
  if (!Number.isInteger(rounds) || rounds < 1) throw new Error('--rounds: expected a whole number ≥ 1');
  if (keys !== undefined && (!Number.isInteger(keys) || keys < 1)) throw new Error('--keys: expected a whole number ≥ 1');
  return { workloads, rounds };
}

const fmt = (n: number, digits = 0) => n.toFixed(digits);

/** Each workload measured both ways (`W1` and `W1Z`): bytes per row, items/s and export time, compressed against plain. */
function compressionLines(all: Record<string, RoundResult[]>): string {
  const lines: string[] = [];
  for (const [name, packed] of Object.entries(all)) {
    const plain = name.endsWith('Z') ? all[name.slice(0, -1)] : undefined;
    if (!plain) continue;
    const m = (rs: RoundResult[], f: (r: RoundResult) => number) => median(rs.map(f));
    const bytes = [m(plain, (r) => r.sluiceBytesPerRow), m(packed, (r) => r.sluiceBytesPerRow)] as const;
    const rate = [m(plain, (r) => r.sluicePerSec), m(packed, (r) => r.sluicePerSec)] as const;
    const exportS = [m(plain, (r) => r.exportS), m(packed, (r) => r.exportS)] as const;
    const cpu = [m(plain, (r) => r.sluiceCpuMsPerK), m(packed, (r) => r.sluiceCpuMsPerK)] as const;
    lines.push(
      `compressed storage ${name.slice(0, -1)} → ${name}: ${fmt(bytes[0])} → ${fmt(bytes[1])} B/row (${fmt(bytes[0] / bytes[1], 2)}× fewer), ` +
        `${fmt(rate[0])} → ${fmt(rate[1])} items/s (${fmt((rate[1] / rate[0]) * 100, 1)} %), ` +
        `worker CPU ${fmt(cpu[0])} → ${fmt(cpu[1])} ms per 1,000 keys (${fmt((cpu[1] / cpu[0]) * 100, 1)} %), export ${fmt(exportS[0], 1)} → ${fmt(exportS[1], 1)} s (${fmt(exportS[1] / exportS[0], 2)}×)`,
    );
  }
  return lines.length > 0 ? `\n${lines.join('\n')}\n` : '';
}

async function main() {
  const { workloads, rounds } = parseBenchArgs(process.argv.slice(2));
  await bundleCli();
  const lines = [
    '| workload | keys | latency | conc. | ceiling items/s | Sluice items/s | ratio | client CPU µs/key (ceiling / Sluice) | without start-up | Redis CPU µs/key | Redis peak used_memory | worker peak RSS | SQLite B/row (Sluice / ceiling) | Sluice wall | export |',
    '|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|',
  ];
  const all: Record<string, RoundResult[]> = {};
  for (const w of workloads) {
    const results: RoundResult[] = [];
    for (let i = 0; i < rounds; i++) {
      const r = await round(w, i);
      results.push(r);
      process.stderr.write(
        `${w.name} round ${i + 1}/${rounds}: ceiling ${fmt(r.ceilingPerSec)}/s, Sluice ${fmt(r.sluicePerSec)}/s, ratio ${fmt(r.ratio, 2)}, client CPU ${fmt(r.ceilingCpuUsPerKey, 1)} / ${fmt(r.sluiceCpuUsPerKey, 1)} µs/key (${fmt(r.ceilingRunCpuUsPerKey, 1)} / ${fmt(r.sluiceRunCpuUsPerKey, 1)} without start-up), Redis CPU ${fmt(r.redisCpuUsPerKey, 1)} µs/key, Redis ${fmt(r.redisPeakMB, 1)} MB, RSS ${fmt(r.workerPeakRssMB)} MB\n`,
      );
    }
    all[w.name] = results;
    const num = (key: Figure, digits = 0) => fmt(median(results.map((r) => r[key])), digits);
    const cells = [
      w.name,
      w.keys.toLocaleString('en'),
      `${w.latencyMs} ms`,
      String(w.concurrency),
      num('ceilingPerSec'),
      num('sluicePerSec'),
      `${num('ratio', 2)}×`,
      `${num('ceilingCpuUsPerKey', 1)} / ${num('sluiceCpuUsPerKey', 1)}`,
      `${num('ceilingRunCpuUsPerKey', 1)} / ${num('sluiceRunCpuUsPerKey', 1)}`,
      num('redisCpuUsPerKey', 1),
      `${num('redisPeakMB', 1)} MB`,
      `${num('workerPeakRssMB')} MB`,
      `${num('sluiceBytesPerRow')} / ${num('ceilingBytesPerRow')}`,
      `${num('sluiceWallS', 1)} s`,
      `${num('exportS', 1)} s`,
    ];
    lines.push(`| ${cells.join(' | ')} |`);
  }
  const compression = compressionLines(all);
  const pgRows = workloads.filter((w) => w.postgres).map((w) => ({ w, rounds: (all[w.name] ?? []).flatMap((r) => (r.pg ? [r.pg] : [])) }));
  const sharedRows = workloads.filter((w) => w.postgres).map((w) => ({ w, rounds: (all[w.name] ?? []).flatMap((r) => r.shared ?? []) }));
  const pgPart =
    pgRows.length > 0
      ? `\nPostgreSQL ledger (same rounds, same mock API):\n\n${pgTable(pgRows, median)}\nShared services per key (\`sluice crawl create\`, then N \`sluice work\` processes at once on one Redis and one PostgreSQL ledger):\n\n${sharedTable(sharedRows, median)}`
      : '';
  const table = `${lines.join('\n')}\n${pgPart}\nmedian of ${rounds} round(s); ratio = Sluice items/s ÷ ceiling items/s, both end to end (process start to exit); client CPU = the ceiling script's or the \`sluice run\` process's user + system CPU ÷ keys, without start-up = less its CPU until its first request to the API; Redis CPU = the Sluice run's redis-server\n${compression}`;
  process.stdout.write(`\n${table}`);
  const outDir = join(ROOT, 'bench-results');
  mkdirSync(outDir, { recursive: true });
  writeFileSync(
    join(outDir, `bench-${new Date().toISOString().replace(/[:.]/g, '-')}.json`),
    JSON.stringify({ rounds, results: all }, null, 2),
  );
}

main().catch((err) => {
  process.stderr.write(`bench: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
