// The Action Center: pending and past response actions, their whole story, decisions on them,
// and the tenant's automation level. Loaded lazily (App.tsx).
import { useEffect, useMemo, useRef, useState } from 'react';
import { Link as RouterLink, useSearchParams } from 'react-router-dom';
import { useVirtualizer } from '@tanstack/react-virtual';
import {
  Badge, Button, Dropdown, Input, makeStyles, mergeClasses, MessageBar, MessageBarBody, MessageBarTitle, Option, Spinner, Switch, Tab, TabList, Text,
  tokens, Toolbar, ToolbarButton,
} from '@fluentui/react-components';
import { ArrowClockwise20Regular, Dismiss20Regular } from '@fluentui/react-icons';
import { api, ApiError, errorText } from '../lib/api';
import {
  actionStatuses, actionStatusLabel, actionTypeLabel, actionTypes, actionVerb, getAutomationLevel, isSimulated, isUndoable, listActions,
  putAutomationLevel, requesterLabel, requesterTypes, targetText, type Action, type AutomationLevel,
} from '../lib/actions';
import { useAsync } from '../lib/useAsync';
import { ActionStatusBadge, DecisionDialog, type Verb } from './actionParts';
import { Empty, ErrorBar, fmtTime, usePageStyles } from './common';

const useStyles = makeStyles({
  body: { display: 'flex', gap: '12px', flex: 1, minHeight: 0 },
  grid: { backgroundColor: tokens.colorNeutralBackground1, borderRadius: tokens.borderRadiusMedium, boxShadow: tokens.shadow2, display: 'flex', flexDirection: 'column', flex: 1, minHeight: '320px', minWidth: 0 },
  row: {
    display: 'grid', gridTemplateColumns: 'minmax(150px, 1.2fr) minmax(160px, 1.5fr) minmax(110px, 1fr) 140px 80px 170px 170px minmax(160px, 1.5fr)', alignItems: 'center',
    minWidth: '1140px',
    borderBottom: `1px solid ${tokens.colorNeutralStroke2}`, height: '40px', boxSizing: 'border-box', padding: '0 8px', cursor: 'pointer',
    ':hover': { backgroundColor: tokens.colorNeutralBackground1Hover },
    ':focus-visible': { outline: `2px solid ${tokens.colorStrokeFocus2}`, outlineOffset: '-2px' },
  },
  compact: { gridTemplateColumns: 'minmax(110px, 1fr) minmax(110px, 1.2fr) 140px 150px', minWidth: 0 },
  selected: { backgroundColor: tokens.colorNeutralBackground1Selected },
  head: { cursor: 'default', fontWeight: tokens.fontWeightSemibold, position: 'sticky', top: 0, zIndex: 1, backgroundColor: tokens.colorNeutralBackground1, ':hover': { backgroundColor: tokens.colorNeutralBackground1 } },
  cell: { overflow: 'hidden', textOverflow: 'ellipsis', whiteSpace: 'nowrap', paddingRight: '8px' },
  scroller: { overflow: 'auto', flex: 1, minHeight: 0 },
  panel: { width: '400px', flexShrink: 0, backgroundColor: tokens.colorNeutralBackground1, borderRadius: tokens.borderRadiusMedium, boxShadow: tokens.shadow4, padding: '12px 16px', overflow: 'auto', display: 'flex', flexDirection: 'column', gap: '10px', '& > *': { flexShrink: 0 } },
  dl: { display: 'grid', gridTemplateColumns: '110px 1fr', gap: '4px 8px', margin: 0 },
  timeline: { listStyle: 'none', margin: 0, padding: 0, borderLeft: `2px solid ${tokens.colorNeutralStroke1}` },
  step: { position: 'relative', padding: '2px 0 10px 16px' },
  dot: { position: 'absolute', left: '-6px', top: '6px', width: '10px', height: '10px', borderRadius: '50%', backgroundColor: tokens.colorBrandBackground },
});

const headers = ['Action', 'Target', 'Requester', 'Status', 'Incident', 'Created', 'Updated', 'Result'];
/** compactCols are the columns left when the side panel is open. */
const compactCols = ['Action', 'Target', 'Status', 'Updated'];

