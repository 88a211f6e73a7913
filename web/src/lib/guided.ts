// Guided hunting: a query built from a table, filter rows, a time range and an optional
// summarize, written out as KQL (shown live and handed to the advanced editor).

export interface GuidedColumn {
  name: string;
  type: string;
}

export interface FilterRow {
  column: string;
  op: string;
  value: string;
}

export type Aggregation = 'none' | 'count' | 'dcount';

export interface GuidedQuery {
  table: string;
  /** range is how far back from now: '1h', '24h', '7d', '30d', or 'all'. */
  range: string;
  filters: FilterRow[];
  aggregation: Aggregation;
  /** dcountColumn is the column dcount() counts. */
  dcountColumn: string;
  by: string[];
  /** bin is the time bucket of the summarize ('' for none), as '1h' or '1d'. */
  bin: string;
  /** limit caps the rows of a query without summarize. */
  limit: number;
}

export const timeRanges: { value: string; label: string }[] = [
  { value: '1h', label: 'Last hour' }, { value: '24h', label: 'Last 24 hours' }, { value: '7d', label: 'Last 7 days' },
  { value: '30d', label: 'Last 30 days' }, { value: 'all', label: 'All time' },
];

export const bins = ['5m', '1h', '1d'];

export interface Operator {
  op: string;
  label: string;
  /** arity: 0 needs no value, 1 one value, -1 a comma-separated list. */
  arity: 0 | 1 | -1;
}

type Kind = 'string' | 'number' | 'datetime' | 'bool' | 'dynamic';

/** kindOf groups a KQL column type by the operators it takes. */
export function kindOf(type: string): Kind {
  switch (type.toLowerCase()) {
    case 'int': case 'long': case 'real': case 'double': case 'decimal': return 'number';
    case 'datetime': case 'date': return 'datetime';
    case 'bool': case 'boolean': return 'bool';
    case 'dynamic': return 'dynamic';
    default: return 'string';
  }
}

const ops: Record<Kind, Operator[]> = {
  string: [
    { op: '==', label: 'equals', arity: 1 }, { op: '!=', label: 'does not equal', arity: 1 },
    { op: '=~', label: 'equals (any case)', arity: 1 }, { op: 'has', label: 'has word', arity: 1 },
    { op: 'contains', label: 'contains', arity: 1 }, { op: '!contains', label: 'does not contain', arity: 1 },
    { op: 'startswith', label: 'starts with', arity: 1 }, { op: 'endswith', label: 'ends with', arity: 1 },
    { op: 'in~', label: 'is one of', arity: -1 }, { op: '!in~', label: 'is none of', arity: -1 },
    { op: 'matches regex', label: 'matches regex', arity: 1 },
    { op: 'isnotempty', label: 'is not empty', arity: 0 }, { op: 'isempty', label: 'is empty', arity: 0 },
  ],
  number: [
    { op: '==', label: '=', arity: 1 }, { op: '!=', label: '≠', arity: 1 }, { op: '>', label: '>', arity: 1 },
    { op: '>=', label: '≥', arity: 1 }, { op: '<', label: '<', arity: 1 }, { op: '<=', label: '≤', arity: 1 },
    { op: 'in', label: 'is one of', arity: -1 }, { op: 'isnotnull', label: 'is set', arity: 0 }, { op: 'isnull', label: 'is not set', arity: 0 },
  ],
  datetime: [
    { op: '>', label: 'after', arity: 1 }, { op: '<', label: 'before', arity: 1 },
    { op: 'isnotnull', label: 'is set', arity: 0 }, { op: 'isnull', label: 'is not set', arity: 0 },
  ],
  bool: [{ op: 'true', label: 'is true', arity: 0 }, { op: 'false', label: 'is false', arity: 0 }],
  dynamic: [
    { op: 'has', label: 'has word', arity: 1 }, { op: 'contains', label: 'contains', arity: 1 },
    { op: 'isnotempty', label: 'is not empty', arity: 0 }, { op: 'isempty', label: 'is empty', arity: 0 },
  ],
};

/** operatorsFor lists the operators a column of type takes, the first being the default. */
export function operatorsFor(type: string): Operator[] {
  return ops[kindOf(type)];
}

/** str is a KQL string literal. */
export function str(v: string): string {
  return `"${v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n').replace(/\r/g, '\\r').replace(/\t/g, '\\t')}"`;
}

/** ident quotes a column or table name that is not a plain identifier. */
export function ident(n: string): string {
  return /^[A-Za-z_][A-Za-z0-9_]*$/.test(n) ? n : `['${n.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}']`;
}

