/**
 * `pnpm chaos [--keys N] [--workers N] [--worker-kills N] [--producer-kills N]
 * [--redis-restarts N] [--seed N] [--json]`: proves exactly-once under abuse. A script, not a
 * test: it runs real processes for minutes and reports figures against targets.
 *
 * Set-up, all in a fresh temp dir: the mock colour API in this process (latency 3 ms, every
 * request counted per key), a redis-server of our own (AOF on), `sluice crawl create` of a
 * 100,000-key colour crawl (validate hex.clean, concurrency 20 per worker, batches of 50),
 * then three `sluice work <crawl> --no-produce --json` processes and one `sluice enqueue
 * <crawl>`, each the real CLI (`node apps/cli/bin/sluice.cjs --db … --redis … --prefix chaos`).
 *
 * Abuse, at evenly spaced points of ledger progress (4 %..70 %): first 1 × FLUSHALL then
 * `sluice resume <crawl>`, then, in an order and with victims drawn from a seeded PRNG,
 * 20 × SIGKILL a worker and start a new one, 5 × SIGKILL the producer and start a new one,
 * 3 × SIGKILL redis-server and restart it (same port, AOF replays). Every kill is by pid.
 * Nothing is restarted because of a Redis restart: processes must ride it out. A worker that
 * exits 0 because the crawl is complete is not restarted. `sluice enqueue` ends by itself once
 * every key is enqueued; when the cursor goes back afterwards (`resume`, or the workers'
 * reconcile) and no producer runs, a new one is started, as an operator would after `resume`.
 * An event also waits for half a spacing of progress since the previous one and for its
 * target to be ready (chaos/run.ts): a worker or producer past its start-up (it holds a Redis
 * connection of its own), a worker only while another one is up to run the stalled check and
 * the ledger is moving, Redis only once every live process is past its start-up (a process
 * that cannot reach Redis at start-up exits 3 by design), a FLUSHALL only while no killed
 * worker's batches are still waiting to come back (see chaos/schedule.ts).
 *
 * Recovery after a worker kill: once the victim is dead, we note every key the mock API has
 * seen requested that has no ledger row (unless an earlier kill already noted it). The
 * victim's fetched-but-uncommitted keys are among them (so are other workers' keys about to
 * commit, which land within milliseconds). A key is back when the mock sees it requested
 * again, or when its ledger row appears; the recovery is the time from the SIGKILL until the
 * last noted key is back (chaos/recovery.ts). Target
 * ≤ 15 s: the batch lock (8 s) expires, the next stalled check (every 4 s) moves the batch
 * back to the front of the queue, and a worker takes it within moments.
 *
 * The run ends when the ledger holds every key and every worker has exited by itself; past
 * the deadline (20 min) the figures are printed anyway. Exit 0 only if every target holds.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type MockApi, startMockApi } from '@sluice/mock-api';
import { openStore, type Store } from '@sluice/store';
import { runCli, startRedisServer } from '@sluice/testkit';
import { CHAOS_HELP, type ChaosOptions, parseChaosArgs, UsageError } from './chaos/options';
import { killByPid } from './chaos/processes';
import { buildFigures, DEFINITIONS, formatTable } from './chaos/report';
import { BATCH_SIZE, ChaosRun } from './chaos/run';
import { planEvents } from './chaos/schedule';
import { verifyLedger } from './chaos/verify';

function writeSpec(dir: string, o: ChaosOptions, mockUrl: string): string {
  const path = join(dir, 'spec.json');
  const spec = {
    name: 'chaos-colours',
    keys: { range: { from: 0, to: o.keys - 1, format: 'hex6' } },
    request: { url: `${mockUrl}/id?hex={key}` },
    limits: { concurrency: o.concurrency },
    retry: { attempts: 5, baseDelayMs: 10, maxDelayMs: 100 },
    validate: { keyField: 'hex.clean' },
    queue: { batchSize: BATCH_SIZE },
  };
  writeFileSync(path, `${JSON.stringify(spec, null, 2)}\n`);
  return path;
}

async function main(): Promise<number> {
  const { options: o, help } = parseChaosArgs(process.argv.slice(2));
  if (help) {
    process.stdout.write(CHAOS_HELP);
    return 0;
  }
  const dir = mkdtempSync(join(tmpdir(), 'sluice-chaos-'));
  mkdirSync(join(dir, 'logs'));
  process.stderr.write(`chaos: ${JSON.stringify(o)}\nchaos: temp dir ${dir}\n`);
  const redis = await startRedisServer(dir, { appendOnly: true });
  let mock: MockApi | null = null;
  const flags = ['--db', join(dir, 'sluice.db'), '--redis', redis.url, '--prefix', 'chaos'];
  let store: Store | null = null;
  let run: ChaosRun | null = null;
  let pass = false;
  const interrupt = () => {
    if (run) run.counts.timedOut = true;
  };
  process.once('SIGINT', interrupt);
  try {
    // trackKeys stays on: duplicate fetches and recoveries are read from the per-key counts.
    mock = await startMockApi({ latencyMs: o.latencyMs, trackKeys: true });
    const created = await runCli([...flags, 'crawl', 'create', writeSpec(dir, o, mock.url), '--json']);
    if (created.code !== 0) throw new Error(`sluice crawl create exited ${created.code}: ${created.stderr.trim()}`);
    const crawlId = (JSON.parse(created.stdout) as { id: number }).id;
    store = await openStore(join(dir, 'sluice.db'));
    run = new ChaosRun(o, dir, flags, store, crawlId, mock, redis, planEvents(o));
    for (let slot = 0; slot < o.workers; slot++) run.startWorker(slot);
    run.startProducer();
    run.log(`started ${o.workers} workers and the producer; ${run.events.length} events planned`);
    await run.drive();
    run.counts.wallMs = Date.now() - run.started;
    run.counts.duplicateFetches = mock.duplicateKeys();
    run.counts.requests = mock.stats().requests;
    await run.recovery.stop();
    const ledger = await verifyLedger(store, crawlId, run.recovery.pendingPositions());
    const recoveries = run.recovery.results(ledger.fetchedAt);
    const figures = buildFigures(o, ledger, run.counts, recoveries);
    const seconds = (ms: number | null) => (ms === null ? 'never' : (ms / 1000).toFixed(1));
    const perKill = recoveries.map((r) => seconds(r.recoveryMs));
    process.stdout.write(
      `\nrecovery per worker kill (s): ${perKill.join(' ')}\n` +
        `until committed (s):          ${recoveries.map((r) => seconds(r.committedMs)).join(' ')}\n` +
        `keys fetched again:           ${recoveries.map((r) => r.refetched).join(' ')}\n\n` +
        `${formatTable(figures, o)}\n${DEFINITIONS}`,
    );
    if (o.json) process.stdout.write(`${JSON.stringify({ ...figures, recoveriesS: perKill, options: o })}\n`);
    pass = figures.pass;
    return pass ? 0 : 1;
  } finally {
    await run?.recovery.stop().catch(() => {});
    process.off('SIGINT', interrupt);
    for (const proc of run?.all ?? []) if (proc.exit === null) await killByPid(proc);
    await store?.close();
    await mock?.close();
    await redis.stop();
    if (pass && !o.keep) rmSync(dir, { recursive: true, force: true });
    else process.stderr.write(`chaos: kept ${dir} (sluice.db, appendonlydir, logs/)\n`);
  }
}

main().then(
  (code) => process.exit(code),
  (err) => {
    if (err instanceof UsageError) {
      process.stderr.write(`chaos: ${err.message}\n`);
      process.exit(2);
    }
    process.stderr.write(`chaos: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  },
);
