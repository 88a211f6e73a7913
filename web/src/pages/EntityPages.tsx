import { useEffect, useState, type ReactNode } from 'react';
import { Link as RouterLink, useNavigate, useParams, useSearchParams } from 'react-router-dom';
import {
  Badge, Breadcrumb, BreadcrumbButton, BreadcrumbDivider, BreadcrumbItem, Button, Dropdown, Field, Input, Option, Spinner, Tab, TabList, Table,
  TableBody, TableCell, TableHeader, TableHeaderCell, TableRow, Text, Textarea, tokens,
} from '@fluentui/react-components';
import { api, errorText } from '../lib/api';
import { actionTypeLabel, listActions, requestAction, targetText, type ActionTarget } from '../lib/actions';
import { defaultTimeline, deviceQueries, deviceTables, ranges, userQueries, type Range, type TimelineFilter } from '../lib/entityQueries';
import type { HuntingResult, Severity } from '../lib/types';
import { useAsync } from '../lib/useAsync';
import { ActionStatusBadge } from './actionParts';
import { Empty, ErrorBar, fmtTime, SeverityBadge, usePageStyles } from './common';

function hunt(query: string, signal: AbortSignal): Promise<HuntingResult> {
  return api<HuntingResult>('/api/v1/security/runHuntingQuery', { method: 'POST', body: { Query: query }, signal });
}

const huntLink = (q: string) => `/hunting?q=${encodeURIComponent(q)}`;

function cell(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'string') return /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d/.test(v) ? fmtTime(v) : v;
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return String(v);
  return JSON.stringify(v);
}

/** QueryTable runs a hunting query and shows its rows; render overrides a column's cell. */
function QueryTable({ title, query, empty, render, label }: {
  title: string; query: string; empty: string; label: string;
  render?: Record<string, (v: unknown, row: Record<string, unknown>) => ReactNode>;
}) {
  const { data, error, loading } = useAsync((sig) => hunt(query, sig), [query]);
  const cols = data?.schema.map((c) => c.Name) ?? [];
  return (
    <section aria-label={label} style={{ display: 'flex', flexDirection: 'column', gap: 6 }}>
      <div style={{ display: 'flex', gap: 12, alignItems: 'baseline' }}>
        <Text weight="semibold" size={400}>{title}</Text>
        <RouterLink to={huntLink(query)}>Hunt</RouterLink>
        {data?.truncated && <Text size={200}>(first {data.results.length} rows)</Text>}
      </div>
      {error ? <ErrorBar error={error} title={`${title} could not be loaded`} />
        : loading && !data ? <Spinner size="tiny" />
          : !data?.results.length ? <Text style={{ color: tokens.colorNeutralForeground3 }}>{empty}</Text>
            : (
              <div style={{ overflowX: 'auto' }}>
                <Table size="small" style={{ tableLayout: 'auto' }} aria-label={label}>
                  <TableHeader><TableRow>{cols.map((c) => <TableHeaderCell key={c}>{c}</TableHeaderCell>)}</TableRow></TableHeader>
                  <TableBody>
                    {data.results.map((r, i) => (
                      <TableRow key={i}>{cols.map((c) => <TableCell key={c}>{render?.[c] ? render[c](r[c], r) : cell(r[c])}</TableCell>)}</TableRow>
                    ))}
                  </TableBody>
                </Table>
              </div>
            )}
    </section>
  );
}

const alertRender = {
  AlertId: (v: unknown) => <RouterLink to={`/alerts/${encodeURIComponent(cell(v))}`}>{cell(v)}</RouterLink>,
  Severity: (v: unknown) => <SeverityBadge severity={cell(v).toLowerCase() as Severity} />,
};

