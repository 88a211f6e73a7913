import { Badge, Spinner, Table, TableBody, TableCell, TableHeader, TableHeaderCell, TableRow, Text, tokens } from '@fluentui/react-components';
import { Link as RouterLink } from 'react-router-dom';
import { actionTypeLabel } from '../lib/actions';
import { investigationStatusColor, investigationStatusLabel, listInvestigations, sortEvidence, verdictLabel, type Evidence, type Investigation, type Verdict } from '../lib/investigations';
import { useAsync } from '../lib/useAsync';
import { Empty, ErrorBar, fmtTime } from './common';
import { ActionStatusBadge } from './actionParts';

const verdictColor = (v: Verdict) => (v === 'malicious' ? 'danger' : v === 'suspicious' ? 'warning' : 'success');


/** InvestigationsTab lists the automated investigations of an incident's alerts with their
 * evidence, verdicts and remediation. */
export function InvestigationsTab({ incidentId }: { incidentId: string }) {
  const { data, error, loading } = useAsync((sig) => listInvestigations({ incidentId }, sig), [incidentId]);
  if (error) return <ErrorBar error={error} title="The investigations could not be loaded" />;
  if (loading && !data) return <Spinner size="tiny" />;
  const invs = data?.value ?? [];
  if (!invs.length) {
    return <Empty title="No automated investigations">Alerts of medium severity or higher with a device, mailbox, file, address or URL are investigated as they arrive.</Empty>;
  }
  return <div style={{ display: 'flex', flexDirection: 'column', gap: 24 }}>{invs.map((inv) => <InvestigationCard key={inv.id} inv={inv} />)}</div>;
}

function InvestigationCard({ inv }: { inv: Investigation }) {
  const ev = sortEvidence(inv.evidence ?? []);
  return (
    <section aria-label={`Investigation ${inv.id}`} data-investigation={inv.id}>
      <div style={{ display: 'flex', gap: 12, alignItems: 'center', flexWrap: 'wrap' }}>
        <Text weight="semibold">{inv.alert.title}</Text>
        <Badge appearance="filled" color={investigationStatusColor(inv.status)}>{investigationStatusLabel(inv.status)}</Badge>
        <Text size={200} style={{ color: tokens.colorNeutralForeground3 }}>
          {inv.id} · started {fmtTime(inv.createdDateTime)} · {inv.verdicts.malicious ?? 0} malicious, {inv.verdicts.suspicious ?? 0} suspicious, {inv.verdicts.noThreatsFound ?? 0} clean
        </Text>
      </div>
      {inv.error && <Text role="alert" style={{ color: tokens.colorPaletteRedForeground1 }}>{inv.error}</Text>}
      {ev.length > 0 && (
        <Table size="small" style={{ tableLayout: 'auto', marginTop: 8 }} aria-label={`Evidence of ${inv.id}`}>
          <TableHeader><TableRow>
            <TableHeaderCell>Evidence</TableHeaderCell><TableHeaderCell>Where</TableHeaderCell><TableHeaderCell>Verdict</TableHeaderCell>
            <TableHeaderCell>Why</TableHeaderCell><TableHeaderCell>Remediation</TableHeaderCell>
          </TableRow></TableHeader>
          <TableBody>{ev.map((e, i) => <EvidenceRow key={`${e.kind}:${e.value}:${e.device ?? ''}:${i}`} e={e} inv={inv} />)}</TableBody>
        </Table>
      )}
    </section>
  );
}

function EvidenceRow({ e, inv }: { e: Evidence; inv: Investigation }) {
  const what = e.kind === 'file' ? `${e.name || 'file'} (${e.value.slice(0, 12)}…)` : e.kind === 'message' ? (e.detail ?? e.value) : e.value;
  const where = e.device ? e.device : e.mailbox ? e.mailbox : '';
  const r = e.remediation;
  const status = r?.actionId ? inv.actions?.[r.actionId] : undefined;
  return (
    <TableRow data-verdict={e.verdict}>
      <TableCell><Text title={e.path ?? e.detail}>{e.kind}: {what}</Text></TableCell>
      <TableCell>{where}</TableCell>
      <TableCell><Badge appearance="tint" color={verdictColor(e.verdict)}>{verdictLabel(e.verdict)}</Badge></TableCell>
      <TableCell>{(e.reasons ?? []).join('; ')}{e.devices ? ` (seen on ${e.devices} devices)` : ''}</TableCell>
      <TableCell>
        {r && (
          <span style={{ display: 'inline-flex', gap: 6, alignItems: 'center' }}>
            {actionTypeLabel(r.type)}
            {r.state === 'requested' && r.actionId && status && (
              <RouterLink to={`/action-center?tab=history&action=${r.actionId}`}><ActionStatusBadge status={status} /></RouterLink>
            )}
            {r.state === 'proposed' && <Badge appearance="outline" color="informative">Proposed</Badge>}
            {r.state === 'notAllowed' && <Text size={200} title={r.error}>not requested: {r.error}</Text>}
          </span>
        )}
      </TableCell>
    </TableRow>
  );
}
