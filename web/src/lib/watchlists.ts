// Watchlists (internal/api/watchlists.go, docs/watchlists.md): the API, a local reading of
// the CSV for the create form (its header for the search key and the type overrides, its
// items and guessed types), where a server error belongs in that form, and what the hunting
// editor needs to know about watchlists.
import { api, ApiError } from './api';

export interface WatchlistColumn {
  name: string;
  type: string;
}

export interface Watchlist {
  watchlistAlias: string;
  watchlistId?: string;
  displayName: string;
  description: string;
  provider: string;
  source: string;
  itemsSearchKey: string;
  columns?: WatchlistColumn[] | null;
  createdBy?: string;
  created?: string;
  updated?: string;
  itemCount: number;
}

export interface WatchlistItem {
  watchlistItemId: string;
  itemsKeyValue: Record<string, string>;
  created?: string;
  updated?: string;
}

/** columnTypes are the types a watchlist column may declare (meta.watchlistTypes). */
export const columnTypes = ['string', 'long', 'int', 'real', 'datetime', 'bool', 'timespan', 'guid', 'dynamic', 'decimal'] as const;

/** reservedColumns are the columns _GetWatchlist() adds; a watchlist column may not take their names. */
export const reservedColumns = ['_DTItemId', 'LastUpdatedTimeUTC', 'SearchKey', 'WatchlistItem'];

const base = '/api/v1/security/watchlists';
const path = (alias: string) => `${base}/${encodeURIComponent(alias)}`;

export async function listWatchlists(signal?: AbortSignal): Promise<Watchlist[]> {
  return (await api<{ value: Watchlist[] }>(base, signal ? { signal } : {})).value;
}

export function getWatchlist(alias: string, signal?: AbortSignal): Promise<Watchlist> {
  return api<Watchlist>(path(alias), signal ? { signal } : {});
}

export async function listItems(alias: string, signal?: AbortSignal): Promise<WatchlistItem[]> {
  return (await api<{ value: WatchlistItem[] }>(`${path(alias)}/watchlistItems`, signal ? { signal } : {})).value;
}

/** WatchlistDraft is what the create form sends: the definition and the CSV of its items. */
export interface WatchlistDraft {
  alias: string;
  name: string;
  description: string;
  searchKey: string;
  csv: string;
  /** source names where the items came from, such as the uploaded file's name. */
  source: string;
  /** types overrides the server's guess for some columns: column name to type. */
  types: Record<string, string>;
}

/** createBody is the JSON create request of a draft: JSON rather than the CSV body with
 * query parameters, so that column names with commas or colons survive as type overrides. */
export function createBody(d: WatchlistDraft): Record<string, unknown> {
  const body: Record<string, unknown> = {
    watchlistAlias: d.alias.trim(), displayName: d.name.trim(), description: d.description, itemsSearchKey: d.searchKey.trim(),
    rawContent: d.csv, contentType: 'text/csv',
  };
  if (d.source) body.source = d.source;
  const cols = Object.entries(d.types).filter(([, t]) => t !== '').map(([name, type]) => ({ name, type }));
  if (cols.length) body.columns = cols;
  return body;
}

export function createWatchlist(d: WatchlistDraft): Promise<Watchlist> {
  return api<Watchlist>(base, { method: 'POST', body: createBody(d) });
}

export async function deleteWatchlist(alias: string): Promise<void> {
  await api(path(alias), { method: 'DELETE' });
}

export function addItem(alias: string, values: Record<string, string>): Promise<WatchlistItem> {
  return api<WatchlistItem>(`${path(alias)}/watchlistItems`, { method: 'POST', body: { itemsKeyValue: values } });
}

export function replaceItem(alias: string, id: string, values: Record<string, string>): Promise<WatchlistItem> {
  return api<WatchlistItem>(`${path(alias)}/watchlistItems/${encodeURIComponent(id)}`, { method: 'PUT', body: { itemsKeyValue: values } });
}

export async function deleteItem(alias: string, id: string): Promise<void> {
  await api(`${path(alias)}/watchlistItems/${encodeURIComponent(id)}`, { method: 'DELETE' });
}

/** CsvProblem is what is wrong with a CSV, at a 1-based line. */
export interface CsvProblem {
  line: number;
  message: string;
}

