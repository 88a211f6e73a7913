import { beforeEach, describe, expect, it } from 'vitest';
import { groupFilters, loadLocalFilters, ownByName, saveFilter, toMigrate, type SavedFilter } from './savedFilters';

const f = (id: string, name: string, over: Partial<SavedFilter> = {}): SavedFilter => ({
  id, name, query: 'status=active', shared: false, owner: 'ann', mine: true, canEdit: true, ...over,
});

const server = [
  f('sf-1', 'Mine, high'),
  f('sf-2', 'Team view', { owner: 'bob', mine: false, shared: true, canEdit: false }),
  f('sf-3', 'Also mine', { shared: true }),
  f('sf-4', 'mine, HIGH', { owner: 'bob', mine: false, shared: true }),
];

describe('saved incident filters', () => {
  beforeEach(() => localStorage.clear());

  it('groups own and shared filters by name', () => {
    const { mine, shared } = groupFilters(server);
    expect(mine.map((x) => x.id)).toEqual(['sf-3', 'sf-1']);
    expect(shared.map((x) => x.id)).toEqual(['sf-4', 'sf-2']);
  });

  it('finds the own filter a name replaces, without case, never another owner\'s', () => {
    expect(ownByName(server, ' MINE, high ')?.id).toBe('sf-1');
    expect(ownByName(server, 'Team view')).toBeUndefined();
  });

  it('refuses an empty name before asking the server', async () => {
    await expect(saveFilter(server, { name: ' ', query: 'a=b', shared: false })).rejects.toThrow('Name the filter');
  });

  it('reads the filters this browser kept, skipping junk', () => {
    expect(loadLocalFilters()).toEqual([]);
    localStorage.setItem('vigil.incidents.filters', '{not json');
    expect(loadLocalFilters()).toEqual([]);
    localStorage.setItem('vigil.incidents.filters', '[{"name":1},null,{"name":" ","query":"a=b"},{"name":"ok","query":"a=b"},{"name":"no query","query":""}]');
    expect(loadLocalFilters()).toEqual([{ name: 'ok', query: 'a=b' }]);
  });

  it('moves only the local filters the server does not have under the caller\'s name', () => {
    const local = [
      { name: 'mine, high', query: 'severity=high' }, // on the server already (own, other case)
      { name: 'Team view', query: 'status=active' }, // another owner's name: the caller may have its own
      { name: 'New one', query: 'status=resolved' },
      { name: 'NEW ONE', query: 'x=y' }, // the same name twice: the first wins
    ];
    expect(toMigrate(local, server)).toEqual([local[1], local[2]]);
  });
});
