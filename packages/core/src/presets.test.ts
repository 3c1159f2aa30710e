import { templateFromParams } from './presets';
import { parseCrawlSpec } from './spec';

describe('presets', () => {
  test('alphavantage adds symbol, apikey from the environment, free-tier limits and throttle rules', () => {
    const spec = parseCrawlSpec({
      name: 'av-overview',
      preset: 'alphavantage',
      keys: { file: 'symbols.txt' },
      request: { baseUrl: 'https://www.alphavantage.co/query', params: { function: 'OVERVIEW' } },
      limits: { perMinute: 5, perDay: 25 },
    });
    expect(spec.request.url).toBe('https://www.alphavantage.co/query?function=OVERVIEW&symbol={key}&apikey={env.ALPHAVANTAGE_API_KEY}');
    expect(spec.limits).toMatchObject({ concurrency: 1, perMinute: 5, perDay: 25 });
    expect(spec.responseRules).toMatchObject({ throttleWhenFields: ['Note', 'Information'], permanentWhenFields: ['Error Message'] });
    expect(spec.validate).toEqual({ keyFormat: 'symbol', requiredFields: ['Symbol'], keyField: 'Symbol', maxDepth: 1000 });
  });

  test('alphavantage limits can be raised for paid plans, and other functions check their data key', () => {
    const spec = parseCrawlSpec({
      name: 'av-daily',
      preset: 'alphavantage',
      keys: { list: ['IBM'] },
      request: { params: { function: 'TIME_SERIES_DAILY', outputsize: 'compact' } },
      limits: { perMinute: 75, perDay: 0 },
    });
    expect(spec.request.url).toBe(
      'https://www.alphavantage.co/query?function=TIME_SERIES_DAILY&symbol={key}&apikey={env.ALPHAVANTAGE_API_KEY}&outputsize=compact',
    );
    expect(spec.limits).toMatchObject({ perMinute: 75, perDay: 0 });
    expect(spec.validate.requiredFields).toEqual(['Time Series (Daily)']);
    expect(spec.validate.keyField).toBeUndefined();
    expect(spec.validate.keyFormat).toBe('symbol');
  });

  test('colors defaults to the full hex range, hex6 keys, hex.clean checked against the key and rgb required', () => {
    const spec = parseCrawlSpec({ name: 'all-colours', preset: 'colors' });
    expect(spec.keys).toEqual({ range: { from: 0, to: 16_777_215, format: 'hex6' } });
    expect(spec.request.url).toBe('https://www.thecolorapi.com/id?hex={key}');
    expect(spec.validate).toEqual({ keyFormat: 'hex6', keyField: 'hex.clean', requiredFields: ['rgb'], maxDepth: 1000 });
  });

  test("a spec's validate rules merge over the preset's, field by field", () => {
    const spec = parseCrawlSpec({ name: 'c', preset: 'colors', validate: { keyFormat: { pattern: '[0-9A-F]{6}' } } });
    expect(spec.validate).toMatchObject({ keyFormat: { pattern: '[0-9A-F]{6}' }, keyField: 'hex.clean' });
  });

  test('a preset base URL can point at a mock', () => {
    const spec = parseCrawlSpec({
      name: 'c',
      preset: 'colors',
      request: { baseUrl: 'http://127.0.0.1:8787/id' },
      keys: { list: ['FF0000'] },
    });
    expect(spec.request.url).toBe('http://127.0.0.1:8787/id?hex={key}');
  });

  test('generic needs a URL or a base URL', () => {
    expect(() => parseCrawlSpec({ name: 'g', preset: 'generic', keys: { list: ['a'] }, request: {} })).toThrow(/request\.url/);
    const spec = parseCrawlSpec({
      name: 'g',
      preset: 'generic',
      keys: { list: ['a'] },
      request: { baseUrl: 'https://api.example/v1/items', params: { id: '{key}', lang: 'en gb' } },
    });
    expect(spec.request.url).toBe('https://api.example/v1/items?id={key}&lang=en%20gb');
  });

  test('an unknown preset is reported with its field', () => {
    expect(() => parseCrawlSpec({ name: 'x', preset: 'nope', keys: { list: ['a'] }, request: { url: 'http://h/{key}' } })).toThrow(
      /preset: expected one of alphavantage, colors, generic/,
    );
  });

  test('templateFromParams encodes literal parts and keeps placeholders', () => {
    expect(templateFromParams('https://h/q', { 'a b': 'x&y', k: '{key}', t: 'pre-{env.TOKEN}' })).toBe(
      'https://h/q?a%20b=x%26y&k={key}&t=pre-{env.TOKEN}',
    );
  });
});
