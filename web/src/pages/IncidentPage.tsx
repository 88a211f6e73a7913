import { lazy, Suspense, useEffect, useState } from 'react';
import { Link as RouterLink, useNavigate, useParams } from 'react-router-dom';
import {
  Badge, Breadcrumb, Menu, MenuItem, MenuList, MenuPopover, MenuTrigger, BreadcrumbButton, BreadcrumbDivider, BreadcrumbItem, Button, Dropdown, Field, Input, makeStyles, MessageBar,
  MessageBarBody, Option, Spinner, Tab, TabList, Table, TableBody, TableCell, TableHeader, TableHeaderCell, TableRow, Text, Textarea, tokens,
} from '@fluentui/react-components';
import { useAuth } from '../auth';
import { api, ApiError, errorText } from '../lib/api';
import { collectEntities, entityLabel, groupByType } from '../lib/entities';
import { patchIncident } from '../lib/incidents';
import { classifications, determinationsFor, severities, statuses, type Comment, type Incident } from '../lib/types';
import { useAsync } from '../lib/useAsync';
import { cap, DisruptedBadge, Empty, ErrorBar, fmtTime, isDisrupted, SeverityBadge, StatusBadge, statusLabel, usePageStyles } from './common';
import { huntQueryFor } from './huntLinks';
import { ActionStatusBadge } from './actionParts';
import { actionTypeLabel, listActions, requestAction, targetText } from '../lib/actions';
import { ResolveDialog } from './IncidentQueue';
import { InvestigationsTab } from './Investigations';

const IncidentGraph = lazy(() => import('./IncidentGraph'));

const tabs = [
  { id: 'story', label: 'Attack story' }, { id: 'alerts', label: 'Alerts' }, { id: 'assets', label: 'Assets' },
  { id: 'graph', label: 'Graph' }, { id: 'investigations', label: 'Investigations' }, { id: 'actions', label: 'Actions' }, { id: 'comments', label: 'Comments' },
  { id: 'history', label: 'History' },
];

const useStyles = makeStyles({
  fields: { display: 'flex', gap: '16px', flexWrap: 'wrap', alignItems: 'flex-end' },
  timeline: { listStyle: 'none', margin: 0, padding: 0, borderLeft: `2px solid ${tokens.colorNeutralStroke1}` },
  event: { position: 'relative', padding: '4px 0 16px 20px' },
  dot: { position: 'absolute', left: '-7px', top: '8px', width: '12px', height: '12px', borderRadius: '50%', backgroundColor: tokens.colorPaletteDarkOrangeBackground3 },
});

export function IncidentPage() {
  const { id = '', tab = 'story' } = useParams();
  const go = useNavigate();
  const ps = usePageStyles();
  const { data: inc, error, loading, reload, set } = useAsync(
    (sig) => api<Incident>(`/api/v1/security/incidents/${encodeURIComponent(id)}?$expand=alerts`, { signal: sig }), [id]);
  const dark = document.documentElement.dataset.theme === 'dark';

  if (error) {
    return (
      <div className={ps.page}>
        <ErrorBar error={error} title={error instanceof ApiError && error.status === 404 ? `Incident ${id} does not exist` : 'The incident could not be loaded'} />
        <RouterLink to="/incidents">Back to the incident queue</RouterLink>
      </div>
    );
  }
  if (loading && !inc) return <Spinner label="Loading incident" style={{ marginTop: 48 }} />;
  if (!inc) return null;
  return (
    <div className={ps.page}>
      <Breadcrumb aria-label="Breadcrumb">
        <BreadcrumbItem><BreadcrumbButton onClick={() => void go('/incidents')}>Incidents</BreadcrumbButton></BreadcrumbItem>
        <BreadcrumbDivider />
        <BreadcrumbItem><BreadcrumbButton current>#{inc.id}</BreadcrumbButton></BreadcrumbItem>
      </Breadcrumb>
      <div className={ps.header}>
        <h1 className={ps.title}>{inc.displayName}</h1>
        <SeverityBadge severity={inc.severity} />
        <StatusBadge status={inc.status} />
        {isDisrupted(inc) && <DisruptedBadge />}
        {inc.customTags.map((t) => <Badge key={t} appearance="tint" color="brand">{t}</Badge>)}
      </div>
      {inc.redirectIncidentId && (
        <MessageBar intent="warning"><MessageBarBody>This incident was merged into <RouterLink to={`/incidents/${inc.redirectIncidentId}`}>incident {inc.redirectIncidentId}</RouterLink>.</MessageBarBody></MessageBar>
      )}
      <IncidentHeader inc={inc} onChanged={reload} onUpdated={(u) => set({ ...inc, ...u, alerts: inc.alerts, comments: u.comments ?? inc.comments })} />
      <TabList selectedValue={tab} onTabSelect={(_, d) => void go(`/incidents/${inc.id}/${String(d.value)}`, { replace: true })}>
        {tabs.map((t) => <Tab key={t.id} value={t.id}>{t.id === 'alerts' ? `Alerts (${inc.alerts?.length ?? 0})` : t.id === 'comments' ? `Comments (${inc.comments?.length ?? 0})` : t.label}</Tab>)}
      </TabList>
      <div className={ps.card} role="tabpanel">
        {tab === 'story' && <AttackStory inc={inc} />}
        {tab === 'alerts' && <AlertsTab inc={inc} />}
        {tab === 'assets' && <AssetsTab inc={inc} />}
        {tab === 'graph' && <Suspense fallback={<Spinner label="Loading the graph" />}><IncidentGraph incident={inc} dark={dark} /></Suspense>}
        {tab === 'investigations' && <InvestigationsTab incidentId={inc.id} />}
        {tab === 'actions' && <ActionsTab inc={inc} />}
        {tab === 'comments' && <CommentsTab inc={inc} onChanged={reload} />}
        {tab === 'history' && <HistoryTab inc={inc} />}
      </div>
    </div>
  );
}

