// Detection rules (/api/v1/security/rules/detectionRules): list with health, enable or
// disable, edit (form or YAML), test-run over stored data, import a Sentinel YAML file, delete.
import { useMemo, useRef, useState } from 'react';
import { Link as RouterLink, useSearchParams } from 'react-router-dom';
import {
  Badge, Button, Dialog, DialogActions, DialogBody, DialogContent, DialogSurface, DialogTitle, Field, Input, Menu, MenuItem, MenuList, MenuPopover,
  MenuTrigger, MessageBar, MessageBarBody, Spinner, Switch, Table, TableBody, TableCell, TableHeader, TableHeaderCell, TableRow, Text, tokens,
} from '@fluentui/react-components';
import { ArrowUpload20Regular, MoreHorizontal20Regular, Search20Regular } from '@fluentui/react-icons';
import { api, ApiError, errorText } from '../lib/api';
import { deleteRule, draftOf, importYaml, testRule, type Rule, type TestResult } from '../lib/rules';
import { findingsOf } from '../lib/ruleYaml';
import { EditRule } from './RuleDialog';
import type { Severity } from '../lib/types';
import { useAsync } from '../lib/useAsync';
import { Empty, ErrorBar, fmtTime, SeverityBadge, usePageStyles } from './common';
import { Placeholder } from './Placeholder';

