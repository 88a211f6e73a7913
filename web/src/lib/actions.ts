// The Action Center's API (internal/api/actions.go) and what the portal says about actions.
import { api } from './api';

export type ActionStatus = 'pendingApproval' | 'approved' | 'rejected' | 'sent' | 'running' | 'completed' | 'failed' | 'cancelled' | 'timedOut';

export const actionStatuses: ActionStatus[] = ['pendingApproval', 'approved', 'rejected', 'sent', 'running', 'completed', 'failed', 'cancelled', 'timedOut'];

export const actionTypes = ['isolateDevice', 'releaseIsolation', 'stopAndQuarantineFile', 'restoreFile', 'disableAccount', 'enableAccount',
  'resetPassword', 'collectInvestigationPackage', 'blockIndicator', 'unblockIndicator', 'runScript', 'softDeleteEmail', 'restoreEmail', 'purgeAttachment'] as const;

export interface ActionTarget {
  device?: string;
  account?: string;
  fileSha256?: string;
  filePath?: string;
  indicator?: string;
  messageId?: string;
}

export interface Action {
  tenantId: string;
  id: string;
  type: string;
  status: ActionStatus;
  target: ActionTarget;
  parameters?: Record<string, unknown>;
  requestor: { type: string; name: string };
  requestorComment: string;
  incidentId?: number;
  approver?: string;
  approvalComment?: string;
  result: { detail?: string; error?: string; data?: Record<string, unknown> };
  undoOf?: string;
  undoneBy?: string;
  attempts: number;
  creationDateTimeUtc: string;
  lastUpdateDateTimeUtc: string;
  decisionDateTimeUtc?: string;
  sentDateTimeUtc?: string;
  startDateTimeUtc?: string;
  completionDateTimeUtc?: string;
}

export interface AutomationLevel {
  level: 'full' | 'semi' | 'none';
  fourEyes: boolean;
  attackDisruption?: boolean;
  disruptionDryRun?: boolean;
}

/** disruptionState words the tenant's attack disruption setting: what it does when a
 * high-confidence attack pattern fires. */
export function disruptionState(p: AutomationLevel): string {
  if (p.attackDisruption === false || p.level === 'none') return 'Off: attack patterns are not contained automatically.';
  if (p.disruptionDryRun) return 'Dry run: the incident gets a comment saying what would have been contained.';
  return 'On: devices and accounts of a high-confidence attack are contained at once.';
}

export type BadgeColor = 'brand' | 'danger' | 'important' | 'informative' | 'severe' | 'subtle' | 'success' | 'warning';

/** statusColor is the badge color of each action status: waiting is warning, in flight brand,
 * done success, refused or broken danger, stopped subtle. */
export function statusColor(s: string): BadgeColor {
  switch (s) {
    case 'pendingApproval': return 'warning';
    case 'approved': case 'sent': case 'running': return 'brand';
    case 'completed': return 'success';
    case 'failed': case 'timedOut': return 'danger';
    case 'rejected': return 'severe';
    case 'cancelled': return 'subtle';
    default: return 'informative';
  }
}

const statusLabels: Record<string, string> = {
  pendingApproval: 'Pending approval', approved: 'Approved', rejected: 'Rejected', sent: 'Sent', running: 'Running',
  completed: 'Completed', failed: 'Failed', cancelled: 'Cancelled', timedOut: 'Timed out',
};

export function actionStatusLabel(s: string): string {
  return statusLabels[s] ?? s;
}

const typeLabels: Record<string, string> = {
  isolateDevice: 'Isolate device', releaseIsolation: 'Release from isolation', stopAndQuarantineFile: 'Stop and quarantine file',
  restoreFile: 'Restore file', disableAccount: 'Disable account', enableAccount: 'Enable account', resetPassword: 'Reset password',
  collectInvestigationPackage: 'Collect investigation package', blockIndicator: 'Block indicator', unblockIndicator: 'Unblock indicator', runScript: 'Run script', softDeleteEmail: 'Soft delete email', restoreEmail: 'Restore email', purgeAttachment: 'Remove attachment from every mailbox',
};

export function actionTypeLabel(t: string): string {
  return typeLabels[t] ?? t;
}

/** targetText is the action's target as one line. */
export function targetText(t: ActionTarget): string {
  const parts = [t.device, t.account, t.fileSha256 && (t.filePath ? `${t.filePath} (${t.fileSha256.slice(0, 12)}…)` : t.fileSha256), t.indicator, t.messageId];
  return parts.filter(Boolean).join(' · ');
}

/** isUndoable: a completed action of a type with an undo, not undone yet. */
export function isUndoable(a: Action): boolean {
  return a.status === 'completed' && !a.undoneBy && ['isolateDevice', 'disableAccount', 'stopAndQuarantineFile', 'blockIndicator'].includes(a.type);
}

export function isSimulated(a: Action): boolean {
  return a.result.data?.simulated === true;
}

export function isFinal(s: string): boolean {
  return ['completed', 'failed', 'cancelled', 'rejected', 'timedOut'].includes(s);
}

/** requesterTypes are who may ask for an action (respond.RequesterType): an analyst or API
 * key, a detection rule's response actions, a playbook (automation rules act through
 * playbooks, so their actions are a playbook's), an automated investigation, attack disruption. */
export const requesterTypes = ['user', 'rule', 'playbook', 'disruption', 'investigation'] as const;

const requesterLabels: Record<string, string> = {
  user: 'Analysts', rule: 'Detection rules', playbook: 'Playbooks and automation rules', disruption: 'Attack disruption', investigation: 'Investigations',
};

/** requesterLabel is the requester filter's word for a requester type. */
export function requesterLabel(t: string): string {
  return requesterLabels[t] ?? t;
}

export interface ActionQuery {
  status?: string;
  type?: string;
  target?: string;
  incidentId?: string;
  /** requestorType selects who asked: user, rule, playbook, investigation or disruption. */
  requestorType?: string;
  top?: number;
}

const base = '/api/v1/security/actions';

export function listActions(q: ActionQuery, signal?: AbortSignal): Promise<{ value: Action[] }> {
  const p = new URLSearchParams();
  if (q.status) p.set('status', q.status);
  if (q.type) p.set('type', q.type);
  if (q.target) p.set('target', q.target);
  if (q.incidentId) p.set('incidentId', q.incidentId);
  if (q.requestorType) p.set('requestorType', q.requestorType);
  p.set('$top', String(q.top ?? 1000));
  return api<{ value: Action[] }>(`${base}?${p.toString()}`, signal ? { signal } : {});
}

export function actionVerb(id: string, verb: 'approve' | 'reject' | 'cancel' | 'undo', comment: string): Promise<Action> {
  return api<Action>(`${base}/${encodeURIComponent(id)}/${verb}`, { method: 'POST', body: comment ? { comment } : {} });
}

export function requestAction(body: { type: string; target: ActionTarget; comment: string; incidentId?: number; parameters?: Record<string, unknown> }): Promise<Action> {
  return api<Action>(base, { method: 'POST', body });
}

export function getAutomationLevel(signal?: AbortSignal): Promise<AutomationLevel> {
  return api<AutomationLevel>('/api/v1/security/automationLevel', signal ? { signal } : {});
}

export function putAutomationLevel(p: Partial<AutomationLevel>): Promise<AutomationLevel> {
  return api<AutomationLevel>('/api/v1/security/automationLevel', { method: 'PUT', body: p });
}
