import { BODY_FAULTS } from './bodyFaults';
import type { MockApiOptions } from './options';
import { RETRY_AFTER_FORMS } from './retryAfter';
import type { StormOptions } from './storm';

/**
 * The one table of command-line settings: flag, environment variable and meaning of each
 * option. Parsing and `--help` both read it. Precedence: defaults < environment < flags.
 */

export type Kind = 'integer' | 'number' | 'string' | 'json' | 'list' | 'boolean' | 'quota';

export interface Setting {
  option: keyof MockApiOptions;
  /** Set for a field of an object option: `--storm-status` sets `storm.status`. */
  field?: keyof StormOptions;
  flag: string;
  env: string;
  kind: Kind;
  help: string;
  /** Boolean flags take no value: passing the flag sets the option to this. */
  flagSets?: boolean;
}

const FORMS = RETRY_AFTER_FORMS.join('|');

export const SETTINGS: readonly Setting[] = [
  { option: 'port', flag: 'port', env: 'MOCK_API_PORT', kind: 'integer', help: 'TCP port; 0 picks a free one' },
  { option: 'host', flag: 'host', env: 'MOCK_API_HOST', kind: 'string', help: 'interface to bind' },
  { option: 'latencyMs', flag: 'latency-ms', env: 'MOCK_API_LATENCY_MS', kind: 'number', help: 'delay before each API answer, in ms' },
  {
    option: 'errorRate',
    flag: 'error-rate',
    env: 'MOCK_API_ERROR_RATE',
    kind: 'number',
    help: 'fraction 0..1 of requests answered 500, deterministic per key+attempt+seed',
  },
  { option: 'seed', flag: 'seed', env: 'MOCK_API_SEED', kind: 'integer', help: 'seed of the error-rate and reset-rate draws' },
  {
    option: 'outcomes',
    flag: 'outcomes-json',
    env: 'MOCK_API_OUTCOMES',
    kind: 'json',
    help: `scripted answers per key, e.g. '{"00000A":[500,500,"ok"]}'`,
  },
  {
    option: 'invalidSymbols',
    flag: 'invalid-symbols',
    env: 'MOCK_API_INVALID_SYMBOLS',
    kind: 'list',
    help: 'comma-separated stock symbols answered as invalid',
  },
  {
    option: 'trackKeys',
    flag: 'no-track-keys',
    env: 'MOCK_API_TRACK_KEYS',
    kind: 'boolean',
    flagSets: false,
    help: 'do not count requests per key (saves memory)',
  },
  {
    option: 'recordArrivals',
    flag: 'record-arrivals',
    env: 'MOCK_API_RECORD_ARRIVALS',
    kind: 'boolean',
    flagSets: true,
    help: 'keep arrival times and keys of requests',
  },
  {
    option: 'quota',
    flag: 'quota',
    env: 'MOCK_API_QUOTA',
    kind: 'quota',
    help: `sliding-window rate limit LIMIT/WINDOW_MS:MODE[:RETRY_AFTER], e.g. 5/60000:body; MODE body|429|503, RETRY_AFTER ${FORMS}`,
  },
  {
    option: 'quotas',
    flag: 'quotas',
    env: 'MOCK_API_QUOTAS',
    kind: 'json',
    help: `more rate limits, all enforced, e.g. '[{"limit":25,"windowMs":86400000,"mode":"429"}]'`,
  },
  {
    option: 'unannouncedPerSecond',
    flag: 'unannounced-per-second',
    env: 'MOCK_API_UNANNOUNCED_PER_SECOND',
    kind: 'integer',
    help: 'serve at most N calls in any sliding second, the rest get 429 without Retry-After (change it with POST /__mock/options)',
  },
  {
    option: 'quotaBodyField',
    flag: 'quota-body-field',
    env: 'MOCK_API_QUOTA_BODY_FIELD',
    kind: 'string',
    help: 'field of the /query throttle body in mode body: Note|Information',
  },
  {
    option: 'storm',
    field: 'status',
    flag: 'storm-status',
    env: 'MOCK_API_STORM_STATUS',
    kind: 'integer',
    help: 'status of every API answer during a storm; any --storm-* setting starts one',
  },
  {
    option: 'storm',
    field: 'fromMs',
    flag: 'storm-from-ms',
    env: 'MOCK_API_STORM_FROM_MS',
    kind: 'number',
    help: 'storm starts this many ms after start',
  },
  {
    option: 'storm',
    field: 'durationMs',
    flag: 'storm-duration-ms',
    env: 'MOCK_API_STORM_DURATION_MS',
    kind: 'number',
    help: 'storm length, in ms',
  },
  {
    option: 'storm',
    field: 'retryAfter',
    flag: 'storm-retry-after',
    env: 'MOCK_API_STORM_RETRY_AFTER',
    kind: 'string',
    help: `Retry-After during a storm: ${FORMS}`,
  },
  {
    option: 'resetRate',
    flag: 'reset-rate',
    env: 'MOCK_API_RESET_RATE',
    kind: 'number',
    help: 'fraction 0..1 of requests whose socket is destroyed unanswered, deterministic',
  },
  {
    option: 'slowBodyMs',
    flag: 'slow-body-ms',
    env: 'MOCK_API_SLOW_BODY_MS',
    kind: 'number',
    help: 'send the second half of each body this many ms after the first',
  },
  {
    option: 'bodyFault',
    flag: 'body-fault',
    env: 'MOCK_API_BODY_FAULT',
    kind: 'string',
    help: `hostile answer to every unscripted request: ${BODY_FAULTS.join('|')}`,
  },
  { option: 'hugeBodyBytes', flag: 'huge-body-bytes', env: 'MOCK_API_HUGE_BODY_BYTES', kind: 'integer', help: 'size of a hugeBody answer' },
  {
    option: 'gzipBombBytes',
    flag: 'gzip-bomb-bytes',
    env: 'MOCK_API_GZIP_BOMB_BYTES',
    kind: 'integer',
    help: 'bytes a gzipBomb inflates to',
  },
];