export default function ActionCenter() {
  const s = useStyles();
  const ps = usePageStyles();
  const [params, setParams] = useSearchParams();
  const tab = params.get('tab') === 'history' ? 'history' : 'pending';
  const status = params.get('status') ?? '';
  const type = params.get('type') ?? '';
  const target = params.get('target') ?? '';
  const incident = params.get('incidentId') ?? '';
  const requester = params.get('requestorType') ?? '';
  const sel = params.get('action') ?? '';
  const set = (p: Record<string, string>) => {
    const n = new URLSearchParams(params);
    for (const [k, v] of Object.entries(p)) { if (v) n.set(k, v); else n.delete(k); }
    setParams(n, { replace: true });
  };
  const q = { status: tab === 'pending' ? 'pendingApproval' : status, type, target, incidentId: incident, requestorType: requester };
  const { data, error, loading, reload } = useAsync((sig) => listActions(q, sig), [tab, status, type, target, incident, requester]);
  useEffect(() => {
    const t = setInterval(() => { if (document.visibilityState === 'visible') reload(); }, 15_000);
    return () => clearInterval(t);
  }, [reload]);
  const rows = useMemo(() => (data?.value ?? []).filter((a) => tab === 'pending' || a.status !== 'pendingApproval'), [data, tab]);
  const scroller = useRef<HTMLDivElement>(null);
  const virt = useVirtualizer({ count: rows.length, getScrollElement: () => scroller.current, estimateSize: () => 40, overscan: 12 });
  const simulated = rows.some(isSimulated);
  const filtered = Boolean((tab === 'history' && status) || type || target || incident || requester);

  return (
    <div className={ps.page} style={{ height: '100%' }}>
      <div className={ps.header}>
        <h1 className={ps.title}>Action Center</h1>
        <span style={{ flex: 1 }} />
        <Text className={ps.muted}>{loading && !data ? 'Loading…' : `${rows.length} actions`}</Text>
      </div>
      <AutomationPanel />
      {simulated && (
        <MessageBar intent="warning"><MessageBarBody><MessageBarTitle>Simulated responder</MessageBarTitle>
          The actions here were carried out by the simulated responder: nothing was changed on real devices or accounts.</MessageBarBody></MessageBar>
      )}
      <TabList selectedValue={tab} onTabSelect={(_, d) => set({ tab: d.value === 'history' ? 'history' : '', status: '', action: '' })}>
        <Tab value="pending">Pending</Tab>
        <Tab value="history">History</Tab>
      </TabList>
      <div className={ps.header}>
        {tab === 'history' && (
          <Dropdown placeholder="Any status" aria-label="Status filter" selectedOptions={status ? [status] : []} value={status ? actionStatusLabel(status) : ''}
            onOptionSelect={(_, d) => set({ status: d.optionValue ?? '' })} style={{ minWidth: 160 }}>
            <Option value="">Any status</Option>
            {actionStatuses.filter((x) => x !== 'pendingApproval').map((x) => <Option key={x} value={x}>{actionStatusLabel(x)}</Option>)}
          </Dropdown>
        )}
        <Dropdown placeholder="Any action" aria-label="Action type filter" selectedOptions={type ? [type] : []} value={type ? actionTypeLabel(type) : ''}
          onOptionSelect={(_, d) => set({ type: d.optionValue ?? '' })} style={{ minWidth: 180 }}>
          <Option value="">Any action</Option>
          {actionTypes.map((x) => <Option key={x} value={x}>{actionTypeLabel(x)}</Option>)}
        </Dropdown>
        <Dropdown placeholder="Any requester" aria-label="Requester filter" selectedOptions={requester ? [requester] : []} value={requester ? requesterLabel(requester) : ''}
          onOptionSelect={(_, d) => set({ requestorType: d.optionValue ?? '' })} style={{ minWidth: 170 }}>
          <Option value="">Any requester</Option>
          {requesterTypes.map((x) => <Option key={x} value={x}>{requesterLabel(x)}</Option>)}
        </Dropdown>
        <UrlInput label="Target filter" placeholder="Target (device, account, hash…)" value={target} onChange={(v) => set({ target: v })} />
        <UrlInput label="Incident filter" placeholder="Incident ID" value={incident} onChange={(v) => set({ incidentId: v })} width={120} />
        {filtered && <Button appearance="subtle" onClick={() => set({ status: '', type: '', target: '', incidentId: '', requestorType: '' })}>Clear filters</Button>}
      </div>
      <Toolbar aria-label="Actions toolbar">
        <ToolbarButton icon={<ArrowClockwise20Regular />} onClick={reload}>Refresh</ToolbarButton>
        <Text size={200} className={ps.muted} style={{ alignSelf: 'center' }}>Refreshes every 15 seconds</Text>
      </Toolbar>
      {error ? <ErrorBar error={error} title="The actions could not be loaded" /> : (
        <div className={s.body}>
          <div className={s.grid} role="grid" aria-label="Actions" aria-rowcount={rows.length + 1}>
            <div ref={scroller} className={s.scroller}>
              <div className={mergeClasses(s.row, s.head, sel ? s.compact : undefined)} role="row">
                {headers.filter((h) => !sel || compactCols.includes(h)).map((h) => <div key={h} role="columnheader" className={s.cell}>{h}</div>)}
              </div>
              {loading && !data ? <Spinner style={{ margin: 24 }} /> : rows.length === 0 ? (
                <Empty title={filtered ? 'No actions match these filters' : tab === 'pending' ? 'No actions wait for approval' : 'No actions yet'}>
                  {filtered ? 'Change or clear the filters.' : tab === 'pending'
                    ? 'Actions requested by analysts or automation wait here when the automation level asks for approval.'
                    : 'Response actions appear here once requested, from an incident or the API.'}
                </Empty>
              ) : (
                <div style={{ height: virt.getTotalSize(), position: 'relative', minWidth: sel ? 0 : 1140 }}>
                  {virt.getVirtualItems().map((v) => {
                    const a = rows[v.index];
                    if (!a) return null;
                    return (
                      <div key={a.id} role="row" tabIndex={0} aria-selected={a.id === sel} data-action={a.id}
                        className={mergeClasses(s.row, sel ? s.compact : undefined, a.id === sel ? s.selected : undefined)}
                        style={{ position: 'absolute', top: 0, left: 0, right: 0, transform: `translateY(${v.start}px)` }}
                        onClick={() => set({ action: a.id })} onKeyDown={(e) => { if (e.key === 'Enter') set({ action: a.id }); }}>
                        <div role="gridcell" className={s.cell}>{actionTypeLabel(a.type)}</div>
                        <div role="gridcell" className={s.cell} title={targetText(a.target)}>{targetText(a.target)}</div>
                        {!sel && <div role="gridcell" className={s.cell} title={`${a.requestor.type}: ${a.requestor.name}`}>{a.requestor.name}</div>}
                        <div role="gridcell"><ActionStatusBadge status={a.status} /></div>
                        {!sel && <div role="gridcell" className={s.cell}>{a.incidentId ? <RouterLink to={`/incidents/${a.incidentId}`} onClick={(e) => e.stopPropagation()}>#{a.incidentId}</RouterLink> : ''}</div>}
                        {!sel && <div role="gridcell" className={s.cell}>{fmtTime(a.creationDateTimeUtc)}</div>}
                        <div role="gridcell" className={s.cell}>{fmtTime(a.lastUpdateDateTimeUtc)}</div>
                        {!sel && (
                        <div role="gridcell" className={s.cell} title={a.result.error ?? a.result.detail ?? ''}>
                          {isSimulated(a) && <Badge size="small" appearance="outline" color="warning" style={{ marginRight: 4 }}>Simulated</Badge>}
                          {a.result.error ?? a.result.detail ?? ''}
                        </div>)}
                      </div>
                    );
                  })}
                </div>
              )}
            </div>
          </div>
          {sel && <ActionPanel id={sel} onClose={() => set({ action: '' })} onOpen={(id) => set({ action: id })} onChanged={reload} />}
        </div>
      )}
    </div>
  );
}

function UrlInput({ label, placeholder, value, onChange, width = 220 }: { label: string; placeholder: string; value: string; onChange: (v: string) => void; width?: number }) {
  const [text, setText] = useState(value);
  return (
    <Input aria-label={label} placeholder={placeholder} value={text} style={{ width }} onChange={(_, d) => setText(d.value)}
      onBlur={() => onChange(text.trim())} onKeyDown={(e) => { if (e.key === 'Enter') onChange(text.trim()); }} />
  );
}

/** steps is the action's timeline: each stamped step in order. */
function steps(a: Action): { when: string; what: string }[] {
  const out: { when: string; what: string }[] = [{ when: a.creationDateTimeUtc, what: `Requested by ${a.requestor.name} (${a.requestor.type})` }];
  if (a.decisionDateTimeUtc) {
    out.push({ when: a.decisionDateTimeUtc, what: a.status === 'rejected' ? `Rejected by ${a.approver ?? 'someone'}` : `Approved by ${a.approver ?? 'someone'}` });
  }
  if (a.sentDateTimeUtc) out.push({ when: a.sentDateTimeUtc, what: 'Sent to the responder' });
  if (a.startDateTimeUtc) out.push({ when: a.startDateTimeUtc, what: 'Running' });
  if (a.completionDateTimeUtc) out.push({ when: a.completionDateTimeUtc, what: actionStatusLabel(a.status) });
  return out;
}

function ActionPanel({ id, onClose, onOpen, onChanged }: { id: string; onClose: () => void; onOpen: (id: string) => void; onChanged: () => void }) {
  const s = useStyles();
  const ps = usePageStyles();
  const { data: a, error, loading, reload, set } = useAsync(
    (sig) => api<Action>(`/api/v1/security/actions/${encodeURIComponent(id)}`, { signal: sig }), [id]);
  useEffect(() => {
    const t = setInterval(() => { if (document.visibilityState === 'visible') reload(); }, 15_000);
    return () => clearInterval(t);
  }, [reload]);
  const [verb, setVerb] = useState<Verb | null>(null);
  return (
    <aside className={s.panel} aria-label="Action details">
      <div className={ps.header}>
        <Text weight="semibold" size={500} style={{ flex: 1 }}>{a ? actionTypeLabel(a.type) : 'Action'}</Text>
        <Button appearance="subtle" icon={<Dismiss20Regular />} aria-label="Close details" onClick={onClose} />
      </div>
      {error ? <ErrorBar error={error} title={error instanceof ApiError && error.status === 404 ? `Action ${id} does not exist` : 'The action could not be loaded'} />
        : loading && !a ? <Spinner size="tiny" /> : a && (
          <>
            <div><ActionStatusBadge status={a.status} /></div>
            {isSimulated(a) && (
              <MessageBar intent="warning"><MessageBarBody><MessageBarTitle>Simulated</MessageBarTitle>The simulated responder carried this out: nothing real was changed.</MessageBarBody></MessageBar>
            )}
            <dl className={s.dl}>
              <dt>Target</dt><dd style={{ margin: 0, wordBreak: 'break-all' }}>{targetText(a.target)}</dd>
              <dt>Requester</dt><dd style={{ margin: 0 }}>{a.requestor.name} ({a.requestor.type})</dd>
              <dt>Comment</dt><dd style={{ margin: 0 }}>{a.requestorComment || '—'}</dd>
              <dt>Approver</dt><dd style={{ margin: 0 }}>{a.approver ?? '—'}</dd>
              <dt>Decision note</dt><dd style={{ margin: 0 }}>{a.approvalComment ?? '—'}</dd>
              {a.incidentId ? <><dt>Incident</dt><dd style={{ margin: 0 }}><RouterLink to={`/incidents/${a.incidentId}/actions`}>#{a.incidentId}</RouterLink></dd></> : null}
              <dt>Attempts</dt><dd style={{ margin: 0 }}>{a.attempts}</dd>
              {a.parameters && Object.keys(a.parameters).length > 0 && <><dt>Parameters</dt><dd style={{ margin: 0 }}><code>{JSON.stringify(a.parameters)}</code></dd></>}
              {a.undoOf && <><dt>Undoes</dt><dd style={{ margin: 0 }}><Button appearance="transparent" size="small" onClick={() => onOpen(a.undoOf ?? '')}>{a.undoOf}</Button></dd></>}
              {a.undoneBy && <><dt>Undone by</dt><dd style={{ margin: 0 }}><Button appearance="transparent" size="small" onClick={() => onOpen(a.undoneBy ?? '')}>{a.undoneBy}</Button></dd></>}
              <dt>ID</dt><dd style={{ margin: 0 }}><Text size={200} font="monospace">{a.id}</Text></dd>
            </dl>
            <Text weight="semibold">Timeline</Text>
            <ol className={s.timeline} aria-label="Action timeline">
              {steps(a).map((st, i) => (
                <li key={i} className={s.step}><span className={s.dot} aria-hidden />
                  <Text size={200} block className={ps.muted}>{fmtTime(st.when)}</Text><Text>{st.what}</Text></li>
              ))}
            </ol>
            {(a.result.detail ?? a.result.error ?? a.result.data) && (
              <>
                <Text weight="semibold">Result</Text>
                {a.result.error && <MessageBar intent="error"><MessageBarBody>{a.result.error}</MessageBarBody></MessageBar>}
                {a.result.detail && <Text>{a.result.detail}</Text>}
                {a.result.data && <Text size={200} font="monospace" style={{ whiteSpace: 'pre-wrap', wordBreak: 'break-all' }}>{JSON.stringify(a.result.data, null, 1)}</Text>}
              </>
            )}
            <div style={{ display: 'flex', gap: 8, flexWrap: 'wrap' }}>
              {a.status === 'pendingApproval' && <Button appearance="primary" onClick={() => setVerb('approve')}>Approve</Button>}
              {a.status === 'pendingApproval' && <Button onClick={() => setVerb('reject')}>Reject</Button>}
              {(a.status === 'pendingApproval' || a.status === 'approved' || a.status === 'sent') && <Button onClick={() => setVerb('cancel')}>Cancel action</Button>}
              {isUndoable(a) && <Button onClick={() => setVerb('undo')}>Undo</Button>}
            </div>
          </>
        )}
      <DecisionDialog action={verb && a ? a : null} verb={verb ?? 'approve'} send={actionVerb} onClose={() => setVerb(null)}
        onDone={(n) => {
          setVerb(null);
          if (verb === 'undo') { reload(); onOpen(n.id); } else set(n);
          onChanged();
        }} />
    </aside>
  );
}

export function AutomationPanel() {
  const ps = usePageStyles();
  const { data, error, set } = useAsync((sig) => getAutomationLevel(sig), []);
  const [err, setErr] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const save = async (p: Partial<AutomationLevel>) => {
    setBusy(true);
    setErr(null);
    try {
      set(await putAutomationLevel(p));
    } catch (e) {
      setErr(e instanceof ApiError && e.status === 403 ? `You may not change the automation level: it needs the settings:write permission (Security administrator). ${errorText(e)}` : errorText(e));
    } finally {
      setBusy(false);
    }
  };
  if (error) return <ErrorBar error={error} title="The automation level could not be loaded" />;
  if (!data) return null;
  const levels = { full: 'Full: remediate automatically', semi: 'Semi: require approval', none: 'None: no automated response' };
  return (
    <section className={ps.card} aria-label="Automation level" style={{ display: 'flex', gap: 16, alignItems: 'center', flexWrap: 'wrap' }}>
      <Text weight="semibold">Automation level</Text>
      <Dropdown aria-label="Automation level" selectedOptions={[data.level]} value={levels[data.level]} disabled={busy}
        onOptionSelect={(_, d) => { const v = d.optionValue; if (v === 'full' || v === 'semi' || v === 'none') void save({ level: v }); }}>
        {Object.entries(levels).map(([k, v]) => <Option key={k} value={k}>{v}</Option>)}
      </Dropdown>
      <Switch label="Four eyes (approver ≠ requester)" checked={data.fourEyes} disabled={busy} onChange={(_, d) => void save({ fourEyes: d.checked })} />
      {data.attackDisruption !== undefined && <Switch label="Attack disruption" checked={data.attackDisruption} disabled={busy} onChange={(_, d) => void save({ attackDisruption: d.checked })} />}
      {busy && <Spinner size="tiny" />}
      {err && <MessageBar intent="error" role="alert" style={{ width: '100%' }}><MessageBarBody>{err}</MessageBarBody></MessageBar>}
    </section>
  );
}
