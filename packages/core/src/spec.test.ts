import { ConfigError, ExitCode } from './errors';
import { adaptiveSettings, type CrawlSpecInput, effectiveConcurrency, fixedPerSecond, parseCrawlSpec } from './spec';

const ISSUE_EXAMPLE =
  '{"name":"colours-demo","keys":{"range":{"from":0,"to":99999,"format":"hex6"}},"request":{"url":"http://127.0.0.1:8787/id?hex={key}"},"limits":{"concurrency":100,"perSecond":0},"retry":{"attempts":5,"baseDelayMs":200,"maxDelayMs":30000}}';

const MINIMAL: CrawlSpecInput = {
  name: 'stocks',
  keys: { list: ['IBM', 'MSFT'] },
  request: { url: 'https://www.alphavantage.co/query?function=OVERVIEW&symbol={key}&apikey={env.ALPHAVANTAGE_API_KEY}' },
};

/** The problems parseCrawlSpec reports for `input`; fails the test when it does not throw a ConfigError. */
function problemsOf(input: unknown): string[] {
  try {
    parseCrawlSpec(input);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as ConfigError).problems;
  }
  throw new Error('expected parseCrawlSpec to throw');
}

/** MINIMAL with one section replaced. */
function withSection(section: string, value: unknown): unknown {
  return { ...MINIMAL, [section]: value };
}

