import { join } from 'node:path';
import type { MockApi } from '@sluice/mock-api';
import type { Store } from '@sluice/store';
import { type OwnRedis, runCli } from '@sluice/testkit';
import { flushAll } from './flushall';
import type { ChaosOptions } from './options';
import { finishedCrawl, killByPid, type Proc, startSluice } from './processes';
import { RecoveryTracker } from './recovery';
import type { RunCounts } from './report';
import type { ChaosEvent } from './schedule';
import { RedisConnectionWatch } from './sockets';

/** Keys per queue job in the chaos crawl. */
export const BATCH_SIZE = 50;
const TICK_MS = 100;
/**
 * A worker is killed only while the ledger is moving (it advanced this recently): after a
 * producer kill the queue can run dry for a while, and a worker killed idle proves nothing.
 */
export const BUSY_WITHIN_MS = 500;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** One chaos run: its processes, its counters and the events still to fire. */
export class ChaosRun {
  readonly started = Date.now();
  readonly workers: (Proc | null)[] = [];
  readonly all: Proc[] = [];
  readonly recovery: RecoveryTracker;
  readonly connections: RedisConnectionWatch;
  producer: Proc | null = null;
  producerGeneration = 0;
  workerGeneration = 0;
  lastProducerExitOk = true;
  lastFinished = 0;
  finishedKeys = 0;
  lastAdvanceAt = Date.now();
  readonly counts: RunCounts;
  readonly totalBatches: number;

  constructor(
    readonly o: ChaosOptions,
    readonly dir: string,
    readonly flags: string[],
    readonly store: Store,
    readonly crawlId: number,
    readonly mock: MockApi,
    readonly redis: OwnRedis,
    readonly events: ChaosEvent[],
  ) {
    this.totalBatches = Math.ceil(o.keys / BATCH_SIZE);
    this.recovery = new RecoveryTracker(mock.requestsForKey, store, crawlId);
    this.connections = new RedisConnectionWatch(redis.port);
    this.counts = {
      workerKills: 0,
      producerKills: 0,
      redisRestarts: 0,
      flushes: 0,
      eventsPlanned: events.length,
      producerRestarts: 0,
      unexpectedExits: [],
      duplicateFetches: 0,
      requests: 0,
      wallMs: 0,
      timedOut: false,
    };
  }

  log(message: string): void {
    const t = ((Date.now() - this.started) / 1000).toFixed(1).padStart(6);
    process.stderr.write(`[${t}s ${this.finished().toLocaleString('en').padStart(7)}/${this.o.keys.toLocaleString('en')}] ${message}\n`);
  }

  /** Keys finished, as last read from the ledger by `refresh`. */
  finished(): number {
    return this.finishedKeys;
  }

  /** Reads the finished-key count from the ledger (`finished` returns it until the next refresh). */
  async refresh(): Promise<number> {
    const p = await this.store.ledger.progress(this.crawlId);
    this.finishedKeys = p.done + p.failed;
    return this.finishedKeys;
  }

  startWorker(slot: number): Proc {
    const proc = startSluice(
      `worker-${slot}-${++this.workerGeneration}`,
      [...this.flags, 'work', String(this.crawlId), '--no-produce', '--json'],
      join(this.dir, 'logs'),
    );
    this.workers[slot] = proc;
    this.all.push(proc);
    return proc;
  }

  startProducer(): Proc {
    const proc = startSluice(
      `producer-${++this.producerGeneration}`,
      [...this.flags, 'enqueue', String(this.crawlId)],
      join(this.dir, 'logs'),
    );
    this.producer = proc;
    this.all.push(proc);
    return proc;
  }

  /** Notices processes that ended by themselves; only a producer that finished normally is ever replaced. */
  async supervise(): Promise<void> {
    this.workers.forEach((proc, slot) => {
      if (proc?.exit == null || proc.killedByUs) return;
      this.workers[slot] = null;
      if (finishedCrawl(proc.exit)) this.log(`${proc.label} exited 0: crawl complete`);
      else {
        this.counts.unexpectedExits.push(`${proc.label} (code ${proc.exit.code}, signal ${proc.exit.signal})`);
        this.log(`${proc.label} died by itself (code ${proc.exit.code}, signal ${proc.exit.signal}); not restarted`);
      }
    });
    const p = this.producer;
    if (p?.exit != null && !p.killedByUs) {
      this.producer = null;
      this.lastProducerExitOk = p.exit.code === 0;
      if (p.exit.code === 0) this.log(`${p.label} exited 0: every key enqueued`);
      else {
        this.counts.unexpectedExits.push(`${p.label} (code ${p.exit.code}, signal ${p.exit.signal})`);
        this.log(`${p.label} died by itself (code ${p.exit.code}); not restarted`);
      }
    }
    const rewound = (await this.store.crawls.getCursor(this.crawlId)) < this.totalBatches;
    if (this.producer === null && this.lastProducerExitOk && rewound && this.finished() < this.o.keys) {
      this.counts.producerRestarts++;
      this.log(`cursor went back and no producer runs: started ${this.startProducer().label}`);
    }
  }

  live(): Proc[] {
    return [...this.workers, this.producer].filter((p): p is Proc => p !== null && p.exit === null);
  }

  /** True once the process is past its start-up (see RedisConnectionWatch). */
  isUp(p: Proc | null | undefined): boolean {
    return !!p && p.exit === null && this.connections.settled(p.pid);
  }

