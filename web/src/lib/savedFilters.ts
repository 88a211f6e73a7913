// Named incident queue filters, kept in this browser (localStorage): each is the queue's URL
// query string.
const key = 'vigil.incidents.filters';

export interface SavedFilter {
  name: string;
  query: string;
}

export function loadFilters(): SavedFilter[] {
  try {
    const v: unknown = JSON.parse(localStorage.getItem(key) ?? '[]');
    return Array.isArray(v) ? (v as SavedFilter[]).filter((f) => typeof f.name === 'string' && typeof f.query === 'string') : [];
  } catch {
    return [];
  }
}

/** saveFilter adds or replaces the filter of that name (names compare without case) and
 * returns the list, sorted by name. */
export function saveFilter(f: SavedFilter): SavedFilter[] {
  const name = f.name.trim();
  if (!name) throw new Error('Name the filter');
  const list = [...loadFilters().filter((x) => x.name.toLowerCase() !== name.toLowerCase()), { name, query: f.query }]
    .sort((a, b) => a.name.localeCompare(b.name));
  localStorage.setItem(key, JSON.stringify(list));
  return list;
}

export function deleteFilter(name: string): SavedFilter[] {
  const list = loadFilters().filter((x) => x.name !== name);
  localStorage.setItem(key, JSON.stringify(list));
  return list;
}
