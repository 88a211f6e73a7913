// The chart a query asks for with `render`, and the series a chart draws from a result.
import { cellText } from './csv';
import type { HuntingResult } from './types';

export type ChartKind = 'table' | 'timechart' | 'columnchart' | 'barchart' | 'piechart' | 'scatterchart' | 'linechart' | 'areachart';
export const chartKinds: ChartKind[] = ['table', 'timechart', 'columnchart', 'barchart', 'piechart', 'scatterchart', 'linechart', 'areachart'];

/** renderOf returns the visualization of the query's last `render` operator, or 'table'. */
export function renderOf(query: string): ChartKind {
  const noComments = query.replace(/\/\/[^\n]*/g, '');
  const all = [...noComments.matchAll(/\|\s*render\s+([A-Za-z]+)/g)];
  const kind = all.at(-1)?.[1]?.toLowerCase();
  return chartKinds.find((k) => k === kind) ?? 'table';
}

const numeric = new Set(['int', 'long', 'real', 'decimal', 'double']);

export interface Series {
  x: string;
  xIsTime: boolean;
  ys: string[];
  data: Record<string, string | number | null>[];
}

/** seriesOf picks the x column (the first datetime, else the first string, else the first
 * column) and the numeric y columns, as Kusto's render does. A string column beside a time
 * and a number splits the values into one series per string (pivot). */
export function seriesOf(r: HuntingResult, kind: ChartKind): Series | null {
  const cols = r.schema;
  const time = cols.find((c) => c.Type === 'datetime');
  const nums = cols.filter((c) => numeric.has(c.Type));
  if (!nums.length) return null;
  const isTimeKind = kind === 'timechart' || kind === 'linechart' || kind === 'areachart';
  const xCol = (isTimeKind ? time : undefined) ?? cols.find((c) => c.Type === 'string') ?? time ?? cols.find((c) => !nums.includes(c));
  if (!xCol) return null;
  const ys = nums.filter((c) => c !== xCol).map((c) => c.Name);
  const split = kind !== 'piechart' && xCol.Type === 'datetime' ? cols.find((c) => c.Type === 'string') : undefined;
  const num = (v: unknown) => (typeof v === 'number' ? v : typeof v === 'string' && v !== '' && !Number.isNaN(Number(v)) ? Number(v) : null);
  if (split && ys.length === 1 && ys[0]) {
    const y = ys[0];
    const byX = new Map<string, Record<string, string | number | null>>();
    const names = new Set<string>();
    for (const row of r.results) {
      const x = cellText(row[xCol.Name]);
      const name = cellText(row[split.Name]);
      names.add(name);
      const rec = byX.get(x) ?? { [xCol.Name]: x };
      rec[name] = num(row[y]);
      byX.set(x, rec);
    }
    const data = [...byX.values()].sort((a, b) => String(a[xCol.Name]).localeCompare(String(b[xCol.Name])));
    return { x: xCol.Name, xIsTime: true, ys: [...names], data };
  }
  const data = r.results.map((row) => {
    const rec: Record<string, string | number | null> = { [xCol.Name]: cellText(row[xCol.Name]) };
    for (const y of ys) rec[y] = num(row[y]);
    return rec;
  });
  if (xCol.Type === 'datetime') data.sort((a, b) => String(a[xCol.Name]).localeCompare(String(b[xCol.Name])));
  return { x: xCol.Name, xIsTime: xCol.Type === 'datetime', ys, data };
}
