// Sentinel analytics rule YAML written from a form: what "Create detection rule" and the
// rule editor's form send to the rules API (Content-Type: application/yaml).

export interface EntityMapping {
  entityType: string;
  identifier: string;
  column: string;
}

export interface RuleDraft {
  id: string;
  name: string;
  description: string;
  severity: 'High' | 'Medium' | 'Low' | 'Informational';
  /** frequency and period are durations as Sentinel writes them: 5m, 1h, 1d. */
  frequency: string;
  period: string;
  tactics: string[];
  techniques: string[];
  query: string;
  entities: EntityMapping[];
}

export const severities: RuleDraft['severity'][] = ['High', 'Medium', 'Low', 'Informational'];

export const tacticList = [
  'Reconnaissance', 'ResourceDevelopment', 'InitialAccess', 'Execution', 'Persistence', 'PrivilegeEscalation', 'DefenseEvasion',
  'CredentialAccess', 'Discovery', 'LateralMovement', 'Collection', 'CommandAndControl', 'Exfiltration', 'Impact',
];

/** entityKinds are the entity identifiers offered for mapping a result column. */
export const entityKinds: { entityType: string; identifier: string; label: string }[] = [
  { entityType: 'Account', identifier: 'Name', label: 'Account name' },
  { entityType: 'Account', identifier: 'FullName', label: 'Account UPN' },
  { entityType: 'Host', identifier: 'HostName', label: 'Host name' },
  { entityType: 'Host', identifier: 'FullName', label: 'Host FQDN' },
  { entityType: 'IP', identifier: 'Address', label: 'IP address' },
  { entityType: 'URL', identifier: 'Url', label: 'URL' },
  { entityType: 'File', identifier: 'Name', label: 'File name' },
  { entityType: 'FileHash', identifier: 'Value', label: 'File hash' },
  { entityType: 'Process', identifier: 'CommandLine', label: 'Process command line' },
  { entityType: 'Mailbox', identifier: 'MailboxPrimaryAddress', label: 'Mailbox' },
];

/** guessEntities maps result columns whose names say what they hold. */
export function guessEntities(columns: string[]): EntityMapping[] {
  const rules: [RegExp, string, string][] = [
    [/^(AccountName|UserName|TargetUserName|InitiatingProcessAccountName)$/i, 'Account', 'Name'],
    [/^(UserPrincipalName|AccountUpn|UserId)$/i, 'Account', 'FullName'],
    [/^(DeviceName|Computer|HostName)$/i, 'Host', 'HostName'],
    [/^(IPAddress|IpAddress|RemoteIP|SourceIP|DestinationIP|ClientIP)$/i, 'IP', 'Address'],
    [/^(Url|RemoteUrl)$/i, 'URL', 'Url'],
    [/^(SHA256|SHA1|MD5)$/i, 'FileHash', 'Value'],
  ];
  const out: EntityMapping[] = [];
  for (const c of columns) {
    const r = rules.find(([re]) => re.test(c));
    if (r && !out.some((m) => m.entityType === r[1] && m.identifier === r[2])) out.push({ entityType: r[1], identifier: r[2], column: c });
  }
  return out;
}

const durationRe = /^[1-9]\d*[mhd]$/;

/** draftError says what is wrong with d, naming the field; '' when it can be sent. */
export function draftError(d: RuleDraft): string {
  if (!d.name.trim()) return 'Name the rule';
  if (!d.query.trim()) return 'The rule needs a query';
  if (!durationRe.test(d.frequency)) return `Frequency "${d.frequency}" must be a duration such as 5m, 1h or 1d`;
  if (!durationRe.test(d.period)) return `Lookback "${d.period}" must be a duration such as 5m, 1h or 1d`;
  if (minutes(d.period) < minutes(d.frequency)) return 'The lookback must be at least the frequency, or events fall between runs';
  const bad = d.entities.find((e) => !e.column);
  if (bad) return `Pick the column of the ${bad.entityType} ${bad.identifier} mapping`;
  return '';
}

function minutes(d: string): number {
  const n = parseInt(d, 10);
  return d.endsWith('d') ? n * 1440 : d.endsWith('h') ? n * 60 : n;
}

const q = (s: string) => JSON.stringify(s); // a JSON string is a YAML double-quoted scalar

/** toYaml writes d as a Sentinel scheduled analytics rule. */
export function toYaml(d: RuleDraft): string {
  const out = [
    `id: ${q(d.id)}`, `name: ${q(d.name.trim())}`, `description: ${q(d.description)}`, `severity: ${d.severity}`,
    `queryFrequency: ${d.frequency}`, `queryPeriod: ${d.period}`, 'triggerOperator: gt', 'triggerThreshold: 0',
  ];
  out.push(d.tactics.length ? `tactics:\n${d.tactics.map((t) => `  - ${t}`).join('\n')}` : 'tactics: []');
  out.push(d.techniques.length ? `relevantTechniques:\n${d.techniques.map((t) => `  - ${q(t)}`).join('\n')}` : 'relevantTechniques: []');
  out.push(`query: |-\n${d.query.replace(/\r\n/g, '\n').replace(/\s+$/, '').split('\n').map((l) => (l ? `  ${l}` : '')).join('\n')}`);
  const byType = new Map<string, EntityMapping[]>();
  for (const e of d.entities) byType.set(e.entityType, [...(byType.get(e.entityType) ?? []), e]);
  if (byType.size) {
    out.push('entityMappings:');
    for (const [t, ms] of byType) {
      out.push(`  - entityType: ${t}`, '    fieldMappings:');
      for (const m of ms) out.push(`      - identifier: ${m.identifier}`, `        columnName: ${q(m.column)}`);
    }
  }
  out.push('version: 1.0.0', 'kind: Scheduled');
  return out.join('\n') + '\n';
}

/** Finding is a problem the rules API found, at a line of the document when it says. */
export interface Finding {
  line: number;
  column: number;
  message: string;
}

/** findingsOf reads the findings out of an invalidRule message:
 * "invalid rule: rule.yaml:12:3: message; rule.yaml:20:1: other". */
export function findingsOf(message: string): Finding[] {
  const body = message.replace(/^invalid rule:\s*/, '');
  return body.split(/;\s+(?=[\w.-]+:\d+:\d+:)/).filter((s) => s.trim()).map((part) => {
    const m = /^[\w.-]+:(\d+):(\d+):\s*(.*)$/s.exec(part.trim());
    return m ? { line: Number(m[1]), column: Number(m[2]), message: m[3] ?? '' } : { line: 0, column: 0, message: part.trim() };
  });
}

/** ruleId is a new rule id (Sentinel rules use GUIDs). */
export function ruleId(): string {
  return crypto.randomUUID();
}
