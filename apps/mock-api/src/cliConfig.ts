import { parseArgs } from 'node:util';
import { ConfigError, toError } from '@sluice/core';
import { DEFAULT_MOCK_API_OPTIONS, type MockApiOptions, optionProblems } from './options';

/**
 * The one table of command-line settings: flag, environment variable and meaning of each
 * option. Parsing and `--help` both read it. Precedence: defaults < environment < flags.
 */

type Kind = 'integer' | 'number' | 'string' | 'json' | 'list' | 'boolean';

interface Setting {
  option: keyof MockApiOptions;
  flag: string;
  env: string;
  kind: Kind;
  help: string;
  /** Boolean flags take no value: passing the flag sets the option to this. */
  flagSets?: boolean;
}

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
  { option: 'seed', flag: 'seed', env: 'MOCK_API_SEED', kind: 'integer', help: 'seed of the error-rate draw' },
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
    help: 'keep arrival times of requests',
  },
];

const BOOLEAN_WORDS: Readonly<Record<string, boolean>> = { true: true, '1': true, yes: true, false: false, '0': false, no: false };

/** Turns one raw string into the option's type; `undefined` means it could not. */
function convert(kind: Kind, raw: string): unknown {
  const text = raw.trim();
  switch (kind) {
    case 'integer':
    case 'number': {
      const n = text === '' ? Number.NaN : Number(text);
      return Number.isNaN(n) ? undefined : n;
    }
    case 'string':
      return raw;
    case 'list':
      return text === '' ? [] : text.split(',').map((s) => s.trim());
    case 'boolean':
      return Object.hasOwn(BOOLEAN_WORDS, text.toLowerCase()) ? BOOLEAN_WORDS[text.toLowerCase()] : undefined;
    case 'json':
      try {
        return JSON.parse(text);
      } catch {
        return undefined;
      }
  }
}

const label = (s: Setting) => `--${s.flag} / ${s.env}`;

export interface MockApiCliConfig {
  help: boolean;
  options: MockApiOptions;
}

/** Reads flags and environment; throws one ConfigError listing every problem. */
export function parseMockApiConfig(argv: readonly string[], env: Readonly<Record<string, string | undefined>>): MockApiCliConfig {
  const flagSpec = Object.fromEntries(SETTINGS.map((s) => [s.flag, { type: s.flagSets === undefined ? 'string' : 'boolean' } as const]));
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({ args: [...argv], options: { ...flagSpec, help: { type: 'boolean', short: 'h' } }, strict: true }));
  } catch (thrown) {
    const message = toError(thrown).message;
    throw new ConfigError(`${message} (see --help)`, [message], { cause: thrown });
  }
  if (values.help === true) return { help: true, options: {} };

  const problems: string[] = [];
  const options: Record<string, unknown> = {};
  for (const setting of SETTINGS) {
    const flag = values[setting.flag];
    const fromFlag = typeof flag === 'boolean' ? (flag ? setting.flagSets : undefined) : flag;
    const raw = fromFlag ?? env[setting.env];
    if (raw === undefined) continue;
    const value = typeof raw === 'string' ? convert(setting.kind, raw) : raw;
    if (value === undefined) problems.push(`${label(setting)}: cannot read ${JSON.stringify(raw)} as ${setting.kind}`);
    else problems.push(...optionProblems({ [setting.option]: value }).map((p) => `${label(setting)}: ${p}`));
    options[setting.option] = value;
  }
  if (problems.length > 0) throw new ConfigError(`invalid mock API settings:\n  ${problems.join('\n  ')}`, problems);
  return { help: false, options: options as MockApiOptions };
}

/** `--help` text, generated from {@link SETTINGS} so it cannot drift from the parser. */
export function mockApiHelp(): string {
  const rows = SETTINGS.map((s) => {
    const flag = `--${s.flag}${s.flagSets === undefined ? ` <${s.kind}>` : ''}`;
    const fallback = s.flagSets === undefined ? ` (default ${JSON.stringify(DEFAULT_MOCK_API_OPTIONS[s.option])})` : '';
    return `  ${flag.padEnd(28)}${s.env.padEnd(27)}${s.help}${fallback}`;
  });
  return [
    'Usage: mock-api [options]',
    '',
    'Serves emulations of thecolorapi.com (GET /id?hex=RRGGBB) and Alpha Vantage',
    '(GET /query?function=OVERVIEW|GLOBAL_QUOTE|TIME_SERIES_DAILY&symbol=SYM&apikey=K),',
    'plus GET /__mock/stats and POST /__mock/reset. Flags override environment variables.',
    '',
    'Options:',
    ...rows,
    `  ${'-h, --help'.padEnd(55)}show this help`,
    '',
  ].join('\n');
}
