// CSV export of hunting results (RFC 4180), safe to open in a spreadsheet.

/** cellText renders one value as the grid and the CSV show it. */
export function cellText(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return String(v);
  return JSON.stringify(v);
}

// A cell starting with one of these is a formula to a spreadsheet: quote it as text.
const formulaStart = /^[=+@\t\r]/;

export function csvField(v: unknown): string {
  let s = cellText(v);
  if (formulaStart.test(s)) s = `'${s}`;
  if (/[",\r\n]/.test(s) || s !== s.trim()) return `"${s.replaceAll('"', '""')}"`;
  return s;
}

/** toCSV renders rows under a header line, with CRLF line ends as RFC 4180 has them. */
export function toCSV(columns: string[], rows: Record<string, unknown>[]): string {
  const lines = [columns.map(csvField).join(',')];
  for (const r of rows) lines.push(columns.map((c) => csvField(r[c])).join(','));
  return lines.join('\r\n') + '\r\n';
}

/** toTSV is what copying rows puts on the clipboard: tab-separated, pasteable anywhere. */
export function toTSV(columns: string[], rows: Record<string, unknown>[]): string {
  const clean = (v: unknown) => cellText(v).replace(/[\t\r\n]+/g, ' ');
  return [columns.join('\t'), ...rows.map((r) => columns.map((c) => clean(r[c])).join('\t'))].join('\n');
}
