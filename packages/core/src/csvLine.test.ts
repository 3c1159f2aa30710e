import { parseCsvLine } from './csvLine';

describe('parseCsvLine', () => {
  test('splits plain cells on commas', () => {
    expect(parseCsvLine('IBM,International Business Machines,NYSE')).toEqual(['IBM', 'International Business Machines', 'NYSE']);
  });

  test('keeps commas inside a quoted cell and drops the quotes', () => {
    expect(parseCsvLine('BRK-A,"Berkshire Hathaway Inc, Class A",NYSE')).toEqual(['BRK-A', 'Berkshire Hathaway Inc, Class A', 'NYSE']);
  });

  test('turns a doubled quote inside a quoted cell into one quote', () => {
    expect(parseCsvLine('"say ""hi""",x')).toEqual(['say "hi"', 'x']);
    expect(parseCsvLine('""""')).toEqual(['"']);
  });

  test('reads empty cells between, before and after commas', () => {
    expect(parseCsvLine('a,,c')).toEqual(['a', '', 'c']);
    expect(parseCsvLine(',b')).toEqual(['', 'b']);
    expect(parseCsvLine(',')).toEqual(['', '']);
    expect(parseCsvLine('')).toEqual(['']);
  });

  test('a trailing comma adds a final empty cell', () => {
    expect(parseCsvLine('a,b,')).toEqual(['a', 'b', '']);
  });

  test('an empty quoted cell is an empty string', () => {
    expect(parseCsvLine('"",x,""')).toEqual(['', 'x', '']);
  });

  test('a quote inside an unquoted cell is kept literally', () => {
    expect(parseCsvLine('O"Brien,x"y')).toEqual(['O"Brien', 'x"y']);
  });

  test('surrounding spaces are kept; trimming is the caller’s choice', () => {
    expect(parseCsvLine(' a , b ')).toEqual([' a ', ' b ']);
  });

  test('an unterminated quote runs to the end of the line', () => {
    expect(parseCsvLine('"abc,d')).toEqual(['abc,d']);
  });
});