/** timeColumn is the column the time range filters on: Timestamp, TimeGenerated, else the
 * first datetime column; '' when the table has none. */
export function timeColumn(cols: GuidedColumn[]): string {
  const dt = cols.filter((c) => kindOf(c.type) === 'datetime');
  return (dt.find((c) => c.name === 'Timestamp') ?? dt.find((c) => c.name === 'TimeGenerated') ?? dt[0])?.name ?? '';
}

function literal(kind: Kind, v: string, where: string): string {
  const t = v.trim();
  if (kind === 'number') {
    if (!/^-?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(t)) throw new Error(`${where}: "${v}" is not a number`);
    return t;
  }
  if (kind === 'datetime') {
    if (/^\d+[smhd]$/.test(t)) return `ago(${t})`;
    if (Number.isNaN(Date.parse(t))) throw new Error(`${where}: "${v}" is not a date (use 2026-01-31, 2026-01-31T08:00:00Z or 3d for three days ago)`);
    return `datetime(${t})`;
  }
  return str(v);
}

function condition(f: FilterRow, cols: GuidedColumn[], n: number): string {
  const where = `filter ${n}`;
  const col = cols.find((c) => c.name === f.column);
  if (!col) throw new Error(`${where}: pick a column`);
  const kind = kindOf(col.type);
  const op = ops[kind].find((o) => o.op === f.op);
  if (!op) throw new Error(`${where}: "${f.op}" does not apply to ${col.name} (${col.type})`);
  const c = ident(col.name);
  if (op.arity === 0) {
    if (kind === 'bool') return `${c} == ${op.op}`;
    return `${op.op}(${c})`;
  }
  if (f.value.trim() === '') throw new Error(`${where}: ${col.name} ${op.label} needs a value`);
  if (op.arity === -1) {
    const items = f.value.split(',').map((x) => x.trim()).filter((x) => x !== '');
    return `${c} ${op.op} (${items.map((x) => literal(kind, x, where)).join(', ')})`;
  }
  const lhs = kind === 'dynamic' ? `tostring(${c})` : c;
  return `${lhs} ${op.op} ${literal(kind, f.value, where)}`;
}

export interface Built {
  kql: string;
  /** error says what to fix; kql is then what could be built so far. */
  error: string;
}

/** buildKql writes g as KQL over a table with cols. */
export function buildKql(g: GuidedQuery, cols: GuidedColumn[]): Built {
  if (!g.table) return { kql: '', error: 'Pick a table' };
  const lines = [ident(g.table)];
  const tc = timeColumn(cols);
  let error = '';
  if (g.range !== 'all' && tc) lines.push(`| where ${ident(tc)} > ago(${g.range})`);
  g.filters.forEach((f, i) => {
    if (error) return;
    try {
      lines.push(`| where ${condition(f, cols, i + 1)}`);
    } catch (e) {
      error = (e as Error).message;
    }
  });
  if (g.aggregation === 'none') {
    if (tc) lines.push(`| order by ${ident(tc)} desc`);
    lines.push(`| take ${Math.max(1, Math.min(g.limit || 100, 10000))}`);
    return { kql: lines.join('\n'), error };
  }
  let agg = 'Count = count()';
  if (g.aggregation === 'dcount') {
    if (!cols.some((c) => c.name === g.dcountColumn)) {
      return { kql: lines.join('\n'), error: error || 'Pick the column to count distinct values of' };
    }
    agg = `Distinct${g.dcountColumn.replace(/[^A-Za-z0-9_]/g, '')} = dcount(${ident(g.dcountColumn)})`;
  }
  const by = g.by.filter((b) => cols.some((c) => c.name === b)).map(ident);
  if (g.bin && tc) by.unshift(`bin(${ident(tc)}, ${g.bin})`);
  lines.push(`| summarize ${agg}${by.length ? ` by ${by.join(', ')}` : ''}`);
  if (g.bin && tc) {
    lines.push(`| order by ${ident(tc)} asc`);
    if (by.length === 1) lines.push('| render timechart');
  } else if (by.length) {
    lines.push(`| order by ${agg.split(' ')[0]} desc`);
  }
  return { kql: lines.join('\n'), error };
}

/** emptyGuided is a new guided query over table. */
export function emptyGuided(table = ''): GuidedQuery {
  return { table, range: '7d', filters: [], aggregation: 'none', dcountColumn: '', by: [], bin: '', limit: 100 };
}
