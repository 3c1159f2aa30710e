import type { CrawlScope, RedisClient } from '@sluice/queue';
import { createCredentialGate } from './credentialGate';
import { credentialsRetiredKey, type LimiterWindowName } from './limiterKeys';
import type { LimiterLimits } from './windows';

/** What Redis knows of one credential of a pool right now (all processes together). */
export interface CredentialUsage {
  /** The credential's name (its environment variable), never its value. */
  name: string;
  /** Starts in each configured window, by window name. */
  used: Partial<Record<LimiterWindowName, number>>;
  /** Starts left in each configured window (limit minus used, never below 0). */
  remaining: Partial<Record<LimiterWindowName, number>>;
  /** Requests in flight with it, or null without a per-credential concurrency cap. */
  inFlight: number | null;
  /** Epoch ms until which its own pause (a throttle answer) holds it back, or null. */
  pausedUntilMs: number | null;
  /** Why it was retired (`invalid`), or null while it is in use. */
  retired: string | null;
}

/** Reads every credential's use, pause and retirement: one script call per credential plus one hash read. */
export async function readCredentialUsage(
  redis: RedisClient,
  scope: CrawlScope,
  credentials: ReadonlyArray<{ name: string; limits: LimiterLimits }>,
): Promise<CredentialUsage[]> {
  const retired = await redis.hgetall(credentialsRetiredKey(scope));
  return Promise.all(
    credentials.map(async ({ name, limits }) => {
      const gate = createCredentialGate({ redis, scope, name, limits, onError: () => {} });
      const peek = await gate.peek();
      const used: CredentialUsage['used'] = {};
      const remaining: CredentialUsage['remaining'] = {};
      gate.windows.forEach((w, i) => {
        const count = peek.counts[i] ?? 0;
        used[w.name] = count;
        remaining[w.name] = Math.max(0, w.max - count);
      });
      const reason = retired[name];
      return {
        name,
        used,
        remaining,
        inFlight: peek.inFlight,
        pausedUntilMs: !reason && peek.pausedUntilMs > peek.nowMs ? peek.pausedUntilMs : null,
        retired: reason ?? null,
      };
    }),
  );
}