/** CsvPreview is the local reading of a watchlist CSV: the header, the items, and problems. */
export interface CsvPreview {
  header: string[];
  rows: string[][];
  problems: CsvProblem[];
}

/**
 * parseCsv reads a CSV as Go's encoding/csv does (which the server uses): RFC 4180 fields,
 * quotes only around a whole field, every record as wide as the header, blank lines skipped,
 * a leading byte-order mark dropped. It collects problems (with their lines) rather than
 * stopping at the first, since the form shows them while the user types; the server has the
 * last word when the form is sent.
 */
export function parseCsv(text: string): CsvPreview {
  const src = text.replace(/^\ufeff/, '');
  const records: { line: number; fields: string[] }[] = [];
  const problems: CsvProblem[] = [];
  let line = 1;
  let i = 0;
  while (i < src.length) {
    const start = line;
    const fields: string[] = [];
    let field = '';
    let bad = '';
    for (;;) {
      if (src[i] === '"' && field === '') {
        // A quoted field runs to the next quote not doubled; it may hold commas and newlines.
        i++;
        for (;;) {
          if (i >= src.length) { bad ||= 'extraneous or missing " in quoted-field'; break; }
          const c = src[i] ?? '';
          if (c === '"') {
            if (src[i + 1] === '"') { field += '"'; i += 2; continue; }
            i++;
            break;
          }
          if (c === '\n') line++;
          field += c;
          i++;
        }
        const next = src[i];
        if (next !== undefined && next !== ',' && next !== '\n' && next !== '\r') {
          bad ||= 'extraneous or missing " in quoted-field';
          while (i < src.length && src[i] !== ',' && src[i] !== '\n') field += src[i++] ?? '';
        }
      } else {
        while (i < src.length && src[i] !== ',' && src[i] !== '\n') {
          const c = src[i] ?? '';
          if (c === '"') bad ||= 'bare " in non-quoted-field';
          field += c;
          i++;
        }
        if (field.endsWith('\r') && (src[i] === '\n' || i >= src.length)) field = field.slice(0, -1);
      }
      fields.push(field);
      field = '';
      if (src[i] === ',') { i++; continue; }
      if (src[i] === '\r') i++;
      if (src[i] === '\n') { i++; line++; }
      break;
    }
    if (bad) problems.push({ line: start, message: bad });
    if (fields.length === 1 && fields[0] === '') continue; // a blank line
    records.push({ line: start, fields });
  }
  const [head, ...rest] = records;
  if (!head) return { header: [], rows: [], problems: [{ line: 1, message: 'the CSV is empty: it needs a header row naming the columns' }] };
  const header = head.fields.map((h) => h.trim());
  for (const r of rest) {
    if (r.fields.length !== header.length) {
      problems.push({ line: r.line, message: `${r.fields.length} field${r.fields.length === 1 ? '' : 's'}, but the header has ${header.length}` });
    }
  }
  const seen = new Map<string, number>();
  header.forEach((h, n) => {
    if (h === '') problems.push({ line: head.line, message: `column ${n + 1} has no name` });
    const k = h.toLowerCase();
    if (h !== '' && seen.has(k)) problems.push({ line: head.line, message: `column ${n + 1}: "${h}" appears twice (names are compared ignoring case)` });
    seen.set(k, n);
    if (reservedColumns.includes(h)) problems.push({ line: head.line, message: `column "${h}" takes the name of a column _GetWatchlist() adds` });
  });
  problems.sort((a, b) => a.line - b.line);
  return { header, rows: rest.map((r) => r.fields), problems };
}

const integer = /^[+-]?\d+$/;
const number = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
// The datetime layouts the server infers (RFC 3339 with or without a fraction and zone,
// "2006-01-02 15:04:05", "2006-01-02").
const datetime = /^\d{4}-\d{2}-\d{2}(?:(?:T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})?)|(?: \d{2}:\d{2}:\d{2}))?$/;

function isLong(v: string): boolean {
  if (!integer.test(v)) return false;
  const n = BigInt(v);
  return n >= -(2n ** 63n) && n < 2n ** 63n;
}

