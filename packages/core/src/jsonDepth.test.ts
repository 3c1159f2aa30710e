import { jsonNestsDeeperThan } from './jsonDepth';

describe('jsonNestsDeeperThan', () => {
  test.each([
    ['[]', 1, false],
    ['[]', 0, true],
    ['{"a":{"b":[1,2,{"c":3}]}}', 4, false],
    ['{"a":{"b":[1,2,{"c":3}]}}', 3, true],
    ['[[],[],[],[]]', 2, false],
    ['"just a string"', 0, false],
    ['42', 0, false],
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
