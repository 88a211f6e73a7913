// Saved hunting queries (GET/POST/PUT/DELETE /api/v1/security/huntingQueries) and the
// built-in templates (GET .../huntingQueries/templates).
import { api } from './api';

export interface SavedQuery {
  id: string;
  name: string;
  description: string;
  query: string;
  folder: string;
  shared: boolean;
  owner: string;
  createdDateTime?: string;
  lastModifiedDateTime?: string;
  mine: boolean;
  canEdit: boolean;
}

export interface QueryTemplate {
  id: string;
  name: string;
  description: string;
  query: string;
}

export type SavedQueryInput = Pick<SavedQuery, 'name' | 'description' | 'query' | 'folder' | 'shared'>;

const base = '/api/v1/security/huntingQueries';

export function listSavedQueries(signal?: AbortSignal): Promise<SavedQuery[]> {
  return api<{ value: SavedQuery[] }>(base, signal ? { signal } : {}).then((r) => r.value);
}

export function listTemplates(signal?: AbortSignal): Promise<QueryTemplate[]> {
  return api<{ value: QueryTemplate[] }>(`${base}/templates`, signal ? { signal } : {}).then((r) => r.value);
}

export function getSavedQuery(id: string, signal?: AbortSignal): Promise<SavedQuery> {
  return api<SavedQuery>(`${base}/${encodeURIComponent(id)}`, signal ? { signal } : {});
}

export function createSavedQuery(q: SavedQueryInput): Promise<SavedQuery> {
  return api<SavedQuery>(base, { method: 'POST', body: q });
}

export function updateSavedQuery(id: string, q: SavedQueryInput): Promise<SavedQuery> {
  return api<SavedQuery>(`${base}/${encodeURIComponent(id)}`, { method: 'PUT', body: q });
}

export function deleteSavedQuery(id: string): Promise<void> {
  return api<unknown>(`${base}/${encodeURIComponent(id)}`, { method: 'DELETE' }).then(() => undefined);
}

/** groupQueries splits the list into the caller's own and the others' shared ones, each by
 * folder then name. */
export function groupQueries(all: SavedQuery[]): { mine: SavedQuery[]; shared: SavedQuery[] } {
  const order = (a: SavedQuery, b: SavedQuery) => a.folder.localeCompare(b.folder) || a.name.localeCompare(b.name);
  return { mine: all.filter((q) => q.mine).sort(order), shared: all.filter((q) => !q.mine && q.shared).sort(order) };
}
