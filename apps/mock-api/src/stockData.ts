import { fnv1a32, mulberry32 } from './hash';

/**
 * Deterministic fake market data, one generator per Alpha Vantage function. Numbers are
 * strings with fixed decimals, as Alpha Vantage sends them. Dates are fixed rather than
 * "today" so that bodies never change between runs.
 */

const FIRST = [
  'Acme',
  'Northwind',
  'Globex',
  'Initech',
  'Umbrella',
  'Stark',
  'Wayne',
  'Tyrell',
  'Cyberdyne',
  'Soylent',
  'Hooli',
  'Vandelay',
];
const SECOND = ['Data', 'Energy', 'Foods', 'Motors', 'Systems', 'Pharma', 'Capital', 'Networks', 'Materials', 'Logistics'];
const SUFFIX = ['Inc', 'Corp', 'Holdings', 'Group', 'Ltd', 'PLC'];

/** The trading days of every daily series, newest first (a Monday-to-Friday week). */
export const TRADING_DAYS = ['2024-06-14', '2024-06-13', '2024-06-12', '2024-06-11', '2024-06-10'] as const;

const pick = (list: readonly string[], n: number) => list[n % list.length] as string;
const money = (n: number) => n.toFixed(4);

/** The same symbol always gets the same company and the same base price. */
function company(symbol: string) {
  const hash = fnv1a32(symbol);
  const random = mulberry32(hash);
  return {
    random,
    name: `${pick(FIRST, hash)} ${pick(SECOND, hash >>> 8)} ${pick(SUFFIX, hash >>> 16)}`,
    price: 10 + Math.floor(random() * 49_000) / 100,
  };
}

export function overview(symbol: string): string {
  const { random, name, price } = company(symbol);
  const shares = 10_000_000 + Math.floor(random() * 5_000_000_000);
  const peRatio = 5 + Math.floor(random() * 4_000) / 100;
  return JSON.stringify({
    Symbol: symbol,
    AssetType: 'Common Stock',
    Name: name,
    Exchange: 'NYSE',
    Currency: 'USD',
    MarketCapitalization: String(Math.round(price * shares)),
    PERatio: peRatio.toFixed(2),
    EPS: (price / peRatio).toFixed(2),
    DividendYield: (Math.floor(random() * 600) / 10_000).toFixed(4),
  });
}

function day(random: () => number, base: number) {
  const open = base * (0.98 + random() * 0.04);
  const close = base * (0.98 + random() * 0.04);
  return {
    open,
    high: Math.max(open, close) * (1 + random() * 0.01),
    low: Math.min(open, close) * (1 - random() * 0.01),
    close,
    volume: String(100_000 + Math.floor(random() * 20_000_000)),
  };
}

export function globalQuote(symbol: string): string {
  const { random, price } = company(symbol);
  const today = day(random, price);
  const previousClose = price;
  const change = today.close - previousClose;
  return JSON.stringify({
    'Global Quote': {
      '01. symbol': symbol,
      '02. open': money(today.open),
      '03. high': money(today.high),
      '04. low': money(today.low),
      '05. price': money(today.close),
      '06. volume': today.volume,
      '07. latest trading day': TRADING_DAYS[0],
      '08. previous close': money(previousClose),
      '09. change': money(change),
      '10. change percent': `${((change / previousClose) * 100).toFixed(4)}%`,
    },
  });
}

export function timeSeriesDaily(symbol: string): string {
  const { random, price } = company(symbol);
  const series: Record<string, Record<string, string>> = {};
  for (const date of TRADING_DAYS) {
    const d = day(random, price);
    series[date] = {
      '1. open': money(d.open),
      '2. high': money(d.high),
      '3. low': money(d.low),
      '4. close': money(d.close),
      '5. volume': d.volume,
    };
  }
  return JSON.stringify({
    'Meta Data': {
      '1. Information': 'Daily Prices (open, high, low, close) and Volumes',
      '2. Symbol': symbol,
      '3. Last Refreshed': TRADING_DAYS[0],
      '4. Output Size': 'Compact',
      '5. Time Zone': 'US/Eastern',
    },
    'Time Series (Daily)': series,
  });
}
