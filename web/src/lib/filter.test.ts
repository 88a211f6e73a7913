import { describe, expect, it } from 'vitest';
import { compareIncidents, defaultFilter, filterFromURL, filterToURL, matches, odataFilter, parseODataFilter, serverFilter, type QueueFilter } from './filter';
import type { Incident } from './types';

const f = (p: Partial<QueueFilter>): QueueFilter => ({ ...defaultFilter, ...p });

function incident(p: Partial<Incident>): Incident {
  return {
    '@odata.etag': 'W/"1"', id: '1', tenantId: 'default', displayName: 'x', severity: 'low', status: 'active', classification: 'unknown',
    determination: 'unknown', assignedTo: null, createdDateTime: '', lastUpdateDateTime: '', firstActivityDateTime: '', lastActivityDateTime: '',
    redirectIncidentId: null, customTags: [], systemTags: [], alertCount: 1, correlationNotes: [], ...p,
  };
}

describe('the queue filter in the URL', () => {
  it('round-trips', () => {
    const v = f({ status: ['active', 'inProgress'], severity: ['high'], assignedTo: "o'neil", search: 'ws1', sort: 'severity', desc: false });
    expect(filterToURL(v).toString()).toBe('status=active%2CinProgress&severity=high&assignedTo=o%27neil&q=ws1&sort=severity');
    expect(filterFromURL(filterToURL(v))).toEqual(v);
  });
  it('defaults to the newest activity first and ignores unknown sort keys', () => {
    expect(filterFromURL(new URLSearchParams(''))).toEqual(defaultFilter);
    expect(filterFromURL(new URLSearchParams('sort=-bogus')).sort).toBe('lastActivityDateTime');
    expect(filterToURL(defaultFilter).toString()).toBe('');
  });
});

describe('odataFilter and parseODataFilter', () => {
  const cases: [Partial<QueueFilter>, string][] = [
    [{}, ''],
    [{ status: ['active'] }, "status eq 'active'"],
    [{ status: ['active', 'inProgress'], severity: ['high'] }, "(status eq 'active' or status eq 'inProgress') and severity eq 'high'"],
    [{ assignedTo: "o'neil@corp" }, "assignedTo eq 'o''neil@corp'"],
    [{ assignedTo: 'unassigned', severity: ['low'] }, "severity eq 'low' and assignedTo eq null"],
  ];
  it.each(cases)('%o -> %s, and back', (p, want) => {
    const s = odataFilter(f(p));
    expect(s).toBe(want);
    const terms = parseODataFilter(s);
    const back = Object.fromEntries(terms.map((t) => [t.field, t.values]));
    if (p.status?.length) expect(back.status).toEqual(p.status);
    if (p.severity?.length) expect(back.severity).toEqual(p.severity);
    if (p.assignedTo) expect(back.assignedTo).toEqual([p.assignedTo === 'unassigned' ? null : p.assignedTo]);
  });
  it.each([
    ["status eq 'active' and", 'expected a field name, got end of filter'],
    ["status ne 'active'", 'expected eq, got ne'],
    ['status eq active', 'expected a quoted value, got active'],
    ["(status eq 'a' or severity eq 'b')", '"or" joins one field\'s values: status and severity'],
    ["(status eq 'a'", 'expected ), got end of filter'],
    ["status eq 'a' severity eq 'b'", 'expected and, got severity'],
  ])('rejects %s', (s, msg) => {
    expect(() => parseODataFilter(s)).toThrow(msg);
  });
});

describe('serverFilter', () => {
  it('sends only what the server filters, one value per field', () => {
    expect(serverFilter(f({ status: ['active'], severity: ['high', 'low'], assignedTo: 'x' }))).toBe("status eq 'active'");
    expect(serverFilter(f({ severity: ['high'] }))).toBe("severity eq 'high'");
  });
});

describe('matches and sorting', () => {
  const a = incident({ id: '1', severity: 'high', status: 'active', assignedTo: 'Alice', displayName: 'Encoded PowerShell', customTags: ['apt29'] });
  const b = incident({ id: '2', severity: 'low', status: 'resolved', displayName: 'Brute force' });
  it('applies every part of the filter', () => {
    expect(matches(f({ assignedTo: 'alice' }), a)).toBe(true);
    expect(matches(f({ assignedTo: 'unassigned' }), a)).toBe(false);
    expect(matches(f({ assignedTo: 'unassigned' }), b)).toBe(true);
    expect(matches(f({ status: ['resolved'] }), a)).toBe(false);
    expect(matches(f({ search: 'APT' }), a)).toBe(true);
    expect(matches(f({ search: '2' }), b)).toBe(true);
  });
  it('sorts by severity rank, then id', () => {
    const c = incident({ id: '3', severity: 'high' });
    expect([b, a, c].sort(compareIncidents('severity', true)).map((i) => i.id)).toEqual(['3', '1', '2']);
    expect([b, a, c].sort(compareIncidents('severity', false)).map((i) => i.id)).toEqual(['2', '1', '3']);
  });
});