  /**
   * The planned victim's slot or, when that worker is gone or still starting, the next slot
   * whose worker has started (else the next live one, which is then waited for).
   */
  victimSlot(planned: number): number | undefined {
    const n = this.workers.length;
    const slots = Array.from({ length: n }, (_, i) => (planned + i) % n);
    const live = slots.filter((slot) => this.workers[slot]?.exit === null);
    return live.find((slot) => this.isUp(this.workers[slot])) ?? live[0];
  }

  /**
   * True when the event's target is ready. A worker is killed only once it has started, while
   * another started worker remains to run the stalled check (else the recovery would measure
   * how long a new process takes to start), and while the ledger is moving. The producer is
   * killed once it has started. A `sluice` process checks Redis at start and exits 3 when it
   * does not answer (by design: one clear error instead of a silent wait), so Redis is killed
   * only once every live process has started.
   */
  ready(event: ChaosEvent): boolean {
    if (event.kind === 'worker-kill') {
      const slot = this.victimSlot(event.victim);
      if (slot === undefined) return true;
      const others = this.workers.filter((w, i) => i !== slot && this.isUp(w));
      return this.isUp(this.workers[slot]) && others.length > 0 && Date.now() - this.lastAdvanceAt <= BUSY_WITHIN_MS;
    }
    if (event.kind === 'producer-kill') return !this.producer || this.producer.exit !== null || this.isUp(this.producer);
    if (event.kind === 'redis-restart') return this.live().every((p) => this.isUp(p));
    // A FLUSHALL inside a kill's recovery would wipe the stalled batches the kill is measured by
    // (they would come back through `resume` instead), so it waits for every kill to recover.
    return !this.recovery.recovering();
  }

  async fire(event: ChaosEvent): Promise<void> {
    if (event.kind === 'worker-kill') {
      const slot = this.victimSlot(event.victim);
      const victim = slot === undefined ? null : this.workers[slot];
      if (slot === undefined || !victim) return this.log('worker-kill: no live worker to kill; skipped');
      const at = await killByPid(victim);
      const pending = await this.recovery.noteKill(at, slot, this.o.keys);
      this.counts.workerKills++;
      const next = this.startWorker(slot);
      this.log(`SIGKILL ${victim.label} (pid ${victim.pid}); ${pending} requested keys not in the ledger; started ${next.label}`);
    } else if (event.kind === 'producer-kill') {
      const victim = this.producer;
      if (!victim || victim.exit !== null) return this.log('producer-kill: no producer running; skipped');
      await killByPid(victim);
      this.counts.producerKills++;
      const next = this.startProducer();
      this.log(`SIGKILL ${victim.label} (pid ${victim.pid}); started ${next.label}`);
    } else if (event.kind === 'redis-restart') {
      const pid = this.redis.pid;
      await this.redis.kill();
      await sleep(this.o.redisDownMs);
      await this.redis.restart();
      this.counts.redisRestarts++;
      this.log(`SIGKILL redis-server (pid ${pid}), down ${this.o.redisDownMs} ms, restarted (pid ${this.redis.pid}, AOF replayed)`);
    } else {
      await flushAll(this.redis.url);
      const resumed = await runCli([...this.flags, 'resume', String(this.crawlId), '--json']);
      this.counts.flushes++;
      if (resumed.code !== 0) this.counts.unexpectedExits.push(`resume (code ${resumed.code}: ${resumed.stderr.trim()})`);
      this.log(`FLUSHALL; sluice resume exited ${resumed.code}: ${resumed.stdout.trim()}`);
    }
  }

  /** Fires the events as progress reaches them; returns when the crawl is done, stuck or out of time. */
  async drive(): Promise<void> {
    const deadline = this.started + this.o.deadlineS * 1000;
    // After a stall, several progress points pass at once; firing them back to back would hit
    // processes that have not started yet, so each event also waits for half a spacing of progress.
    const spacing =
      this.events.length > 1 ? ((this.events.at(-1)?.atKeys ?? 0) - (this.events[0]?.atKeys ?? 0)) / (this.events.length - 1) : 0;
    let nextEvent = 0;
    let lastEventProgress = Number.NEGATIVE_INFINITY;
    let lastReport = Date.now();
    for (;;) {
      await this.refresh();
      await this.supervise();
      this.connections.observe(this.live());
      const event = this.events[nextEvent];
      const done = this.finished();
      if (done > this.lastFinished) {
        this.lastFinished = done;
        this.lastAdvanceAt = Date.now();
      }
      if (event && done < this.o.keys && done >= event.atKeys && done >= lastEventProgress + spacing / 2 && this.ready(event)) {
        await this.fire(event);
        nextEvent++;
        lastEventProgress = await this.refresh();
      }
      const live = this.workers.filter((w) => w !== null && w.exit === null).length;
      if (this.finished() >= this.o.keys && live === 0) return this.log('ledger complete and every worker exited');
      if (live === 0) return this.log('no worker left alive before the crawl completed');
      if (this.counts.timedOut || Date.now() > deadline) {
        this.counts.timedOut = true;
        return this.log(`deadline of ${this.o.deadlineS} s passed or interrupted`);
      }
      if (Date.now() - lastReport >= 5_000) {
        lastReport = Date.now();
        this.log(
          `${live} workers, producer ${this.producer?.exit === null ? 'running' : 'not running'}, ${this.mock.duplicateKeys()} duplicate fetches`,
        );
      }
      await sleep(TICK_MS);
    }
  }
}
