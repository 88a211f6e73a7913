// Named incident queue filters, kept on the server (GET/POST/PUT/DELETE
// /api/v1/security/savedFilters): each is the queue's URL query string, private to its owner or
// shared with the tenant. Filters saved in this browser before the server kept them
// (localStorage) move to the server on the first load.
import { api } from './api';

export interface SavedFilter {
  id: string;
  name: string;
  query: string;
  shared: boolean;
  owner: string;
  createdDateTime?: string;
  lastModifiedDateTime?: string;
  mine: boolean;
  canEdit: boolean;
}

export type SavedFilterInput = Pick<SavedFilter, 'name' | 'query' | 'shared'>;

const base = '/api/v1/security/savedFilters';

export function listFilters(signal?: AbortSignal): Promise<SavedFilter[]> {
  return api<{ value: SavedFilter[] }>(base, signal ? { signal } : {}).then((r) => r.value);
}

export function createFilter(f: SavedFilterInput): Promise<SavedFilter> {
  return api<SavedFilter>(base, { method: 'POST', body: f });
}

export function updateFilter(id: string, f: SavedFilterInput): Promise<SavedFilter> {
  return api<SavedFilter>(`${base}/${encodeURIComponent(id)}`, { method: 'PUT', body: f });
}

export function deleteFilter(id: string): Promise<void> {
  return api<unknown>(`${base}/${encodeURIComponent(id)}`, { method: 'DELETE' }).then(() => undefined);
}

/** sameName compares filter names as the server does: trimmed, without case. */
function sameName(a: string, b: string): boolean {
  return a.trim().toLowerCase() === b.trim().toLowerCase();
}

/** ownByName is the caller's own filter of that name, which saving under the name replaces. */
export function ownByName(list: SavedFilter[], name: string): SavedFilter | undefined {
  return list.find((f) => f.mine && sameName(f.name, name));
}

/** saveFilter stores the filter under its name: it replaces the caller's own filter of that
 * name (names compare without case) or creates one. */
export function saveFilter(list: SavedFilter[], f: SavedFilterInput): Promise<SavedFilter> {
  const name = f.name.trim();
  if (!name) return Promise.reject(new Error('Name the filter'));
  const own = ownByName(list, name);
  const input = { ...f, name };
  return own ? updateFilter(own.id, input) : createFilter(input);
}

/** groupFilters splits the list into the caller's own and the others' shared ones, by name. */
export function groupFilters(all: SavedFilter[]): { mine: SavedFilter[]; shared: SavedFilter[] } {
  const byName = (a: SavedFilter, b: SavedFilter) => a.name.localeCompare(b.name) || a.owner.localeCompare(b.owner);
  return { mine: all.filter((f) => f.mine).sort(byName), shared: all.filter((f) => !f.mine && f.shared).sort(byName) };
}

// Where the portal kept filters before the server did.
const localKey = 'vigil.incidents.filters';

/** LocalFilter is a filter kept in this browser by earlier versions of the portal. */
export interface LocalFilter {
  name: string;
  query: string;
}

/** loadLocalFilters reads the filters this browser kept, skipping malformed entries. */
export function loadLocalFilters(): LocalFilter[] {
  try {
    const v: unknown = JSON.parse(localStorage.getItem(localKey) ?? '[]');
    const ok = (f: unknown): f is LocalFilter => {
      const x = f as Partial<LocalFilter> | null;
      return typeof x === 'object' && x !== null && typeof x.name === 'string' && x.name.trim() !== '' && typeof x.query === 'string' && x.query !== '';
    };
    return Array.isArray(v) ? v.filter(ok) : [];
  } catch {
    return [];
  }
}

/** toMigrate is the local filters the server does not have yet: those without an own filter of
 * the same name (one already there was moved before, or saved since, and wins). */
export function toMigrate(local: LocalFilter[], server: SavedFilter[]): LocalFilter[] {
  return local.filter((l, i) => !ownByName(server, l.name) && local.findIndex((x) => sameName(x.name, l.name)) === i);
}

/** migrateLocal moves this browser's filters to the server as private filters and forgets
 * them locally once every one is stored; a filter the server refuses stays in the browser
 * (and is retried on the next load). It returns the server's list and what it could not move. */
export async function migrateLocal(server: SavedFilter[]): Promise<{ list: SavedFilter[]; moved: number; failed: string[] }> {
  const pending = toMigrate(loadLocalFilters(), server);
  const failed: LocalFilter[] = [];
  const errors: string[] = [];
  let list = server;
  for (const l of pending) {
    try {
      list = [...list, await createFilter({ name: l.name.trim(), query: l.query, shared: false })];
    } catch (e) {
      failed.push(l);
      errors.push(`${l.name}: ${(e as Error).message}`);
    }
  }
  if (failed.length) localStorage.setItem(localKey, JSON.stringify(failed));
  else localStorage.removeItem(localKey);
  return { list, moved: pending.length - failed.length, failed: errors };
}
