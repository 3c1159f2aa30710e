import type { RedisClient } from './connection';
import type { CrawlScope } from './crawlScope';
import { rateKey, recentErrorsKey, statsKey } from './redisKeys';

/**
 * Crawl statistics shared by every worker through Redis: request counters by outcome, a
 * request-duration histogram, throttle events, limiter wait, keys finished per 10 s bucket (the
 * rate series behind items/s and the ETA), and the last errors. Workers count in memory and
 * flush once a second, so this costs a few Redis commands per second, not per key.
 */

/** Upper bounds (ms) of the request-duration histogram buckets. */
export const DURATION_BUCKETS_MS = [10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000] as const;
export const RATE_BUCKET_SECONDS = 10;
const RATE_KEEP_SECONDS = 3600;
const ERRORS_KEPT = 100;

export type AttemptOutcome = 'ok' | 'throttled' | 'transient' | 'permanent';

export interface RecentError {
  at: number;
  key: string;
  errorClass: string;
  reason: string;
}

export interface AttemptRecorder {
  /** Counts one HTTP attempt. */
  attempt(outcome: AttemptOutcome, durationMs: number): void;
  /** Counts a key finished (result or failure) for the rate series. */
  finished(count: number): void;
  /** Counts a throttle signal (it paused the crawl or a credential, or cut an adaptive rate). */
  throttleEvent(): void;
  /** Adds time spent waiting for the limiter. */
  limiterWait(ms: number): void;
  /** Remembers an error (reason already redacted). */
  error(entry: RecentError): void;
  /** Writes what was counted since the last flush. Never throws. */
  flush(): Promise<void>;
}

/** Hash fields, built once: `attempt` runs for every request. */
const ATTEMPT_FIELDS: Record<AttemptOutcome, string> = {
  ok: 'attempts:ok',
  throttled: 'attempts:throttled',
  transient: 'attempts:transient',
  permanent: 'attempts:permanent',
};
const DURATION_FIELDS = [...DURATION_BUCKETS_MS.map((b) => `duration:le:${b}`), 'duration:le:inf'];

/** The histogram field of a duration: the first bucket that holds it, else `inf`. */
function durationField(durationMs: number): string {
  let i = 0;
  while (i < DURATION_BUCKETS_MS.length && !(durationMs <= (DURATION_BUCKETS_MS[i] as number))) i++;
  return DURATION_FIELDS[i] as string;
}

export function createAttemptRecorder(redis: RedisClient, scope: CrawlScope, now: () => number = Date.now): AttemptRecorder {
  let counters = new Map<string, number>();
  let rate = new Map<number, number>();
  let errors: RecentError[] = [];
  const add = (field: string, by = 1) => counters.set(field, (counters.get(field) ?? 0) + by);
  return {
    attempt(outcome, durationMs) {
      add(ATTEMPT_FIELDS[outcome]);
      add(durationField(durationMs));
      add('duration:sum', Math.round(durationMs));
      add('duration:count');
    },
    finished(count) {
      const bucket = Math.floor(now() / 1000 / RATE_BUCKET_SECONDS) * RATE_BUCKET_SECONDS;
      rate.set(bucket, (rate.get(bucket) ?? 0) + count);
    },
    throttleEvent: () => add('throttleEvents'),
    limiterWait: (ms) => add('limiterWaitMs', Math.round(ms)),
    error(entry) {
      errors.push(entry);
      if (errors.length > ERRORS_KEPT) errors = errors.slice(-ERRORS_KEPT);
    },
    async flush() {
      if (counters.size === 0 && rate.size === 0 && errors.length === 0) return;
      const [c, r, e] = [counters, rate, errors];
      counters = new Map();
      rate = new Map();
      errors = [];
      const multi = redis.multi();
      for (const [field, by] of c) multi.hincrby(statsKey(scope), field, by);
      for (const [bucket, by] of r) multi.hincrby(rateKey(scope), String(bucket), by);
      const oldest = Math.floor(now() / 1000) - RATE_KEEP_SECONDS;
      const stale = [...r.keys()].length > 0 ? await staleBuckets(redis, scope, oldest) : [];
      if (stale.length > 0) multi.hdel(rateKey(scope), ...stale);
      if (e.length > 0) {
        multi.lpush(recentErrorsKey(scope), ...e.map((x) => JSON.stringify(x)));
        multi.ltrim(recentErrorsKey(scope), 0, ERRORS_KEPT - 1);
      }
      await multi.exec().catch(() => {});
    },
  };
}

async function staleBuckets(redis: RedisClient, scope: CrawlScope, oldestSecond: number): Promise<string[]> {
  try {
    const fields = await redis.hkeys(rateKey(scope));
    return fields.filter((f) => Number(f) < oldestSecond);
  } catch {
    return [];
  }
}

export interface CrawlStats {
  attempts: Record<AttemptOutcome, number>;
  /** Cumulative counts per duration bucket upper bound (ms; `inf` last), Prometheus-style. */
  durationBuckets: Array<{ leMs: number | 'inf'; count: number }>;
  durationSumMs: number;
  durationCount: number;
  throttleEvents: number;
  limiterWaitMs: number;
  /** Keys finished per 10 s bucket: [bucket start epoch seconds, count], oldest first. */
  rate: Array<[number, number]>;
  recentErrors: RecentError[];
}

/** Reads a crawl's statistics (all workers). */
export async function readCrawlStats(redis: RedisClient, scope: CrawlScope): Promise<CrawlStats> {
  const [hash, rateHash, errorList] = await Promise.all([
    redis.hgetall(statsKey(scope)),
    redis.hgetall(rateKey(scope)),
    redis.lrange(recentErrorsKey(scope), 0, ERRORS_KEPT - 1),
  ]);
  const n = (field: string) => Number(hash[field] ?? 0);
  let cumulative = 0;
  const durationBuckets = [...DURATION_BUCKETS_MS, 'inf' as const].map((leMs) => {
    cumulative += n(`duration:le:${leMs}`);
    return { leMs, count: cumulative };
  });
  return {
    attempts: {
      ok: n('attempts:ok'),
      throttled: n('attempts:throttled'),
      transient: n('attempts:transient'),
      permanent: n('attempts:permanent'),
    },
    durationBuckets,
    durationSumMs: n('duration:sum'),
    durationCount: n('duration:count'),
    throttleEvents: n('throttleEvents'),
    limiterWaitMs: n('limiterWaitMs'),
    rate: Object.entries(rateHash)
      .map(([bucket, count]) => [Number(bucket), Number(count)] as [number, number])
      .sort((a, b) => a[0] - b[0]),
    recentErrors: errorList.map((e) => JSON.parse(e) as RecentError),
  };
}