/** Timeline is an entity's events with filters kept in the URL. */
function Timeline({ query, tables }: { query: (f: TimelineFilter) => string; tables: readonly string[] }) {
  const [params, setParams] = useSearchParams();
  const f: TimelineFilter = {
    range: (ranges as string[]).includes(params.get('range') ?? '') ? params.get('range') as Range : defaultTimeline.range,
    table: tables.includes(params.get('table') ?? '') ? params.get('table') ?? '' : '',
    actionType: params.get('actionType') ?? '', text: params.get('q') ?? '',
  };
  const [text, setText] = useState(f.text);
  const set = (p: Partial<TimelineFilter>) => {
    const n = { ...f, ...p };
    const next = new URLSearchParams(params);
    for (const [k, v] of [['range', n.range], ['table', n.table], ['actionType', n.actionType], ['q', n.text]] as const) {
      if (v) next.set(k, v); else next.delete(k);
    }
    setParams(next, { replace: true });
  };
  return (
    <div style={{ display: 'flex', flexDirection: 'column', gap: 8 }}>
      <div style={{ display: 'flex', gap: 12, flexWrap: 'wrap', alignItems: 'flex-end' }}>
        <Field label="Time range">
          <Dropdown value={`Last ${f.range}`} selectedOptions={[f.range]} onOptionSelect={(_, d) => set({ range: d.optionValue as Range })}>
            {ranges.map((r) => <Option key={r} value={r}>{`Last ${r}`}</Option>)}
          </Dropdown>
        </Field>
        <Field label="Table">
          <Dropdown value={f.table || 'All tables'} selectedOptions={[f.table]} onOptionSelect={(_, d) => set({ table: d.optionValue ?? '' })}>
            <Option value="">All tables</Option>
            {tables.map((t) => <Option key={t} value={t}>{t}</Option>)}
          </Dropdown>
        </Field>
        <Field label="Action type">
          <Input value={f.actionType} placeholder="e.g. ProcessCreated" onChange={(_, d) => set({ actionType: d.value })} />
        </Field>
        <form onSubmit={(e) => { e.preventDefault(); set({ text }); }}>
          <Field label="Search"><Input value={text} placeholder="word in any column" onChange={(_, d) => setText(d.value)} /></Field>
        </form>
      </div>
      <QueryTable title="Events" label="Timeline" query={query(f)} empty="No events match in this time range." />
    </div>
  );
}

/** Actions lists the response actions on a target and offers the ones that fit it. */
function Actions({ target, offers }: { target: ActionTarget; offers: { type: string; label: string }[] }) {
  const key: string = target.device ?? target.account ?? '';
  const { data, error, loading, reload } = useAsync((sig) => listActions({ target: key, top: 200 }, sig), [key]);
  const [offer, setOffer] = useState('');
  const [comment, setComment] = useState('');
  const [msg, setMsg] = useState<{ ok: boolean; text: string } | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async () => {
    setBusy(true);
    setMsg(null);
    try {
      const a = await requestAction({ type: offer, target, comment });
      setMsg({ ok: true, text: `${actionTypeLabel(a.type)} requested: ${a.status === 'pendingApproval' ? 'waiting for approval' : a.status}` });
      setComment('');
      reload();
    } catch (e) {
      setMsg({ ok: false, text: errorText(e) });
    } finally {
      setBusy(false);
    }
  };
  const rows = data?.value ?? [];
  return (
    <div style={{ display: 'flex', flexDirection: 'column', gap: 12 }}>
      <div style={{ display: 'flex', gap: 12, alignItems: 'flex-end', flexWrap: 'wrap' }}>
        <Field label="Response action">
          <Dropdown placeholder="Choose an action" value={offers.find((o) => o.type === offer)?.label ?? ''} selectedOptions={[offer]}
            onOptionSelect={(_, d) => setOffer(d.optionValue ?? '')}>
            {offers.map((o) => <Option key={o.type} value={o.type}>{o.label}</Option>)}
          </Dropdown>
        </Field>
        <Field label="Reason" required style={{ minWidth: 320 }}>
          <Textarea value={comment} onChange={(_, d) => setComment(d.value)} resize="vertical" />
        </Field>
        <Button appearance="primary" disabled={!offer || !comment.trim() || busy} onClick={() => void submit()}>Submit</Button>
      </div>
      {msg && <Text role={msg.ok ? 'status' : 'alert'} style={{ color: msg.ok ? tokens.colorPaletteGreenForeground1 : tokens.colorPaletteRedForeground1 }}>{msg.text}</Text>}
      {error ? <ErrorBar error={error} title="The actions could not be loaded" />
        : loading && !data ? <Spinner size="tiny" />
          : !rows.length ? <Text style={{ color: tokens.colorNeutralForeground3 }}>No response actions on {key} yet.</Text>
            : (
              <Table size="small" style={{ tableLayout: 'auto' }} aria-label="Response actions">
                <TableHeader><TableRow>
                  <TableHeaderCell>Action</TableHeaderCell><TableHeaderCell>Target</TableHeaderCell><TableHeaderCell>Requester</TableHeaderCell>
                  <TableHeaderCell>Status</TableHeaderCell><TableHeaderCell>Created</TableHeaderCell><TableHeaderCell>Result</TableHeaderCell>
                </TableRow></TableHeader>
                <TableBody>
                  {rows.map((a) => (
                    <TableRow key={a.id}>
                      <TableCell><RouterLink to={`/action-center?tab=${a.status === 'pendingApproval' ? '' : 'history'}&action=${a.id}`}>{actionTypeLabel(a.type)}</RouterLink></TableCell>
                      <TableCell>{targetText(a.target)}</TableCell>
                      <TableCell>{a.requestor.name}</TableCell>
                      <TableCell><ActionStatusBadge status={a.status} /></TableCell>
                      <TableCell>{fmtTime(a.creationDateTimeUtc)}</TableCell>
                      <TableCell>{a.result.error ?? a.result.detail ?? ''}</TableCell>
                    </TableRow>
                  ))}
                </TableBody>
              </Table>
            )}
    </div>
  );
}

