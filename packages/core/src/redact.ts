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

/** Masks URL-shaped secrets inside arbitrary text (error messages, logs). */
export function redactText(text: string, knownSecrets: readonly string[] = []): string {
  let out = text.replace(SECRET_PAIR, `$1${MASK}`).replace(USERINFO, `$1${MASK}@`);
  for (const secret of knownSecrets) {
    if (secret.length >= 4) {
      out = out.split(secret).join(MASK);
      const encoded = encodeURIComponent(secret);
      if (encoded !== secret) out = out.split(encoded).join(MASK);
    }
  }
  return out;
}
