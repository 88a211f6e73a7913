// Home: open incidents, the event store, and what automation did: the devices and accounts
// attack disruption contained, the actions waiting for approval, and the automated
// investigations' results.
import { Link as RouterLink } from 'react-router-dom';
import { Badge, Spinner, Text, tokens } from '@fluentui/react-components';
import { ApiError, api } from '../lib/api';
import { actionTypeLabel, disruptionState, getAutomationLevel, isSimulated, listActions, targetText } from '../lib/actions';
import { fetchIncidents } from '../lib/incidents';
import { investigationStatusColor, investigationStatusLabel, listInvestigations, summarize, verdictLabel } from '../lib/investigations';
import { severities, type TableInfo } from '../lib/types';
import { useAsync } from '../lib/useAsync';
import { ActionStatusBadge } from './actionParts';
import { ErrorBar, fmtTime, SeverityBadge, usePageStyles } from './common';

// How many of the latest investigations the summary counts, and how many recent items show.
const investigationWindow = 200;
const recent = 5;

/** Unavailable is an API the server answers 404 for: it is not configured there. */
function Unavailable({ error, what }: { error: unknown; what: string }) {
  const s = usePageStyles();
  if (error instanceof ApiError && error.status === 404) return <Text className={s.muted} block style={{ marginTop: 12 }}>This server has no {what} API.</Text>;
  return <ErrorBar error={error} />;
}

export function Home() {
  const s = usePageStyles();
  const open = useAsync((sig) => fetchIncidents("status eq 'active'", sig), []);
  const prog = useAsync((sig) => fetchIncidents("status eq 'inProgress'", sig), []);
  const tables = useAsync((sig) => api<TableInfo[]>('/api/v1/tables', { signal: sig }), []);
  const all = [...(open.data?.items ?? []), ...(prog.data?.items ?? [])];
  const withRows = (tables.data ?? []).filter((t) => t.rows > 0);
  return (
    <div className={s.page}>
      <h1 className={s.title}>Home</h1>
      <div style={{ display: 'grid', gridTemplateColumns: 'repeat(auto-fit, minmax(320px, 1fr))', gap: 12 }}>
        <section className={s.card} aria-labelledby="h-open">
          <Text id="h-open" weight="semibold" size={400} block>Open incidents by severity</Text>
          {open.error || prog.error ? <ErrorBar error={open.error ?? prog.error} /> : open.loading || prog.loading ? <Spinner size="tiny" /> : (
            <div style={{ display: 'flex', gap: 16, marginTop: 12, flexWrap: 'wrap' }}>
              {severities.map((sev) => (
                <RouterLink key={sev} to={`/incidents?status=active,inProgress&severity=${sev}`} style={{ textDecoration: 'none', color: tokens.colorNeutralForeground1 }}>
                  <Text size={800} weight="semibold" block>{all.filter((i) => i.severity === sev).length}</Text>
                  <SeverityBadge severity={sev} />
                </RouterLink>
              ))}
            </div>
          )}
        </section>
        <section className={s.card} aria-labelledby="h-ingest">
          <Text id="h-ingest" weight="semibold" size={400} block>Data in the event store</Text>
          {tables.error ? <ErrorBar error={tables.error} /> : tables.loading ? <Spinner size="tiny" /> : (
            <>
              <Text block style={{ marginTop: 12 }}>{withRows.length} tables hold {withRows.reduce((n, t) => n + t.rows, 0).toLocaleString()} rows.</Text>
              <RouterLink to="/data-connectors">Data connectors</RouterLink>
            </>
          )}
        </section>
        <PendingApprovals />
        <Disruptions />
        <AutomatedInvestigations />
      </div>
    </div>
  );
}

/** PendingApprovals counts the actions waiting for a decision, linking to the Action Center. */
function PendingApprovals() {
  const s = usePageStyles();
  const pending = useAsync((sig) => listActions({ status: 'pendingApproval', top: 1000 }, sig), []);
  const n = pending.data?.value.length ?? 0;
  return (
    <section className={s.card} aria-labelledby="h-pending" data-testid="home-pending">
      <Text id="h-pending" weight="semibold" size={400} block>Pending approvals</Text>
      {pending.error ? <Unavailable error={pending.error} what="Action Center" /> : pending.loading ? <Spinner size="tiny" /> : (
        <>
          <RouterLink to="/action-center" style={{ textDecoration: 'none', color: tokens.colorNeutralForeground1 }}>
            <Text size={800} weight="semibold" block style={{ marginTop: 12 }}>{n >= 1000 ? '1000+' : n}</Text>
          </RouterLink>
          <Text className={s.muted} block>{n === 0 ? 'No response action waits for approval.' : `response action${n === 1 ? ' waits' : 's wait'} for approval.`}</Text>
          <RouterLink to="/action-center">Action Center</RouterLink>
        </>
      )}
    </section>
  );
}

