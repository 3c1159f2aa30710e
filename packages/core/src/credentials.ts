import { z } from 'zod';
import { ConfigError, RequestError } from './errors';
import { nonNegativeInt, regexString } from './schemaParts';

/**
 * Credential pools: several API keys for one crawl, each with its own windows. The values come
 * only from the environment; a credential is named by its environment variable everywhere
 * (Redis keys, the request log, status, logs), never by its value.
 */

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const envName = z.string().regex(ENV_NAME, { error: 'expected an environment variable name (A-Z a-z 0-9 _)' });

const credentialLabel = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9 ._-]{0,39}$/, {
  error: 'expected 1-40 characters from A-Z a-z 0-9 space . _ - (starting with a letter or digit)',
});

const windowFields = {
  /** Requests per second with this credential, across all workers. `0` (default) means unlimited. */
  perSecond: nonNegativeInt('a number ≥ 0').default(0),
  /** Requests per minute with this credential. `0` (default) means unlimited. */
  perMinute: nonNegativeInt('a number ≥ 0').default(0),
  /** Requests per hour with this credential. `0` (default) means unlimited. */
  perHour: nonNegativeInt('a number ≥ 0').default(0),
  /** Requests per day with this credential. `0` (default) means unlimited. */
  perDay: nonNegativeInt('a number ≥ 0').default(0),
  /** Requests in flight with this credential across all workers. `0` (default) means no cap. */
  concurrency: nonNegativeInt('a number ≥ 0').default(0),
};

export const credentialLimitsSchema = z.strictObject(windowFields);

const overrideField = () => nonNegativeInt('a number ≥ 0').optional();
const credentialLimitsOverride = z.strictObject({
  perSecond: overrideField(),
  perMinute: overrideField(),
  perHour: overrideField(),
  perDay: overrideField(),
  concurrency: overrideField(),
});

export const retireWhenSchema = z.strictObject({
  /** Answers with one of these statuses retire the credential they were sent with. Default `[401]`. */
  statuses: z.array(z.number().int().min(400).max(599, { error: 'expected a status 400..599' })).default([401]),
  /** A body (any status) matching this regular expression (case-insensitive) retires the credential. Default none. */
  bodyMatches: regexString().optional(),
});

export const credentialsSchema = z.strictObject({
  /** Environment variables holding the credentials, one each; `{credential}` stands for the chosen one's value. */
  env: z
    .array(envName)
    .min(1, { error: 'expected at least one environment variable name' })
    .refine((names) => new Set(names).size === names.length, { error: 'expected each name once' }),
  /** Each credential's own windows (the crawl's `limits` still apply on top). Default: unlimited. */
  limits: credentialLimitsSchema.default(credentialLimitsSchema.parse({})),
  /** Per credential, by its variable name: limits that differ from `limits` (e.g. a paid key). Default none. */
  overrides: z.record(envName, z.strictObject({ limits: credentialLimitsOverride.default({}) })).default({}),
  /** Answers that say a key is invalid or revoked: the credential is retired for the crawl. */
  retireWhen: retireWhenSchema.default(retireWhenSchema.parse({})),
  /**
   * Per credential, by its variable name: a label that status, the dashboard and `/metrics`
   * show instead of the variable's name (never the value, which a label may not equal).
   * Default none.
   */
  labels: z.record(envName, credentialLabel).default({}),
});

export type CredentialsSpec = z.output<typeof credentialsSchema>;
export type CredentialLimits = z.output<typeof credentialLimitsSchema>;

/** One credential of a pool: its variable name and its own limits. */
export interface PoolCredential {
  /** The environment variable's name: how the credential is named everywhere. */
  name: string;
  /** What status, the dashboard and `/metrics` call it (`credentials.labels`), or null for its name. */
  label: string | null;
  limits: CredentialLimits;
}

/** The pool's credentials in spec order, each with its overrides applied. */
export function poolCredentials(spec: CredentialsSpec): PoolCredential[] {
  return spec.env.map((name) => {
    const override = spec.overrides[name]?.limits ?? {};
    const defined = Object.fromEntries(Object.entries(override).filter(([, v]) => v !== undefined));
    return { name, label: spec.labels[name] ?? null, limits: { ...spec.limits, ...defined } };
  });
}

/**
 * Labels that equal a credential's value here (a label is shown everywhere, a value never):
 * one problem per label, with its field path.
 */
export function labelsShowingValues(spec: CredentialsSpec, env: NodeJS.ProcessEnv): string[] {
  const values = new Set(spec.env.map((n) => env[n]).filter((v): v is string => typeof v === 'string' && v.length > 0));
  return Object.entries(spec.labels)
    .filter(([, label]) => values.has(label))
    .map(([name]) => `credentials.labels.${name}: must not be a credential's value`);
}

/** Problems between `credentials` and the rest of the spec, each with its field path. */
export function credentialProblems(credentials: CredentialsSpec | undefined, url: string, headers: Record<string, string>): string[] {
  const uses = url.includes('{credential}') || Object.values(headers).some((v) => v.includes('{credential}'));
  if (!credentials) return uses ? ['request.url: {credential} needs a credentials pool (credentials.env)'] : [];
  const problems: string[] = [];
  if (!uses) problems.push('credentials: {credential} appears in neither request.url nor request.headers');
  for (const name of Object.keys(credentials.overrides)) {
    if (!credentials.env.includes(name)) problems.push(`credentials.overrides.${name}: not one of credentials.env`);
  }
  const seen = new Set<string>();
  for (const [name, label] of Object.entries(credentials.labels)) {
    if (!credentials.env.includes(name)) problems.push(`credentials.labels.${name}: not one of credentials.env`);
    if (seen.has(label)) problems.push(`credentials.labels.${name}: label "${label}" is used twice`);
    else if (credentials.env.includes(label) && label !== name)
      problems.push(`credentials.labels.${name}: label "${label}" is another credential's name`);
    seen.add(label);
  }
  return problems;
}

/** True when an answer says the credential it was sent with is invalid or revoked. */
export function credentialRejected(retireWhen: CredentialsSpec['retireWhen'], status: number, body: string): boolean {
  if (retireWhen.statuses.includes(status)) return true;
  return retireWhen.bodyMatches !== undefined && new RegExp(retireWhen.bodyMatches, 'i').test(body);
}

/**
 * Every credential of the pool was retired (the API said each is invalid or revoked): the crawl
 * stops, with its pending keys left pending (none is counted as failed).
 */
export class CredentialsExhaustedError extends ConfigError {
  override name = 'CredentialsExhaustedError';
}

/**
 * The API said the credential a request went out with is invalid or revoked: the credential is
 * retired and the key goes on with another one, without using an attempt. Its message never
 * holds the answer's body (which may quote the key).
 */
export class CredentialRejectedError extends RequestError {
  override name = 'CredentialRejectedError';
  constructor(
    /** The credential's name (its environment variable). */
    readonly credential: string,
    status: number,
  ) {
    super(`the API rejected credential ${credential} as invalid or revoked (HTTP ${status})`, status);
  }
}
