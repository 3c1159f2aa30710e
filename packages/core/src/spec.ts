import { z } from 'zod';
import { credentialProblems, credentialsSchema } from './credentials';
import { ConfigError } from './errors';
import { DEFAULT_MAX_JSON_DEPTH } from './jsonDepth';
import { KEY_FORMAT_NAMES } from './keyFormat';
import { expandPreset, PRESET_NAMES } from './presets';
import { nonNegativeInt, regexString } from './schemaParts';

/**
 * The crawl spec: what a user writes in a JSON or YAML file. Every field is documented with
 * its default; unknown fields are rejected so a typo never silently changes behaviour.
 */

const positiveInt = z
  .number({ error: 'expected an integer ≥ 1' })
  .int({ error: 'expected an integer ≥ 1' })
  .min(1, { error: 'expected an integer ≥ 1' });

const rangeKeys = z.strictObject({
  range: z
    .strictObject({
      /** First number of the range, inclusive. */
      from: nonNegativeInt('an integer ≥ 0'),
      /** Last number of the range, inclusive. */
      to: nonNegativeInt('an integer ≥ 0'),
      /** `hex6`: six upper-case hex digits (`00FF0A`); `decimal`: plain digits. Default `decimal`. */
      format: z.enum(['hex6', 'decimal']).default('decimal'),
    })
    .refine((r) => r.to >= r.from, { error: 'expected to ≥ from', path: ['to'] })
    .refine((r) => r.format !== 'hex6' || r.to <= 0xffffff, {
      error: 'expected to ≤ 16777215 (FFFFFF) for format hex6',
      path: ['to'],
    }),
});

const fileKeys = z.strictObject({
  /** Path of a key file, relative to the spec file. One key per line, or CSV with `column`. */
  file: z.string().min(1, { error: 'expected a file path' }),
  /** CSV column holding the key; the first line is the header. Absent: one key per line. */
  column: z.string().min(1).optional(),
  /** CSV only: keep rows whose columns equal these values. */
  where: z.record(z.string(), z.string()).optional(),
});

const listKeys = z.strictObject({
  /** Keys given inline. Duplicates are dropped; order is kept. */
  list: z.array(z.string().min(1, { error: 'expected a non-empty key' })).min(1, { error: 'expected at least one key' }),
});

export const keysSchema = z.union([rangeKeys, fileKeys, listKeys], {
  error: 'expected one of {"range": {...}}, {"file": "..."} or {"list": [...]}',
});

export const requestSchema = z.strictObject({
  /** URL template: `{key}` is replaced by the URL-encoded key, `{env.NAME}` by an environment variable at request time. */
  url: z
    .string({ error: 'expected a URL template (request.url, or request.baseUrl with request.params)' })
    .min(1, { error: 'expected a URL template' }),
  /** Instead of `url`: the URL without query; `params` are appended (values may use `{key}` and `{env.NAME}`). */
  baseUrl: z.string().min(1).optional(),
  /** Query parameters added to `baseUrl`. Default none. */
  params: z.record(z.string(), z.union([z.string(), z.number()])).optional(),
  /** Extra request headers; values may use `{env.NAME}`. Default none. */
  headers: z.record(z.string(), z.string()).default({}),
  /** One deadline over the whole request, body included. Default 30000. */
  timeoutMs: z.number().int().positive({ error: 'expected a number > 0' }).default(30_000),
  /** Largest accepted body, in bytes. Default 10 MiB. */
  maxBodyBytes: z
    .number()
    .int()
    .positive({ error: 'expected a number > 0' })
    .default(10 * 1024 * 1024),
});

/**
 * The adaptive per-second rate (`limits.perSecond: "auto"`): it starts at `startPerSecond`,
 * rises while answers are clean and drops on throttle answers, never leaving
 * [`floorPerSecond`, `ceilingPerSecond`]. See docs/rate-limits.md for the controller.
 */
