/**
 * Presets: ready-made settings for the APIs Sluice is most used with. A spec names one with
 * `"preset"`; the preset's defaults are merged under the spec (the spec wins, field by field),
 * and `request.baseUrl` + `request.params` become the URL template. Expansion happens before
 * validation, so errors still name the fields the user wrote.
 */

export const PRESET_NAMES = ['alphavantage', 'colors', 'generic'] as const;
export type PresetName = (typeof PRESET_NAMES)[number];

type Json = Record<string, unknown>;

/** Alpha Vantage: the data key that proves a body is data, per `function`. */
const ALPHAVANTAGE_DATA_KEYS: Record<string, string> = {
  OVERVIEW: 'Symbol',
  GLOBAL_QUOTE: 'Global Quote',
  TIME_SERIES_DAILY: 'Time Series (Daily)',
  TIME_SERIES_DAILY_ADJUSTED: 'Time Series (Daily)',
  TIME_SERIES_WEEKLY: 'Weekly Time Series',
  TIME_SERIES_MONTHLY: 'Monthly Time Series',
  INCOME_STATEMENT: 'annualReports',
  BALANCE_SHEET: 'annualReports',
  CASH_FLOW: 'annualReports',
  EARNINGS: 'annualEarnings',
};

function alphavantage(spec: Json): Json {
  const request = (spec.request ?? {}) as Json;
  const params = (request.params ?? {}) as Json;
  const fn = typeof params.function === 'string' ? params.function : 'OVERVIEW';
  const dataKey = ALPHAVANTAGE_DATA_KEYS[fn];
  return {
    request: {
      baseUrl: 'https://www.alphavantage.co/query',
      // The preset adds the symbol and the key itself; the key stays in the environment.
      params: { function: 'OVERVIEW', symbol: '{key}', apikey: '{env.ALPHAVANTAGE_API_KEY}' },
    },
    // The free tier: 5 calls a minute, 25 a day. Paid plans override `limits` in the spec.
    limits: { concurrency: 1, perMinute: 5, perDay: 25 },
    retry: { attempts: 5, baseDelayMs: 2_000, maxDelayMs: 60_000 },
    validate: {
      keyFormat: 'symbol',
      ...(dataKey ? { requiredFields: [dataKey], ...(fn === 'OVERVIEW' ? { keyField: 'Symbol' } : {}) } : {}),
    },
    responseRules: {
      // A body with Note/Information and no data is Alpha Vantage's throttle signal.
      throttleWhenFields: ['Note', 'Information'],
      throttleBodyPauseMs: 60_000,
      // "Invalid API call" for an unknown symbol: asking again will not help.
      permanentWhenFields: ['Error Message'],
    },
  };
}

function colors(): Json {
  return {
    keys: { range: { from: 0, to: 0xffffff, format: 'hex6' } },
    request: { baseUrl: 'https://www.thecolorapi.com/id', params: { hex: '{key}' } },
    limits: { concurrency: 20 },
    // The real API silently answers black for input it does not understand (and echoes
    // `GGGGGG` in hex.clean, with rgb null): such keys are never sent, and a result counts only
    // when it is about the colour that was asked for.
    validate: { keyFormat: 'hex6', keyField: 'hex.clean', requiredFields: ['rgb'] },
  };
}

const PRESETS: Record<PresetName, (spec: Json) => Json> = { alphavantage, colors, generic: () => ({}) };

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Deep merge for plain objects: `over` wins; arrays and scalars replace. */
function merge(under: Json, over: Json): Json {
  const out: Json = { ...under };
  for (const [k, v] of Object.entries(over)) {
    out[k] = isObject(v) && isObject(out[k]) ? merge(out[k] as Json, v) : v;
  }
  return out;
}

/** Encodes the literal parts of a template value, leaving `{key}` and `{env.NAME}` intact. */
function encodeTemplateValue(value: string): string {
  return value
    .split(/(\{key\}|\{env\.[A-Za-z_][A-Za-z0-9_]*\})/)
    .map((part, i) => (i % 2 === 1 ? part : encodeURIComponent(part)))
    .join('');
}

/** Builds a URL template from `baseUrl` and `params` (values may hold placeholders). */
export function templateFromParams(baseUrl: string, params: Record<string, unknown>): string {
  const query = Object.entries(params)
    .map(([name, value]) => `${encodeURIComponent(name)}=${encodeTemplateValue(String(value))}`)
    .join('&');
  if (!query) return baseUrl;
  return `${baseUrl}${baseUrl.includes('?') ? '&' : '?'}${query}`;
}

/**
 * Applies a spec's preset (if any) and turns `request.baseUrl` + `params` into `request.url`.
 * Input that is not an object, or names an unknown preset, is returned for validation to reject.
 */
export function expandPreset(input: unknown): unknown {
  if (!isObject(input)) return input;
  const name = input.preset;
  let spec = input;
  if (typeof name === 'string' && (PRESET_NAMES as readonly string[]).includes(name)) {
    const defaults = PRESETS[name as PresetName](input);
    // A key source is one choice, not fields to blend: the spec's replaces the preset's.
    if (input.keys !== undefined) delete defaults.keys;
    spec = merge(defaults, input);
  }
  const request = spec.request;
  if (isObject(request) && request.url === undefined && typeof request.baseUrl === 'string') {
    const params = isObject(request.params) ? request.params : {};
    spec = { ...spec, request: { ...request, url: templateFromParams(request.baseUrl, params) } };
  }
  return spec;
}
