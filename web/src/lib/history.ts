// Query history, newest first, in localStorage.
const key = 'vigil.hunting.history';
const max = 50;

export interface HistoryItem {
  query: string;
  at: string;
  rows?: number;
  error?: string;
}

export function loadHistory(): HistoryItem[] {
  try {
    const v: unknown = JSON.parse(localStorage.getItem(key) ?? '[]');
    return Array.isArray(v) ? (v as HistoryItem[]).filter((h) => typeof h.query === 'string') : [];
  } catch {
    return [];
  }
}

export function addHistory(item: HistoryItem): HistoryItem[] {
  const list = [item, ...loadHistory().filter((h) => h.query !== item.query)].slice(0, max);
  localStorage.setItem(key, JSON.stringify(list));
  return list;
}

export function clearHistory(): void {
  localStorage.removeItem(key);
}