const entityTabs = [{ id: 'overview', label: 'Overview' }, { id: 'alerts', label: 'Alerts' }, { id: 'timeline', label: 'Timeline' }, { id: 'actions', label: 'Response actions' }];

function EntityFrame({ kind, name, base, children, tab }: { kind: string; name: string; base: string; tab: string; children: ReactNode }) {
  const ps = usePageStyles();
  const go = useNavigate();
  const [params] = useSearchParams();
  return (
    <div className={ps.page}>
      <Breadcrumb aria-label="Breadcrumb">
        <BreadcrumbItem><BreadcrumbButton onClick={() => void go('/incidents')}>Incidents</BreadcrumbButton></BreadcrumbItem>
        <BreadcrumbDivider />
        <BreadcrumbItem><BreadcrumbButton current>{kind}</BreadcrumbButton></BreadcrumbItem>
      </Breadcrumb>
      <div className={ps.header}>
        <h1 className={ps.title}>{name}</h1>
        <Badge appearance="outline">{kind}</Badge>
      </div>
      <TabList selectedValue={tab} onTabSelect={(_, d) => {
        const keep = d.value === 'timeline' ? `?${params.toString()}` : '';
        void go(`${base}/${String(d.value)}${keep}`, { replace: true });
      }}>
        {entityTabs.map((t) => <Tab key={t.id} value={t.id}>{t.label}</Tab>)}
      </TabList>
      <div className={ps.card} role="tabpanel">{children}</div>
    </div>
  );
}

const tabOf = (t: string | undefined) => (entityTabs.some((x) => x.id === t) ? t ?? 'overview' : 'overview');

/** DevicePage is a device's overview, alerts, timeline and response actions, all from the
 * event store and the Action Center. */
