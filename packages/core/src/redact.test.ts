import { MAX_REASON_CHARS, redactReason, redactText, redactUrl } from './redact';

describe('redactUrl', () => {
  test.each([
    'apikey',
    'APIKEY',
    'ApiKey',
    'api_key',
    'API_KEY',
    'api-key',
    'token',
    'Token',
    'key',
    'access_token',
    'password',
    'secret',
    'auth',
  ])('masks the %s query parameter and keeps the others', (name) => {
    const out = redactUrl(`https://api.example.com/query?symbol=IBM&${name}=s3cr3t-value&function=OVERVIEW`);
    expect(out).not.toContain('s3cr3t-value');
    expect(out).toBe(`https://api.example.com/query?symbol=IBM&${name}=***&function=OVERVIEW`);
  });

  test('masks every occurrence of a repeated secret parameter', () => {
    const out = redactUrl('https://h.example/q?token=first&x=1&token=second');
    expect(out).not.toMatch(/first|second/);
    expect(new URL(out).searchParams.getAll('x')).toEqual(['1']);
  });

  test('masks username and password in the userinfo', () => {
    expect(redactUrl('https://alice:hunter22@h.example/x?y=1')).toBe('https://***:***@h.example/x?y=1');
    expect(redactUrl('https://tokenonly@h.example/x')).toBe('https://***@h.example/x');
  });

  test('leaves a URL without secrets unchanged, including look-alike names', () => {
    const url = 'https://www.alphavantage.co/query?function=OVERVIEW&symbol=IBM&monkey=banana&keyword=x&tokens=3&apikeys=no';
    expect(redactUrl(url)).toBe(url);
  });

  test('keeps the decoded values of other parameters when it masks a secret', () => {
    const out = redactUrl('https://h.example/q?name=a%20b%26c&apikey=s3cr3t&emoji=%F0%9F%98%80');
    const params = new URL(out).searchParams;
    expect(params.get('name')).toBe('a b&c');
    expect(params.get('emoji')).toBe('😀');
    expect(params.get('apikey')).toBe('***');
  });

  test('accepts a URL object', () => {
    expect(redactUrl(new URL('http://127.0.0.1:8787/id?hex=00FF00&key=abcd'))).toBe('http://127.0.0.1:8787/id?hex=00FF00&key=***');
  });

  test('falls back to text redaction for strings that are not URLs, and never throws', () => {
    expect(redactUrl('/relative/path?apikey=abcd&x=1')).toBe('/relative/path?apikey=***&x=1');
    expect(redactUrl('')).toBe('');
    expect(redactUrl('%%%')).toBe('%%%');
  });
});

describe('redactText', () => {
  test('masks secret query pairs inside an error message and keeps the rest', () => {
    const message = 'GET https://www.alphavantage.co/query?symbol=IBM&apikey=DEMO123 failed: ECONNRESET';
    expect(redactText(message)).toBe('GET https://www.alphavantage.co/query?symbol=IBM&apikey=*** failed: ECONNRESET');
  });

  test('matches parameter names case-insensitively and after ?, & or ;', () => {
    expect(redactText('a?API_KEY=one b&Token=two c;password=three')).toBe('a?API_KEY=*** b&Token=*** c;password=***');
  });

  test('stops masking at &, #, whitespace and quotes', () => {
    expect(redactText('"https://h/?token=abc&x=1#frag" and \'?secret=def\' then ?key=ghi next')).toBe(
      '"https://h/?token=***&x=1#frag" and \'?secret=***\' then ?key=*** next',
    );
  });

  test('leaves look-alike names and bare words alone', () => {
    const text = 'https://h/?monkey=1&keyword=2 and the key is fine';
    expect(redactText(text)).toBe(text);
  });

  test('masks userinfo in URLs found in text', () => {
    expect(redactText('connect https://bob:pw123@db.example/x failed')).toBe('connect https://***@db.example/x failed');
  });

  test('masks known secret values both raw and URL-encoded, every time they occur', () => {
    const secret = 'p@ss w/rd+1';
    const text = `raw=${secret} encoded=${encodeURIComponent(secret)} again=${secret}`;
    const out = redactText(text, [secret]);
    expect(out).toBe('raw=*** encoded=*** again=***');
  });

  test('masks a known secret that appears outside any URL', () => {
    expect(redactText('header Authorization: Bearer abcd1234 rejected', ['abcd1234'])).toBe('header Authorization: Bearer *** rejected');
  });

  test('ignores known secrets shorter than four characters, which would mask ordinary words', () => {
    expect(redactText('the cat sat', ['cat'])).toBe('the cat sat');
  });
});

describe('redactReason', () => {
  test('redacts before it cuts, so a secret across the cut leaves no part behind', () => {
    const secret = 'straddling-secret-0123456789';
    for (let at = MAX_REASON_CHARS - secret.length; at <= MAX_REASON_CHARS; at++) {
      const message = `${'x'.repeat(at)}${secret}${'y'.repeat(400)}`;
      const out = redactReason(message, [secret]);
      expect(out.length).toBeLessThanOrEqual(MAX_REASON_CHARS);
      expect(out).not.toContain('straddling');
      expect(out).not.toContain('0123');
    }
  });

  test('keeps a short reason whole and marks a cut one with an ellipsis', () => {
    expect(redactReason('HTTP 404')).toBe('HTTP 404');
    const out = redactReason('z'.repeat(1_000));
    expect(out).toHaveLength(MAX_REASON_CHARS);
    expect(out.endsWith('…')).toBe(true);
  });

  test('masks a known secret holding a quote before the query-pair rule could stop at the quote', () => {
    expect(redactText("GET /q?apikey=ab'cd1234&x=1", ["ab'cd1234"])).toBe('GET /q?apikey=***&x=1');
    expect(redactText('GET /q?apikey=ab%27cd1234&x=1', ["ab'cd1234"])).toBe('GET /q?apikey=***&x=1');
  });
});