export const adaptiveSchema = z.strictObject({
  /** The rate the crawl starts at, in requests per second: well below the API's limit. Default 5. */
  startPerSecond: positiveInt.default(5),
  /** The lowest rate the controller cuts to; throttle answers at this rate pause the crawl as usual. Default 1. */
  floorPerSecond: positiveInt.default(1),
  /** The highest rate the controller raises to. Default 1000. */
  ceilingPerSecond: positiveInt.default(1000),
  /**
   * Also treat rising answer times as a throttle signal: a second whose mean answer time is
   * more than this many times the fastest second seen so far cuts the rate. `0` (default) is off;
   * otherwise at least 1.5.
   */
  latencyFactor: z
    .number({ error: 'expected 0 or a number ≥ 1.5' })
    .refine((x) => x === 0 || x >= 1.5, { error: 'expected 0 or a number ≥ 1.5' })
    .default(0),
});

export const limitsSchema = z.strictObject({
  /** Requests in flight at once, per worker process. Default 10. `0` means unlimited (capped at 1000). */
  concurrency: nonNegativeInt('a number ≥ 0').default(10),
  /** Requests in flight at once across all worker processes (a lease in Redis each). `0` (default) means no global cap. */
  globalConcurrency: nonNegativeInt('a number ≥ 0').default(0),
  /**
   * Requests per second across all workers. `0` (default) means unlimited; `"auto"` finds an
   * unpublished limit by itself (an AIMD controller shared through Redis, see `adaptive`).
   */
  perSecond: z.union([nonNegativeInt('a number ≥ 0'), z.literal('auto')], { error: 'expected a number ≥ 0 or "auto"' }).default(0),
  /** With `perSecond: "auto"`: where the adaptive rate starts and the bounds it stays within. Default: see adaptiveSchema. */
  adaptive: adaptiveSchema.optional(),
  /** Requests per minute across all workers. `0` (default) means unlimited. */
  perMinute: nonNegativeInt('a number ≥ 0').default(0),
  /** Requests per hour across all workers. `0` (default) means unlimited. */
  perHour: nonNegativeInt('a number ≥ 0').default(0),
  /** Requests per day across all workers. `0` (default) means unlimited. */
  perDay: nonNegativeInt('a number ≥ 0').default(0),
});

export const retrySchema = z.strictObject({
  /** Attempts per key for transient errors, the first included. Default 5. */
  attempts: z.number().int().min(1, { error: 'expected a number ≥ 1' }).default(5),
  /** Backoff base: the first retry waits up to this long. Default 200. */
  baseDelayMs: nonNegativeInt('a number ≥ 0').default(200),
  /** Backoff ceiling. Default 30000. */
  maxDelayMs: nonNegativeInt('a number ≥ 0').default(30_000),
  /** Consecutive throttle answers for one key before it fails. Default 50. */
  maxThrottles: z.number().int().min(1, { error: 'expected a number ≥ 1' }).default(50),
});

export const validateSchema = z.strictObject({
  /** Dotted paths that must be present, and not `null`, in the JSON body. Default none. */
  requiredFields: z.array(z.string().min(1)).default([]),
  /** Dotted path whose value must equal the key, e.g. `hex.clean`. Default none. */
  keyField: z.string().min(1).optional(),
  /**
   * What a well-formed key looks like: `hex6` (six hex digits), `symbol` (1–15 letters, digits,
   * `.` or `-`, see keyFormat.ts) or `{"pattern": "<regular expression>"}` for the whole key.
   * A key that does not fit fails at once as an invalid key, without a request. Default none
   * (the `colors` preset sets `hex6`, `alphavantage` sets `symbol`).
   */
  keyFormat: z
    .union([z.enum(KEY_FORMAT_NAMES), z.strictObject({ pattern: regexString('u') })], {
      error: `expected one of ${KEY_FORMAT_NAMES.join(', ')} or {"pattern": "<regular expression>"}`,
    })
    .optional(),
  /**
   * Deepest nesting of arrays and objects accepted in a body; a deeper body fails its key
   * before it is parsed (parsing a nesting bomb costs ~100 bytes of memory per byte). Default 1000.
   */
  maxDepth: z.number().int().min(1, { error: 'expected a number ≥ 1' }).default(DEFAULT_MAX_JSON_DEPTH),
});

