import { type CredentialsSpec, credentialRejected, labelsShowingValues, poolCredentials } from './credentials';
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
    expect(
      poolCredentials(spec.credentials ?? { env: [], limits: {} as never, overrides: {}, retireWhen: { statuses: [] }, labels: {} }),
    ).toEqual([
      { name: 'K1', label: null, limits: { perSecond: 0, perMinute: 5, perHour: 0, perDay: 25, concurrency: 0 } },
      { name: 'K2', label: null, limits: { perSecond: 0, perMinute: 5, perHour: 0, perDay: 25, concurrency: 0 } },
      { name: 'K3', label: null, limits: { perSecond: 0, perMinute: 5, perHour: 0, perDay: 75, concurrency: 0 } },
    ]);
    expect(spec.credentials?.retireWhen).toEqual({ statuses: [401] });
  });

  test('labels name credentials for status; each must be well-formed, used once and name a pool member', () => {
    const url = 'http://api.test/q?s={key}&apikey={credential}';
    const spec = parseCrawlSpec({ ...base, request: { url }, credentials: { env: ['K1', 'K2'], labels: { K2: 'paid key' } } });
    expect(spec.credentials ? poolCredentials(spec.credentials).map((c) => c.label) : []).toEqual([null, 'paid key']);
    expect(
      problemsOf({
        ...base,
        request: { url },
        credentials: { env: ['K1', 'K2', 'K3'], labels: { K1: 'same', K2: 'same', K3: 'K1', K9: 'x' } },
      }),
    ).toEqual([
      'credentials.labels.K2: label "same" is used twice',
      'credentials.labels.K3: label "K1" is another credential\'s name',
      'credentials.labels.K9: not one of credentials.env',
    ]);
    expect(problemsOf({ ...base, request: { url }, credentials: { env: ['K1'], labels: { K1: '<b>' } } })).toEqual([
      'credentials.labels.K1: expected 1-40 characters from A-Z a-z 0-9 space . _ - (starting with a letter or digit)',
    ]);
  });

  test('a label may not be a credential value', () => {
    const url = 'http://api.test/q?s={key}&apikey={credential}';
    const spec = parseCrawlSpec({ ...base, request: { url }, credentials: { env: ['K1', 'K2'], labels: { K1: 'abc123', K2: 'second' } } });
    expect(labelsShowingValues(spec.credentials as CredentialsSpec, { K1: 'zzz', K2: 'abc123' })).toEqual([
      "credentials.labels.K1: must not be a credential's value",
    ]);
    expect(labelsShowingValues(spec.credentials as CredentialsSpec, { K1: 'zzz', K2: 'yyy' })).toEqual([]);
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
