import type { Alert, Entity } from './types';

// The identifier that names an entity best, per type (Sentinel's identifiers).
const nameKeys: Record<string, string[]> = {
  host: ['FullName', 'HostName', 'NetBiosName', 'DnsDomain'],
  account: ['UPNSuffix', 'Name', 'Sid', 'AadUserId', 'FullName'],
  ip: ['Address'],
  process: ['CommandLine', 'ProcessId'],
  file: ['Name', 'Directory'],
  filehash: ['Value'],
  url: ['Url'],
  mailbox: ['MailboxPrimaryAddress'],
  cloudapplication: ['Name', 'AppId'],
  dns: ['DomainName'],
  registrykey: ['Key'],
};

export function entityLabel(e: Entity): string {
  const ids = e.identifiers;
  const t = e.type.toLowerCase();
  if (t === 'account' && ids.Name) return ids.NTDomain ? `${ids.NTDomain}\\${ids.Name}` : ids.UPNSuffix ? `${ids.Name}@${ids.UPNSuffix}` : ids.Name;
  for (const k of nameKeys[t] ?? []) if (ids[k]) return ids[k];
  const first = Object.values(ids)[0];
  return first ?? e.type;
}

/** entityKey identifies an entity across alerts: its type and its identifiers. */
export function entityKey(e: Entity): string {
  const ids = Object.entries(e.identifiers).sort(([a], [b]) => a.localeCompare(b)).map(([k, v]) => `${k}=${v.toLowerCase()}`);
  return `${e.type.toLowerCase()}|${ids.join(';')}`;
}

export interface EntityRef {
  key: string;
  entity: Entity;
  label: string;
  alerts: string[];
}

/** collectEntities gathers the distinct entities of alerts, with the alerts naming each. */
export function collectEntities(alerts: Alert[]): EntityRef[] {
  const byKey = new Map<string, EntityRef>();
  for (const a of alerts) {
    for (const e of a.entities ?? []) {
      if (typeof e.type !== 'string') continue;
      const ent: Entity = { type: e.type, identifiers: Object.assign({}, e.identifiers) }; // null from older servers
      const k = entityKey(ent);
      const ref = byKey.get(k) ?? { key: k, entity: ent, label: entityLabel(ent), alerts: [] };
      if (!ref.alerts.includes(a.id)) ref.alerts.push(a.id);
      byKey.set(k, ref);
    }
  }
  return [...byKey.values()];
}

export function groupByType(refs: EntityRef[]): Map<string, EntityRef[]> {
  const m = new Map<string, EntityRef[]>();
  for (const r of refs) {
    const list = m.get(r.entity.type) ?? [];
    list.push(r);
    m.set(r.entity.type, list);
  }
  return m;
}
