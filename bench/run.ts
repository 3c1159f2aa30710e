/**
 * `pnpm bench [W1,W2,W4] [--rounds N]` and `pnpm bench:full`: the ceiling (a plain undici +
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
import { checkPgLedger, type PgRound, pgRound, pgTable } from './postgres';
import { ROOT, runNode, runTs, startMockProcess, warmUpMock } from './processes';
import { WORKLOADS, type Workload } from './workloads';

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
  /** The PostgreSQL ledger's run of the round, on workloads that have one. */
  pg?: PgRound;
}

const MB = 1024 * 1024;

async function ceilingRound(w: Workload, apiUrl: string, dir: string) {
  const keys = Math.min(w.keys, w.ceilingKeys ?? w.keys);
  const db = join(dir, 'ceiling.db');
  const out = await runTs('bench/ceiling.ts', [apiUrl, String(keys), String(w.concurrency), db]);
  if (out.code !== 0) throw new Error(`ceiling failed: ${out.stderr}`);
  const size = sqliteBytesPerRow(db, 'results');
  if (size.rows !== keys) throw new Error(`ceiling stored ${size.rows} of ${keys} rows`);
  return { perSec: (keys * 1000) / out.wallMs, peakRss: out.peakRssBytes, bytesPerRow: size.perRow };
}

