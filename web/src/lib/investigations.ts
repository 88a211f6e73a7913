// Automated investigations (internal/api/investigations.go): the evidence an investigation
// collected around an alert, each piece's verdict and the remediation it asked for.
import { api } from './api';
import type { ActionStatus, ActionTarget } from './actions';

export type Verdict = 'malicious' | 'suspicious' | 'noThreatsFound';

export interface Remediation {
  type: string;
  target: ActionTarget;
  state: 'proposed' | 'requested' | 'notAllowed';
  actionId?: string;
  error?: string;
}

export interface Evidence {
  kind: 'file' | 'ip' | 'url' | 'account' | 'message';
  value: string;
  device?: string;
  path?: string;
  name?: string;
  mailbox?: string;
  detail?: string;
  firstSeen?: string;
  lastSeen?: string;
  devices?: number;
  verdict: Verdict;
  reasons?: string[];
  remediation?: Remediation;
}

export interface Investigation {
  id: string;
  tenant: string;
  alert: { id: string; title: string; severity: string };
  state: string;
  status: string;
  verdicts: Partial<Record<Verdict, number>>;
  evidence: Evidence[] | null;
  actions?: Record<string, ActionStatus>;
  from?: string;
  to?: string;
  error?: string;
  createdDateTime: string;
  lastUpdateDateTime: string;
  incidentId?: number;
}

export function listInvestigations(q: { incidentId?: string; alertId?: string; top?: number }, signal?: AbortSignal): Promise<{ value: Investigation[] }> {
  const p = new URLSearchParams();
  if (q.incidentId) p.set('incidentId', q.incidentId);
  if (q.alertId) p.set('alertId', q.alertId);
  if (q.top) p.set('$top', String(q.top));
  return api<{ value: Investigation[] }>(`/api/v1/security/investigations?${p.toString()}`, signal ? { signal } : {});
}

const statusLabels: Record<string, string> = {
  running: 'Running', noThreatsFound: 'No threats found', pendingAction: 'Pending action', remediated: 'Remediated',
  partiallyRemediated: 'Partially remediated', remediationFailed: 'Remediation failed', threatsFound: 'Threats found', failed: 'Failed',
};

/** investigationStatusLabel is the status as Defender words it. */
export function investigationStatusLabel(s: string): string {
  return statusLabels[s] ?? s;
}

/** investigationStatusColor is the badge color of a status: done well success, waiting
 * warning, anything that found threats or broke danger. */
export function investigationStatusColor(s: string): 'success' | 'warning' | 'danger' {
  switch (s) {
    case 'remediated': case 'noThreatsFound': return 'success';
    case 'pendingAction': case 'running': return 'warning';
    default: return 'danger';
  }
}

/** InvestigationSummary counts investigations by status and their evidence by verdict. */
export interface InvestigationSummary {
  total: number;
  /** byStatus holds the statuses that occur, most pressing first. */
  byStatus: { status: string; count: number }[];
  verdicts: Record<Verdict, number>;
}

// The order statuses are shown in: what needs a person first, settled last.
const statusOrder = ['pendingAction', 'threatsFound', 'remediationFailed', 'failed', 'running', 'partiallyRemediated', 'remediated', 'noThreatsFound'];

/** summarize counts investigations by status and their evidence by verdict. */
export function summarize(invs: Investigation[]): InvestigationSummary {
  const counts = new Map<string, number>();
  const verdicts: Record<Verdict, number> = { malicious: 0, suspicious: 0, noThreatsFound: 0 };
  for (const inv of invs) {
    counts.set(inv.status, (counts.get(inv.status) ?? 0) + 1);
    for (const v of ['malicious', 'suspicious', 'noThreatsFound'] as const) verdicts[v] += inv.verdicts[v] ?? 0;
  }
  const rank = (s: string) => (statusOrder.includes(s) ? statusOrder.indexOf(s) : statusOrder.length);
  const byStatus = [...counts].map(([status, count]) => ({ status, count })).sort((a, b) => rank(a.status) - rank(b.status) || a.status.localeCompare(b.status));
  return { total: invs.length, byStatus, verdicts };
}

/** verdictLabel words a verdict for people. */
export function verdictLabel(v: Verdict): string {
  return v === 'noThreatsFound' ? 'No threats found' : v === 'malicious' ? 'Malicious' : 'Suspicious';
}

/** sortEvidence puts malicious evidence first, then suspicious, then the rest, each by kind. */
export function sortEvidence(ev: Evidence[]): Evidence[] {
  const rank = (v: Verdict) => (v === 'malicious' ? 0 : v === 'suspicious' ? 1 : 2);
  return [...ev].sort((a, b) => rank(a.verdict) - rank(b.verdict) || a.kind.localeCompare(b.kind) || a.value.localeCompare(b.value));
}
