// The incident queue's filter: kept in the URL so a view can be shared, turned into the
// OData $filter the API understands, and applied in full to the rows fetched.
import type { Incident } from './types';

export type SortKey = 'id' | 'displayName' | 'severity' | 'status' | 'assignedTo' | 'lastActivityDateTime' | 'createdDateTime' | 'alertCount';

export interface QueueFilter {
  status: string[];
  severity: string[];
  /** assignedTo is a user name; "unassigned" for none; empty for any. */
  assignedTo: string;
  search: string;
  sort: SortKey;
  desc: boolean;
}

export const defaultFilter: QueueFilter = { status: [], severity: [], assignedTo: '', search: '', sort: 'lastActivityDateTime', desc: true };

const sortKeys: SortKey[] = ['id', 'displayName', 'severity', 'status', 'assignedTo', 'lastActivityDateTime', 'createdDateTime', 'alertCount'];

const list = (v: string | null) => (v ? v.split(',').map((s) => s.trim()).filter(Boolean) : []);

export function filterFromURL(p: URLSearchParams): QueueFilter {
  const sortParam = p.get('sort') ?? '';
  const desc = sortParam.startsWith('-') || sortParam === '';
  const key = sortParam.replace(/^-/, '') as SortKey;
  return {
    status: list(p.get('status')),
    severity: list(p.get('severity')),
    assignedTo: p.get('assignedTo') ?? '',
    search: p.get('q') ?? '',
    sort: sortKeys.includes(key) ? key : defaultFilter.sort,
    desc,
  };
}

export function filterToURL(f: QueueFilter): URLSearchParams {
  const p = new URLSearchParams();
  if (f.status.length) p.set('status', f.status.join(','));
  if (f.severity.length) p.set('severity', f.severity.join(','));
  if (f.assignedTo) p.set('assignedTo', f.assignedTo);
  if (f.search) p.set('q', f.search);
  if (f.sort !== defaultFilter.sort || !f.desc) p.set('sort', (f.desc ? '-' : '') + f.sort);
  return p;
}

const quote = (s: string) => `'${s.replaceAll("'", "''")}'`;

function anyOf(field: string, values: string[]): string {
  const terms = values.map((v) => `${field} eq ${quote(v)}`);
  return terms.length > 1 ? `(${terms.join(' or ')})` : (terms[0] ?? '');
}

/** odataFilter is the filter in OData's $filter syntax, as Graph accepts it. */
export function odataFilter(f: QueueFilter): string {
  const parts = [anyOf('status', f.status), anyOf('severity', f.severity)];
  if (f.assignedTo === 'unassigned') parts.push('assignedTo eq null');
  else if (f.assignedTo) parts.push(`assignedTo eq ${quote(f.assignedTo)}`);
  return parts.filter(Boolean).join(' and ');
}

/** serverFilter is the part of the filter this server's $filter supports today (one
 * "field eq 'value'" per field, on status and severity); the rest is applied to the rows
 * fetched, by matches. */
export function serverFilter(f: QueueFilter): string {
  const parts: string[] = [];
  if (f.status.length === 1 && f.status[0]) parts.push(`status eq ${quote(f.status[0])}`);
  if (f.severity.length === 1 && f.severity[0]) parts.push(`severity eq ${quote(f.severity[0])}`);
  return parts.join(' and ');
}

export interface FilterTerm {
  field: string;
  values: (string | null)[];
}

/** parseODataFilter reads the subset odataFilter writes: terms "field eq 'v'" or "field eq
 * null", alternatives of one field joined by "or" in parentheses, terms joined by "and". */
export function parseODataFilter(s: string): FilterTerm[] {
  const terms: FilterTerm[] = [];
  const src = s.trim();
  if (src === '') return terms;
  const tokens = src.match(/'(?:[^']|'')*'|\(|\)|[A-Za-z_][\w.]*|\S/g) ?? [];
  let i = 0;
  const next = () => tokens[i++];
  const expect = (t: string) => {
    const got = next();
    if (got?.toLowerCase() !== t) throw new Error(`expected ${t}, got ${got ?? 'end of filter'}`);
  };
  const comparison = (): { field: string; value: string | null } => {
    const field = next();
    if (!field || !/^[A-Za-z_]/.test(field)) throw new Error(`expected a field name, got ${field ?? 'end of filter'}`);
    expect('eq');
    const v = next();
    if (v === undefined) throw new Error('expected a value, got end of filter');
    if (v === 'null') return { field, value: null };
    if (!v.startsWith("'")) throw new Error(`expected a quoted value, got ${v}`);
    return { field, value: v.slice(1, -1).replaceAll("''", "'") };
  };
  for (;;) {
    if (tokens[i] === '(') {
      next();
      const first = comparison();
      const t: FilterTerm = { field: first.field, values: [first.value] };
      while (tokens[i]?.toLowerCase() === 'or') {
        next();
        const c = comparison();
        if (c.field !== t.field) throw new Error(`"or" joins one field's values: ${t.field} and ${c.field}`);
        t.values.push(c.value);
      }
      expect(')');
      terms.push(t);
    } else {
      const c = comparison();
      terms.push({ field: c.field, values: [c.value] });
    }
    if (i >= tokens.length) return terms;
    expect('and');
  }
}

const sevRank: Record<string, number> = { high: 4, medium: 3, low: 2, informational: 1, unknown: 0 };

/** matches applies the whole filter to an incident. */
export function matches(f: QueueFilter, in_: Incident): boolean {
  if (f.status.length && !f.status.includes(in_.status)) return false;
  if (f.severity.length && !f.severity.includes(in_.severity)) return false;
  if (f.assignedTo === 'unassigned' && in_.assignedTo) return false;
  if (f.assignedTo && f.assignedTo !== 'unassigned' && (in_.assignedTo ?? '').toLowerCase() !== f.assignedTo.toLowerCase()) return false;
  if (f.search) {
    const q = f.search.toLowerCase();
    if (!in_.displayName.toLowerCase().includes(q) && in_.id !== f.search && !in_.customTags.some((t) => t.toLowerCase().includes(q))) return false;
  }
  return true;
}

export function compareIncidents(key: SortKey, desc: boolean): (a: Incident, b: Incident) => number {
  const sign = desc ? -1 : 1;
  return (a, b) => {
    let c: number;
    switch (key) {
      case 'id':
      case 'alertCount':
        c = Number(a[key]) - Number(b[key]);
        break;
      case 'severity':
        c = (sevRank[a.severity] ?? 0) - (sevRank[b.severity] ?? 0);
        break;
      default:
        c = (a[key] ?? '').localeCompare(b[key] ?? '');
    }
    return c === 0 ? sign * (Number(a.id) - Number(b.id)) : sign * c;
  };
}
