import { api } from './api';
import type { Incident, Page } from './types';

/** maxQueue is the most incidents the queue loads (pages of 1000). */
export const maxQueue = 10000;

/** fetchIncidents follows @odata.nextLink until the list or maxQueue ends. */
export async function fetchIncidents(filter: string, signal: AbortSignal): Promise<{ items: Incident[]; more: boolean }> {
  const q = new URLSearchParams({ $top: '1000' });
  if (filter) q.set('$filter', filter);
  let next: string | undefined = `/api/v1/security/incidents?${q.toString()}`;
  const items: Incident[] = [];
  while (next && items.length < maxQueue) {
    const page: Page<Incident> = await api<Page<Incident>>(next, { signal });
    items.push(...page.value);
    next = page['@odata.nextLink'];
  }
  return { items, more: next !== undefined };
}

export function patchIncident(id: string, body: Record<string, unknown>, etag?: string): Promise<Incident> {
  return api<Incident>(`/api/v1/security/incidents/${encodeURIComponent(id)}`, {
    method: 'PATCH', body, headers: etag ? { 'If-Match': etag } : {},
  });
}
