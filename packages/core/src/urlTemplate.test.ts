import { ConfigError, InvalidKeyError } from './errors';
import { buildUrl, compileUrlTemplate, isDotSegmentKey, missingEnv } from './urlTemplate';

const ENV = { API_KEY: 'k3y-value' };

function rejection(fn: () => unknown): unknown {
  try {
    fn();
  } catch (err) {
    return err;
  }
  return undefined;
}

describe('compileUrlTemplate', () => {
  test('records origin, path prefix and env names of a path template', () => {
    const t = compileUrlTemplate('https://api.example.com:8443/v1/colours/{key}?apikey={env.API_KEY}');
    expect(t.origin).toBe('https://api.example.com:8443');
    expect(t.pathPrefix).toBe('/v1/colours/');
    expect(t.keyInPath).toBe(true);
    expect(t.envNames).toEqual(['API_KEY']);
  });

  test('a key in the query pins the exact path', () => {
    const t = compileUrlTemplate('https://www.alphavantage.co/query?function=OVERVIEW&symbol={key}&apikey={env.ALPHAVANTAGE_API_KEY}');
    expect(t.origin).toBe('https://www.alphavantage.co');
    expect(t.keyInPath).toBe(false);
    expect(t.exactPath).toBe('/query');
    expect(t.envNames).toEqual(['ALPHAVANTAGE_API_KEY']);
  });

  test('keeps the template source with placeholders, never env values', () => {
    const t = compileUrlTemplate('http://h.example/{key}?t={env.TOKEN}');
    expect(t.source).toBe('http://h.example/{key}?t={env.TOKEN}');
    expect(JSON.stringify(t)).not.toContain('k3y-value');
  });

  test.each([
    ['no {key}', 'http://h.example/api', 'expected a {key} placeholder'],
    ['only env placeholders', 'http://h.example/api?k={env.API_KEY}', 'expected a {key} placeholder'],
    ['an unknown placeholder', 'http://h.example/{foo}/{key}', 'unknown placeholder'],
    ['an upper-case {KEY}', 'http://h.example/{KEY}', 'unknown placeholder'],
    ['an env name starting with a digit', 'http://h.example/{key}?k={env.1X}', 'unknown placeholder'],
    ['an unclosed brace', 'http://h.example/{key', 'unknown placeholder'],
    ['a relative URL', '/api/{key}', 'expected an absolute http(s) URL'],
    ['a bare placeholder', '{key}', 'expected an absolute http(s) URL'],
    ['an ftp: URL', 'ftp://h.example/{key}', 'expected an http or https URL, got ftp:'],
    ['a file: URL', 'file:///tmp/{key}', 'expected an http or https URL, got file:'],
    ['a javascript: URL', 'javascript:alert({key})', 'expected an http or https URL, got javascript:'],
    ['{key} in the host', 'http://{key}.example.com/x', 'placeholders may not appear in the scheme or host'],
    ['{env} as the host', 'http://{env.HOST}/{key}', 'placeholders may not appear in the scheme or host'],
    ['{env} in the userinfo', 'http://user:{env.PW}@h.example/{key}', 'placeholders may not appear in the scheme or host'],
    ['{key} as the port', 'http://h.example:{key}/x', 'request.url:'],
  ])('rejects a template with %s as a ConfigError', (_label, source, message) => {
    const err = rejection(() => compileUrlTemplate(source));
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).message).toMatch(/^request\.url: /);
    expect((err as ConfigError).message).toContain(message);
  });

  test('names the given field in its errors', () => {
    expect(() => compileUrlTemplate('ftp://h/{key}', 'crawls[2].request.url')).toThrow(/^crawls\[2\]\.request\.url: /);
  });
});