export const queueTuningSchema = z.strictObject({
  /** Keys per queue job. Redis cost is paid per job, so bigger batches cost less. Default 100. */
  batchSize: z.number().int().min(1).max(10_000).default(100),
  /** Most jobs waiting in Redis; bounds Redis memory whatever the crawl size. Default 64. */
  highWater: z.number().int().min(1).default(64),
  /** The producer refills when fewer jobs than this wait. Default half of highWater. */
  lowWater: z.number().int().min(0).optional(),
});

export const storageSchema = z.strictObject({
  /**
   * Store response bodies compressed (deflate with a dictionary built from the crawl's first
   * bodies, kept in the ledger). Export, status and library reads see the bodies unchanged.
   * Fixed when the crawl is created. Default false.
   */
  compress: z.boolean().default(false),
});

export const responseRulesSchema = z.strictObject({
  /**
   * A 2xx body that has any of these top-level fields is a throttle signal (the crawl pauses,
   * no attempt is used) — unless it also has every `validate.requiredFields` (then it is data).
   * Alpha Vantage: `["Note", "Information"]`. Default none.
   */
  throttleWhenFields: z.array(z.string().min(1)).default([]),
  /** A 2xx body matching this regular expression (case-insensitive) is a throttle signal. Default none. */
  throttleWhenBodyMatches: regexString().optional(),
  /** How long to pause on a body throttle signal, which carries no Retry-After. Default 60000. */
  throttleBodyPauseMs: z.number().int().min(0).default(60_000),
  /** A 2xx body with any of these top-level fields fails the key at once (e.g. `["Error Message"]`). Default none. */
  permanentWhenFields: z.array(z.string().min(1)).default([]),
});

export const breakerSchema = z.strictObject({
  /** Open the circuit when at least this share of recent attempts failed transiently. Default 0.5. */
  failureRatio: z.number().min(0.01).max(1).default(0.5),
  /** …and at least this many attempts were seen in the window. Default 20. */
  minAttempts: z.number().int().min(1).default(20),
  /** …or open at once after this many transient failures in a row (a sudden outage). Default 10. */
  consecutiveFailures: z.number().int().min(1).default(10),
  /** Length of the window of recent attempts, in ms. Default 10000. */
  windowMs: z.number().int().min(100).default(10_000),
  /** Longest time the circuit stays open before a probe, in ms (it starts at 1 s and doubles). Default 5000. */
  maxOpenMs: z.number().int().min(100).default(5_000),
});

export const crawlSpecSchema = z.strictObject({
  /** Ready-made settings for a known API (see presets.ts): `alphavantage`, `colors` or `generic`. */
  preset: z.enum(PRESET_NAMES, { error: `expected one of ${PRESET_NAMES.join(', ')}` }).optional(),
  /** Unique crawl name; `run` finds an existing crawl by it. */
  name: z
    .string({ error: 'expected a name' })
    .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/, { error: 'expected 1-100 characters from A-Z a-z 0-9 . _ -' }),
  keys: keysSchema,
  request: requestSchema,
  limits: limitsSchema.default(limitsSchema.parse({})),
  /**
   * A pool of API keys, each from an environment variable and with its own windows; a request
   * goes out on whichever has room first, `{credential}` standing for its value in the URL
   * and headers. Default none. See docs/rate-limits.md.
   */
  credentials: credentialsSchema.optional(),
  retry: retrySchema.default(retrySchema.parse({})),
  validate: validateSchema.default(validateSchema.parse({})),
  queue: queueTuningSchema.default(queueTuningSchema.parse({})),
  /** How results are stored in the ledger. */
  storage: storageSchema.default(storageSchema.parse({})),
  /** Body rules that turn a 2xx answer into a throttle signal or a permanent failure. */
  responseRules: responseRulesSchema.default(responseRulesSchema.parse({})),
  /** Circuit breaker over transient errors (5xx, connection errors, timeouts). */
  breaker: breakerSchema.default(breakerSchema.parse({})),
});

