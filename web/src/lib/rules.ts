// The detection rules API (/api/v1/security/rules/detectionRules) as the portal uses it.
import { ApiError, api, apiText } from './api';
import type { EntityMapping, RuleDraft } from './ruleYaml';
import { toYaml } from './ruleYaml';

export interface Rule {
  id: string;
  displayName: string;
  isEnabled: boolean;
  origin: string;
  kind: string;
  format?: string;
  version?: number;
  queryCondition: { queryText: string };
  queryFrequency?: string;
  queryPeriod?: string;
  lastRunDetails: { lastRunDateTime: string; status: string; failureReason?: string; alertsGenerated: number; consecutiveFailures: number; resultRows?: number } | null;
  detectionAction: { alertTemplate: { title?: string; description?: string; severity: string; mitreTechniques?: string[] } };
  tactics: string[];
  notRunReason?: string;
  entityMappings?: { entityType: string; fieldMappings: { identifier: string; columnName: string }[] }[];
}

/** RuleSource is the document a rule was created, replaced or loaded from, as written. */
export interface RuleSource {
  text: string;
  /** kind is yaml for Sentinel YAML, json for ARM and Defender JSON. */
  kind: 'yaml' | 'json';
}

export const rulesPath = '/api/v1/security/rules/detectionRules';

/** createRule posts a rule as Sentinel YAML. */
export function createRule(d: RuleDraft): Promise<Rule> {
  return api<Rule>(rulesPath, { method: 'POST', rawBody: toYaml(d), contentType: 'application/yaml' });
}

/** putYaml replaces rule id with a YAML document (If-Match guards the version read). */
export function putYaml(id: string, yaml: string, version?: number): Promise<Rule> {
  return putSource(id, { text: yaml, kind: 'yaml' }, version);
}

/** putSource replaces rule id with a document in its own format (YAML or JSON). */
export function putSource(id: string, src: RuleSource, version?: number): Promise<Rule> {
  return api<Rule>(`${rulesPath}/${encodeURIComponent(id)}`, {
    method: 'PUT', rawBody: src.text, contentType: src.kind === 'yaml' ? 'application/yaml' : 'application/json',
    headers: version ? { 'If-Match': `W/"${version}"` } : {},
  });
}

/** getRuleSource fetches the document rule id was created or loaded from; null when it has
 * none of its own (a rule from a file of several rules, or a server without the route). */
export async function getRuleSource(id: string, signal?: AbortSignal): Promise<RuleSource | null> {
  try {
    const a = await apiText(`${rulesPath}/${encodeURIComponent(id)}/source`, signal ? { signal } : {});
    return { text: a.text, kind: /json/.test(a.contentType) ? 'json' : 'yaml' };
  } catch (e) {
    if (e instanceof ApiError && e.status === 404) return null;
    throw e;
  }
}

/** importYaml creates a rule from an uploaded Sentinel YAML file. */
export function importYaml(yaml: string): Promise<Rule> {
  return api<Rule>(rulesPath, { method: 'POST', rawBody: yaml, contentType: 'application/yaml' });
}

export function deleteRule(id: string): Promise<void> {
  return api<unknown>(`${rulesPath}/${encodeURIComponent(id)}`, { method: 'DELETE' }).then(() => undefined);
}

export interface TestResult {
  from: string;
  to: string;
  resultRows: number;
  alerts: { id: string; title: string; severity: string; startTime?: string; entities?: { type: string; identifiers: Record<string, string> }[] }[];
}

export function testRule(id: string, from: string, to: string): Promise<TestResult> {
  return api<TestResult>(`${rulesPath}/${encodeURIComponent(id)}/test`, { method: 'POST', body: { from, to } });
}

/** draftOf is the form's view of rule r. */
export function draftOf(r: Rule): RuleDraft {
  const sev = r.detectionAction.alertTemplate.severity;
  const dur = (go: string | undefined, dflt: string) => {
    if (!go) return dflt;
    const h = /^(\d+)h0m0s$/.exec(go);
    if (h) return Number(h[1]) % 24 === 0 ? `${Number(h[1]) / 24}d` : `${h[1]}h`;
    const m = /^(\d+)m0s$/.exec(go);
    return m ? `${m[1]}m` : dflt;
  };
  return {
    id: r.id, name: r.displayName, description: r.detectionAction.alertTemplate.description ?? '',
    severity: sev === 'high' ? 'High' : sev === 'low' ? 'Low' : sev === 'informational' ? 'Informational' : 'Medium',
    frequency: dur(r.queryFrequency, '1h'), period: dur(r.queryPeriod, '1h'), tactics: r.tactics, techniques: r.detectionAction.alertTemplate.mitreTechniques ?? [],
    query: r.queryCondition.queryText, entities: entitiesOf(r),
  };
}

/** entitiesOf flattens the rule's entity mappings into the form's rows, one per identifier. */
export function entitiesOf(r: Pick<Rule, 'entityMappings'>): EntityMapping[] {
  return (r.entityMappings ?? []).flatMap((m) => m.fieldMappings.map((f) => ({ entityType: m.entityType, identifier: f.identifier, column: f.columnName })));
}