export function DevicePage() {
  const { name = '', tab } = useParams();
  const t = tabOf(tab);
  const base = `/devices/${encodeURIComponent(name)}`;
  return (
    <EntityFrame kind="Device" name={name} base={base} tab={t}>
      {t === 'overview' && (
        <div style={{ display: 'flex', flexDirection: 'column', gap: 20 }}>
          <QueryTable title="Latest device report" label="Device report" query={deviceQueries.overview(name)}
            empty="No DeviceInfo report for this device: it is known from its events only (no agent or inventory source reports it)." />
          <QueryTable title="Activity by table" label="Activity" query={deviceQueries.activity(name)} empty="No events from this device." />
          <QueryTable title="Accounts that signed in" label="Logons" query={deviceQueries.logons(name)} empty="No logons recorded on this device."
            render={{ AccountName: (v) => <RouterLink to={`/users/${encodeURIComponent(cell(v))}`}>{cell(v)}</RouterLink> }} />
        </div>
      )}
      {t === 'alerts' && <QueryTable title="Alerts" label="Alerts" query={deviceQueries.alerts(name)} empty="No alerts name this device." render={alertRender} />}
      {t === 'timeline' && <Timeline query={(f) => deviceQueries.timeline(name, f)} tables={deviceTables} />}
      {t === 'actions' && (
        <Actions target={{ device: name }} offers={[
          { type: 'isolateDevice', label: 'Isolate device' }, { type: 'releaseIsolation', label: 'Release from isolation' },
          { type: 'collectInvestigationPackage', label: 'Collect investigation package' },
        ]} />
      )}
    </EntityFrame>
  );
}

const userTables = ['DeviceProcessEvents', 'DeviceLogonEvents', 'IdentityLogonEvents', 'CloudAppEvents', 'EmailEvents'] as const;

/** UserPage is an account's overview, sign-ins, alerts, timeline and response actions. */
export function UserPage() {
  const { name = '', tab } = useParams();
  const t = tabOf(tab);
  const base = `/users/${encodeURIComponent(name)}`;
  return (
    <EntityFrame kind="User" name={name} base={base} tab={t}>
      {t === 'overview' && (
        <div style={{ display: 'flex', flexDirection: 'column', gap: 20 }}>
          <QueryTable title="Directory" label="Directory" query={userQueries.overview(name)}
            empty="Not in IdentityInfo: no directory source describes this account." />
          <QueryTable title="Cloud sign-ins" label="Sign-ins" query={userQueries.signins(name)} empty="No Entra ID sign-ins for this account." />
          <QueryTable title="Device and domain logons" label="Logons" query={userQueries.logons(name)} empty="No logons by this account."
            render={{ DeviceName: (v) => (v ? <RouterLink to={`/devices/${encodeURIComponent(cell(v))}`}>{cell(v)}</RouterLink> : '') }} />
        </div>
      )}
      {t === 'alerts' && <QueryTable title="Alerts" label="Alerts" query={userQueries.alerts(name)} empty="No alerts name this account." render={alertRender} />}
      {t === 'timeline' && <Timeline query={(f) => userQueries.timeline(name, f)} tables={userTables} />}
      {t === 'actions' && (
        <Actions target={{ account: name }} offers={[
          { type: 'disableAccount', label: 'Disable account' }, { type: 'enableAccount', label: 'Enable account' },
          { type: 'resetPassword', label: 'Force password reset' },
        ]} />
      )}
    </EntityFrame>
  );
}

/** AlertRedirect opens the incident of an alert. */
export function AlertRedirect() {
  const { id = '' } = useParams();
  const go = useNavigate();
  const [err, setErr] = useState<unknown>(null);
  useEffect(() => {
    const c = new AbortController();
    api<{ incidentId?: string | number | null }>(`/api/v1/security/alerts_v2/${encodeURIComponent(id)}`, { signal: c.signal })
      .then((a) => {
        if (a.incidentId) void go(`/incidents/${a.incidentId}/alerts`, { replace: true });
        else setErr(new Error(`alert ${id} is not in an incident`));
      })
      .catch((e: unknown) => { if (!(e instanceof DOMException && e.name === 'AbortError')) setErr(e); });
    return () => c.abort();
  }, [id, go]);
  if (err) return <div style={{ padding: 24 }}><ErrorBar error={err} title="The alert's incident could not be opened" /></div>;
  return <Empty title="Opening the alert's incident"><Spinner size="tiny" /></Empty>;
}