export type CrawlSpecInput = z.input<typeof crawlSpecSchema>;
export type CrawlSpec = z.output<typeof crawlSpecSchema>;
export type KeysSpec = CrawlSpec['keys'];
export type Limits = CrawlSpec['limits'];
/** The adaptive rate's settings with every default filled in. */
export type AdaptiveSettings = z.output<typeof adaptiveSchema>;
export type RetryPolicy = CrawlSpec['retry'];
export type RequestTemplateSpec = CrawlSpec['request'];
export type ValidationRules = CrawlSpec['validate'];
export type ResponseRules = CrawlSpec['responseRules'];
export type BreakerPolicy = CrawlSpec['breaker'];
export type StorageOptions = CrawlSpec['storage'];
export type { CredentialsSpec } from './credentials';

/** Formats one schema issue as `path.to.field: message`. */
function formatIssue(issue: z.core.$ZodIssue): string[] {
  if (issue.code === 'invalid_union') {
    // A failed union only says "expected one of"; when exactly one branch fits the input's
    // shape (no problem at its root), that branch's problems name the field to fix.
    const fitting = issue.errors.filter((branch) => branch.every((i) => i.path.length > 0));
    if (fitting.length === 1) return (fitting[0] ?? []).flatMap((i) => formatIssue({ ...i, path: [...issue.path, ...i.path] }));
  }
  const path = issue.path.map(String).join('.');
  return [path ? `${path}: ${issue.message}` : issue.message];
}

/**
 * Validates a parsed spec object and reports every problem at once, each with its field path.
 * @throws ConfigError listing all problems.
 */
export function parseCrawlSpec(input: unknown, source = 'spec'): CrawlSpec {
  const parsed = crawlSpecSchema.safeParse(expandPreset(input));
  if (!parsed.success) {
    const problems = parsed.error.issues.flatMap(formatIssue);
    throw new ConfigError(`${source} is invalid:\n  ${problems.join('\n  ')}`, problems);
  }
  const spec = parsed.data;
  const problems = crossFieldProblems(spec);
  if (problems.length > 0) throw new ConfigError(`${source} is invalid:\n  ${problems.join('\n  ')}`, problems);
  return spec;
}

function crossFieldProblems(spec: CrawlSpec): string[] {
  const problems: string[] = [];
  if (spec.retry.maxDelayMs < spec.retry.baseDelayMs) problems.push('retry.maxDelayMs: expected a number ≥ retry.baseDelayMs');
  const low = spec.queue.lowWater;
  if (low !== undefined && low >= spec.queue.highWater) problems.push('queue.lowWater: expected a number < queue.highWater');
  if ('where' in spec.keys && spec.keys.where && !spec.keys.column) problems.push('keys.where: needs keys.column (CSV input)');
  problems.push(...credentialProblems(spec.credentials, spec.request.url, spec.request.headers));
  problems.push(...adaptiveProblems(spec.limits));
  return problems;
}

function adaptiveProblems(limits: Limits): string[] {
  const { adaptive } = limits;
  if (adaptive === undefined) return [];
  if (limits.perSecond !== 'auto') return ['limits.adaptive: needs limits.perSecond "auto"'];
  const problems: string[] = [];
  if (adaptive.floorPerSecond > adaptive.ceilingPerSecond)
    problems.push('limits.adaptive.floorPerSecond: expected a number ≤ limits.adaptive.ceilingPerSecond');
  if (adaptive.startPerSecond < adaptive.floorPerSecond || adaptive.startPerSecond > adaptive.ceilingPerSecond)
    problems.push('limits.adaptive.startPerSecond: expected a number between floorPerSecond and ceilingPerSecond');
  return problems;
}

/** The adaptive rate's settings when `limits.perSecond` is `"auto"` (defaults filled in), else null. */
export function adaptiveSettings(limits: Limits): AdaptiveSettings | null {
  if (limits.perSecond !== 'auto') return null;
  return limits.adaptive ?? adaptiveSchema.parse({});
}

/** The fixed per-second limit: `0` when there is none or when it is adaptive (`"auto"`). */
export function fixedPerSecond(limits: Limits): number {
  return limits.perSecond === 'auto' ? 0 : limits.perSecond;
}

/** Effective concurrency: `0` means unlimited, which we cap to keep sockets and memory sane. */
export function effectiveConcurrency(limits: Limits): number {
  return limits.concurrency === 0 ? 1000 : limits.concurrency;
}
