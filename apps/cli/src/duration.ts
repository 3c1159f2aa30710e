import { InvalidArgumentError } from 'commander';

const UNIT_MS: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 };

/**
 * Parses a duration flag: a number with a unit (`500ms`, `3s`, `2m`, `1h`) or a bare number of
 * seconds. Returns milliseconds.
 */
export function parseDurationMs(value: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(value.trim());
  if (!m) throw new InvalidArgumentError('expected a duration such as 500ms, 30s, 2m or 1h');
  return Math.round(Number(m[1]) * (UNIT_MS[m[2] ?? 's'] ?? 1_000));
}
