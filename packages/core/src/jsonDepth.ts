/**
 * A guard run before `JSON.parse` on bodies from the network. V8 parses deep nesting without
 * recursion, so `[[[[…` four million levels deep does not overflow a stack: it builds four
 * million arrays instead, about 100 bytes of heap per input byte, and blocks the event loop
 * while doing it. One pass over the text, skipping strings, finds such a body for a few ms per
 * MB and leaves the parse only bodies whose cost stays a small multiple of their size.
 */

/** Nesting depth allowed by default: far beyond any real API's answers, far below a bomb. */
export const DEFAULT_MAX_JSON_DEPTH = 1_000;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_ARRAY = 0x5b;
const OPEN_OBJECT = 0x7b;
const CLOSE_ARRAY = 0x5d;
const CLOSE_OBJECT = 0x7d;

/**
 * Whether `text` opens more than `maxDepth` arrays or objects inside one another (brackets
 * inside strings do not count). Stops at the first level past the limit. Text that is not
 * JSON gives some answer; the parse that follows rejects it.
 */
export function jsonNestsDeeperThan(text: string, maxDepth: number): boolean {
  // Every level opens with a bracket of its own: a text no longer than the limit cannot pass
  // it, and the scan (the larger part of validating a typical small body) is skipped.
  if (text.length <= maxDepth) return false;
  let depth = 0;
  const length = text.length;
  for (let i = 0; i < length; i++) {
    const c = text.charCodeAt(i);
    if (c === QUOTE) {
      // indexOf skips a string's body much faster than a loop over its characters.
      const end = closingQuote(text, i);
      if (end < 0) return false;
      i = end;
    } else if (c === OPEN_ARRAY || c === OPEN_OBJECT) {
      if (++depth > maxDepth) return true;
    } else if (c === CLOSE_ARRAY || c === CLOSE_OBJECT) {
      depth--;
    }
  }
  return false;
}

/** Index of the quote closing the string opened at `open`, or -1: the next quote behind an even run of backslashes. */
function closingQuote(text: string, open: number): number {
  let end = text.indexOf('"', open + 1);
  while (end > 0) {
    let backslashes = 0;
    while (text.charCodeAt(end - 1 - backslashes) === BACKSLASH) backslashes++;
    if (backslashes % 2 === 0) return end;
    end = text.indexOf('"', end + 1);
  }
  return -1;
}

/** The failure reason for a body nested deeper than `maxDepth`, the same wherever it is found. */
export const tooDeepReason = (maxDepth: number) => `body nests arrays or objects deeper than ${maxDepth} levels (validate.maxDepth)`;

/** Checks the nesting depth of a JSON text arriving in chunks. */
export interface JsonDepthGauge {
  /** Reads the next chunk; true once the text has opened more than `maxDepth` levels. */
  exceeded(chunk: Uint8Array): boolean;
}

/**
 * The same check on UTF-8 bytes as they arrive, so a body can be refused after its first
 * bytes instead of held whole: the quote, backslash and brackets are ASCII, and UTF-8 never
 * uses ASCII bytes inside a multi-byte character, so bytes can be scanned like characters.
 */
export function createJsonDepthGauge(maxDepth: number): JsonDepthGauge {
  let depth = 0;
  let inString = false;
  // Inside a string, the chunk ended on a backslash that escapes the next byte.
  let escaped = false;
  return {
    exceeded(chunk) {
      const length = chunk.length;
      let i = 0;
      while (i < length) {
        if (inString) {
          if (escaped) {
            escaped = false;
            i++;
            continue;
          }
          // indexOf skips a string's body much faster than a loop over its bytes.
          const quote = chunk.indexOf(QUOTE, i);
          const end = quote < 0 ? length : quote;
          let backslashes = 0;
          while (end - 1 - backslashes >= i && chunk[end - 1 - backslashes] === BACKSLASH) backslashes++;
          if (quote < 0) {
            escaped = backslashes % 2 === 1;
            return false;
          }
          if (backslashes % 2 === 0) inString = false;
          i = quote + 1;
          continue;
        }
        const c = chunk[i];
        if (c === QUOTE) {
          inString = true;
        } else if (c === OPEN_ARRAY || c === OPEN_OBJECT) {
          if (++depth > maxDepth) return true;
        } else if (c === CLOSE_ARRAY || c === CLOSE_OBJECT) {
          depth--;
        }
        i++;
      }
      return false;
    },
  };
}
