/**
 * Several `sluice work` processes on one crawl, as on many hosts: one Redis, one PostgreSQL
 * ledger. What each shared service costs per key is what bounds how many worker hosts one
 * Redis and one PostgreSQL can serve (docs/scaling.md projects 10 and 100 hosts from it), so
 * besides items/s this measures the CPU time of the Redis server (its own process) and of the
 * crawl's PostgreSQL backends, per key.
 */
import { join } from 'node:path';
import { postgresActivity, startRedisServer, withTempPostgres } from '@sluice/testkit';
import pg from 'pg';
import { checkPgLedger } from './postgres';
import { cpuMs, runNode } from './processes';
import { crawlName, type Workload, writeBenchSpec } from './workloads';

export interface SharedRound {
  workers: number;
  perSec: number;
  /** CPU of all `sluice work` processes together, per key (µs). */
  clientCpuUsPerKey: number;
  /** CPU of the Redis server per key (µs). */
  redisCpuUsPerKey: number;
  /** CPU of the crawl's PostgreSQL backends per key (µs); the server's background writers are not counted. */
  pgCpuUsPerKey: number;
  /** Rows the server inserted per second of the run. */
  pgRowsPerSec: number;
  /** Committed transactions per key. */
  pgCommitsPerKey: number;
}

/** Samples the CPU of the backends connected to `database`, keeping each one's last reading (they exit with their clients). */
function backendCpuSampler(url: string, database: string) {
  const admin = new pg.Client({ connectionString: url });
  const seen = new Map<number, number>();
  let timer: NodeJS.Timeout | undefined;
  const sample = async () => {
    const { rows } = await admin.query<{ pid: number }>('SELECT pid FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()', [
      database,
    ]);
    for (const { pid } of rows) {
      const ms = cpuMs(pid);
      if (ms > 0) seen.set(pid, ms);
    }
  };
  return {
    async start() {
      await admin.connect();
      timer = setInterval(() => void sample().catch(() => {}), 100);
    },
    async stop(): Promise<number> {
      clearInterval(timer);
      await admin.end();
      let total = 0;
      for (const ms of seen.values()) total += ms;
      return total;
    },
  };
}

/** Creates the workload's crawl in a fresh PostgreSQL ledger and runs it with `workers` `sluice work` processes at once. */
export async function sharedWorkersRound(w: Workload, apiUrl: string, dir: string, workers: number): Promise<SharedRound> {
  return withTempPostgres(async (ledger) => {
    const database = new URL(ledger).pathname.slice(1);
    const redis = await startRedisServer(dir);
    try {
      const specPath = join(dir, `shared-${workers}.json`);
      writeBenchSpec(w, apiUrl, specPath);
      const global = ['--db', ledger, '--redis', redis.url, '--prefix', 'bench'];
      const created = await runNode('apps/cli/bin/sluice.cjs', [...global, 'crawl', 'create', specPath]);
      if (created.code !== 0) throw new Error(`sluice crawl create exited ${created.code}: ${created.stderr}`);
      const sampler = backendCpuSampler(ledger, database);
      await sampler.start();
      const before = await postgresActivity(database);
      const redisCpuBefore = cpuMs(redis.pid);
      const started = performance.now();
      const runs = await Promise.all(
        Array.from({ length: workers }, () =>
          runNode('apps/cli/bin/sluice.cjs', [...global, 'work', crawlName(w), '--json', '--no-progress']),
        ),
      );
      const wallMs = performance.now() - started;
      const redisCpu = cpuMs(redis.pid) - redisCpuBefore;
      const pgCpu = await sampler.stop();
      for (const r of runs) if (r.code !== 0) throw new Error(`sluice work exited ${r.code}: ${r.stderr}`);
      await checkPgLedger(ledger, w.keys);
      const after = await postgresActivity(database);
      const perKeyUs = (ms: number) => (ms * 1000) / w.keys;
      return {
        workers,
        perSec: (w.keys * 1000) / wallMs,
        clientCpuUsPerKey: perKeyUs(runs.reduce((sum, r) => sum + r.cpuMs, 0)),
        redisCpuUsPerKey: perKeyUs(redisCpu),
        pgCpuUsPerKey: perKeyUs(pgCpu),
        pgRowsPerSec: ((after.inserted - before.inserted) * 1000) / wallMs,
        pgCommitsPerKey: (after.commits - before.commits) / w.keys,
      };
    } finally {
      await redis.stop();
    }
  });
}

/** The shared-services table (medians), printed after the PostgreSQL one. */
export function sharedTable(rows: Array<{ w: Workload; rounds: SharedRound[] }>, median: (values: number[]) => number): string {
  const lines = [
    '| workload | keys | `sluice work` processes | items/s | client CPU µs/key | Redis CPU µs/key | PG backends CPU µs/key | PG rows/s | PG commits/key |',
    '|---|---|---|---|---|---|---|---|---|',
  ];
  for (const { w, rounds } of rows) {
    const counts = [...new Set(rounds.map((r) => r.workers))].sort((a, b) => a - b);
    for (const workers of counts) {
      const of = rounds.filter((r) => r.workers === workers);
      const m = (f: (r: SharedRound) => number, digits = 0) => median(of.map(f)).toFixed(digits);
      lines.push(
        `| ${w.name} | ${w.keys.toLocaleString('en')} | ${workers} | ${m((r) => r.perSec)} | ${m((r) => r.clientCpuUsPerKey, 1)} | ${m((r) => r.redisCpuUsPerKey, 1)} | ${m((r) => r.pgCpuUsPerKey, 1)} | ${m((r) => r.pgRowsPerSec)} | ${m((r) => r.pgCommitsPerKey, 3)} |`,
      );
    }
  }
  return `${lines.join('\n')}\n`;
}