function IncidentHeader({ inc, onChanged, onUpdated }: { inc: Incident; onChanged: () => void; onUpdated: (i: Incident) => void }) {
  const s = useStyles();
  const { auth } = useAuth();
  const [err, setErr] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [assignee, setAssignee] = useState(inc.assignedTo ?? '');
  const [resolveOpen, setResolveOpen] = useState(false);
  const patch = async (body: Record<string, unknown>) => {
    setBusy(true);
    setErr(null);
    try {
      const u = await patchIncident(inc.id, body, inc['@odata.etag']);
      setAssignee(u.assignedTo ?? '');
      onUpdated(u);
    } catch (e) {
      setErr(e instanceof ApiError && e.status === 412 ? 'Someone else changed this incident meanwhile: it has been reloaded, try again.' : errorText(e));
      onChanged();
    } finally {
      setBusy(false);
    }
  };
  return (
    <section className={s.fields} aria-label="Incident properties">
      <Field label="Status">
        <Dropdown aria-label="Status" selectedOptions={[inc.status]} value={statusLabel(inc.status)} disabled={busy}
          onOptionSelect={(_, d) => {
            if (d.optionValue === 'resolved' && inc.classification === 'unknown') setResolveOpen(true);
            else if (d.optionValue && d.optionValue !== inc.status) void patch({ status: d.optionValue });
          }}>
          {statuses.filter((x) => x !== 'redirected').map((x) => <Option key={x} value={x}>{statusLabel(x)}</Option>)}
        </Dropdown>
      </Field>
      <Field label="Severity">
        <Dropdown aria-label="Severity" selectedOptions={[inc.severity]} value={cap(inc.severity)} disabled={busy}
          onOptionSelect={(_, d) => { if (d.optionValue && d.optionValue !== inc.severity) void patch({ severity: d.optionValue }); }}>
          {severities.map((x) => <Option key={x} value={x}>{cap(x)}</Option>)}
        </Dropdown>
      </Field>
      <Field label="Assigned to">
        <div style={{ display: 'flex', gap: 4 }}>
          <Input aria-label="Assigned to" value={assignee} placeholder="Unassigned" onChange={(_, d) => setAssignee(d.value)}
            onKeyDown={(e) => { if (e.key === 'Enter') void patch({ assignedTo: assignee.trim() }); }} />
          <Button disabled={busy || assignee.trim() === (inc.assignedTo ?? '')} onClick={() => void patch({ assignedTo: assignee.trim() })}>Assign</Button>
          {auth?.kind === 'session' && <Button appearance="subtle" disabled={busy} onClick={() => { setAssignee(auth.user); void patch({ assignedTo: auth.user }); }}>Assign to me</Button>}
        </div>
      </Field>
      <Field label="Classification">
        <Dropdown aria-label="Classification" selectedOptions={[inc.classification]} value={cap(inc.classification)} disabled={busy}
          onOptionSelect={(_, d) => {
            const c = d.optionValue;
            if (c) void patch(determinationsFor(c).includes(inc.determination) ? { classification: c } : { classification: c, determination: 'unknown' });
          }}>
          {classifications.map((x) => <Option key={x} value={x}>{cap(x)}</Option>)}
        </Dropdown>
      </Field>
      <Field label="Determination">
        <Dropdown aria-label="Determination" selectedOptions={[inc.determination]} value={cap(inc.determination)} disabled={busy}
          onOptionSelect={(_, d) => { if (d.optionValue) void patch({ determination: d.optionValue }); }}>
          {determinationsFor(inc.classification).map((x) => <Option key={x} value={x}>{cap(x)}</Option>)}
        </Dropdown>
      </Field>
      {inc.status !== 'resolved' && <Button appearance="primary" disabled={busy} onClick={() => setResolveOpen(true)}>Resolve incident</Button>}
      <ResolveDialog open={resolveOpen} count={1} onClose={() => setResolveOpen(false)}
        onResolve={(classification, determination) => { setResolveOpen(false); void patch({ status: 'resolved', classification, determination }); }} />
      {busy && <Spinner size="tiny" />}
      {err && <MessageBar intent="error" role="alert"><MessageBarBody>{err}</MessageBarBody></MessageBar>}
      <Text size={200} style={{ color: tokens.colorNeutralForeground3, width: '100%' }}>
        First activity {fmtTime(inc.firstActivityDateTime)} · last activity {fmtTime(inc.lastActivityDateTime)} · created {fmtTime(inc.createdDateTime)} · updated {fmtTime(inc.lastUpdateDateTime)}
      </Text>
    </section>
  );
}

