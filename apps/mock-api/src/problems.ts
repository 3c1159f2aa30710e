import { z } from 'zod';

/**
 * The mock API's options are checked by zod schemas whose every message reads `expected …`;
 * this turns zod's issues into the one-line problems the mock API reports, each prefixed with
 * its option path: `quotas[0].mode: expected one of body, 429, 503`.
 */

/** The `error` parameter of a schema or check: `expected ${what}`. */
export const expected = (what: string) => ({ error: `expected ${what}` });

/** The `error` parameter of an enum: `expected one of a, b, c`. */
export const oneOf = (names: readonly string[]) => expected(`one of ${names.join(', ')}`);

/** An integer in `min..max`, `what` naming it in every way to miss it. */
export const integerIn = (what: string, min: number, max = Number.MAX_SAFE_INTEGER) =>
  z.int(expected(what)).min(min, expected(what)).max(max, expected(what));

/** A finite number in `min..max`, `what` naming it in every way to miss it. */
export const numberIn = (what: string, min: number, max = Number.MAX_VALUE) =>
  z.number(expected(what)).min(min, expected(what)).max(max, expected(what));

/** `quotas` + `[0, 'mode']` → `quotas[0].mode`. */
function pathText(base: string, path: readonly PropertyKey[]): string {
  return path.reduce<string>((text, part) => (typeof part === 'number' ? `${text}[${part}]` : `${text}.${String(part)}`), base);
}

/** Every problem `schema` finds in `value`, each prefixed with its path under `base`; none when it fits. */
export function problemsOf(schema: z.ZodType, value: unknown, base: string): string[] {
  const result = schema.safeParse(value);
  if (result.success) return [];
  const problems = result.error.issues.flatMap((issue) =>
    issue.code === 'unrecognized_keys'
      ? issue.keys.map((key) => `${pathText(base, [...issue.path, key])}: unknown field`)
      : [`${pathText(base, issue.path)}: ${issue.message}`],
  );
  // A value can miss several checks of one field (an unsafe integer is neither an integer nor ≤ the maximum).
  return [...new Set(problems)];
}
