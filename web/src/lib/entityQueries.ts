// The KQL behind the device and user pages. Every page section is a hunting query over the
// event store, so what the page shows is what an analyst can hunt on, and the "Hunt" link
// opens the same query in advanced hunting.

/** kq quotes s as a KQL string literal. */
export const kq = (s: string) => `"${s.replaceAll('\\', '\\\\').replaceAll('"', '\\"').replaceAll('\n', '\\n')}"`;

/** The Device* tables of the timeline. */
export const deviceTables = ['DeviceProcessEvents', 'DeviceNetworkEvents', 'DeviceFileEvents', 'DeviceRegistryEvents',
  'DeviceLogonEvents', 'DeviceImageLoadEvents', 'DeviceEvents'] as const;

export type Range = '1d' | '7d' | '30d';
export const ranges: Range[] = ['1d', '7d', '30d'];

/** TimelineFilter narrows an entity's timeline. */
export interface TimelineFilter {
  range: Range;
  table: string; // '' for all
  actionType: string; // '' for all
  text: string; // free text, matched with has
}

export const defaultTimeline: TimelineFilter = { range: '7d', table: '', actionType: '', text: '' };

/** timelineColumns projects the timeline's columns, each only if the tables have it, then
 * applies the action type and text filters to them. */
function timelineColumns(cols: string[], f: TimelineFilter): string {
  const rest = cols.filter((c) => c !== 'Timestamp' && c !== 'SourceTable' && c !== 'ActionType');
  let q = `\n| project Timestamp, SourceTable, ${['ActionType', ...rest].map((c) => `${c} = tostring(column_ifexists(${kq(c)}, ""))`).join(', ')}`;
  if (f.actionType) q += `\n| where ActionType == ${kq(f.actionType)}`;
  const t = f.text.trim();
  if (t) q += `\n| where ${['ActionType', ...rest].map((c) => `${c} has ${kq(t)}`).join(' or ')}`;
  return q;
}

export const deviceQueries = {
  overview: (d: string) => `DeviceInfo
| where DeviceName =~ ${kq(d)}
| summarize arg_max(Timestamp, *) by DeviceName
| project Timestamp, DeviceName, DeviceId, OSPlatform, OSVersion, OSDistribution, DeviceType, PublicIP, MachineGroup, LoggedOnUsers, SensorHealthState, ExposureLevel`,
  activity: (d: string) => `union withsource=SourceTable ${deviceTables.join(', ')}
| where DeviceName =~ ${kq(d)}
| summarize Events = count(), FirstSeen = min(Timestamp), LastSeen = max(Timestamp) by SourceTable
| order by Events desc`,
  alerts: (d: string) => `AlertEvidence
| where DeviceName =~ ${kq(d)}
| summarize arg_max(Timestamp, Title, Severity, DetectionSource, Categories) by AlertId
| order by Timestamp desc
| take 200`,
  logons: (d: string) => `DeviceLogonEvents
| where DeviceName =~ ${kq(d)}
| summarize Logons = countif(ActionType == "LogonSuccess"), Failures = countif(ActionType == "LogonFailed"), LastSeen = max(Timestamp) by AccountName, AccountDomain
| order by LastSeen desc
| take 50`,
  timeline: (d: string, f: TimelineFilter) => `union withsource=SourceTable ${f.table || deviceTables.join(', ')}
| where Timestamp > ago(${f.range})
| where DeviceName =~ ${kq(d)}${timelineColumns(['AccountName', 'FileName', 'FolderPath', 'ProcessCommandLine', 'RemoteIP', 'RemotePort', 'RemoteUrl',
    'RegistryKey', 'InitiatingProcessFileName', 'InitiatingProcessCommandLine'], f)}
| order by Timestamp desc
| take 500`,
};

/** userPredicate matches an account by any of its names: UPN, sAMAccountName or display name. */
function accountOf(u: string): { upn: string; name: string } {
  const at = u.indexOf('@');
  const slash = u.indexOf('\\');
  const name = at > 0 ? u.slice(0, at) : slash >= 0 ? u.slice(slash + 1) : u;
  return { upn: at > 0 ? u : '', name };
}

export const userQueries = {
  overview: (u: string) => {
    const a = accountOf(u);
    return `IdentityInfo
| where AccountUpn =~ ${kq(u)} or AccountName =~ ${kq(a.name)}
| summarize arg_max(Timestamp, *) by AccountObjectId
| project Timestamp, AccountUpn, AccountName, AccountDomain, AccountDisplayName, Department, JobTitle, AccountObjectId, OnPremSid, IsAccountEnabled`;
  },
  signins: (u: string) => `SigninLogs
| where UserPrincipalName =~ ${kq(u)}
| summarize SignIns = count(), Failures = countif(ResultType != "0"), Countries = make_set(Location, 10), LastSeen = max(TimeGenerated) by IPAddress, AppDisplayName
| order by LastSeen desc
| take 50`,
  logons: (u: string) => {
    const a = accountOf(u);
    return `union withsource=SourceTable DeviceLogonEvents, IdentityLogonEvents
| where AccountName =~ ${kq(a.name)} or AccountUpn =~ ${kq(u)}
| summarize Logons = countif(ActionType == "LogonSuccess"), Failures = countif(ActionType == "LogonFailed"), LastSeen = max(Timestamp) by SourceTable, DeviceName, LogonType
| order by LastSeen desc
| take 50`;
  },
  alerts: (u: string) => {
    const a = accountOf(u);
    return `AlertEvidence
| where AccountUpn =~ ${kq(u)} or AccountName =~ ${kq(a.name)}
| summarize arg_max(Timestamp, Title, Severity, DetectionSource, Categories) by AlertId
| order by Timestamp desc
| take 200`;
  },
  timeline: (u: string, f: TimelineFilter) => {
    const a = accountOf(u);
    return `union withsource=SourceTable ${f.table || 'DeviceProcessEvents, DeviceLogonEvents, IdentityLogonEvents, CloudAppEvents, EmailEvents'}
| where Timestamp > ago(${f.range})
| where tostring(column_ifexists("AccountName", "")) =~ ${kq(a.name)} or tostring(column_ifexists("AccountUpn", "")) =~ ${kq(u)}
    or tostring(column_ifexists("RecipientEmailAddress", "")) =~ ${kq(u)}${timelineColumns(['DeviceName', 'AccountName', 'FileName', 'ProcessCommandLine',
    'IPAddress', 'Application', 'Subject'], f)}
| order by Timestamp desc
| take 500`;
  },
};
