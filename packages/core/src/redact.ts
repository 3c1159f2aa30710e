import { maskSecretForms } from './secretForms';

/**
 * Redaction: every URL or message that leaves worker memory (logs, ledger, errors, exports,
 * dashboard) passes through here first.
 */

/** Query parameter names whose values are secrets (compared case-insensitively). */
export const SECRET_PARAMS = ['apikey', 'api_key', 'api-key', 'token', 'key', 'access_token', 'password', 'secret', 'auth'];

const MASK = '***';

/** Returns the URL with userinfo and secret query parameters masked. Never throws. */
export function redactUrl(url: string | URL): string {
  let parsed: URL;
  try {
    parsed = new URL(String(url));
  } catch {
    return redactText(String(url));
  }
  if (parsed.username) parsed.username = MASK;
  if (parsed.password) parsed.password = MASK;
  for (const name of [...parsed.searchParams.keys()]) {
    if (SECRET_PARAMS.includes(name.toLowerCase())) parsed.searchParams.set(name, MASK);
  }
  return parsed.toString().replaceAll(encodeURIComponent(MASK), MASK);
}

const SECRET_PAIR = new RegExp(`([?&;](?:${SECRET_PARAMS.join('|')})=)[^&#\\s"']*`, 'gi');
const USERINFO = /(\w+:\/\/)[^/@\s"']*@/g;

/**
 * Masks secrets inside arbitrary text (error messages, logs): every form of each known secret
 * (see secretForms.ts), then URL-shaped secrets (secret query parameters, userinfo). Known
 * secrets go first, so a pattern that stops at a quote cannot leave half of one behind.
 */
export function redactText(text: string, knownSecrets: readonly string[] = []): string {
  return maskSecretForms(text, knownSecrets, MASK).replace(SECRET_PAIR, `$1${MASK}`).replace(USERINFO, `$1${MASK}@`);
}

/** Longest failure reason kept, in characters, counted after redaction. */
export const MAX_REASON_CHARS = 300;

/**
 * A failure reason fit to store and show: redacted first, then cut to
 * {@link MAX_REASON_CHARS}. Cutting first could keep the part of a secret before the cut,
 * which no longer matches the whole secret.
 */
export function redactReason(message: string, knownSecrets: readonly string[] = []): string {
  const redacted = redactText(message, knownSecrets);
  return redacted.length <= MAX_REASON_CHARS ? redacted : `${redacted.slice(0, MAX_REASON_CHARS - 1)}…`;
}
