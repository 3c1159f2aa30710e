import { parseArgs } from 'node:util';
import { ConfigError, toError } from '@sluice/core';
import { type Kind, SETTINGS, type Setting } from './cliSettings';
import { DEFAULT_MOCK_API_OPTIONS, type MockApiOptions, optionProblems } from './options';
import { STORM_DEFAULTS } from './storm';

export { SETTINGS } from './cliSettings';

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
    case 'quota':
      return parseQuota(text);
  }
}

const QUOTA_SYNTAX = /^(\d+)\/(\d+(?:\.\d+)?)(?::([\w-]+))?(?::([\w-]+))?$/;

/** `5/60000:body` or `25/86400000:429:http-date`; a missing MODE is left for validation to report. */
function parseQuota(text: string): Record<string, unknown> | undefined {
  const match = QUOTA_SYNTAX.exec(text);
  if (match === null) return undefined;
  const [, limit, windowMs, mode, retryAfter] = match;
  const quota: Record<string, unknown> = { limit: Number(limit), windowMs: Number(windowMs), mode };
  if (retryAfter !== undefined) quota.retryAfter = retryAfter;
  return quota;
}

const KIND_NAMES: Readonly<Record<Kind, string>> = {
  integer: 'integer',
  number: 'number',
  string: 'string',
  json: 'json',
  list: 'list',
  boolean: 'boolean',
  quota: 'LIMIT/WINDOW_MS:MODE[:RETRY_AFTER]',
};

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
    if (value === undefined) {
      problems.push(`${label(setting)}: cannot read ${JSON.stringify(raw)} as ${KIND_NAMES[setting.kind]}`);
      continue;
    }
    // A field setting builds its object option one field at a time, each checked on its own.
    const option = setting.field === undefined ? value : { [setting.field]: value };
    problems.push(...optionProblems({ [setting.option]: option }).map((p) => `${label(setting)}: ${p}`));
    options[setting.option] = setting.field === undefined ? value : { ...(options[setting.option] as object), ...option };
  }
  if (problems.length > 0) throw new ConfigError(`invalid mock API settings:\n  ${problems.join('\n  ')}`, problems);
  return { help: false, options: options as MockApiOptions };
}

function defaultText(setting: Setting): string {
  const value = setting.field === undefined ? DEFAULT_MOCK_API_OPTIONS[setting.option] : STORM_DEFAULTS[setting.field];
  return value === Number.POSITIVE_INFINITY ? 'endless' : JSON.stringify(value);
}

/** `--help` text, generated from {@link SETTINGS} so it cannot drift from the parser. */
export function mockApiHelp(): string {
  const rows = SETTINGS.map((s) => {
    const flag = `--${s.flag}${s.flagSets === undefined ? ` <${s.kind}>` : ''}`;
    const fallback = s.flagSets === undefined ? ` (default ${defaultText(s)})` : '';
    return `  ${flag.padEnd(30)}${s.env.padEnd(27)}${s.help}${fallback}`;
  });
  return [
    'Usage: mock-api [options]',
    '',
    'Serves emulations of thecolorapi.com (GET /id?hex=RRGGBB) and Alpha Vantage',
    '(GET /query?function=OVERVIEW|GLOBAL_QUOTE|TIME_SERIES_DAILY&symbol=SYM&apikey=K),',
    'plus GET /__mock/stats and POST /__mock/reset. Flags override environment variables.',
    'Fault modes (quota, storm, reset rate, slow and hostile bodies) are described in',
    'apps/mock-api/README.md.',
    '',
    'Options:',
    ...rows,
    `  ${'-h, --help'.padEnd(57)}show this help`,
    '',
  ].join('\n');
}