export function Rules() {
  const ps = usePageStyles();
  const { data, error, loading, reload } = useAsync((sig) => api<{ value: Rule[] }>('/api/v1/security/rules/detectionRules', { signal: sig }), []);
  const [q, setQ] = useState('');
  const [err, setErr] = useState<string | null>(null);
  const [busy, setBusy] = useState('');
  const [params] = useSearchParams();
  const focus = params.get('id') ?? '';
  const [notice, setNotice] = useState('');
  const [editing, setEditing] = useState<Rule | null>(null);
  const [testing, setTesting] = useState<Rule | null>(null);
  const [deleting, setDeleting] = useState<Rule | null>(null);
  const file = useRef<HTMLInputElement>(null);
  const rows = useMemo(() => (data?.value ?? []).filter((r) => r.displayName.toLowerCase().includes(q.toLowerCase())), [data, q]);
  if (error instanceof ApiError && error.status === 404) {
    return <Placeholder title="Detection rules" missing="the detection rules API (GET /api/v1/security/rules/detectionRules); rules run from the files named by detection.rules in the server's configuration" />;
  }
  const doImport = async (f: File) => {
    setErr(null);
    setNotice('');
    try {
      const r = await importYaml(await f.text());
      setNotice(`Imported "${r.displayName}" from ${f.name}.`);
      reload();
    } catch (e) {
      const fs = e instanceof ApiError && e.code === 'invalidRule' ? findingsOf(e.message) : [];
      setErr(`${f.name}: ${fs.length ? fs.map((x) => (x.line ? `line ${x.line}: ${x.message}` : x.message)).join('; ') : errorText(e)}`);
    }
  };
  const doDelete = async (r: Rule) => {
    setDeleting(null);
    try {
      await deleteRule(r.id);
      setNotice(`Deleted "${r.displayName}".`);
      reload();
    } catch (e) {
      setErr(`${r.displayName}: ${errorText(e)}`);
    }
  };
  const toggle = async (r: Rule, on: boolean) => {
    setBusy(r.id);
    setErr(null);
    try {
      await api(`/api/v1/security/rules/detectionRules/${encodeURIComponent(r.id)}`, { method: 'PATCH', body: { isEnabled: on } });
      reload();
    } catch (e) {
      setErr(`${r.displayName}: ${errorText(e)}`);
    } finally {
      setBusy('');
    }
  };
  return (
    <div className={ps.page}>
      <div className={ps.header}>
        <h1 className={ps.title}>Detection rules</h1>
        <span style={{ flex: 1 }} />
        {data && <Text className={ps.muted}>{rows.length} of {data.value.length} rules</Text>}
        <input ref={file} type="file" accept=".yaml,.yml" hidden data-testid="rule-import" onChange={(e) => { const f = e.target.files?.[0]; e.target.value = ''; if (f) void doImport(f); }} />
        <Button icon={<ArrowUpload20Regular />} onClick={() => file.current?.click()}>Import Sentinel YAML</Button>
      </div>
      {notice && <MessageBar intent="success"><MessageBarBody>{notice}</MessageBarBody></MessageBar>}
      <Input contentBefore={<Search20Regular />} placeholder="Find a rule" aria-label="Find a rule" value={q} onChange={(_, d) => setQ(d.value)} style={{ maxWidth: 360 }} />
      {err && <MessageBar intent="error"><MessageBarBody>{err}</MessageBarBody></MessageBar>}
      {error ? <ErrorBar error={error} /> : loading && !data ? <Spinner /> : rows.length === 0 ? (
        <Empty title="No detection rules">Add rules with detection.rules in the server configuration, or create them through the API.</Empty>
      ) : (
        <div className={ps.card}>
          <Table size="small" style={{ tableLayout: 'auto' }} aria-label="Detection rules">
            <TableHeader><TableRow>
              <TableHeaderCell style={{ width: 90 }}>Enabled</TableHeaderCell><TableHeaderCell>Name</TableHeaderCell><TableHeaderCell>Severity</TableHeaderCell>
              <TableHeaderCell>Frequency</TableHeaderCell><TableHeaderCell>Last run</TableHeaderCell><TableHeaderCell>Status</TableHeaderCell>
              <TableHeaderCell>Alerts</TableHeaderCell><TableHeaderCell>Origin</TableHeaderCell><TableHeaderCell style={{ width: 44 }} aria-label="Actions" />
            </TableRow></TableHeader>
            <TableBody>
              {rows.map((r) => {
                const run = r.lastRunDetails;
                return (
                  <TableRow key={r.id} style={r.id === focus ? { backgroundColor: tokens.colorBrandBackground2 } : undefined}>
                    <TableCell><Switch aria-label={`Enable ${r.displayName}`} checked={r.isEnabled} disabled={busy === r.id} onChange={(_, d) => void toggle(r, d.checked)} /></TableCell>
                    <TableCell title={r.notRunReason}>
                      <RouterLink to={`/hunting?q=${encodeURIComponent(r.queryCondition.queryText)}`}>{r.displayName}</RouterLink>
                      {r.notRunReason && <Text block size={200} className={ps.muted}>{r.notRunReason}</Text>}
                    </TableCell>
                    <TableCell><SeverityBadge severity={r.detectionAction.alertTemplate.severity as Severity} /></TableCell>
                    <TableCell>{r.kind === 'NRT' ? 'near real time' : r.queryFrequency ?? ''}</TableCell>
                    <TableCell>{run ? fmtTime(run.lastRunDateTime) : <span className={ps.muted}>never</span>}</TableCell>
                    <TableCell>{run && <Badge appearance="tint" color={run.status === 'failed' ? 'danger' : 'success'} title={run.failureReason}>{run.status}{run.consecutiveFailures > 1 ? ` ×${run.consecutiveFailures}` : ''}</Badge>}</TableCell>
                    <TableCell>{run?.alertsGenerated ?? ''}</TableCell>
                    <TableCell>{r.origin}</TableCell>
                    <TableCell>
                      <Menu>
                        <MenuTrigger disableButtonEnhancement><Button appearance="subtle" icon={<MoreHorizontal20Regular />} aria-label={`Actions for ${r.displayName}`} /></MenuTrigger>
                        <MenuPopover><MenuList>
                          <MenuItem onClick={() => setTesting(r)}>Test run</MenuItem>
                          <MenuItem onClick={() => setEditing(r)}>{r.origin === 'content' ? 'View' : 'Edit'}</MenuItem>
                          <MenuItem onClick={() => setDeleting(r)}>Delete</MenuItem>
                        </MenuList></MenuPopover>
                      </Menu>
                    </TableCell>
                  </TableRow>
                );
              })}
            </TableBody>
          </Table>
        </div>
      )}
      {editing && <EditRule rule={editing} draft={draftOf(editing)} onClose={() => setEditing(null)}
        onSaved={() => { setNotice(`Saved "${editing.displayName}".`); setEditing(null); reload(); }} />}
      {testing && <TestDialog rule={testing} onClose={() => setTesting(null)} />}
      {deleting && (
        <Dialog open onOpenChange={(_, d) => { if (!d.open) setDeleting(null); }}>
          <DialogSurface><DialogBody>
            <DialogTitle>Delete {deleting.displayName}?</DialogTitle>
            <DialogContent>The rule stops running for this tenant. Alerts it raised stay. Built-in content rules cannot be deleted, only switched off.</DialogContent>
            <DialogActions>
              <Button onClick={() => setDeleting(null)}>Cancel</Button>
              <Button appearance="primary" onClick={() => void doDelete(deleting)}>Delete</Button>
            </DialogActions>
          </DialogBody></DialogSurface>
        </Dialog>
      )}
    </div>
  );
}