function isDatetime(v: string): boolean {
  // The server's layouts need a zone for a fraction-less T time only in RFC 3339; a T time
  // without a zone is the second layout. The regular expression admits both; Date checks
  // the calendar (no 2024-02-31).
  if (!datetime.test(v)) return false;
  const d = new Date(v.length === 10 ? `${v}T00:00:00Z` : v.replace(' ', 'T').replace(/(T\d{2}:\d{2}:\d{2}(?:\.\d+)?)$/, '$1Z'));
  if (Number.isNaN(d.getTime())) return false;
  return d.toISOString().slice(0, 10) === v.slice(0, 10) || /[+-]\d{2}:\d{2}$/.test(v);
}

/** inferType is the type the server guesses for a column of values (watchlist.InferType):
 * long, real, datetime or bool when every non-empty value is one, else string. */
export function inferType(values: string[]): string {
  const kinds = { long: true, real: true, datetime: true, bool: true };
  let seen = false;
  for (const raw of values) {
    const v = raw.trim();
    if (v === '') continue;
    seen = true;
    if (!isLong(v)) kinds.long = false;
    if (!number.test(v)) kinds.real = false;
    if (!isDatetime(v)) kinds.datetime = false;
    if (v.toLowerCase() !== 'true' && v.toLowerCase() !== 'false') kinds.bool = false;
  }
  if (!seen) return 'string';
  for (const k of ['long', 'real', 'datetime', 'bool'] as const) if (kinds[k]) return k;
  return 'string';
}

/** guessTypes is inferType for each column of a preview, by column name. */
export function guessTypes(p: CsvPreview): Record<string, string> {
  const out: Record<string, string> = {};
  p.header.forEach((h, i) => { out[h] = inferType(p.rows.map((r) => r[i] ?? '')); });
  return out;
}

/** valueProblem says why v would read as empty in a column of type t, or '' when it fits. An
 * item's values are kept as written; _GetWatchlist() converts them to the column's type. */
export function valueProblem(v: string, t: string): string {
  const s = v.trim();
  if (s === '') return '';
  switch (t) {
    case 'long': case 'int': return isLong(s) ? '' : `not an integer: the ${t} column reads it as empty`;
    case 'real': case 'decimal': return number.test(s) ? '' : `not a number: the ${t} column reads it as empty`;
    case 'datetime': return isDatetime(s) ? '' : 'not an ISO 8601 time (2024-01-15T08:00:00Z): the datetime column reads it as empty';
    case 'bool': return /^(true|false)$/i.test(s) ? '' : 'not true or false: the bool column reads it as empty';
    default: return '';
  }
}

/** FormField is a field of the create form. */
export type FormField = 'alias' | 'name' | 'description' | 'searchKey' | 'csv' | 'types' | 'form';

/** errorField says which field of the create form a server error is about, from its
 * message (meta.Watchlist.Validate, watchlist.ParseCSV and the API's own checks). */
export function errorField(e: unknown): FormField {
  const m = e instanceof Error ? e.message : String(e);
  if (e instanceof ApiError && e.status === 409) return 'alias';
  if (/^alias\b/i.test(m)) return 'alias';
  if (/^name must\b/.test(m)) return 'name';
  if (/^description\b/.test(m)) return 'description';
  if (/^search key\b/.test(m)) return 'searchKey';
  if (/^(a type is given|types:)|: type ".*" is not one of/.test(m)) return 'types';
  if (/CSV|^column \d|^a watchlist has .* columns|^a watchlist needs|^column ".*": the name is taken/.test(m)) return 'csv';
  return 'form';
}

/** csvErrorLine is the CSV line a server error names ("CSV: record on line 3: wrong number
 * of fields", "parse error on line 2, column 5"), or 0. */
export function csvErrorLine(message: string): number {
  const m = /\bline (\d+)/.exec(message);
  return m ? Number(m[1]) : 0;
}

/** lineOf is the 1-based line n of text, for showing the line an error names. */
export function lineOf(text: string, n: number): string {
  return text.replace(/^\ufeff/, '').split(/\r?\n/)[n - 1] ?? '';
}