/** Runs the real CLI on the workload against `ledger` (the SQLite file in `dir` unless given). */
export async function sluiceRound(w: Workload, apiUrl: string, dir: string, ledger?: string) {
  const redis = await startRedisServer(dir);
  const sampler = new RedisMemorySampler(redis.url);
  try {
    const specPath = join(dir, 'spec.json');
    writeFileSync(
      specPath,
      JSON.stringify({
        name: `bench-${w.name.toLowerCase()}`,
        keys: { range: { from: 0, to: w.keys - 1, format: 'hex6' } },
        request: { url: `${apiUrl}/id?hex={key}` },
        limits: { concurrency: w.concurrency },
        validate: { keyField: 'hex.clean' },
      }),
    );
    const db = ledger ?? join(dir, 'sluice.db');
    // The real command as users run it (the bundled CLI, built before the clock starts).
    const out = await runNode(
      'apps/cli/bin/sluice.cjs',
      ['--db', db, '--redis', redis.url, '--prefix', 'bench', 'run', specPath, '--json', '--no-progress'],
      () => {
        void sampler.sample();
      },
    );
    if (out.code !== 0) throw new Error(`sluice exited ${out.code}: ${out.stderr}`);
    // Printed before any check, so a long run's figures survive a failing check.
    process.stderr.write(`${w.name}: sluice finished in ${(out.wallMs / 1000).toFixed(1)} s: ${out.stdout.trim()}\n`);
    const summary = JSON.parse(out.stdout) as { done: number; failed: number };
    if (summary.done !== w.keys) throw new Error(`sluice stored ${summary.done} of ${w.keys}`);
    const result = { perSec: (w.keys * 1000) / out.wallMs, wallMs: out.wallMs, peakRss: out.peakRssBytes, redisPeak: sampler.peakBytes };
    if (ledger !== undefined) {
      await checkPgLedger(ledger, w.keys);
      return { ...result, bytesPerRow: 0 };
    }
    const counts = ledgerCounts(db);
    if (counts.rows !== w.keys || counts.distinctPositions !== w.keys || counts.min !== 0 || counts.max !== w.keys - 1) {
      throw new Error(`the ledger does not hold every key exactly once: ${JSON.stringify(counts)}`);
    }
    process.stderr.write(
      `${w.name}: ledger holds ${counts.rows} rows, ${counts.distinctPositions} distinct positions ${counts.min}–${counts.max}\n`,
    );
    return { ...result, bytesPerRow: sqliteBytesPerRow(db, 'results').perRow };
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
    // Alternate the order so neither side always runs on a warmer machine.
    const ceilingFirst = index % 2 === 0;
    const c1 = ceilingFirst ? await ceilingRound(w, mock.url, dir) : null;
    const s = await sluiceRound(w, mock.url, dir);
    const c = c1 ?? (await ceilingRound(w, mock.url, dir));
    const pg = w.postgres ? await pgRound(w, s.perSec, (ledger) => sluiceRound(w, mock.url, dir, ledger)) : undefined;
    if (pg) process.stderr.write(`${w.name}: PostgreSQL ledger ${fmt(pg.pgPerSec)}/s, ${fmt(pg.ratio, 2)}× SQLite\n`);
    return {
      ...(pg ? { pg } : {}),
      ceilingPerSec: c.perSec,
      sluicePerSec: s.perSec,
      ratio: s.perSec / c.perSec,
      redisPeakMB: s.redisPeak / MB,
      workerPeakRssMB: s.peakRss / MB,
      ceilingPeakRssMB: c.peakRss / MB,
      sluiceBytesPerRow: s.bytesPerRow,
      ceilingBytesPerRow: c.bytesPerRow,
      sluiceWallS: s.wallMs / 1000,
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
    process.stdout.write('usage: pnpm bench [W1,W2,W4|FULL] [--rounds N] [--keys N (a reduced size)]\n');
    process.exit(0);
  }
  const rounds = Number(values.rounds);
  const keys = values.keys === undefined ? undefined : Number(values.keys);
  const names =
    positionals.length > 0 ? positionals.flatMap((arg) => arg.split(',').map((n) => n.trim().toUpperCase())) : ['W1', 'W2', 'W4'];
  const workloads = names.map((n) => {
    const w = WORKLOADS[n];
    if (!w) throw new Error(`unknown workload ${n}; known: ${Object.keys(WORKLOADS).join(', ')}`);
    return keys === undefined ? w : { ...w, keys };
  });
  if (!Number.isInteger(rounds) || rounds < 1) throw new Error('--rounds: expected a whole number ≥ 1');
  if (keys !== undefined && (!Number.isInteger(keys) || keys < 1)) throw new Error('--keys: expected a whole number ≥ 1');
  return { workloads, rounds };
}

const fmt = (n: number, digits = 0) => n.toFixed(digits);

async function main() {
  const { workloads, rounds } = parseBenchArgs(process.argv.slice(2));
  await bundleCli();
  const lines = [
    '| workload | keys | latency | conc. | ceiling items/s | Sluice items/s | ratio | Redis peak used_memory | worker peak RSS | SQLite B/row (Sluice / ceiling) | Sluice wall |',
    '|---|---|---|---|---|---|---|---|---|---|---|',
  ];
  const all: Record<string, RoundResult[]> = {};
  for (const w of workloads) {
    const results: RoundResult[] = [];
    for (let i = 0; i < rounds; i++) {
      const r = await round(w, i);
      results.push(r);
      process.stderr.write(
        `${w.name} round ${i + 1}/${rounds}: ceiling ${fmt(r.ceilingPerSec)}/s, Sluice ${fmt(r.sluicePerSec)}/s, ratio ${fmt(r.ratio, 2)}, Redis ${fmt(r.redisPeakMB, 1)} MB, RSS ${fmt(r.workerPeakRssMB)} MB\n`,
      );
    }
    all[w.name] = results;
    const m = (f: (r: RoundResult) => number) => median(results.map(f));
    lines.push(
      `| ${w.name} | ${w.keys.toLocaleString('en')} | ${w.latencyMs} ms | ${w.concurrency} | ${fmt(m((r) => r.ceilingPerSec))} | ${fmt(m((r) => r.sluicePerSec))} | ${fmt(
        m((r) => r.ratio),
        2,
      )}× | ${fmt(
        m((r) => r.redisPeakMB),
        1,
      )} MB | ${fmt(m((r) => r.workerPeakRssMB))} MB | ${fmt(m((r) => r.sluiceBytesPerRow))} / ${fmt(m((r) => r.ceilingBytesPerRow))} | ${fmt(
        m((r) => r.sluiceWallS),
        1,
      )} s |`,
    );
  }
  const pgRows = workloads.filter((w) => w.postgres).map((w) => ({ w, rounds: (all[w.name] ?? []).flatMap((r) => (r.pg ? [r.pg] : [])) }));
  const pgPart = pgRows.length > 0 ? `\nPostgreSQL ledger (same rounds, same mock API):\n\n${pgTable(pgRows, median)}` : '';
  const table = `${lines.join('\n')}\n${pgPart}\nmedian of ${rounds} round(s); ratio = Sluice items/s ÷ ceiling items/s, both end to end (process start to exit)\n`;
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