function AttackStory({ inc }: { inc: Incident }) {
  const s = useStyles();
  const alerts = [...(inc.alerts ?? [])].sort((a, b) => a.firstActivityDateTime.localeCompare(b.firstActivityDateTime));
  if (!alerts.length) return <Empty title="No alerts in this incident" />;
  return (
    <>
      {inc.correlationNotes.length > 0 && (
        <MessageBar intent="info" style={{ marginBottom: 12 }}><MessageBarBody>Why these alerts are one incident: {inc.correlationNotes.join(' ')}</MessageBarBody></MessageBar>
      )}
      <ol className={s.timeline} aria-label="Alerts in time order">
        {alerts.map((a) => (
          <li key={a.id} className={s.event}>
            <span className={s.dot} aria-hidden />
            <Text size={200} block style={{ color: tokens.colorNeutralForeground3 }}>{fmtTime(a.firstActivityDateTime)}</Text>
            <Text weight="semibold">{a.title}</Text> <SeverityBadge severity={a.severity} />
            {a.category && <Badge appearance="outline" style={{ marginLeft: 4 }}>{cap(a.category)}</Badge>}
            {a.mitreTechniques.map((t) => <Badge key={t} appearance="outline" color="informative" style={{ marginLeft: 4 }}>{t}</Badge>)}
            {a.description && <Text block size={200} style={{ marginTop: 4 }}>{a.description}</Text>}
            <Text block size={200} style={{ marginTop: 4 }}>{(a.entities ?? []).map((e) => `${e.type}: ${entityLabel(e)}`).join(' · ')}</Text>
          </li>
        ))}
      </ol>
    </>
  );
}

function AlertsTab({ inc }: { inc: Incident }) {
  const alerts = inc.alerts ?? [];
  if (!alerts.length) return <Empty title="No alerts in this incident" />;
  return (
    <Table size="small" style={{ tableLayout: 'auto' }} aria-label="Alerts">
      <TableHeader><TableRow>
        <TableHeaderCell>Alert</TableHeaderCell><TableHeaderCell>Severity</TableHeaderCell><TableHeaderCell>Status</TableHeaderCell>
        <TableHeaderCell>Category</TableHeaderCell><TableHeaderCell>Detection source</TableHeaderCell><TableHeaderCell>First activity</TableHeaderCell>
      </TableRow></TableHeader>
      <TableBody>
        {alerts.map((a) => (
          <TableRow key={a.id}>
            <TableCell title={a.description}>{a.title}</TableCell>
            <TableCell><SeverityBadge severity={a.severity} /></TableCell>
            <TableCell>{cap(a.status)}</TableCell>
            <TableCell>{cap(a.category ?? '')}</TableCell>
            <TableCell>{cap(a.detectionSource)}</TableCell>
            <TableCell>{fmtTime(a.firstActivityDateTime)}</TableCell>
          </TableRow>
        ))}
      </TableBody>
    </Table>
  );
}