function localInput(d: Date): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}`;
}

/** TestDialog dry-runs a rule over a past time range: the rows it matches and the alerts it
 * would raise, storing none. */
function TestDialog({ rule, onClose }: { rule: Rule; onClose: () => void }) {
  const [from, setFrom] = useState(() => localInput(new Date(Date.now() - 24 * 3600e3)));
  const [to, setTo] = useState(() => localInput(new Date()));
  const [busy, setBusy] = useState(false);
  const [res, setRes] = useState<TestResult | null>(null);
  const [err, setErr] = useState<unknown>(null);
  const run = async () => {
    setBusy(true);
    setErr(null);
    try {
      setRes(await testRule(rule.id, new Date(from).toISOString(), new Date(to).toISOString()));
    } catch (e) {
      setRes(null);
      setErr(e);
    } finally {
      setBusy(false);
    }
  };
  return (
    <Dialog open onOpenChange={(_, d) => { if (!d.open) onClose(); }}>
      <DialogSurface style={{ maxWidth: 760 }}><DialogBody>
        <DialogTitle>Test run: {rule.displayName}</DialogTitle>
        <DialogContent style={{ display: 'flex', flexDirection: 'column', gap: 8 }}>
          <div style={{ display: 'flex', gap: 8, alignItems: 'end' }}>
            <Field label="From"><Input type="datetime-local" value={from} onChange={(_, d) => setFrom(d.value)} /></Field>
            <Field label="To"><Input type="datetime-local" value={to} onChange={(_, d) => setTo(d.value)} /></Field>
            <Button appearance="primary" onClick={() => void run()} disabled={busy} icon={busy ? <Spinner size="tiny" /> : undefined}>Run</Button>
          </div>
          {err !== null && <MessageBar intent="error"><MessageBarBody>{errorText(err)}</MessageBarBody></MessageBar>}
          {res && (
            <div data-testid="rule-test-result">
              <Text block weight="semibold">{res.resultRows.toLocaleString()} matching rows, {res.alerts.length} alert{res.alerts.length === 1 ? '' : 's'} would be raised (none stored)</Text>
              {res.alerts.length > 0 && (
                <Table size="extra-small" aria-label="Alerts the rule would raise" style={{ marginTop: 6 }}>
                  <TableHeader><TableRow><TableHeaderCell>Title</TableHeaderCell><TableHeaderCell>Severity</TableHeaderCell><TableHeaderCell>Start</TableHeaderCell><TableHeaderCell>Entities</TableHeaderCell></TableRow></TableHeader>
                  <TableBody>
                    {res.alerts.slice(0, 50).map((a, i) => (
                      <TableRow key={i}>
                        <TableCell>{a.title}</TableCell>
                        <TableCell>{a.severity}</TableCell>
                        <TableCell>{fmtTime(a.startTime)}</TableCell>
                        <TableCell>{(a.entities ?? []).map((e) => `${e.type}: ${Object.values(e.identifiers).join(' ')}`).join(', ')}</TableCell>
                      </TableRow>
                    ))}
                  </TableBody>
                </Table>
              )}
            </div>
          )}
        </DialogContent>
        <DialogActions><Button onClick={onClose}>Close</Button></DialogActions>
      </DialogBody></DialogSurface>
    </Dialog>
  );
}
