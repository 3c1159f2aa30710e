import { z } from 'zod';

/** Schema pieces shared by the spec's sections. */

/** An integer ≥ 0, with `what` as the message of every way to miss it. */
export const nonNegativeInt = (what: string) =>
  z
    .number({ error: `expected ${what}` })
    .int({ error: `expected ${what}` })
    .min(0, { error: `expected ${what}` });

/**
 * A regular expression given as a string, checked to compile with `flags`: `i` where a body
 * is matched case-insensitively, `u` for key formats.
 */
export const regexString = (flags = 'i') =>
  z
    .string()
    .min(1)
    .refine(
      (pattern) => {
        try {
          new RegExp(pattern, flags);
          return true;
        } catch {
          return false;
        }
      },
      { error: 'expected a valid regular expression' },
    );
