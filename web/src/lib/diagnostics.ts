// runHuntingQuery's diagnostics carry byte offsets into the UTF-8 query; the editor counts
// UTF-16 code units in lines and columns. This maps one to the other.
import type { Diagnostic } from './api';

export interface Marker {
  startLineNumber: number;
  startColumn: number;
  endLineNumber: number;
  endColumn: number;
  message: string;
  /** severity is Monaco's MarkerSeverity: 8 error, 4 warning, 2 info. */
  severity: 8 | 4 | 2;
}

/** utf16Offset returns the UTF-16 offset in text of the UTF-8 byte offset b. */
export function utf16Offset(text: string, b: number): number {
  let bytes = 0;
  let units = 0;
  for (const ch of text) {
    if (bytes >= b) break;
    const cp = ch.codePointAt(0) ?? 0;
    bytes += cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
    units += ch.length;
  }
  return units;
}

/** positionAt returns the 1-based line and column of UTF-16 offset off, as Monaco numbers them. */
export function positionAt(text: string, off: number): { lineNumber: number; column: number } {
  const before = text.slice(0, Math.max(0, Math.min(off, text.length)));
  const lineStart = before.lastIndexOf('\n') + 1;
  let line = 1;
  for (let i = 0; i < lineStart; i++) if (before.charCodeAt(i) === 10) line++;
  return { lineNumber: line, column: before.length - lineStart + 1 };
}

const severityOf = (s: string): Marker['severity'] => (s === 'warning' ? 4 : s === 'error' ? 8 : 2);

/** toMarkers maps diagnostics to editor markers. An empty span (at the end of the query, or
 * where something is missing) is widened to one character, or to the character before it at
 * the end of the text, so that it can be seen. */
export function toMarkers(text: string, diags: Diagnostic[]): Marker[] {
  return diags.map((d) => {
    let start = utf16Offset(text, d.start);
    let end = utf16Offset(text, Math.max(d.end, d.start));
    if (end === start) {
      if (end < text.length && text[end] !== '\n') end++;
      else if (start > 0) start--;
    }
    const s = positionAt(text, start);
    const e = positionAt(text, end);
    return {
      startLineNumber: s.lineNumber, startColumn: s.column, endLineNumber: e.lineNumber, endColumn: e.column,
      message: d.message, severity: severityOf(d.severity),
    };
  });
}
