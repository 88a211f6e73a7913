import { useEffect, useMemo, useRef, useState, type KeyboardEvent } from 'react';
import { Link as RouterLink, useNavigate, useSearchParams } from 'react-router-dom';
import { useVirtualizer } from '@tanstack/react-virtual';
import {
  Button, Checkbox, Dialog, DialogActions, DialogBody, DialogContent, DialogSurface, DialogTitle, Dropdown, Field, Input,
  makeStyles, MessageBar, MessageBarBody, Option, Spinner, Text, ToggleButton, tokens, Toolbar, ToolbarButton,
} from '@fluentui/react-components';
import { ArrowClockwise20Regular, ArrowDown16Regular, ArrowUp16Regular, CheckmarkCircle20Regular, PersonAdd20Regular, Search20Regular } from '@fluentui/react-icons';
import { useAuth } from '../auth';
import { errorText } from '../lib/api';
import { compareIncidents, filterFromURL, filterToURL, matches, odataFilter, serverFilter, type QueueFilter, type SortKey } from '../lib/filter';
import { fetchIncidents, maxQueue, patchIncident } from '../lib/incidents';
import { classifications, determinationsFor, severities, statuses, type Incident } from '../lib/types';
import { useAsync } from '../lib/useAsync';
import { SavedFilters } from './SavedFilters';
import { cap, DisruptedBadge, Empty, ErrorBar, fmtTime, isDisrupted, SeverityBadge, StatusBadge, statusLabel, usePageStyles } from './common';

const useStyles = makeStyles({
  grid: { backgroundColor: tokens.colorNeutralBackground1, borderRadius: tokens.borderRadiusMedium, boxShadow: tokens.shadow2, display: 'flex', flexDirection: 'column', flex: 1, minHeight: '320px' },
  row: {
    display: 'grid', gridTemplateColumns: '40px 70px minmax(240px, 3fr) 110px 120px 90px minmax(140px, 1fr) 180px', alignItems: 'center',
    borderBottom: `1px solid ${tokens.colorNeutralStroke2}`, height: '40px', boxSizing: 'border-box', padding: '0 8px', cursor: 'pointer',
    ':hover': { backgroundColor: tokens.colorNeutralBackground1Hover },
    ':focus-visible': { outline: `2px solid ${tokens.colorStrokeFocus2}`, outlineOffset: '-2px' },
  },
  selected: { backgroundColor: tokens.colorNeutralBackground1Selected },
  head: { cursor: 'default', fontWeight: tokens.fontWeightSemibold, ':hover': { backgroundColor: 'transparent' } },
  cell: { overflow: 'hidden', textOverflow: 'ellipsis', whiteSpace: 'nowrap', paddingRight: '8px' },
  sortBtn: { minWidth: 0, padding: '0', justifyContent: 'flex-start', fontWeight: tokens.fontWeightSemibold },
  scroller: { overflow: 'auto', flex: 1, minHeight: 0 },
  counts: { display: 'flex', gap: '8px', flexWrap: 'wrap' },
});

const columns: { key: SortKey; label: string }[] = [
  { key: 'id', label: 'ID' }, { key: 'displayName', label: 'Incident name' }, { key: 'severity', label: 'Severity' },
  { key: 'status', label: 'Status' }, { key: 'alertCount', label: 'Alerts' }, { key: 'assignedTo', label: 'Assigned to' },
  { key: 'lastActivityDateTime', label: 'Last activity' },
];

