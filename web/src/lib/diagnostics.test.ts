import { describe, expect, it } from 'vitest';
import { positionAt, toMarkers, utf16Offset } from './diagnostics';
import type { Diagnostic } from './api';

const d = (start: number, end: number, message = 'm', severity = 'error'): Diagnostic => ({ line: 0, column: 0, start, end, message, severity });

describe('byte offsets to editor positions', () => {
  it('counts UTF-8 bytes as UTF-16 units', () => {
    const s = 'é😀x'; // é: 2 bytes 1 unit; 😀: 4 bytes 2 units
    expect(utf16Offset(s, 0)).toBe(0);
    expect(utf16Offset(s, 2)).toBe(1);
    expect(utf16Offset(s, 6)).toBe(3);
    expect(utf16Offset(s, 7)).toBe(4);
    expect(utf16Offset(s, 99)).toBe(4);
  });
  it('finds 1-based lines and columns', () => {
    expect(positionAt('ab\ncd', 0)).toEqual({ lineNumber: 1, column: 1 });
    expect(positionAt('ab\ncd', 3)).toEqual({ lineNumber: 2, column: 1 });
    expect(positionAt('ab\ncd', 5)).toEqual({ lineNumber: 2, column: 3 });
  });
});

describe('toMarkers', () => {
  const q = 'DeviceProcessEvents\n| sumarize count()';
  it('underlines the span the server names', () => {
    const start = q.indexOf('sumarize');
    expect(toMarkers(q, [d(start, start + 8, "unknown operator 'sumarize'")])).toEqual([{
      startLineNumber: 2, startColumn: 3, endLineNumber: 2, endColumn: 11, message: "unknown operator 'sumarize'", severity: 8,
    }]);
  });
  it('maps spans after multi-byte text', () => {
    const t = 'T | where A == "çà"\n| bad';
    const start = new TextEncoder().encode(t.slice(0, t.indexOf('bad'))).length;
    const [m] = toMarkers(t, [d(start, start + 3, 'x', 'warning')]);
    expect(m).toMatchObject({ startLineNumber: 2, startColumn: 3, endColumn: 6, severity: 4 });
  });
  it('widens empty spans so they show', () => {
    expect(toMarkers('T | where', [d(9, 9)])[0]).toMatchObject({ startLineNumber: 1, startColumn: 9, endColumn: 10 });
    expect(toMarkers('T | take x', [d(9, 9)])[0]).toMatchObject({ startColumn: 10, endColumn: 11 });
  });
});
