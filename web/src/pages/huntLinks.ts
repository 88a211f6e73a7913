import type { Entity } from '../lib/types';

const kq = (s: string) => `"${s.replaceAll('\\', '\\\\').replaceAll('"', '\\"')}"`;

/** huntQueryFor is a starting hunting query for an entity, or null when there is none. */
export function huntQueryFor(e: Entity): string | null {
  const ids = e.identifiers;
  switch (e.type.toLowerCase()) {
    case 'host': {
      const name = ids.FullName ?? ids.HostName;
      return name ? `DeviceProcessEvents\n| where DeviceName =~ ${kq(name)}\n| order by Timestamp desc\n| take 100` : null;
    }
    case 'account':
      return ids.Name ? `DeviceProcessEvents\n| where AccountName =~ ${kq(ids.Name)}\n| order by Timestamp desc\n| take 100` : null;
    case 'ip':
      return ids.Address ? `DeviceNetworkEvents\n| where RemoteIP == ${kq(ids.Address)} or LocalIP == ${kq(ids.Address)}\n| take 100` : null;
    case 'process':
      return ids.CommandLine ? `DeviceProcessEvents\n| where ProcessCommandLine == ${kq(ids.CommandLine)}\n| take 100` : null;
    default:
      return null;
  }
}