export function IncidentQueue() {
  const s = useStyles();
  const ps = usePageStyles();
  const go = useNavigate();
  const { auth } = useAuth();
  const [params, setParams] = useSearchParams();
  const f = filterFromURL(params);
  const setFilter = (p: Partial<QueueFilter>) => setParams(filterToURL({ ...f, ...p }), { replace: true });
  const sf = serverFilter(f);
  const { data, error, loading, reload } = useAsync((sig) => fetchIncidents(sf, sig), [sf]);
  // Live updates: the queue refreshes every 30 seconds while the tab is visible.
  useEffect(() => {
    const t = setInterval(() => { if (document.visibilityState === 'visible') reload(); }, 30_000);
    return () => clearInterval(t);
  }, [reload]);
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [bulkErr, setBulkErr] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [assignOpen, setAssignOpen] = useState(false);
  const [resolveOpen, setResolveOpen] = useState(false);

  const all = useMemo(() => data?.items ?? [], [data]);
  const rows = useMemo(() => all.filter((i) => matches(f, i)).sort(compareIncidents(f.sort, f.desc)),
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [all, params.toString()]);
  const counts = useMemo(() => {
    const noSev = { ...f, severity: [] };
    const c: Record<string, number> = {};
    for (const i of all) if (matches(noSev, i)) c[i.severity] = (c[i.severity] ?? 0) + 1;
    return c;
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [all, params.toString()]);

  const scroller = useRef<HTMLDivElement>(null);
  const virt = useVirtualizer({ count: rows.length, getScrollElement: () => scroller.current, estimateSize: () => 40, overscan: 12 });
  const selRows = rows.filter((r) => selected.has(r.id));

  const toggle = (id: string) => setSelected((old) => {
    const n = new Set(old);
    if (n.has(id)) n.delete(id); else n.add(id);
    return n;
  });
  const bulk = async (body: Record<string, unknown>) => {
    setBusy(true);
    setBulkErr(null);
    const fails: string[] = [];
    for (const r of selRows) {
      try {
        await patchIncident(r.id, body);
      } catch (e) {
        fails.push(`#${r.id}: ${errorText(e)}`);
      }
    }
    setBusy(false);
    if (fails.length) setBulkErr(`${fails.length} of ${selRows.length} incidents were not updated: ${fails.join('; ')}`);
    setSelected(new Set());
    reload();
  };
  const onRowKey = (e: KeyboardEvent, i: Incident) => {
    if (e.key === 'Enter') void go(`/incidents/${i.id}`);
    else if (e.key === ' ') { e.preventDefault(); toggle(i.id); }
    else if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
      e.preventDefault();
      const el = (e.currentTarget as HTMLElement)[e.key === 'ArrowDown' ? 'nextElementSibling' : 'previousElementSibling'] as HTMLElement | null;
      el?.focus();
    }
  };
  const sortBy = (k: SortKey) => setFilter({ sort: k, desc: f.sort === k ? !f.desc : k !== 'displayName' && k !== 'assignedTo' });
  const allSel = rows.length > 0 && rows.every((r) => selected.has(r.id));
  const filterText = odataFilter(f);

  return (
    <div className={ps.page} style={{ height: '100%' }}>
      <div className={ps.header}>
        <h1 className={ps.title}>Incidents</h1>
        <span style={{ flex: 1 }} />
        <Text className={ps.muted}>{loading ? 'Loading…' : `${rows.length} of ${all.length}${data?.more ? ` (first ${maxQueue})` : ''} incidents`}</Text>
      </div>
      <div className={s.counts} role="group" aria-label="Counts by severity">
        {severities.map((sev) => (
          <ToggleButton key={sev} size="small" checked={f.severity.includes(sev)} shape="circular"
            onClick={() => setFilter({ severity: f.severity.includes(sev) ? f.severity.filter((x) => x !== sev) : [...f.severity, sev] })}>
            {cap(sev)}: {counts[sev] ?? 0}
          </ToggleButton>
        ))}
      </div>
      <div className={ps.header}>
        <Dropdown multiselect placeholder="Any status" aria-label="Status filter" selectedOptions={f.status} value={f.status.map(statusLabel).join(', ')}
            onOptionSelect={(_, d) => setFilter({ status: d.selectedOptions })} style={{ minWidth: 160 }}>
            {statuses.map((st) => <Option key={st} value={st}>{statusLabel(st)}</Option>)}
          </Dropdown>
          <Dropdown multiselect placeholder="Any severity" aria-label="Severity filter" selectedOptions={f.severity} value={f.severity.map(cap).join(', ')}
            onOptionSelect={(_, d) => setFilter({ severity: d.selectedOptions })} style={{ minWidth: 160 }}>
            {severities.map((sev) => <Option key={sev} value={sev}>{cap(sev)}</Option>)}
          </Dropdown>
          <AssignedFilter value={f.assignedTo} onChange={(v) => setFilter({ assignedTo: v })} />
        <Input contentBefore={<Search20Regular />} placeholder="Search name, ID or tag" aria-label="Search incidents" value={f.search}
          onChange={(_, d) => setFilter({ search: d.value })} />
        <SavedFilters current={filterText ? params.toString() : ''} onPick={(q) => setParams(new URLSearchParams(q), { replace: true })} />
        {filterText && <Button appearance="subtle" onClick={() => setParams(new URLSearchParams(), { replace: true })}>Clear filters</Button>}
      </div>
      {filterText && <Text size={200} className={ps.muted} font="monospace" title="The filter in OData syntax">$filter={filterText}</Text>}
      <Toolbar aria-label="Bulk actions">
        <ToolbarButton icon={<PersonAdd20Regular />} disabled={!selRows.length || busy} onClick={() => setAssignOpen(true)}>Assign</ToolbarButton>
        <ToolbarButton icon={<CheckmarkCircle20Regular />} disabled={!selRows.length || busy} onClick={() => setResolveOpen(true)}>Resolve</ToolbarButton>
        <ToolbarButton disabled={!selRows.length || busy} onClick={() => void bulk({ status: 'inProgress' })}>Set in progress</ToolbarButton>
        <ToolbarButton icon={<ArrowClockwise20Regular />} onClick={reload}>Refresh</ToolbarButton>
        {selRows.length > 0 && <Text style={{ alignSelf: 'center', marginLeft: 8 }}>{selRows.length} selected</Text>}
        {busy && <Spinner size="tiny" />}
      </Toolbar>
      {bulkErr && <MessageBar intent="error"><MessageBarBody>{bulkErr}</MessageBarBody></MessageBar>}
      {error ? <ErrorBar error={error} title="The incidents could not be loaded" /> : (
        <div className={s.grid} role="grid" aria-label="Incidents" aria-rowcount={rows.length + 1}>
          <div className={`${s.row} ${s.head}`} role="row">
            <div role="columnheader"><Checkbox aria-label="Select all" checked={allSel ? true : selRows.length ? 'mixed' : false}
              onChange={() => setSelected(allSel ? new Set() : new Set(rows.map((r) => r.id)))} /></div>
            {columns.map((c) => (
              <div key={c.key} role="columnheader" aria-sort={f.sort === c.key ? (f.desc ? 'descending' : 'ascending') : 'none'} className={s.cell}>
                <Button appearance="transparent" size="small" className={s.sortBtn} onClick={() => sortBy(c.key)}
                  icon={f.sort === c.key ? (f.desc ? <ArrowDown16Regular /> : <ArrowUp16Regular />) : undefined} iconPosition="after">{c.label}</Button>
              </div>
            ))}
          </div>
          <div ref={scroller} className={s.scroller}>
            {loading && !data ? <Spinner style={{ margin: 24 }} /> : rows.length === 0 ? (
              <Empty title={all.length ? 'No incidents match these filters' : 'No incidents yet'}>
                {all.length ? 'Change or clear the filters.' : 'Incidents appear when detection rules raise alerts: enable rules with detection.rules in the server configuration.'}
              </Empty>
            ) : (
              <div style={{ height: virt.getTotalSize(), position: 'relative' }}>
                {virt.getVirtualItems().map((v) => {
                  const i = rows[v.index];
                  if (!i) return null;
                  const sel = selected.has(i.id);
                  return (
                    <div key={i.id} role="row" tabIndex={0} aria-selected={sel} data-incident={i.id}
                      className={`${s.row} ${sel ? s.selected : ''}`}
                      style={{ position: 'absolute', top: 0, left: 0, right: 0, transform: `translateY(${v.start}px)` }}
                      onClick={() => void go(`/incidents/${i.id}`)} onKeyDown={(e) => onRowKey(e, i)}>
                      <div role="gridcell" onClick={(e) => e.stopPropagation()}>
                        <Checkbox aria-label={`Select incident ${i.id}`} checked={sel} onChange={() => toggle(i.id)} />
                      </div>
                      <div role="gridcell" className={s.cell}>{i.id}</div>
                      <div role="gridcell" className={s.cell} title={i.displayName}>
                        {isDisrupted(i) && <DisruptedBadge />}
                        <RouterLink to={`/incidents/${i.id}`} tabIndex={-1} onClick={(e) => e.stopPropagation()}>{i.displayName}</RouterLink>
                      </div>
                      <div role="gridcell"><SeverityBadge severity={i.severity} /></div>
                      <div role="gridcell"><StatusBadge status={i.status} /></div>
                      <div role="gridcell" className={s.cell}>{i.alertCount}</div>
                      <div role="gridcell" className={s.cell}>{i.assignedTo ?? <span className={ps.muted}>Unassigned</span>}</div>
                      <div role="gridcell" className={s.cell}>{fmtTime(i.lastActivityDateTime)}</div>
                    </div>
                  );
                })}
              </div>
            )}
          </div>
        </div>
      )}
      <AssignDialog open={assignOpen} me={auth?.kind === 'session' ? auth.user : ''} count={selRows.length} onClose={() => setAssignOpen(false)}
        onAssign={(who) => { setAssignOpen(false); void bulk({ assignedTo: who }); }} />
      <ResolveDialog open={resolveOpen} count={selRows.length} onClose={() => setResolveOpen(false)}
        onResolve={(classification, determination) => { setResolveOpen(false); void bulk({ status: 'resolved', classification, determination }); }} />
    </div>
  );
}