function AssetsTab({ inc }: { inc: Incident }) {
  const groups = groupByType(collectEntities(inc.alerts ?? []));
  if (!groups.size) return <Empty title="No entities">The alerts of this incident name no entities.</Empty>;
  return (
    <div style={{ display: 'flex', flexDirection: 'column', gap: 16 }}>
      {[...groups.entries()].map(([type, refs]) => (
        <section key={type} aria-label={type}>
          <Text weight="semibold" size={400}>{type} ({refs.length})</Text>
          <Table size="small" style={{ tableLayout: 'auto' }}>
            <TableHeader><TableRow><TableHeaderCell>Name</TableHeaderCell><TableHeaderCell>Identifiers</TableHeaderCell><TableHeaderCell>Alerts</TableHeaderCell><TableHeaderCell /></TableRow></TableHeader>
            <TableBody>
              {refs.map((r) => {
                const q = huntQueryFor(r.entity);
                return (
                  <TableRow key={r.key}>
                    <TableCell>{r.label}</TableCell>
                    <TableCell><Text size={200} font="monospace">{Object.entries(r.entity.identifiers).map(([k, v]) => `${k}=${v}`).join('  ')}</Text></TableCell>
                    <TableCell>{r.alerts.length}</TableCell>
                    <TableCell>
                      {q && <RouterLink to={`/hunting?q=${encodeURIComponent(q)}`}>Hunt</RouterLink>}
                      <RequestActionMenu inc={inc} type={type} name={r.label} />
                    </TableCell>
                  </TableRow>
                );
              })}
            </TableBody>
          </Table>
        </section>
      ))}
    </div>
  );
}

function CommentsTab({ inc, onChanged }: { inc: Incident; onChanged: () => void }) {
  const [text, setText] = useState('');
  const [err, setErr] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const comments: Comment[] = inc.comments ?? [];
  const add = async () => {
    setBusy(true);
    setErr(null);
    try {
      await api(`/api/v1/security/incidents/${inc.id}/comments`, { method: 'POST', body: { comment: text } });
      setText('');
      onChanged();
    } catch (e) {
      setErr(errorText(e));
    } finally {
      setBusy(false);
    }
  };
  return (
    <div style={{ display: 'flex', flexDirection: 'column', gap: 12, maxWidth: 800 }}>
      {comments.length === 0 ? <Text>No comments yet.</Text> : comments.map((c, i) => (
        <div key={i}>
          <Text weight="semibold">{c.createdByDisplayName}</Text> <Text size={200}>{fmtTime(c.createdDateTime)}</Text>
          <Text block style={{ whiteSpace: 'pre-wrap' }}>{c.comment}</Text>
        </div>
      ))}
      <Field label="Add a comment">
        <Textarea value={text} onChange={(_, d) => setText(d.value)} resize="vertical"
          onKeyDown={(e) => { if (e.key === 'Enter' && (e.ctrlKey || e.metaKey) && text.trim()) void add(); }} />
      </Field>
      {err && <MessageBar intent="error"><MessageBarBody>{err}</MessageBarBody></MessageBar>}
      <div><Button appearance="primary" disabled={busy || !text.trim()} onClick={() => void add()}>Add comment</Button> <Text size={200}>Ctrl+Enter</Text></div>
    </div>
  );
}

interface HistoryEntry {
  actor: string;
  action: string;
  detail: string;
  createdDateTime: string;
}

function HistoryTab({ inc }: { inc: Incident }) {
  const { data, error, loading } = useAsync(
    (sig) => api<{ value: HistoryEntry[] }>(`/api/v1/security/incidents/${inc.id}/history`, { signal: sig }), [inc.id, inc['@odata.etag']]);
  if (error) {
    return error instanceof ApiError && error.status === 404
      ? <Empty title="History is not available">This server does not keep incident history (GET /api/v1/security/incidents/{'{id}'}/history).</Empty>
      : <ErrorBar error={error} />;
  }
  if (loading && !data) return <Spinner size="tiny" />;
  const rows = data?.value ?? [];
  if (!rows.length) return <Empty title="No changes yet" />;
  return (
    <Table size="small" style={{ tableLayout: 'auto' }} aria-label="History">
      <TableHeader><TableRow><TableHeaderCell>When</TableHeaderCell><TableHeaderCell>Who</TableHeaderCell><TableHeaderCell>Action</TableHeaderCell><TableHeaderCell>Detail</TableHeaderCell></TableRow></TableHeader>
      <TableBody>
        {[...rows].reverse().map((h, i) => (
          <TableRow key={i}>
            <TableCell>{fmtTime(h.createdDateTime)}</TableCell><TableCell>{h.actor}</TableCell><TableCell>{cap(h.action)}</TableCell><TableCell>{h.detail}</TableCell>
          </TableRow>
        ))}
      </TableBody>
    </Table>
  );
}

