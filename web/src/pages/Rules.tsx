// Detection rules (GET/PATCH /api/v1/security/rules/detectionRules): list with health, and
// enable or disable. Editing, test runs and import come next.
import { useMemo, useState } from 'react';
import { Link as RouterLink } from 'react-router-dom';
import {
  Badge, Input, MessageBar, MessageBarBody, Spinner, Switch, Table, TableBody, TableCell, TableHeader, TableHeaderCell, TableRow, Text,
} from '@fluentui/react-components';
import { Search20Regular } from '@fluentui/react-icons';
import { api, ApiError, errorText } from '../lib/api';
import type { Severity } from '../lib/types';
import { useAsync } from '../lib/useAsync';
import { Empty, ErrorBar, fmtTime, SeverityBadge, usePageStyles } from './common';
import { Placeholder } from './Placeholder';

interface Rule {
  id: string;
  displayName: string;
  isEnabled: boolean;
  origin: string;
  kind: string;
  queryCondition: { queryText: string };
  queryFrequency?: string;
  lastRunDetails: { lastRunDateTime: string; status: string; failureReason?: string; alertsGenerated: number; consecutiveFailures: number } | null;
  detectionAction: { alertTemplate: { severity: string } };
  tactics: string[];
  notRunReason?: string;
}

export function Rules() {
  const ps = usePageStyles();
  const { data, error, loading, reload } = useAsync((sig) => api<{ value: Rule[] }>('/api/v1/security/rules/detectionRules', { signal: sig }), []);
  const [q, setQ] = useState('');
  const [err, setErr] = useState<string | null>(null);
  const [busy, setBusy] = useState('');
  const rows = useMemo(() => (data?.value ?? []).filter((r) => r.displayName.toLowerCase().includes(q.toLowerCase())), [data, q]);
  if (error instanceof ApiError && error.status === 404) {
    return <Placeholder title="Detection rules" missing="the detection rules API (GET /api/v1/security/rules/detectionRules); rules run from the files named by detection.rules in the server's configuration" />;
  }
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
      </div>
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
              <TableHeaderCell>Alerts</TableHeaderCell><TableHeaderCell>Origin</TableHeaderCell>
            </TableRow></TableHeader>
            <TableBody>
              {rows.map((r) => {
                const run = r.lastRunDetails;
                return (
                  <TableRow key={r.id}>
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
                  </TableRow>
                );
              })}
            </TableBody>
          </Table>
        </div>
      )}
    </div>
  );
}