function AssignedFilter({ value, onChange }: { value: string; onChange: (v: string) => void }) {
  const [text, setText] = useState(value);
  return (
    <Input placeholder="Assigned to anyone" aria-label="Assigned to filter" value={text} style={{ width: 190 }}
      onChange={(_, d) => setText(d.value)} onBlur={() => onChange(text.trim())}
      onKeyDown={(e) => { if (e.key === 'Enter') onChange(text.trim()); }} />
  );
}

export function AssignDialog({ open, me, count, onClose, onAssign }: { open: boolean; me: string; count: number; onClose: () => void; onAssign: (who: string) => void }) {
  const [who, setWho] = useState('');
  return (
    <Dialog open={open} onOpenChange={(_, d) => { if (!d.open) onClose(); }}>
      <DialogSurface>
        <form onSubmit={(e) => { e.preventDefault(); onAssign(who.trim()); }}>
          <DialogBody>
            <DialogTitle>Assign {count === 1 ? 'incident' : `${count} incidents`}</DialogTitle>
            <DialogContent>
              <Field label="Assign to" hint="A user name; leave empty to unassign.">
                <Input name="assignee" value={who} onChange={(_, d) => setWho(d.value)} autoFocus />
              </Field>
              {me && <Button appearance="transparent" onClick={() => setWho(me)}>Assign to me ({me})</Button>}
            </DialogContent>
            <DialogActions>
              <Button appearance="secondary" onClick={onClose}>Cancel</Button>
              <Button appearance="primary" type="submit">Assign</Button>
            </DialogActions>
          </DialogBody>
        </form>
      </DialogSurface>
    </Dialog>
  );
}

