/**
 * The parts of a request that depend on the pool credential it goes out with. The value is
 * read from worker memory when the request is built and never stored.
 */

/** Where the chosen pool credential's value goes, in the URL template and header values. */
export const CREDENTIAL_PLACEHOLDER = '{credential}';

/** Stands in for a credential while a key's URL is checked before any credential is chosen. */
export const CREDENTIAL_PROBE = 'credential';

/** Request headers with `{credential}` replaced by `value`; the same object when none holds it. */
export function headersWithCredential(
  headers: Readonly<Record<string, string>>,
  uses: boolean,
  value: string | undefined,
): Readonly<Record<string, string>> {
  if (!uses || value === undefined) return headers;
  return Object.fromEntries(Object.entries(headers).map(([name, v]) => [name, v.split(CREDENTIAL_PLACEHOLDER).join(value)]));
}

/**
 * A body to store with every known secret value masked: some APIs quote the key they were
 * sent in their answers, which must not reach the ledger. Short values (< 4 characters) are
 * left alone, as in `redactText`, so common text is never masked by accident.
 */
export function maskSecretsInBody(body: string, secrets: readonly string[]): string {
  let out = body;
  for (const secret of secrets) if (secret.length >= 4 && out.includes(secret)) out = out.split(secret).join('***');
  return out;
}
