import { closestNames, editDistance } from './closestNames';

describe('closest names', () => {
  test('edit distance counts insertions, deletions and substitutions', () => {
    expect(editDistance('colours', 'colours')).toBe(0);
    expect(editDistance('colurs', 'colours')).toBe(1);
    expect(editDistance('kitten', 'sitting')).toBe(3);
    expect(editDistance('', 'abc')).toBe(3);
  });

  test('the likeliest fix of a typo comes first, case aside, ties by name', () => {
    expect(closestNames('Colurs', ['stocks', 'colours-2', 'colours', 'zz'])).toEqual(['colours', 'colours-2', 'stocks', 'zz']);
    expect(closestNames('x', ['b', 'a'])).toEqual(['a', 'b']);
  });
});