describe('buildUrl', () => {
  const pathTemplate = compileUrlTemplate('http://h.example/api/{key}');

  test.each([
    ['a space', 'a b', 'a%20b'],
    ['a slash', 'a/b', 'a%2Fb'],
    ['a question mark', 'a?b', 'a%3Fb'],
    ['an ampersand', 'a&b', 'a%26b'],
    ['a hash', 'a#b', 'a%23b'],
    ['a percent sign', '100%', '100%25'],
    ['an encoded-looking sequence', '%41', '%2541'],
    ['accented letters', 'café', 'caf%C3%A9'],
    ['CJK text', '日本', '%E6%97%A5%E6%9C%AC'],
    ['an emoji', '😀', '%F0%9F%98%80'],
    ['unreserved punctuation', 'BRK.A-b_c~', 'BRK.A-b_c~'],
  ])('URL-encodes %s in the key', (_label, key, encoded) => {
    const url = buildUrl(pathTemplate, key, {});
    expect(url.href).toBe(`http://h.example/api/${encoded}`);
    expect(decodeURIComponent(url.pathname.slice('/api/'.length))).toBe(key);
  });

  test('a key placed in the query decodes back to itself and adds no parameters', () => {
    const t = compileUrlTemplate('https://www.alphavantage.co/query?function=OVERVIEW&symbol={key}');
    const url = buildUrl(t, 'A&function=EVIL&x=1', {});
    expect(url.searchParams.get('symbol')).toBe('A&function=EVIL&x=1');
    expect(url.searchParams.getAll('function')).toEqual(['OVERVIEW']);
    expect([...url.searchParams.keys()]).toEqual(['function', 'symbol']);
  });

  test('fills {env.NAME} from the env passed in, URL-encoded', () => {
    const t = compileUrlTemplate('https://www.alphavantage.co/query?function=OVERVIEW&symbol={key}&apikey={env.API_KEY}');
    expect(buildUrl(t, 'IBM', ENV).href).toBe('https://www.alphavantage.co/query?function=OVERVIEW&symbol=IBM&apikey=k3y-value');
    const url = buildUrl(t, 'IBM', { API_KEY: 'a b&c=d' });
    expect(url.href).toContain('apikey=a%20b%26c%3Dd');
    expect(url.searchParams.get('apikey')).toBe('a b&c=d');
  });

  test('reads process.env when no env is passed', () => {
    const t = compileUrlTemplate('http://h.example/{key}?t={env.SLUICE_TEST_URL_TEMPLATE_TOKEN}');
    process.env.SLUICE_TEST_URL_TEMPLATE_TOKEN = 'from-process';
    try {
      expect(buildUrl(t, 'k').searchParams.get('t')).toBe('from-process');
    } finally {
      delete process.env.SLUICE_TEST_URL_TEMPLATE_TOKEN;
    }
  });

  test('a missing env variable fails the build with InvalidKeyError naming it', () => {
    const t = compileUrlTemplate('http://h.example/{key}?apikey={env.API_KEY}');
    const err = rejection(() => buildUrl(t, 'IBM', {}));
    expect(err).toBeInstanceOf(InvalidKeyError);
    expect((err as Error).message).toBe('environment variable API_KEY is not set');
  });

  test('an empty env variable counts as missing, as missingEnv says', () => {
    const t = compileUrlTemplate('http://h.example/{key}?apikey={env.API_KEY}');
    expect(missingEnv(t, { API_KEY: '' })).toEqual(['API_KEY']);
    expect(() => buildUrl(t, 'IBM', { API_KEY: '' })).toThrow(InvalidKeyError);
  });

  const DOT_MESSAGE = 'key holds a dot segment (".", ".." or an encoding such as %2e) that would move the request within the URL path';

  test.each([
    '.',
    '..',
    '%2e',
    '%2E',
    '%2e%2e',
    '%2E%2e',
    '.%2e',
    '%252e',
    '%25252E%2e',
    '../etc',
    '..%2Fetc',
    '%2e%2e%2f',
    'a/./b',
    'a\\..\\b',
    '..%5c',
  ])('a key holding a dot segment (%s) in a path placeholder fails with InvalidKeyError saying so', (key) => {
    const detail = compileUrlTemplate('http://h.example/api/items/{key}/detail');
    for (const template of [pathTemplate, detail]) {
      const err = rejection(() => buildUrl(template, key, {}));
      expect(err).toBeInstanceOf(InvalidKeyError);
      expect((err as Error).message).toBe(DOT_MESSAGE);
    }
  });

  test.each(['...', 'a..b', 'BRK.A', '.hidden', 'v1.', '%2e%2e%2e', '%2ex'])('%s is no dot segment and is sent encoded', (key) => {
    const url = buildUrl(pathTemplate, key, {});
    expect(decodeURIComponent(url.pathname.slice('/api/'.length))).toBe(key);
  });

  test('isDotSegmentKey decodes %2e, %2f, %5c and %25 alike in either case', () => {
    expect(['.', '%2E%2e', '%252E', 'x/%2E/y', 'x%5C..'].map(isDotSegmentKey)).toEqual([true, true, true, true, true]);
    expect(['..x', '%2ex', '%zz', 'x%2Fy'].map(isDotSegmentKey)).toEqual([false, false, false, false]);
  });

  test('".", ".." and their encodings in the query are just values', () => {
    const t = compileUrlTemplate('http://h.example/lookup?id={key}');
    for (const key of ['.', '..', '%2e%2e']) expect(buildUrl(t, key, {}).searchParams.get('id')).toBe(key);
  });

  test('a lone surrogate cannot be encoded and fails with InvalidKeyError', () => {
    for (const key of ['\uD800', 'abc\uDC00', '\uDBFF']) {
      const err = rejection(() => buildUrl(pathTemplate, key, {}));
      expect(err).toBeInstanceOf(InvalidKeyError);
      expect((err as Error).message).toBe('key is not valid Unicode text');
    }
  });

  test('an env value with a lone surrogate fails with InvalidKeyError naming the variable', () => {
    const t = compileUrlTemplate('http://h.example/{key}?apikey={env.API_KEY}');
    expect(() => buildUrl(t, 'IBM', { API_KEY: 'x\uD800' })).toThrow('environment variable API_KEY is not valid Unicode text');
  });

  describe('with a hostile key', () => {
    const template = compileUrlTemplate('https://api.example.com/api/{key}?apikey={env.API_KEY}');
    const hostile: Array<[string, string]> = [
      ['userinfo trick', '@evil.example'],
      ['userinfo with port', ':80@evil.example'],
      ['protocol-relative URL', '//evil.example'],
      ['absolute URL', 'https://evil.example/steal'],
      ['backslashes', '\\\\evil.example\\x'],
      ['dot-dot segment', '..'],
      ['dot-dot slash', '../..'],
      ['path traversal', '../../etc/passwd'],
      ['encoded dot-dot', '%2e%2e'],
      ['encoded dot-dot slash', '%2e%2e%2f'],
      ['single dot', '.'],
      ['query injection', '?apikey=x'],
      ['extra parameter', '&apikey=stolen'],
      ['fragment', '#frag'],
      ['CRLF', '\r\nHost: evil.example'],
      ['NUL byte', '\u0000'],
      ['tab and spaces', '\t x '],
      ['lone high surrogate', '\uD800'],
      ['lone low surrogate', '\uDC00'],
      ['10 kB string', 'A'.repeat(10_000)],
      ['bare percent', '%'],
      ['unicode host look-alike', 'еvil.example'],
      ['encoded slash', '%2F%2Fevil.example'],
    ];

    test.each(hostile)('%s: either InvalidKeyError or a URL on the same origin, path prefix and query', (_label, key) => {
      let url: URL;
      try {
        url = buildUrl(template, key, ENV);
      } catch (err) {
        expect(err).toBeInstanceOf(InvalidKeyError);
        return;
      }
      expect(url.origin).toBe('https://api.example.com');
      expect(url.pathname.startsWith('/api/')).toBe(true);
      expect(url.username).toBe('');
      expect(url.password).toBe('');
      expect(url.hash).toBe('');
      expect([...url.searchParams.entries()]).toEqual([['apikey', 'k3y-value']]);
    });

    test('non-dot hostile keys survive as one encoded path segment', () => {
      for (const key of [
        '@evil.example',
        '//evil.example',
        'https://evil.example/steal',
        '?apikey=x',
        '#frag',
        '\r\n',
        'A'.repeat(10_000),
      ]) {
        const url = buildUrl(template, key, ENV);
        expect(url.pathname.split('/')).toHaveLength(3);
        expect(decodeURIComponent(url.pathname.slice('/api/'.length))).toBe(key);
      }
    });
  });
});

describe('missingEnv', () => {
  const t = compileUrlTemplate('http://h.example/{key}?a={env.FIRST}&b={env.SECOND}&c={env.THIRD}');

  test('lists the variables the template reads but the env lacks, in template order', () => {
    expect(missingEnv(t, { SECOND: 'x' })).toEqual(['FIRST', 'THIRD']);
  });

  test('returns nothing when every variable is set', () => {
    expect(missingEnv(t, { FIRST: '1', SECOND: '2', THIRD: '3' })).toEqual([]);
  });

  test('returns nothing for a template without env placeholders', () => {
    expect(missingEnv(compileUrlTemplate('http://h.example/{key}'), {})).toEqual([]);
  });
});
