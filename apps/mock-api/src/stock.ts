import type { QuotaBodyField } from './quota';
import { globalQuote, overview, timeSeriesDaily } from './stockData';

/**
 * Alpha Vantage's `GET /query`. Like the real service, every mistake is a 200 whose body
 * holds an `Error Message`: clients must validate bodies, not just statuses.
 */

const SYMBOL = /^[A-Z0-9.-]{1,10}$/;

const FUNCTIONS: Readonly<Record<string, (symbol: string) => string>> = {
  OVERVIEW: overview,
  GLOBAL_QUOTE: globalQuote,
  TIME_SERIES_DAILY: timeSeriesDaily,
};

const errorMessage = (message: string) => JSON.stringify({ 'Error Message': message });

export const MISSING_API_KEY_BODY = errorMessage(
  'the parameter apikey is invalid or missing. Please claim your free API key on (https://www.alphavantage.co/support/#api-key). It should take less than 20 seconds.',
);

export const invalidCallBody = (fn: string) =>
  errorMessage(`Invalid API call. Please retry or visit the documentation (https://www.alphavantage.co/documentation/) for ${fn}.`);

/** A symbol gets data iff it looks like a ticker and is not listed as invalid. */
export function isValidSymbol(symbol: string, invalidSymbols: ReadonlySet<string>): boolean {
  return SYMBOL.test(symbol) && !invalidSymbols.has(symbol);
}

/** The JSON body for `GET /query?function=...&symbol=...&apikey=...`. */
export function stockBody(params: URLSearchParams, invalidSymbols: ReadonlySet<string>): string {
  if (!params.get('apikey')) return MISSING_API_KEY_BODY;
  const fn = params.get('function') ?? '';
  const generate = Object.hasOwn(FUNCTIONS, fn) ? FUNCTIONS[fn] : undefined;
  if (generate === undefined) return errorMessage(`This API function (${fn}) does not exist.`);
  const symbol = params.get('symbol') ?? '';
  return isValidSymbol(symbol, invalidSymbols) ? generate(symbol) : invalidCallBody(fn);
}

const THROTTLE_TEXT: Readonly<Record<QuotaBodyField, string>> = {
  Note: 'Thank you for using Alpha Vantage! Our standard API call frequency is 5 calls per minute and 25 calls per day. Please visit https://www.alphavantage.co/premium/ if you would like to target a higher API call frequency.',
  Information:
    'Thank you for using Alpha Vantage! Our standard API rate limit is 25 requests per day. Please subscribe to any of the premium plans at https://www.alphavantage.co/premium/ to instantly remove all daily rate limits.',
};

/** Alpha Vantage's answer (status 200) to a call over its quota: `{"Note": …}` or, lately, `{"Information": …}`. */
export const throttleBody = (field: QuotaBodyField): string => JSON.stringify({ [field]: THROTTLE_TEXT[field] });
