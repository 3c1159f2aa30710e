import { compileKeyFormat } from './keyFormat';
import { parseCrawlSpec } from './spec';

describe('compileKeyFormat', () => {
  test('hex6 accepts six hex digits in either case and nothing else', () => {
    const check = compileKeyFormat('hex6');
    for (const key of ['000000', 'FFFFFF', '00ff0A']) expect(check(key)).toBeNull();
    for (const key of ['GGGGGG', '12345', '1234567', ' 00FF00', '00FF00\n', '#00FF00', '', '０００００００']) {
      expect(check(key)).toBe('key does not match validate.keyFormat hex6 (six hex digits 0-9 A-F)');
    }
  });

  test('symbol accepts tickers, share classes and exchange suffixes', () => {
    const check = compileKeyFormat('symbol');
    for (const key of ['IBM', 'A', 'brk.b', 'BRK-B', 'RELIANCE.BSE', '600104.SHH', 'TSCO.LON', 'ABCDEFGHIJKLMNO']) {
      expect({ key, problem: check(key) }).toEqual({ key, problem: null });
    }
  });

  test('symbol refuses spaces, punctuation that moves a request, empty and over-long keys', () => {
    const check = compileKeyFormat('symbol');
    for (const key of ['', 'bad symbol', '$$$', 'A/B', 'A&function=X', '?x', '%41', '.IBM', '-IBM', 'ABCDEFGHIJKLMNOP', 'IBM\n', 'ÄBC']) {
      expect({ key, problem: check(key) }).toEqual({
        key,
        problem: 'key does not match validate.keyFormat symbol (1-15 letters, digits, . or -, starting with a letter or digit)',
      });
    }
  });

  test('a pattern must match the whole key', () => {
    const check = compileKeyFormat({ pattern: '[0-9]+' });
    expect(check('12345')).toBeNull();
    expect(check('12a45')).toBe('key does not match validate.keyFormat pattern [0-9]+');
    expect(check('a1')).not.toBeNull();
    expect(compileKeyFormat({ pattern: 'a|b' })('ab')).not.toBeNull();
  });

  test('no format accepts every key', () => {
    expect(compileKeyFormat(undefined)('anything at all')).toBeNull();
  });
});

describe('validate.keyFormat in a spec', () => {
  const spec = (keyFormat: unknown) => ({
    name: 's',
    keys: { list: ['a'] },
    request: { url: 'http://h.example/{key}' },
    validate: { keyFormat },
  });

  test('takes a named format or a pattern', () => {
    expect(parseCrawlSpec(spec('hex6')).validate.keyFormat).toBe('hex6');
    expect(parseCrawlSpec(spec({ pattern: '^[A-Z]{3}$' })).validate.keyFormat).toEqual({ pattern: '^[A-Z]{3}$' });
  });

  test('reports an unknown name or a broken pattern with its field path', () => {
    expect(() => parseCrawlSpec(spec('hex7'))).toThrow(
      'validate.keyFormat: expected one of hex6, symbol or {"pattern": "<regular expression>"}',
    );
    expect(() => parseCrawlSpec(spec({ pattern: '([' }))).toThrow('validate.keyFormat.pattern: expected a valid regular expression');
  });
});
