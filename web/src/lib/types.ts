// The API's resources, as Microsoft Graph's security API shapes them.

export type Severity = 'unknown' | 'informational' | 'low' | 'medium' | 'high';
export type IncidentStatus = 'active' | 'inProgress' | 'resolved' | 'redirected';

export const severities: Severity[] = ['high', 'medium', 'low', 'informational', 'unknown'];
export const statuses: IncidentStatus[] = ['active', 'inProgress', 'resolved', 'redirected'];
export const classifications = ['unknown', 'truePositive', 'falsePositive', 'informationalExpectedActivity'] as const;
export const determinations = ['unknown', 'apt', 'malware', 'securityPersonnel', 'securityTesting', 'unwantedSoftware', 'other',
  'multiStagedAttack', 'compromisedAccount', 'phishing', 'maliciousUserActivity', 'notMalicious', 'notEnoughDataToValidate',
  'confirmedActivity', 'lineOfBusinessApplication'] as const;

/** determinationsOf lists the determinations each classification allows (Defender's pairs,
 * which the server enforces); "unknown" fits every classification. */
export const determinationsOf: Record<string, string[]> = {
  truePositive: ['multiStagedAttack', 'maliciousUserActivity', 'compromisedAccount', 'malware', 'phishing', 'unwantedSoftware', 'apt', 'securityPersonnel', 'other'],
  informationalExpectedActivity: ['securityTesting', 'lineOfBusinessApplication', 'confirmedActivity', 'other'],
  falsePositive: ['notMalicious', 'notEnoughDataToValidate', 'other'],
};

export function determinationsFor(classification: string): string[] {
  return ['unknown', ...(determinationsOf[classification] ?? [])];
}

export interface Comment {
  comment: string;
  createdByDisplayName: string;
  createdDateTime: string;
}

/** Entity is an alert's entity, in Sentinel's shape: a type and its identifiers. */
export interface Entity {
  type: string;
  identifiers: Record<string, string>;
}

export interface Alert {
  id: string;
  incidentId: string;
  title: string;
  description: string;
  severity: Severity;
  status: string;
  detectionSource: string;
  detectorId: string;
  mitreTechniques: string[];
  category?: string;
  createdDateTime: string;
  firstActivityDateTime: string;
  lastActivityDateTime: string;
  entities?: Entity[] | null;
}

export interface Incident {
  '@odata.etag': string;
  id: string;
  tenantId: string;
  displayName: string;
  severity: Severity;
  status: IncidentStatus;
  classification: string;
  determination: string;
  assignedTo: string | null;
  createdDateTime: string;
  lastUpdateDateTime: string;
  firstActivityDateTime: string;
  lastActivityDateTime: string;
  redirectIncidentId: string | null;
  customTags: string[];
  systemTags: string[];
  comments?: Comment[];
  alerts?: Alert[];
  alertCount: number;
  correlationNotes: string[];
}

export interface Page<T> {
  value: T[];
  '@odata.nextLink'?: string;
}

export interface TableInfo {
  name: string;
  kind: string;
  description?: string;
  rows: number;
  columns: { name: string; type: string }[] | null;
}

export interface HuntingResult {
  schema: { Name: string; Type: string }[];
  results: Record<string, unknown>[];
  truncated?: boolean;
}