export function ResolveDialog({ open, count, onClose, onResolve }: {
  open: boolean; count: number; onClose: () => void; onResolve: (classification: string, determination: string) => void;
}) {
  const [cls, setCls] = useState('truePositive');
  const [det, setDet] = useState('unknown');
  const dets = determinationsFor(cls);
  return (
    <Dialog open={open} onOpenChange={(_, d) => { if (!d.open) onClose(); }}>
      <DialogSurface>
        <DialogBody>
          <DialogTitle>Resolve {count === 1 ? 'incident' : `${count} incidents`}</DialogTitle>
          <DialogContent style={{ display: 'flex', flexDirection: 'column', gap: 12 }}>
            <Field label="Classification" hint="Resolving needs a classification.">
              <Dropdown aria-label="Resolve classification" selectedOptions={[cls]} value={cap(cls)}
                onOptionSelect={(_, d) => { const c = d.optionValue ?? 'truePositive'; setCls(c); if (!determinationsFor(c).includes(det)) setDet('unknown'); }}>
                {classifications.filter((c) => c !== 'unknown').map((c) => <Option key={c} value={c}>{cap(c)}</Option>)}
              </Dropdown>
            </Field>
            <Field label="Determination">
              <Dropdown aria-label="Resolve determination" selectedOptions={[det]} value={cap(det)} onOptionSelect={(_, d) => setDet(d.optionValue ?? 'unknown')}>
                {dets.map((c) => <Option key={c} value={c}>{cap(c)}</Option>)}
              </Dropdown>
            </Field>
          </DialogContent>
          <DialogActions>
            <Button appearance="secondary" onClick={onClose}>Cancel</Button>
            <Button appearance="primary" onClick={() => onResolve(cls, det)}>Resolve</Button>
          </DialogActions>
        </DialogBody>
      </DialogSurface>
    </Dialog>
  );
}
