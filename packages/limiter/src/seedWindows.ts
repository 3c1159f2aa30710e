import type { RedisClient } from '@sluice/queue';
import { SEED_LUA, seedMember } from './limiterScript';
import { luaScript, runScript } from './luaScript';

const SEED = luaScript(SEED_LUA);
/** Seeded starts per script call, so one call never blocks Redis for long. */
const SEED_CHUNK = 1_000;

/** `[time, member]` per finite time, members numbering equal times so re-seeding is idempotent. */
export function seedPairs(timesMs: readonly number[]): Array<[string, string]> {
  const seen = new Map<number, number>();
  return timesMs
    .filter((t) => Number.isFinite(t) && t > 0)
    .sort((a, b) => a - b)
    .map((t) => {
      const occurrence = seen.get(t) ?? 0;
      seen.set(t, occurrence + 1);
      return [String(t), seedMember(t, occurrence)];
    });
}

/**
 * Writes past request starts into sliding windows (`windowKeys[i]` of `windows[i].lengthMs`),
 * idempotently (see seedPairs), a chunk per script call. Nothing to do without windows.
 */
export async function seedWindows(
  redis: RedisClient,
  windowKeys: readonly string[],
  windows: readonly { lengthMs: number }[],
  requestTimesMs: readonly number[],
): Promise<void> {
  if (windows.length === 0) return;
  const pairs = seedPairs(requestTimesMs);
  for (let i = 0; i < pairs.length; i += SEED_CHUNK) {
    const chunk = pairs.slice(i, i + SEED_CHUNK).flat();
    await runScript(redis, SEED, windowKeys, [windows.length, ...windows.map((w) => w.lengthMs), ...chunk]);
  }
}
