import { beforeEach, describe, expect, it } from 'vitest';
import { deleteFilter, loadFilters, saveFilter } from './savedFilters';

describe('saved incident filters', () => {
  beforeEach(() => localStorage.clear());
  it('saves, replaces by name without case, sorts and deletes', () => {
    expect(loadFilters()).toEqual([]);
    saveFilter({ name: 'Mine, high', query: 'severity=high&assignedTo=me' });
    saveFilter({ name: ' active ', query: 'status=active' });
    expect(saveFilter({ name: 'MINE, HIGH', query: 'severity=high' })).toEqual([
      { name: 'active', query: 'status=active' }, { name: 'MINE, HIGH', query: 'severity=high' },
    ]);
    expect(deleteFilter('active')).toEqual([{ name: 'MINE, HIGH', query: 'severity=high' }]);
    expect(loadFilters()).toHaveLength(1);
  });
  it('refuses an empty name and survives junk', () => {
    expect(() => saveFilter({ name: ' ', query: '' })).toThrow('Name the filter');
    localStorage.setItem('vigil.incidents.filters', '{not json');
    expect(loadFilters()).toEqual([]);
    localStorage.setItem('vigil.incidents.filters', '[{"name":1},{"name":"ok","query":"a=b"}]');
    expect(loadFilters()).toEqual([{ name: 'ok', query: 'a=b' }]);
  });
});