/** Disruptions lists the latest containments attack disruption requested, with the tenant's
 * disruption setting. */
function Disruptions() {
  const s = usePageStyles();
  const acts = useAsync((sig) => listActions({ requestorType: 'disruption', top: recent }, sig), []);
  const policy = useAsync((sig) => getAutomationLevel(sig), []);
  const list = acts.data?.value ?? [];
  return (
    <section className={s.card} aria-labelledby="h-disruption" data-testid="home-disruptions">
      <Text id="h-disruption" weight="semibold" size={400} block>Attack disruption</Text>
      {policy.data && <Text className={s.muted} size={200} block>{disruptionState(policy.data)}</Text>}
      {acts.error ? <Unavailable error={acts.error} what="Action Center" /> : acts.loading ? <Spinner size="tiny" /> : list.length === 0 ? (
        <Text className={s.muted} block style={{ marginTop: 12 }}>Attack disruption has contained nothing yet: no incident matched a high-confidence attack pattern.</Text>
      ) : (
        <ul style={{ listStyle: 'none', padding: 0, margin: '8px 0 0', display: 'flex', flexDirection: 'column', gap: 10 }}>
          {list.map((a) => (
            <li key={a.id} data-disruption={a.id}>
              <div style={{ display: 'flex', gap: 6, alignItems: 'baseline', flexWrap: 'wrap' }}>
                <RouterLink to={`/action-center?tab=history&action=${encodeURIComponent(a.id)}`}>{actionTypeLabel(a.type)}</RouterLink>
                <Text weight="semibold">{targetText(a.target)}</Text>
              </div>
              <div style={{ display: 'flex', gap: 6, alignItems: 'center', flexWrap: 'wrap' }}>
                <ActionStatusBadge status={a.status} />
                {isSimulated(a) && <Badge appearance="outline" color="informative" title="Carried out by the simulated responder: no real system was touched">simulated</Badge>}
                <Text className={s.muted} size={200}>
                  {fmtTime(a.creationDateTimeUtc)}
                  {a.incidentId ? <> · <RouterLink to={`/incidents/${a.incidentId}`}>incident {a.incidentId}</RouterLink></> : null}
                </Text>
              </div>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

/** AutomatedInvestigations counts the latest investigations by status and their evidence by
 * verdict, and links the most recent to their incidents. */
function AutomatedInvestigations() {
  const s = usePageStyles();
  const invs = useAsync((sig) => listInvestigations({ top: investigationWindow }, sig), []);
  const list = invs.data?.value ?? [];
  const sum = summarize(list);
  return (
    <section className={s.card} aria-labelledby="h-air" data-testid="home-investigations">
      <Text id="h-air" weight="semibold" size={400} block>Automated investigations</Text>
      {invs.error ? <Unavailable error={invs.error} what="automated investigations" /> : invs.loading ? <Spinner size="tiny" /> : list.length === 0 ? (
        <Text className={s.muted} block style={{ marginTop: 12 }}>None yet: alerts of medium severity or higher with a device, mailbox, file, address or URL are investigated as they arrive.</Text>
      ) : (
        <>
          <Text block style={{ marginTop: 8 }}>{sum.total === investigationWindow ? `The latest ${sum.total}` : sum.total} investigation{sum.total === 1 ? '' : 's'}:</Text>
          <div style={{ display: 'flex', gap: 6, flexWrap: 'wrap', marginTop: 4 }}>
            {sum.byStatus.map((x) => <Badge key={x.status} appearance="tint" color={investigationStatusColor(x.status)}>{investigationStatusLabel(x.status)}: {x.count}</Badge>)}
          </div>
          <Text className={s.muted} size={200} block style={{ marginTop: 4 }}>
            Evidence: {(['malicious', 'suspicious', 'noThreatsFound'] as const).map((v) => `${sum.verdicts[v]} ${verdictLabel(v).toLowerCase()}`).join(', ')}
          </Text>
          <ul style={{ listStyle: 'none', padding: 0, margin: '8px 0 0', display: 'flex', flexDirection: 'column', gap: 4 }}>
            {list.slice(0, recent).map((inv) => (
              <li key={inv.id} data-investigation={inv.id}>
                {inv.incidentId ? <RouterLink to={`/incidents/${inv.incidentId}/investigations`}>{inv.alert.title}</RouterLink> : <Text>{inv.alert.title}</Text>}
                {' '}<Text className={s.muted} size={200}>{investigationStatusLabel(inv.status)} · {fmtTime(inv.createdDateTime)}</Text>
              </li>
            ))}
          </ul>
        </>
      )}
    </section>
  );
}
