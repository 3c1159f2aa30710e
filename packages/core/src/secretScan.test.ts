import { scanSpecForSecrets } from './secretScan';

const spec = (request: Record<string, unknown>) => ({ name: 'x', keys: { list: ['a'] }, request });

describe('scanSpecForSecrets', () => {
  test('a literal apikey in the URL is reported with an {env.NAME} suggestion, never its value', () => {
    const warnings = scanSpecForSecrets(spec({ url: 'https://api.example/q?symbol={key}&apikey=abcd1234efgh5678' }));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain('request.url');
    expect(warnings[0]).toContain('{env.APIKEY}');
    expect(warnings[0]).not.toContain('abcd1234efgh5678');
  });

  test('a literal Authorization header is reported; an {env.NAME} one is not', () => {
    const literal = scanSpecForSecrets(spec({ url: 'https://a.example/{key}', headers: { Authorization: 'Bearer sk_live_0123456789' } }));
    expect(literal).toHaveLength(1);
    expect(literal[0]).toContain('request.headers.Authorization');
    expect(literal[0]).toContain('Bearer {env.');
    expect(literal[0]).not.toContain('sk_live');
    expect(scanSpecForSecrets(spec({ url: 'https://a.example/{key}', headers: { Authorization: 'Bearer {env.TOKEN}' } }))).toEqual([]);
  });

  test('userinfo in the URL and literal secret params are reported', () => {
    expect(scanSpecForSecrets(spec({ url: 'https://user:pw@a.example/{key}' }))[0]).toContain('user name or password');
    expect(
      scanSpecForSecrets(spec({ url: 'https://a.example/{key}', baseUrl: 'https://a.example/q', params: { token: 'abc123' } }))[0],
    ).toContain('request.params.token');
  });

  test('env placeholders, the key, demo values and unrelated fields are not reported', () => {
    expect(scanSpecForSecrets(spec({ url: 'https://a.example/q?s={key}&apikey={env.AV_KEY}' }))).toEqual([]);
    expect(scanSpecForSecrets(spec({ url: 'https://a.example/q?key={key}&apikey=demo' }))).toEqual([]);
    expect(
      scanSpecForSecrets(spec({ url: 'https://a.example/id?hex={key}&format=json', headers: { Accept: 'application/json' } })),
    ).toEqual([]);
    expect(scanSpecForSecrets(null)).toEqual([]);
    expect(scanSpecForSecrets({ request: 'nope' })).toEqual([]);
  });
});
