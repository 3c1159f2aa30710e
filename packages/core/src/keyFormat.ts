/**
 * Key formats: what a well-formed key of an API looks like. A key that does not fit is failed
 * at once as an invalid key, without a request: some APIs answer anything they do not
 * understand with a plausible 200 (thecolorapi.com answers `GGGGGG` with black), which would
 * otherwise be stored as a result, and a metered API would charge a call for it.
 */

/** Named formats, for presets and specs. */
export const KEY_FORMATS = {
  /** Six hex digits, either case: a 24-bit colour (`00FF0A`). */
  hex6: { pattern: /^[0-9A-Fa-f]{6}$/, description: 'six hex digits 0-9 A-F' },
  /**
   * A ticker symbol: 1–15 letters, digits, `.` or `-`, starting with a letter or digit. Wide
   * enough for share classes (`BRK.B`, `BRK-B`) and exchange suffixes (`RELIANCE.BSE`,
   * `600104.SHH`), narrow enough that spaces, `$`, `/`, `?`, `&`, `%` and empty keys never
   * reach the API.
   */
  symbol: { pattern: /^[A-Za-z0-9][A-Za-z0-9.-]{0,14}$/, description: '1-15 letters, digits, . or -, starting with a letter or digit' },
} as const;

export type KeyFormatName = keyof typeof KEY_FORMATS;
export const KEY_FORMAT_NAMES = Object.keys(KEY_FORMATS) as KeyFormatName[];

/** A named format, or `{ pattern }`: a regular expression the whole key must match. */
export type KeyFormat = KeyFormatName | { pattern: string };

/** Returns the reason a key breaks `format`, or null when it fits (or no format is set). */
export type KeyFormatCheck = (key: string) => string | null;

/** Compiles a key format once into a check for many keys. */
export function compileKeyFormat(format: KeyFormat | undefined): KeyFormatCheck {
  if (format === undefined) return () => null;
  if (typeof format === 'string') {
    const { pattern, description } = KEY_FORMATS[format];
    const reason = `key does not match validate.keyFormat ${format} (${description})`;
    return (key) => (pattern.test(key) ? null : reason);
  }
  // Anchored here, so `[0-9]+` means the whole key and not a part of it.
  const whole = new RegExp(`^(?:${format.pattern})$`, 'u');
  const reason = `key does not match validate.keyFormat pattern ${format.pattern}`;
  return (key) => (whole.test(key) ? null : reason);
}
