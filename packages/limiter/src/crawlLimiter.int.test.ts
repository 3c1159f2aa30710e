import { type Limits, limitsSchema } from '@sluice/core';
import type { CrawlScope } from '@sluice/queue';
import { waitFor } from '@sluice/testkit';
import type { Redis } from 'ioredis';
import { type CrawlLimiter, type CrawlLimiterOptions, createCrawlLimiter } from './crawlLimiter';
import { limiterPauseKey, limiterWindowKey } from './limiterKeys';
import type { LimiterLog } from './limiterLog';
import type { RequestLogSink } from './requestBudgetLog';
import { withLimiterClients } from './testSupport';

const UNLIMITED = limitsSchema.parse({});
const RATE_LIMITED = limitsSchema.parse({ perSecond: 100 });
const BOTH: Array<[string, Limits]> = [
  ['a rate-limited crawl', RATE_LIMITED],
  ['a crawl without limits', UNLIMITED],
];

/** A request log in memory (the ledger's stand-in). */
function memoryLog(rows: number[] = []): RequestLogSink & { rows: number[] } {
  return {
    rows,
    async append(timesMs) {
      rows.push(...timesMs);
    },
    async requestTimesSince(sinceMs) {
      return rows.filter((t) => t >= sinceMs);
    },
  };
}

function collectingLog(): LimiterLog & { lines: string[] } {
  const lines: string[] = [];
  return { lines, info: (m) => lines.push(m), warn: (m) => lines.push(m), error: (m) => lines.push(m) };
}

/** One crawl limiter per client (each stands for a worker process), closed afterwards. */
async function withCrawlLimiters<T>(
  clients: Redis[],
  scope: CrawlScope,
  options: Partial<CrawlLimiterOptions>,
  fn: (limiters: CrawlLimiter[]) => Promise<T>,
): Promise<T> {
  const limiters = clients.map((redis) =>
    createCrawlLimiter({
      limits: UNLIMITED,
      concurrency: 10,
      redis,
      scope,
      requestLog: memoryLog(),
      log: collectingLog(),
      ...options,
    }),
  );
  try {
    return await fn(limiters);
  } finally {
    for (const limiter of limiters) await limiter.close();
  }
}

describe('crawl limiter: one pause per process, shared through Redis (real Redis)', () => {
  test.each(BOTH)("in %s, a pause set in one process is seen by another's pausedUntil and holds its acquire", async (_name, limits) => {
    await withLimiterClients('crawl-limiter-adopt', 2, async ({ scope, clients }) => {
      await withCrawlLimiters(clients, scope, { limits }, async ([a, b]) => {
        const untilMs = Date.now() + 1_000;
        a!.pause(untilMs);
        expect(a!.pausedUntil).toBe(untilMs);
        await waitFor(() => b!.pausedUntil === untilMs, { timeoutMs: 2_000, what: "the other process's pause" });
        const held = AbortSignal.timeout(150);
        (await b!.acquire(held)).release();
        expect(held.aborted).toBe(true);
        const admitted = await b!.acquire(AbortSignal.timeout(10_000));
        expect(Date.now()).toBeGreaterThanOrEqual(untilMs);
        admitted.release();
        expect(b!.inFlight).toBe(0);
      });
    });
  });

  test.each(BOTH)('in %s, a local pause holds acquire at once, is written to Redis, and never shortens', async (_name, limits) => {
    await withLimiterClients('crawl-limiter-local', 1, async ({ scope, clients }) => {
      await withCrawlLimiters(clients, scope, { limits }, async ([limiter]) => {
        const untilMs = Date.now() + 60_000;
        limiter!.pause(untilMs);
        limiter!.pause(untilMs - 30_000);
        expect(limiter!.pausedUntil).toBe(untilMs);
        const held = AbortSignal.timeout(150);
        (await limiter!.acquire(held)).release();
        expect(held.aborted).toBe(true);
        expect(limiter!.inFlight).toBe(0);
        await waitFor(async () => Number(await clients[0]!.get(limiterPauseKey(scope))) === untilMs, { what: 'the shared pause' });
        const waitEnded = AbortSignal.timeout(50);
        await limiter!.waitWhilePaused(waitEnded);
        expect(waitEnded.aborted).toBe(true);
      });
    });
  });

  test('the pause listener hears pauses of this process and adopted ones, once per extension', async () => {
    await withLimiterClients('crawl-limiter-listener', 2, async ({ scope, clients }) => {
      const heard: number[] = [];
      await withCrawlLimiters(clients.slice(1), scope, {}, async ([other]) => {
        await withCrawlLimiters(clients.slice(0, 1), scope, { onPauseChange: (u) => heard.push(u) }, async ([limiter]) => {
          const untilMs = Date.now() + 60_000;
          other!.pause(untilMs);
          await waitFor(() => heard.length === 1, { timeoutMs: 2_000, what: 'the adopted pause' });
          limiter!.pause(untilMs - 1_000);
          limiter!.pause(untilMs + 1_000);
          // Polls and announcements repeat the same end: not heard again.
          await new Promise((r) => setTimeout(r, 250));
          expect(heard).toEqual([untilMs, untilMs + 1_000]);
        });
      });
    });
  });
});

describe('crawl limiter admission (real Redis)', () => {
  test('an admitted request is a plain object: release frees its slot once; only a limited crawl re-dates', async () => {
    await withLimiterClients('crawl-limiter-admitted', 1, async ({ scope, clients }) => {
      await withCrawlLimiters(clients, scope, { concurrency: 1 }, async ([limiter]) => {
        const first = await limiter!.acquire();
        expect(first).toMatchObject({ redates: false, adaptive: null, credential: undefined });
        expect(limiter!.inFlight).toBe(1);
        const next = limiter!.acquire();
        first.release();
        first.release(); // a second call frees nothing more
        const second = await next;
        expect(limiter!.inFlight).toBe(1);
        second.release();
        expect(limiter!.inFlight).toBe(0);
      });
      await withCrawlLimiters(clients, scope, { limits: RATE_LIMITED }, async ([limiter]) => {
        const admitted = await limiter!.acquire();
        expect(admitted.redates).toBe(true);
        admitted.redate(0);
        admitted.release();
      });
    });
  });

  test('an hourly budget logs its starts on tick, and a window Redis lost is rebuilt from the log', async () => {
    await withLimiterClients('crawl-limiter-log', 1, async ({ scope, clients }) => {
      const limits = limitsSchema.parse({ perHour: 3 });
      const fresh = memoryLog();
      await withCrawlLimiters(clients, scope, { limits, requestLog: fresh }, async ([limiter]) => {
        (await limiter!.acquire()).release();
        (await limiter!.acquire()).release();
        await limiter!.tick();
        expect(fresh.rows).toHaveLength(2);
      });
      // Redis loses the window (as after a restart without persistence).
      await clients[0]!.del(limiterWindowKey(scope, 'perHour'));
      const now = Date.now();
      const spent = memoryLog([now - 3_000, now - 2_000, now - 1_000]);
      const log = collectingLog();
      await withCrawlLimiters(clients, scope, { limits, requestLog: spent, log }, async ([limiter]) => {
        await limiter!.tick();
        expect(log.lines).toEqual([expect.stringContaining('rebuilt the perHour request budget from 3 logged requests')]);
        const held = AbortSignal.timeout(150);
        (await limiter!.acquire(held)).release();
        expect(held.aborted).toBe(true);
      });
    });
  });
});
