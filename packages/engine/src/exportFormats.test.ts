import type { ResultRow } from '@sluice/store';
import { csvCell, csvHeader, csvLine } from './exportFormats';

const row = (body: unknown, key = 'k1'): ResultRow => ({
  key,
  position: 0,
  status: 200,
  body: JSON.stringify(body),
  attempts: 1,
  fetchedAt: Date.parse('2025-01-01T00:00:00Z'),
  durationMs: 5,
});

describe('CSV export cells', () => {
  test('quotes cells that need it (RFC 4180) and leaves formula-like text alone by default', () => {
    expect(csvCell('a,b')).toBe('"a,b"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell('=1+1')).toBe('=1+1');
    expect(csvCell(undefined)).toBe('');
  });

  test('--csv-safe prefixes text starting with = + - @ tab or CR with a quote, and keeps numbers', () => {
    const safe = { csvSafe: true };
    expect(csvCell('=HYPERLINK("http://x")', safe)).toBe(`"'=HYPERLINK(""http://x"")"`);
    expect(csvCell('+1', safe)).toBe("'+1");
    expect(csvCell('-cmd', safe)).toBe("'-cmd");
    expect(csvCell('@SUM(A1)', safe)).toBe("'@SUM(A1)");
    expect(csvCell('\tx', safe)).toBe("'\tx");
    expect(csvCell('\rx', safe)).toBe(`"'\rx"`);
    expect(csvCell('a=b', safe)).toBe('a=b');
    expect(csvCell(-5, safe)).toBe('-5');
    expect(csvHeader(['-x'], safe)).toBe("key,position,status,attempts,fetchedAt,'-x\n");
  });

  test('csvLine defuses body fields and keys, and marks the fields a row has', () => {
    const found = [false, false];
    const line = csvLine(row({ name: '=evil()', n: -2 }, '@k'), ['name', 'missing'], { csvSafe: true }, found);
    expect(line).toBe("'@k,0,200,1,2025-01-01T00:00:00.000Z,'=evil(),\n");
    expect(found).toEqual([true, false]);
  });
});
