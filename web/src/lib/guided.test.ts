import { describe, expect, it } from 'vitest';
import { buildKql, emptyGuided, ident, operatorsFor, str, timeColumn, type GuidedQuery } from './guided';

const cols = [
  { name: 'Timestamp', type: 'datetime' }, { name: 'DeviceName', type: 'string' }, { name: 'ProcessId', type: 'long' },
  { name: 'IsAdmin', type: 'bool' }, { name: 'AdditionalFields', type: 'dynamic' }, { name: 'Odd Name', type: 'string' },
];

const q = (over: Partial<GuidedQuery>): GuidedQuery => ({ ...emptyGuided('DeviceProcessEvents'), ...over });

describe('buildKql', () => {
  const cases: { name: string; g: GuidedQuery; kql: string; error?: string }[] = [
    { name: 'table only', g: q({}), kql: 'DeviceProcessEvents\n| where Timestamp > ago(7d)\n| order by Timestamp desc\n| take 100' },
    { name: 'all time, limit', g: q({ range: 'all', limit: 5 }), kql: 'DeviceProcessEvents\n| order by Timestamp desc\n| take 5' },
    { name: 'string equals, escaped', g: q({ range: 'all', filters: [{ column: 'DeviceName', op: '==', value: 'a"b\\c' }] }),
      kql: 'DeviceProcessEvents\n| where DeviceName == "a\\"b\\\\c"\n| order by Timestamp desc\n| take 100' },
    { name: 'in list and number', g: q({ range: '1h', filters: [{ column: 'DeviceName', op: 'in~', value: 'web1, db2,' }, { column: 'ProcessId', op: '>=', value: '4' }] }),
      kql: 'DeviceProcessEvents\n| where Timestamp > ago(1h)\n| where DeviceName in~ ("web1", "db2")\n| where ProcessId >= 4\n| order by Timestamp desc\n| take 100' },
    { name: 'no-value operators', g: q({ range: 'all', filters: [{ column: 'IsAdmin', op: 'true', value: '' }, { column: 'DeviceName', op: 'isnotempty', value: 'ignored' }] }),
      kql: 'DeviceProcessEvents\n| where IsAdmin == true\n| where isnotempty(DeviceName)\n| order by Timestamp desc\n| take 100' },
    { name: 'dynamic and quoted column', g: q({ range: 'all', filters: [{ column: 'AdditionalFields', op: 'has', value: 'x' }, { column: 'Odd Name', op: 'contains', value: 'y' }] }),
      kql: 'DeviceProcessEvents\n| where tostring(AdditionalFields) has "x"\n| where [\'Odd Name\'] contains "y"\n| order by Timestamp desc\n| take 100' },
    { name: 'datetime relative and absolute', g: q({ range: 'all', filters: [{ column: 'Timestamp', op: '>', value: '3d' }, { column: 'Timestamp', op: '<', value: '2026-01-31' }] }),
      kql: 'DeviceProcessEvents\n| where Timestamp > ago(3d)\n| where Timestamp < datetime(2026-01-31)\n| order by Timestamp desc\n| take 100' },
    { name: 'count by column', g: q({ aggregation: 'count', by: ['DeviceName'] }),
      kql: 'DeviceProcessEvents\n| where Timestamp > ago(7d)\n| summarize Count = count() by DeviceName\n| order by Count desc' },
    { name: 'count over time renders a timechart', g: q({ aggregation: 'count', bin: '1h' }),
      kql: 'DeviceProcessEvents\n| where Timestamp > ago(7d)\n| summarize Count = count() by bin(Timestamp, 1h)\n| order by Timestamp asc\n| render timechart' },
    { name: 'dcount by bin and column', g: q({ range: 'all', aggregation: 'dcount', dcountColumn: 'DeviceName', bin: '1d', by: ['IsAdmin'] }),
      kql: 'DeviceProcessEvents\n| summarize DistinctDeviceName = dcount(DeviceName) by bin(Timestamp, 1d), IsAdmin\n| order by Timestamp asc' },
    { name: 'count, no by', g: q({ range: 'all', aggregation: 'count' }), kql: 'DeviceProcessEvents\n| summarize Count = count()' },
    { name: 'not a number', g: q({ range: 'all', filters: [{ column: 'ProcessId', op: '>', value: 'ten' }] }),
      kql: 'DeviceProcessEvents\n| order by Timestamp desc\n| take 100', error: 'filter 1: "ten" is not a number' },
    { name: 'missing value', g: q({ range: 'all', filters: [{ column: 'DeviceName', op: 'contains', value: ' ' }] }),
      kql: 'DeviceProcessEvents\n| order by Timestamp desc\n| take 100', error: 'filter 1: DeviceName contains needs a value' },
    { name: 'no column', g: q({ range: 'all', filters: [{ column: '', op: '==', value: 'x' }] }),
      kql: 'DeviceProcessEvents\n| order by Timestamp desc\n| take 100', error: 'filter 1: pick a column' },
    { name: 'operator of another type', g: q({ range: 'all', filters: [{ column: 'ProcessId', op: 'contains', value: '1' }] }),
      kql: 'DeviceProcessEvents\n| order by Timestamp desc\n| take 100', error: 'filter 1: "contains" does not apply to ProcessId (long)' },
    { name: 'dcount without column', g: q({ range: 'all', aggregation: 'dcount' }), kql: 'DeviceProcessEvents', error: 'Pick the column to count distinct values of' },
    { name: 'no table', g: emptyGuided(), kql: '', error: 'Pick a table' },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const b = buildKql(c.g, cols);
      expect(b.kql).toBe(c.kql);
      expect(b.error).toBe(c.error ?? '');
    });
  }
  it('skips the time filter for tables without a datetime column', () => {
    expect(buildKql(q({ table: 'Watchlist' }), [{ name: 'Key', type: 'string' }]).kql).toBe('Watchlist\n| take 100');
  });
});

describe('helpers', () => {
  it('picks the time column', () => {
    expect(timeColumn(cols)).toBe('Timestamp');
    expect(timeColumn([{ name: 'A', type: 'datetime' }, { name: 'TimeGenerated', type: 'datetime' }])).toBe('TimeGenerated');
    expect(timeColumn([{ name: 'A', type: 'string' }])).toBe('');
  });
  it('quotes', () => {
    expect(str('a\nb')).toBe('"a\\nb"');
    expect(ident('A_1')).toBe('A_1');
    expect(ident("it's")).toBe("['it\\'s']");
  });
  it('offers operators by type', () => {
    expect(operatorsFor('long').map((o) => o.op)).toContain('>=');
    expect(operatorsFor('string').map((o) => o.op)).not.toContain('>=');
    expect(operatorsFor('boolean')[0]?.op).toBe('true');
  });
});
