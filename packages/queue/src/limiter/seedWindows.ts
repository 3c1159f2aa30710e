import { seedMember } from './limiterScript';

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
