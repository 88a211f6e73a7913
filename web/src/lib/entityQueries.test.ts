import { describe, expect, it } from 'vitest';
import { defaultTimeline, deviceQueries, kq, userQueries } from './entityQueries';

describe('entity page queries', () => {
  it('quote what the user typed', () => {
    expect(kq('a"b\\c')).toBe('"a\\"b\\\\c"');
    expect(deviceQueries.overview('ws"1')).toContain('DeviceName =~ "ws\\"1"');
  });
  it('narrow the timeline by range, table, action type and text', () => {
    const q = deviceQueries.timeline('ws1', { ...defaultTimeline, range: '1d', table: 'DeviceProcessEvents', actionType: 'ProcessCreated', text: 'mimikatz' });
    expect(q).toMatch(/^union withsource=SourceTable DeviceProcessEvents\n/);
    expect(q).toContain('ago(1d)');
    expect(q).toContain('ActionType == "ProcessCreated"');
    expect(q).toContain('ProcessCommandLine has "mimikatz"');
    expect(q).toContain('RegistryKey = tostring(column_ifexists("RegistryKey", ""))');
    expect(deviceQueries.timeline('ws1', defaultTimeline)).not.toContain('ActionType ==');
  });
  it('match a user by UPN and by account name', () => {
    expect(userQueries.logons('ann@contoso.com')).toContain('AccountName =~ "ann"');
    expect(userQueries.logons('CONTOSO\\ann')).toContain('AccountName =~ "ann"');
  });
});