describe('parseCrawlSpec', () => {
  test('fills every default for a minimal spec', () => {
    expect(parseCrawlSpec(MINIMAL)).toEqual({
      name: 'stocks',
      keys: { list: ['IBM', 'MSFT'] },
      request: {
        url: MINIMAL.request.url,
        headers: {},
        timeoutMs: 30_000,
        maxBodyBytes: 10 * 1024 * 1024,
      },
      limits: { concurrency: 10, globalConcurrency: 0, perSecond: 0, perMinute: 0, perHour: 0, perDay: 0 },
      retry: { attempts: 5, baseDelayMs: 200, maxDelayMs: 30_000, maxThrottles: 50 },
      validate: { requiredFields: [], maxDepth: 1000 },
      queue: { batchSize: 100, highWater: 64 },
      storage: { compress: false },
      responseRules: { throttleWhenFields: [], throttleBodyPauseMs: 60_000, permanentWhenFields: [] },
      breaker: { failureRatio: 0.5, minAttempts: 20, consecutiveFailures: 10, windowMs: 10_000, maxOpenMs: 5_000 },
    });
  });

  test('storage.compress is a boolean, reported with its path otherwise', () => {
    expect(parseCrawlSpec({ ...MINIMAL, storage: { compress: true } }).storage).toEqual({ compress: true });
    expect(() => parseCrawlSpec({ ...MINIMAL, storage: { compress: 'yes' } })).toThrow(/storage\.compress: /);
    expect(() => parseCrawlSpec({ ...MINIMAL, storage: { level: 9 } })).toThrow(/storage/);
  });

  test('leaves lowWater unset so the producer can derive it from highWater', () => {
    expect(parseCrawlSpec(MINIMAL).queue.lowWater).toBeUndefined();
  });

  test('fills defaults for fields missing from a partly written section', () => {
    const spec = parseCrawlSpec({ ...MINIMAL, limits: { perDay: 25 }, retry: { attempts: 2 }, queue: { batchSize: 500 } });
    expect(spec.limits).toEqual({ concurrency: 10, globalConcurrency: 0, perSecond: 0, perMinute: 0, perHour: 0, perDay: 25 });
    expect(spec.retry).toEqual({ attempts: 2, baseDelayMs: 200, maxDelayMs: 30_000, maxThrottles: 50 });
    expect(spec.queue).toEqual({ batchSize: 500, highWater: 64 });
  });

  test('accepts the issue’s colours-demo spec', () => {
    const spec = parseCrawlSpec(JSON.parse(ISSUE_EXAMPLE));
    expect(spec.name).toBe('colours-demo');
    expect(spec.keys).toEqual({ range: { from: 0, to: 99_999, format: 'hex6' } });
    expect(spec.request.url).toBe('http://127.0.0.1:8787/id?hex={key}');
    expect(spec.limits).toEqual({ concurrency: 100, globalConcurrency: 0, perSecond: 0, perMinute: 0, perHour: 0, perDay: 0 });
    expect(spec.retry).toEqual({ attempts: 5, baseDelayMs: 200, maxDelayMs: 30_000, maxThrottles: 50 });
  });

  test('range format defaults to decimal', () => {
    expect(parseCrawlSpec(withSection('keys', { range: { from: 1, to: 3 } })).keys).toEqual({
      range: { from: 1, to: 3, format: 'decimal' },
    });
  });

  test('accepts a CSV key file with a column and filters', () => {
    const keys = { file: 'listing_status.csv', column: 'symbol', where: { assetType: 'Stock', status: 'Active' } };
    expect(parseCrawlSpec(withSection('keys', keys)).keys).toEqual(keys);
  });

  test('accepts the boundary values of each cross-field rule', () => {
    const spec = parseCrawlSpec({
      ...MINIMAL,
      keys: { range: { from: 0xffffff, to: 0xffffff, format: 'hex6' } },
      retry: { baseDelayMs: 500, maxDelayMs: 500 },
      queue: { highWater: 4, lowWater: 3 },
    });
    expect(spec.keys).toEqual({ range: { from: 0xffffff, to: 0xffffff, format: 'hex6' } });
    expect(spec.queue.lowWater).toBe(3);
  });

  test('decimal ranges may go beyond FFFFFF', () => {
    expect(parseCrawlSpec(withSection('keys', { range: { from: 0, to: 99_999_999 } })).keys).toEqual({
      range: { from: 0, to: 99_999_999, format: 'decimal' },
    });
  });

  test.each<[string, unknown, string]>([
    ['negative perSecond', withSection('limits', { perSecond: -1 }), 'limits.perSecond: expected a number ≥ 0'],
    ['perSecond as another word', withSection('limits', { perSecond: 'fast' }), 'limits.perSecond: expected a number ≥ 0 or "auto"'],
    [
      'an adaptive block without "auto"',
      withSection('limits', { perSecond: 10, adaptive: { startPerSecond: 2 } }),
      'limits.adaptive: needs limits.perSecond "auto"',
    ],
    [
      'a zero adaptive start',
      withSection('limits', { perSecond: 'auto', adaptive: { startPerSecond: 0 } }),
      'limits.adaptive.startPerSecond: expected an integer ≥ 1',
    ],
    [
      'an adaptive start above the ceiling',
      withSection('limits', { perSecond: 'auto', adaptive: { startPerSecond: 50, ceilingPerSecond: 40 } }),
      'limits.adaptive.startPerSecond: expected a number between floorPerSecond and ceilingPerSecond',
    ],
    [
      'a latency factor of 1.2',
      withSection('limits', { perSecond: 'auto', adaptive: { latencyFactor: 1.2 } }),
      'limits.adaptive.latencyFactor: expected 0 or a number ≥ 1.5',
    ],
    [
      'a misspelt adaptive field',
      withSection('limits', { perSecond: 'auto', adaptive: { start: 5 } }),
      'limits.adaptive: Unrecognized key: "start"',
    ],
    ['fractional concurrency', withSection('limits', { concurrency: 1.5 }), 'limits.concurrency: expected a number ≥ 0'],
    ['perDay as a string', withSection('limits', { perDay: '10' }), 'limits.perDay: expected a number ≥ 0'],
    ['zero attempts', withSection('retry', { attempts: 0 }), 'retry.attempts: expected a number ≥ 1'],
    ['zero maxThrottles', withSection('retry', { maxThrottles: 0 }), 'retry.maxThrottles: expected a number ≥ 1'],
    ['negative baseDelayMs', withSection('retry', { baseDelayMs: -5 }), 'retry.baseDelayMs: expected a number ≥ 0'],
    ['zero timeoutMs', withSection('request', { url: 'http://h/{key}', timeoutMs: 0 }), 'request.timeoutMs: expected a number > 0'],
    [
      'negative maxBodyBytes',
      withSection('request', { url: 'http://h/{key}', maxBodyBytes: -1 }),
      'request.maxBodyBytes: expected a number > 0',
    ],
    ['empty url', withSection('request', { url: '' }), 'request.url: expected a URL template'],
    [
      'url not a string',
      withSection('request', { url: 42 }),
      'request.url: expected a URL template (request.url, or request.baseUrl with request.params)',
    ],
    ['name with a space', { ...MINIMAL, name: 'my crawl' }, 'name: expected 1-100 characters from A-Z a-z 0-9 . _ -'],
    ['name of 101 characters', { ...MINIMAL, name: 'a'.repeat(101) }, 'name: expected 1-100 characters from A-Z a-z 0-9 . _ -'],
    ['name starting with a dash', { ...MINIMAL, name: '-x' }, 'name: expected 1-100 characters from A-Z a-z 0-9 . _ -'],
    ['range with to < from', withSection('keys', { range: { from: 10, to: 9 } }), 'keys.range.to: expected to ≥ from'],
    [
      'hex6 range beyond FFFFFF',
      withSection('keys', { range: { from: 0, to: 0x1000000, format: 'hex6' } }),
      'keys.range.to: expected to ≤ 16777215 (FFFFFF) for format hex6',
    ],
    ['negative range start', withSection('keys', { range: { from: -1, to: 9 } }), 'keys.range.from: expected an integer ≥ 0'],
    [
      'unknown range format',
      withSection('keys', { range: { from: 0, to: 9, format: 'hex' } }),
      'keys.range.format: Invalid option: expected one of "hex6"|"decimal"',
    ],
    ['empty key list', withSection('keys', { list: [] }), 'keys.list: expected at least one key'],
    ['empty key in the list', withSection('keys', { list: ['IBM', ''] }), 'keys.list.1: expected a non-empty key'],
    ['empty file path', withSection('keys', { file: '' }), 'keys.file: expected a file path'],
    [
      'where without column',
      withSection('keys', { file: 'k.csv', where: { status: 'Active' } }),
      'keys.where: needs keys.column (CSV input)',
    ],
    [
      'non-string where value',
      withSection('keys', { file: 'k.csv', column: 'symbol', where: { status: 1 } }),
      'keys.where.status: Invalid input: expected string, received number',
    ],
    ['no key source', withSection('keys', {}), 'keys: expected one of {"range": {...}}, {"file": "..."} or {"list": [...]}'],
    [
      'two key sources',
      withSection('keys', { range: { from: 0, to: 9 }, list: ['a'] }),
      'keys: expected one of {"range": {...}}, {"file": "..."} or {"list": [...]}',
    ],
    [
      'lowWater equal to highWater',
      withSection('queue', { highWater: 8, lowWater: 8 }),
      'queue.lowWater: expected a number < queue.highWater',
    ],
    [
      'lowWater above the default highWater',
      withSection('queue', { lowWater: 100 }),
      'queue.lowWater: expected a number < queue.highWater',
    ],
    [
      'maxDelayMs below baseDelayMs',
      withSection('retry', { baseDelayMs: 1000, maxDelayMs: 999 }),
      'retry.maxDelayMs: expected a number ≥ retry.baseDelayMs',
    ],
    ['zero batchSize', withSection('queue', { batchSize: 0 }), 'queue.batchSize: Too small: expected number to be >=1'],
    ['unknown top-level field', { ...MINIMAL, concurrency: 5 }, 'Unrecognized key: "concurrency"'],
    ['misspelt limits field', withSection('limits', { perSec: 5 }), 'limits: Unrecognized key: "perSec"'],
    ['unknown request field', withSection('request', { url: 'http://h/{key}', method: 'POST' }), 'request: Unrecognized key: "method"'],
    ['unknown range field', withSection('keys', { range: { from: 0, to: 9, step: 2 } }), 'keys.range: Unrecognized key: "step"'],
    [
      'non-string header value',
      withSection('request', { url: 'http://h/{key}', headers: { 'X-Api-Key': 1 } }),
      'request.headers.X-Api-Key: Invalid input: expected string, received number',
    ],
  ])('reports %s with its field path', (_label, input, problem) => {
    expect(problemsOf(input)).toEqual([problem]);
  });

  test('reports every schema problem at once', () => {
    const problems = problemsOf({
      ...MINIMAL,
      name: 'bad name',
      limits: { perSecond: -1, concurrency: 'many' },
      retry: { attempts: 0 },
      request: { url: 'http://h/{key}', timeoutMs: -1 },
      colour: 'blue',
    });
    expect(problems).toEqual(
      expect.arrayContaining([
        'name: expected 1-100 characters from A-Z a-z 0-9 . _ -',
        'limits.concurrency: expected a number ≥ 0',
        'limits.perSecond: expected a number ≥ 0',
        'retry.attempts: expected a number ≥ 1',
        'request.timeoutMs: expected a number > 0',
        'Unrecognized key: "colour"',
      ]),
    );
    expect(problems).toHaveLength(6);
  });

  test('reports every cross-field problem at once', () => {
    const problems = problemsOf({
      ...MINIMAL,
      keys: { file: 'k.csv', where: { status: 'Active' } },
      retry: { baseDelayMs: 100, maxDelayMs: 10 },
      queue: { highWater: 4, lowWater: 4 },
    });
    expect(problems).toEqual([
      'retry.maxDelayMs: expected a number ≥ retry.baseDelayMs',
      'queue.lowWater: expected a number < queue.highWater',
      'keys.where: needs keys.column (CSV input)',
    ]);
  });

  test('reports the problems of every field in a key source with a known shape', () => {
    expect(problemsOf(withSection('keys', { range: { from: -1, to: 'z' } }))).toEqual([
      'keys.range.from: expected an integer ≥ 0',
      'keys.range.to: expected an integer ≥ 0',
    ]);
  });

  test('reports missing required sections', () => {
    expect(problemsOf({})).toEqual([
      'name: expected a name',
      'keys: expected one of {"range": {...}}, {"file": "..."} or {"list": [...]}',
      'request: Invalid input: expected object, received undefined',
    ]);
  });

  test.each([null, 'colours-demo', 42, []])('rejects %j as a whole', (input) => {
    expect(problemsOf(input)).toHaveLength(1);
  });

  test('names the source in the message and lists each problem on its own line', () => {
    let err: unknown;
    try {
      parseCrawlSpec({ ...MINIMAL, limits: { perSecond: -1 }, retry: { attempts: 0 } }, 'crawls/stocks.json');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).message).toBe(
      'crawls/stocks.json is invalid:\n  limits.perSecond: expected a number ≥ 0\n  retry.attempts: expected a number ≥ 1',
    );
    expect((err as ConfigError).exitCode).toBe(ExitCode.usage);
  });
});

