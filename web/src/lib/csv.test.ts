import { describe, expect, it } from 'vitest';
import { cellText, csvField, toCSV, toTSV } from './csv';

describe('CSV export', () => {
  it('quotes what RFC 4180 needs quoted', () => {
    expect(csvField('plain')).toBe('plain');
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('two\nlines')).toBe('"two\nlines"');
    expect(csvField(' padded ')).toBe('" padded "');
  });
  it('keeps spreadsheet formulas as text', () => {
    expect(csvField('=HYPERLINK("x")')).toBe('"\'=HYPERLINK(""x"")"');
    expect(csvField('@SUM(A1)')).toBe("'@SUM(A1)");
    expect(csvField('-enc AAAA')).toBe('-enc AAAA');
  });
  it('renders values as the grid does', () => {
    expect(cellText(null)).toBe('');
    expect(cellText(undefined)).toBe('');
    expect(cellText(42)).toBe('42');
    expect(cellText(false)).toBe('false');
    expect(cellText({ a: [1, 2] })).toBe('{"a":[1,2]}');
  });
  it('writes a header and CRLF rows', () => {
    const rows = [{ DeviceName: 'ws1', count_: 3, Extra: 'ignored' }, { DeviceName: 'ws,2', count_: null }];
    expect(toCSV(['DeviceName', 'count_'], rows)).toBe('DeviceName,count_\r\nws1,3\r\n"ws,2",\r\n');
  });
  it('copies tab-separated text with no line breaks inside cells', () => {
    expect(toTSV(['a', 'b'], [{ a: 'x\ty', b: 'l1\nl2' }])).toBe('a\tb\nx y\tl1 l2');
  });
});
