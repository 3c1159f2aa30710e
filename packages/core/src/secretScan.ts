import { SECRET_PARAMS } from './redact';

/**
 * Spots secrets written literally into a crawl spec. Secrets belong in the environment
 * (`{env.NAME}`), which keeps them out of the stored spec, the ledger and everything shown; a
 * literal in the URL or a header is stored with the crawl. This only warns: a value that merely
 * looks like a secret (a public demo key) must not stop a crawl.
 */

/** Header names whose values are credentials (compared case-insensitively). */
const SECRET_HEADERS = ['authorization', 'proxy-authorization', 'x-api-key', 'api-key', 'apikey', 'x-auth-token', 'cookie'];

/** A header whose name contains one of these words is treated as a credential too. */
const SECRET_HEADER_WORDS = ['token', 'secret', 'apikey', 'api-key', 'api_key', 'password', 'auth'];

const ENV_ONLY = /^\s*(?:(?:Bearer|Basic|Token)\s+)?\{env\.[A-Za-z_][A-Za-z0-9_]*\}\s*$/i;

/** Values every demo uses: not worth a warning. */
const HARMLESS = new Set(['demo', 'test', 'x', 'xxx', '***']);

function isLiteral(value: string): boolean {
  const v = value.trim();
  return v.length > 0 && !ENV_ONLY.test(v) && !v.includes('{env.') && !HARMLESS.has(v.toLowerCase());
}

function envNameFor(name: string): string {
  const cleaned = name
    .replace(/[^A-Za-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '')
    .toUpperCase();
  return cleaned === '' ? 'API_KEY' : /^[0-9]/.test(cleaned) ? `_${cleaned}` : cleaned;
}

function queryWarnings(url: string, field: string): string[] {
  const query = url.split('#')[0]?.split('?').slice(1).join('?') ?? '';
  if (query === '') return [];
  const out: string[] = [];
  for (const pair of query.split('&')) {
    const [rawName = '', ...rest] = pair.split('=');
    const value = rest.join('=');
    if (SECRET_PARAMS.includes(rawName.toLowerCase()) && isLiteral(value) && !value.includes('{key}')) {
      out.push(
        `${field}: query parameter "${rawName}" holds a literal secret; use ${rawName}={env.${envNameFor(rawName)}} and set ${envNameFor(rawName)} in the environment`,
      );
    }
  }
  return out;
}

function userinfoWarning(url: string, field: string): string[] {
  const match = /^[a-z][a-z0-9+.-]*:\/\/([^/?#]*)@/i.exec(url.trim());
  if (!match || !isLiteral(match[1] ?? '')) return [];
  return [`${field}: the URL holds a literal user name or password; pass credentials with {env.NAME} in a header instead`];
}

/**
 * Warnings (one line each, naming the field and suggesting `{env.NAME}`) for secret-looking
 * literals in a spec's request. Never echoes the value itself. Never throws.
 */
export function scanSpecForSecrets(spec: unknown): string[] {
  if (spec === null || typeof spec !== 'object') return [];
  const request = (spec as { request?: unknown }).request;
  if (request === null || typeof request !== 'object') return [];
  const { url, baseUrl, params, headers } = request as Record<string, unknown>;
  const warnings: string[] = [];
  for (const [field, value] of [
    ['request.url', url],
    ['request.baseUrl', baseUrl],
  ] as const) {
    if (typeof value === 'string') warnings.push(...userinfoWarning(value, field), ...queryWarnings(value, field));
  }
  if (params !== null && typeof params === 'object') {
    for (const [name, value] of Object.entries(params as Record<string, unknown>)) {
      if (SECRET_PARAMS.includes(name.toLowerCase()) && typeof value === 'string' && isLiteral(value) && !value.includes('{key}')) {
        warnings.push(
          `request.params.${name}: holds a literal secret; use "{env.${envNameFor(name)}}" and set ${envNameFor(name)} in the environment`,
        );
      }
    }
  }
  if (headers !== null && typeof headers === 'object') {
    for (const [name, value] of Object.entries(headers as Record<string, unknown>)) {
      const lower = name.toLowerCase();
      const secretName = SECRET_HEADERS.includes(lower) || SECRET_HEADER_WORDS.some((w) => lower.includes(w));
      if (secretName && typeof value === 'string' && isLiteral(value)) {
        const env = envNameFor(lower === 'authorization' ? 'api_token' : name);
        const example = lower === 'authorization' ? `"Bearer {env.${env}}"` : `"{env.${env}}"`;
        warnings.push(`request.headers.${name}: holds a literal credential; use ${example} and set ${env} in the environment`);
      }
    }
  }
  return warnings;
}