describe('adaptiveSettings', () => {
  test('is null for a fixed perSecond and fills the defaults for "auto"', () => {
    expect(adaptiveSettings(parseCrawlSpec(withSection('limits', { perSecond: 20 })).limits)).toBeNull();
    expect(adaptiveSettings(parseCrawlSpec(withSection('limits', { perSecond: 'auto' })).limits)).toEqual({
      startPerSecond: 5,
      floorPerSecond: 1,
      ceilingPerSecond: 1000,
      latencyFactor: 0,
    });
  });

  test('keeps the given bounds and defaults the rest', () => {
    const limits = parseCrawlSpec(
      withSection('limits', { perSecond: 'auto', adaptive: { startPerSecond: 8, ceilingPerSecond: 300 } }),
    ).limits;
    expect(adaptiveSettings(limits)).toEqual({ startPerSecond: 8, floorPerSecond: 1, ceilingPerSecond: 300, latencyFactor: 0 });
    expect(fixedPerSecond(limits)).toBe(0);
  });
});

describe('effectiveConcurrency', () => {
  const limits = parseCrawlSpec(MINIMAL).limits;

  test('caps unlimited (0) at 1000', () => {
    expect(effectiveConcurrency({ ...limits, concurrency: 0 })).toBe(1000);
  });

  test('passes any other value through', () => {
    expect(effectiveConcurrency({ ...limits, concurrency: 7 })).toBe(7);
    expect(effectiveConcurrency(limits)).toBe(10);
  });
});
