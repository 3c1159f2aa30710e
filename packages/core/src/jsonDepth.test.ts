import { createJsonDepthGauge, jsonNestsDeeperThan } from './jsonDepth';

describe('jsonNestsDeeperThan', () => {
  test.each([
    ['[]', 1, false],
    ['[]', 0, true],
    ['{"a":{"b":[1,2,{"c":3}]}}', 4, false],
    ['{"a":{"b":[1,2,{"c":3}]}}', 3, true],
    ['[[],[],[],[]]', 2, false],
    ['"just a string"', 0, false],
    ['42', 0, false],
    // As long as the limit or shorter: cannot pass it; one character longer: can.
    ['[[', 2, false],
    ['[[[', 2, true],
  ])('%s with a limit of %i: %s', (text, limit, deeper) => {
    expect(jsonNestsDeeperThan(text, limit)).toBe(deeper);
  });

  test('brackets inside strings do not count, escaped quotes do not end a string', () => {
    expect(jsonNestsDeeperThan(JSON.stringify({ a: '[[[[[[{{{{' }), 1)).toBe(false);
    expect(jsonNestsDeeperThan(JSON.stringify({ a: 'say "[[[[" \\ and \\"{{{{' }), 1)).toBe(false);
    expect(jsonNestsDeeperThan('["\\\\", [[[]]]]', 3)).toBe(true);
    expect(jsonNestsDeeperThan('["\\\\", [[[]]]]', 4)).toBe(false);
  });

  test('an unclosed string ends the scan without throwing', () => {
    expect(jsonNestsDeeperThan('[["abc', 5)).toBe(false);
  });

  test('four million levels are found at once, without building anything', () => {
    const depth = 4_000_000;
    const bomb = '['.repeat(depth) + ']'.repeat(depth);
    expect(jsonNestsDeeperThan(bomb, 1_000)).toBe(true);
    expect(jsonNestsDeeperThan(bomb, depth)).toBe(false);
  });

  test('the same depth after a long flat prefix is still found', () => {
    const text = `[${'1,'.repeat(100_000)}${'['.repeat(50)}${']'.repeat(50)}]`;
    expect(jsonNestsDeeperThan(text, 50)).toBe(true);
    expect(jsonNestsDeeperThan(text, 51)).toBe(false);
  });
});

describe('createJsonDepthGauge', () => {
  /** Feeds `text` as UTF-8 in chunks of `size` bytes; true once the gauge says exceeded. */
  const feed = (text: string, maxDepth: number, size: number) => {
    const gauge = createJsonDepthGauge(maxDepth);
    const bytes = Buffer.from(text);
    for (let at = 0; at < bytes.length; at += size) if (gauge.exceeded(bytes.subarray(at, at + size))) return true;
    return false;
  };

  const texts: Array<[string, number]> = [
    ['{"a":{"b":[1,2,{"c":3}]}}', 4],
    [JSON.stringify({ a: 'say "[[[[" \\ and \\"{{{{', b: [[['é😀']]] }), 4],
    ['["\\\\", [[[]]]]', 4],
    [JSON.stringify({ s: '\\"[[[[[[' }), 1],
  ];

  test.each([1, 2, 3, 7, 1024])('agrees with the whole-text scan whatever the chunk size (%i bytes)', (size) => {
    for (const [text, depth] of texts) {
      expect({ text, deeper: feed(text, depth, size) }).toEqual({ text, deeper: jsonNestsDeeperThan(text, depth) });
      expect({ text, deeper: feed(text, depth - 1, size) }).toEqual({ text, deeper: jsonNestsDeeperThan(text, depth - 1) });
    }
  });

  test('a backslash at the end of a chunk escapes the first byte of the next', () => {
    for (const text of ['["a\\\\"]', '["a\\"[[[["]', '["\\\\\\"[[["]', '["\\\\", [[[]]]]']) {
      for (const size of [1, 2, 3, 4, 5, 6]) {
        expect({ text, size, deeper: feed(text, 2, size) }).toEqual({ text, size, deeper: jsonNestsDeeperThan(text, 2) });
      }
    }
  });

  test('stops inside the first chunk that passes the limit', () => {
    const gauge = createJsonDepthGauge(1_000);
    expect(gauge.exceeded(Buffer.from('['.repeat(999)))).toBe(false);
    expect(gauge.exceeded(Buffer.from('[['))).toBe(true);
  });
});
