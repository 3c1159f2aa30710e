/**
 * The forms a secret takes on its way to an API and back in an echoed error text. A secret
 * put in a URL is percent-encoded (by `encodeURIComponent`, then again by the URL serializer,
 * which turns `'` into `%27`), a form body turns spaces into `+`, a JSON string escapes
 * characters as `\uXXXX`, an HTML page as `&#39;`, a server may decode or encode it once more
 * (`%2527`), and an `Authorization: Basic` header carries it inside base64. Listing encoders
 * misses the next one, so each character of a secret is matched in any of its encodings, in
 * any mix: one pattern covers all percent, form, JSON and HTML forms at once. Base64 is not
 * per character, so it gets its own literals.
 */

/** Secrets shorter than this are not matched: they would mask ordinary words. */
export const MIN_SECRET_CHARS = 4;

const hexDigit = (digit: string) => (/[a-f]/i.test(digit) ? `[${digit.toLowerCase()}${digit.toUpperCase()}]` : digit);
/** Two or four hex digits, either case, as a pattern. */
const hexPattern = (value: number, width: number) => [...value.toString(16).padStart(width, '0')].map(hexDigit).join('');
const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

const NAMED_ENTITIES: Record<string, string> = { '&': 'amp', '<': 'lt', '>': 'gt', '"': 'quot', "'": 'apos' };

/** Every way one character (code point) may be written in echoed text, as a regex alternation. */
function characterForms(char: string): string {
  const codePoint = char.codePointAt(0) ?? 0;
  const forms = [escapeRegExp(char)];
  // Percent-encoded UTF-8, each byte possibly encoded again (%25 for %) by a second pass.
  forms.push([...Buffer.from(char, 'utf8')].map((byte) => `%(?:25)*${hexPattern(byte, 2)}`).join(''));
  if (char === ' ') forms.push('\\+');
  // JSON: \uXXXX per UTF-16 unit, and the short escapes.
  forms.push([...char].map((unit) => `\\\\u${hexPattern(unit.charCodeAt(0), 4)}`).join(''));
  if (char === '"' || char === '\\' || char === '/') forms.push(`\\\\${escapeRegExp(char)}`);
  // HTML character references.
  forms.push(`&#0*${codePoint};`, `&#[xX]0*${hexPattern(codePoint, 1)};`);
  const named = NAMED_ENTITIES[char];
  if (named) forms.push(`&${named};`);
  return `(?:${forms.join('|')})`;
}

/** A global regex matching `secret` in every per-character encoding, mixed freely. */
export function encodedSecretPattern(secret: string): RegExp {
  return new RegExp([...secret].map(characterForms).join(''), 'g');
}

/**
 * Base64 text that can only come from the secret's bytes, at each of the three alignments the
 * secret can have inside a longer base64 text (`Basic base64(user:secret)`), in the standard
 * and the URL-safe alphabet. The one or two characters at either end that mix in neighbouring
 * bytes are left out.
 */
export function base64Forms(secret: string): string[] {
  const bytes = Buffer.from(secret, 'utf8');
  const forms = new Set<string>();
  for (let offset = 0; offset < 3; offset++) {
    const encoded = Buffer.concat([Buffer.alloc(offset), bytes]).toString('base64');
    const core = encoded.slice(Math.ceil((8 * offset) / 6), Math.floor((8 * (offset + bytes.length)) / 6));
    if (core.length >= MIN_SECRET_CHARS) {
      forms.add(core);
      forms.add(core.replace(/\+/g, '-').replace(/\//g, '_'));
    }
  }
  return [...forms];
}

const BASE64_TEXT = /^[A-Za-z0-9+/_-]{6,}={0,2}$/;
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters mark binary, not text
const NOT_TEXT = /[\u0000-\u001f\u007f\ufffd]/;

/**
 * When the secret is itself base64 of text (the credential of a `Basic` header, `user:pass`),
 * the decoded text and its password part: an API that decodes the header may echo either.
 */
export function decodedForms(secret: string): string[] {
  if (!BASE64_TEXT.test(secret)) return [];
  const decoded = Buffer.from(secret, 'base64').toString('utf8');
  if (decoded.length < MIN_SECRET_CHARS || NOT_TEXT.test(decoded)) return [];
  const colon = decoded.indexOf(':');
  const password = colon >= 0 ? decoded.slice(colon + 1) : '';
  return password.length >= MIN_SECRET_CHARS ? [decoded, password] : [decoded];
}

interface SecretMatcher {
  pattern: RegExp;
  base64: string[];
}

/** Compiled matchers by secret: a worker has a handful of secrets and redacts many messages. */
const matchers = new Map<string, SecretMatcher[]>();
const MATCHERS_KEPT = 64;

function matchersFor(secret: string): SecretMatcher[] {
  let found = matchers.get(secret);
  if (!found) {
    found = [secret, ...decodedForms(secret)].map((plain) => ({ pattern: encodedSecretPattern(plain), base64: base64Forms(plain) }));
    if (matchers.size >= MATCHERS_KEPT) matchers.clear();
    matchers.set(secret, found);
  }
  return found;
}

/** Replaces every form of each secret in `text` with `mask`. */
export function maskSecretForms(text: string, secrets: readonly string[], mask: string): string {
  let out = text;
  for (const secret of secrets) {
    if (secret.length < MIN_SECRET_CHARS) continue;
    for (const { pattern, base64 } of matchersFor(secret)) {
      out = out.replace(pattern, mask);
      for (const form of base64) out = out.split(form).join(mask);
    }
  }
  return out;
}
