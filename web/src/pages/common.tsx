import type { ReactNode } from 'react';
import { Badge, makeStyles, MessageBar, MessageBarBody, MessageBarTitle, Text, tokens } from '@fluentui/react-components';
import type { Incident, Severity } from '../lib/types';
import { errorText } from '../lib/api';

export const usePageStyles = makeStyles({
  page: { padding: '16px 24px', display: 'flex', flexDirection: 'column', gap: '12px', minHeight: '100%', boxSizing: 'border-box' },
  header: { display: 'flex', alignItems: 'center', gap: '12px', flexWrap: 'wrap' },
  title: { fontSize: tokens.fontSizeHero700, fontWeight: tokens.fontWeightSemibold, lineHeight: tokens.lineHeightHero700, margin: 0 },
  card: { backgroundColor: tokens.colorNeutralBackground1, borderRadius: tokens.borderRadiusMedium, padding: '12px 16px', boxShadow: tokens.shadow2 },
  muted: { color: tokens.colorNeutralForeground3 },
});

const sevColor: Record<string, 'danger' | 'warning' | 'important' | 'informative' | 'subtle'> = {
  high: 'danger', medium: 'warning', low: 'important', informational: 'informative', unknown: 'subtle',
};

export function SeverityBadge({ severity }: { severity: Severity }) {
  return <Badge appearance="tint" color={sevColor[severity] ?? 'subtle'} shape="rounded">{cap(severity)}</Badge>;
}

export function StatusBadge({ status }: { status: string }) {
  const color = status === 'resolved' ? 'success' : status === 'inProgress' ? 'brand' : status === 'redirected' ? 'subtle' : 'informative';
  return <Badge appearance="outline" color={color} shape="rounded">{statusLabel(status)}</Badge>;
}

export function statusLabel(s: string): string {
  return s === 'inProgress' ? 'In progress' : cap(s);
}

export function cap(s: string): string {
  return s ? (s[0] ?? '').toUpperCase() + s.slice(1).replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase() : s;
}

export function fmtTime(s: string | undefined | null): string {
  if (!s) return '';
  const d = new Date(s);
  if (Number.isNaN(d.getTime()) || d.getUTCFullYear() < 1971) return '';
  return d.toLocaleString(undefined, { year: 'numeric', month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', second: '2-digit' });
}

export function ErrorBar({ error, title }: { error: unknown; title?: string }) {
  return (
    <MessageBar intent="error" role="alert">
      <MessageBarBody>
        {title && <MessageBarTitle>{title}</MessageBarTitle>}
        {errorText(error)}
      </MessageBarBody>
    </MessageBar>
  );
}

export function Empty({ title, children }: { title: string; children?: ReactNode }) {
  const s = usePageStyles();
  return (
    <div style={{ padding: '48px 16px', textAlign: 'center' }}>
      <Text weight="semibold" size={500} block>{title}</Text>
      {children && <Text className={s.muted} block style={{ marginTop: 8 }}>{children}</Text>}
    </div>
  );
}

/** isDisrupted: automatic attack disruption contained the incident (it tags it so). */
export function isDisrupted(i: Pick<Incident, 'customTags' | 'systemTags'>): boolean {
  return [...i.customTags, ...((i.systemTags as string[] | null) ?? [])].includes('Attack disruption');
}

export function DisruptedBadge() {
  return <Badge appearance="filled" color="severe" shape="rounded" style={{ marginRight: 6 }} title="Automatic attack disruption contained this incident">Disrupted</Badge>;
}
