import { credentialRejected, poolCredentials } from './credentials';
import { ConfigError } from './errors';
import { ALPHAVANTAGE_INVALID_KEY } from './presets';
import { parseCrawlSpec } from './spec';
import { buildUrl, compileUrlTemplate } from './urlTemplate';

const base = { name: 'pool', keys: { list: ['IBM'] } };

function problemsOf(input: unknown): string[] {
  try {
    parseCrawlSpec(input);
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  throw new Error('expected a ConfigError');
}

describe('credential pools in the spec', () => {
  test('each credential gets the pool limits with its own overrides applied', () => {
    const spec = parseCrawlSpec({
      ...base,
      request: { url: 'http://api.test/q?s={key}&apikey={credential}' },
      credentials: { env: ['K1', 'K2', 'K3'], limits: { perMinute: 5, perDay: 25 }, overrides: { K3: { limits: { perDay: 75 } } } },
    });
    expect(poolCredentials(spec.credentials ?? { env: [], limits: {} as never, overrides: {}, retireWhen: { statuses: [] } })).toEqual([
      { name: 'K1', limits: { perSecond: 0, perMinute: 5, perHour: 0, perDay: 25, concurrency: 0 } },
      { name: 'K2', limits: { perSecond: 0, perMinute: 5, perHour: 0, perDay: 25, concurrency: 0 } },
      { name: 'K3', limits: { perSecond: 0, perMinute: 5, perHour: 0, perDay: 75, concurrency: 0 } },
    ]);
    expect(spec.credentials?.retireWhen).toEqual({ statuses: [401] });
  });

  test('every mistake is reported at once with its field path', () => {
    const problems = problemsOf({
      ...base,
      request: { url: 'http://api.test/q?s={key}' },
      credentials: { env: ['K1', 'K1', 'not-a-name'], limits: { perDay: -1 }, retireWhen: { bodyMatches: '(' } },
    });
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^credentials\.env\.2: expected an environment variable name/),
        'credentials.limits.perDay: expected a number ≥ 0',
        'credentials.retireWhen.bodyMatches: expected a valid regular expression',
      ]),
    );
  });

  test('a pool must be used, overrides must name pool members, and {credential} needs a pool', () => {
    expect(
      problemsOf({ ...base, request: { url: 'http://api.test/q?s={key}' }, credentials: { env: ['K1'], overrides: { K9: {} } } }),
    ).toEqual([
      'credentials: {credential} appears in neither request.url nor request.headers',
      'credentials.overrides.K9: not one of credentials.env',
    ]);
    expect(problemsOf({ ...base, request: { url: 'http://api.test/q?s={key}&k={credential}' } })).toEqual([
      'request.url: {credential} needs a credentials pool (credentials.env)',
    ]);
    // In a header is as good as in the URL.
    const spec = parseCrawlSpec({
      ...base,
      request: { url: 'http://api.test/q?s={key}', headers: { authorization: 'Bearer {credential}' } },
      credentials: { env: ['K1'] },
    });
    expect(spec.credentials?.env).toEqual(['K1']);
  });

  test('{credential} is encoded into the URL like the key, and a missing one is refused', () => {
    const template = compileUrlTemplate('http://api.test/q?s={key}&apikey={credential}');
    expect(template.usesCredential).toBe(true);
    expect(buildUrl(template, 'IBM', {}, 'a b&c').toString()).toBe('http://api.test/q?s=IBM&apikey=a%20b%26c');
    expect(() => buildUrl(template, 'IBM', {})).toThrow('no credential');
  });

  test('the alphavantage preset puts {credential} in apikey, per-key free-tier windows and its invalid-key answer', () => {
    const spec = parseCrawlSpec({ ...base, preset: 'alphavantage', credentials: { env: ['AV_KEY_1', 'AV_KEY_2', 'AV_KEY_3'] } });
    expect(spec.request.url).toBe('https://www.alphavantage.co/query?function=OVERVIEW&symbol={key}&apikey={credential}');
    expect(spec.limits).toMatchObject({ concurrency: 3, perMinute: 0, perDay: 0 });
    expect(spec.credentials?.limits).toMatchObject({ perMinute: 5, perDay: 25 });
    expect(spec.credentials?.retireWhen.bodyMatches).toBe(ALPHAVANTAGE_INVALID_KEY);
  });

  test('a rejected credential is recognised by status or by body', () => {
    const rules = { statuses: [401], bodyMatches: ALPHAVANTAGE_INVALID_KEY };
    const avBody = '{"Error Message":"the parameter apikey is invalid or missing. Please claim your free API key"}';
    expect(credentialRejected(rules, 200, avBody)).toBe(true);
    expect(credentialRejected(rules, 401, '')).toBe(true);
    expect(credentialRejected(rules, 200, '{"Error Message":"Invalid API call."}')).toBe(false);
    expect(credentialRejected({ statuses: [] }, 401, '')).toBe(false);
  });
});