/** aliasProblem checks an alias as the server does, for a hint while typing. */
export function aliasProblem(alias: string): string {
  const a = alias.trim();
  if (a === '') return 'An alias is required: _GetWatchlist() names it.';
  if (!/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/.test(a)) return 'An alias is 1 to 64 letters, digits, "_", "." or "-", starting with a letter or digit.';
  return '';
}

/** isForbidden: the server refused a change for want of a permission. */
export function isForbidden(e: unknown): boolean {
  return e instanceof ApiError && e.status === 403;
}

/** canWriteWatchlists reports whether the caller may change watchlists (rules:write), from the
 * permissions GET /api/v1/auth/me lists; undefined when the server does not say. */
export async function canWriteWatchlists(signal?: AbortSignal): Promise<boolean | undefined> {
  try {
    const me = await api<{ permissions?: string[] }>('/api/v1/auth/me', signal ? { signal, noAuthRedirect: true } : { noAuthRedirect: true });
    return me.permissions ? me.permissions.includes('rules:write') : undefined;
  } catch (e) {
    if (e instanceof DOMException && e.name === 'AbortError') throw e;
    return undefined;
  }
}

/** watchlistQuery is the KQL that reads a watchlist. */
export function watchlistQuery(alias: string): string {
  return `_GetWatchlist('${alias.replaceAll('\\', '\\\\').replaceAll("'", "\\'")}')`;
}

/** huntingLink opens advanced hunting with the watchlist's query in the editor. */
export function huntingLink(alias: string): string {
  return `/hunting?q=${encodeURIComponent(watchlistQuery(alias))}`;
}

// ---- The hunting editor.

/** watchlistArgument finds the alias being typed inside _GetWatchlist(' before the cursor
 * (the text of the line up to it): the quote used and the part typed so far. */
export function watchlistArgument(before: string): { quote: string; typed: string } | null {
  const m = /_GetWatchlist\s*\(\s*(['"])([A-Za-z0-9_.-]*)$/.exec(before);
  return m ? { quote: m[1] ?? "'", typed: m[2] ?? '' } : null;
}

/** aliasInsertText is what completing alias inserts: the alias, and the closing quote and
 * parenthesis when the text after the cursor (after) does not have them already. */
export function aliasInsertText(alias: string, quote: string, after: string): string {
  if (after.startsWith(quote)) return alias;
  return `${alias}${quote}${/^\s*\)/.test(after) ? '' : ')'}`;
}

const ident = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** kqlName quotes a column name for KQL when it is not a plain identifier. */
export function kqlName(n: string): string {
  return ident.test(n) ? n : `['${n.replaceAll('\\', '\\\\').replaceAll("'", "\\'")}']`;
}

/**
 * watchlistFunction is _GetWatchlist(watchlistAlias) for the Kusto language service's schema.
 * The service takes a function's result schema from its body, which cannot depend on the
 * alias; so the body is an empty datatable of the columns every watchlist returns and then
 * the columns of all the tenant's watchlists (a name two watchlists type differently is
 * dynamic). Completion after `_GetWatchlist('x') |` offers them, and a column of any
 * watchlist is not flagged as unknown.
 */
export function watchlistFunction(lists: Watchlist[]) {
  const cols = new Map<string, string>([['_DTItemId', 'string'], ['LastUpdatedTimeUTC', 'datetime'], ['SearchKey', 'string'], ['WatchlistItem', 'dynamic']]);
  const fixed = new Set(cols.keys());
  for (const w of lists) {
    for (const c of w.columns ?? []) {
      if (fixed.has(c.name)) continue;
      const had = cols.get(c.name);
      cols.set(c.name, had === undefined || had === c.type ? c.type : 'dynamic');
    }
  }
  const decl = [...cols].map(([n, t]) => `${kqlName(n)}:${t}`).join(', ');
  const names = lists.map((w) => w.watchlistAlias).join(', ');
  return {
    name: '_GetWatchlist',
    body: `{ datatable(${decl})[] }`,
    inputParameters: [{ name: 'watchlistAlias', type: 'string', cslType: 'string' }],
    docstring: `The current items of a watchlist: _DTItemId, LastUpdatedTimeUTC, SearchKey, WatchlistItem and the watchlist's columns.${names ? ` Watchlists: ${names}.` : ' This tenant has no watchlists yet.'}`,
  };
}