/** requestableOn lists the actions the Assets tab offers on an entity type. */
function requestableOn(type: string): { type: string; label: string; field: 'device' | 'account' }[] {
  const t = type.toLowerCase();
  if (t === 'host' || t === 'device') return [{ type: 'isolateDevice', label: 'Isolate device', field: 'device' }];
  if (t === 'account') return [{ type: 'disableAccount', label: 'Disable account', field: 'account' }];
  return [];
}

function RequestActionMenu({ inc, type, name }: { inc: Incident; type: string; name: string }) {
  const go = useNavigate();
  const [err, setErr] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const opts = requestableOn(type);
  if (!opts.length) return null;
  const request = async (o: { type: string; label: string; field: 'device' | 'account' }) => {
    setBusy(true);
    setErr(null);
    try {
      await requestAction({ type: o.type, target: { [o.field]: name }, comment: `${o.label} from incident ${inc.id}`, incidentId: Number(inc.id) });
      void go(`/incidents/${inc.id}/actions`);
    } catch (e) {
      setErr(errorText(e));
    } finally {
      setBusy(false);
    }
  };
  return (
    <span style={{ marginLeft: 12 }}>
      <Menu>
        <MenuTrigger disableButtonEnhancement>
          <Button size="small" appearance="subtle" disabled={busy} aria-label={`Request action on ${name}`}>Request action</Button>
        </MenuTrigger>
        <MenuPopover>
          <MenuList>
            {opts.map((o) => <MenuItem key={o.type} onClick={() => void request(o)}>{o.label}</MenuItem>)}
          </MenuList>
        </MenuPopover>
      </Menu>
      {err && <Text role="alert" style={{ color: tokens.colorPaletteRedForeground1, marginLeft: 8 }}>{err}</Text>}
    </span>
  );
}

function ActionsTab({ inc }: { inc: Incident }) {
  const { data, error, loading, reload } = useAsync((sig) => listActions({ incidentId: inc.id }, sig), [inc.id]);
  useEffect(() => {
    const t = setInterval(() => { if (document.visibilityState === 'visible') reload(); }, 15_000);
    return () => clearInterval(t);
  }, [reload]);
  if (error) return <ErrorBar error={error} title="The actions could not be loaded" />;
  if (loading && !data) return <Spinner size="tiny" />;
  const rows = data?.value ?? [];
  if (!rows.length) return <Empty title="No response actions for this incident">Request one from a device or account on the Assets tab.</Empty>;
  return (
    <Table size="small" style={{ tableLayout: 'auto' }} aria-label="Incident actions">
      <TableHeader><TableRow>
        <TableHeaderCell>Action</TableHeaderCell><TableHeaderCell>Target</TableHeaderCell><TableHeaderCell>Requester</TableHeaderCell>
        <TableHeaderCell>Status</TableHeaderCell><TableHeaderCell>Created</TableHeaderCell><TableHeaderCell>Result</TableHeaderCell>
      </TableRow></TableHeader>
      <TableBody>
        {rows.map((a) => (
          <TableRow key={a.id} data-action={a.id}>
            <TableCell><RouterLink to={`/action-center?tab=${a.status === 'pendingApproval' ? '' : 'history'}&action=${a.id}`}>{actionTypeLabel(a.type)}</RouterLink></TableCell>
            <TableCell>{targetText(a.target)}</TableCell>
            <TableCell>{a.requestor.name}</TableCell>
            <TableCell><ActionStatusBadge status={a.status} /></TableCell>
            <TableCell>{fmtTime(a.creationDateTimeUtc)}</TableCell>
            <TableCell>{a.result.error ?? a.result.detail ?? ''}{a.result.data?.simulated === true ? ' (simulated)' : ''}</TableCell>
          </TableRow>
        ))}
      </TableBody>
    </Table>
  );
}
