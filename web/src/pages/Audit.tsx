// The audit log (GET /api/v1/audit): every mutation, hunting query and sign-in, newest first,
// filtered by actor and action (kept in the URL).
import { useSearchParams } from 'react-router-dom';
import { Input, Spinner, Table, TableBody, TableCell, TableHeader, TableHeaderCell, TableRow, Text } from '@fluentui/react-components';
import { api, ApiError } from '../lib/api';
import { useAsync } from '../lib/useAsync';
import { Empty, ErrorBar, fmtTime, usePageStyles } from './common';
import { Placeholder } from './Placeholder';

interface AuditRecord {
  seq: number;
  time: string;
  actor: string;
  actorType: string;
  tenant: string;
  action: string;
  target: string;
  source: string;
  result: string;
  detail: unknown;
}

const maxRecords = 5000;

async function fetchAudit(actor: string, action: string, signal: AbortSignal): Promise<{ items: AuditRecord[]; more: boolean }> {
  const items: AuditRecord[] = [];
  let after = 0;
  for (;;) {
    const q = new URLSearchParams({ top: '1000' });
    if (actor) q.set('actor', actor);
    if (action) q.set('action', action);
    if (after) q.set('after', String(after));
    const page = await api<{ value: AuditRecord[]; nextAfter?: number }>(`/api/v1/audit?${q.toString()}`, { signal });
    items.push(...page.value);
    if (!page.nextAfter || items.length >= maxRecords) return { items: items.reverse(), more: Boolean(page.nextAfter) };
    after = page.nextAfter;
  }
}

export function Audit() {
  const ps = usePageStyles();
  const [params, setParams] = useSearchParams();
  const actor = params.get('actor') ?? '';
  const action = params.get('action') ?? '';
  const { data, error, loading } = useAsync((sig) => fetchAudit(actor, action, sig), [actor, action]);
  if (error instanceof ApiError && error.status === 404) {
    return <Placeholder title="Audit log" missing="the audit log API (GET /api/v1/audit)" />;
  }
  const set = (k: string, v: string) => {
    const p = new URLSearchParams(params);
    if (v) p.set(k, v); else p.delete(k);
    setParams(p, { replace: true });
  };
  return (
    <div className={ps.page}>
      <div className={ps.header}>
        <h1 className={ps.title}>Audit log</h1>
        <span style={{ flex: 1 }} />
        {data && <Text className={ps.muted}>{data.items.length}{data.more ? '+' : ''} records</Text>}
      </div>
      <div className={ps.header}>
        <Input aria-label="Actor" placeholder="Actor" defaultValue={actor} onKeyDown={(e) => { if (e.key === 'Enter') set('actor', e.currentTarget.value.trim()); }} onBlur={(e) => set('actor', e.target.value.trim())} />
        <Input aria-label="Action" placeholder="Action" defaultValue={action} onKeyDown={(e) => { if (e.key === 'Enter') set('action', e.currentTarget.value.trim()); }} onBlur={(e) => set('action', e.target.value.trim())} />
      </div>
      {error ? <ErrorBar error={error} /> : loading && !data ? <Spinner /> : !data?.items.length ? <Empty title="No audit records match" /> : (
        <div className={ps.card}>
          <Table size="small" style={{ tableLayout: 'auto' }} aria-label="Audit records">
            <TableHeader><TableRow>
              <TableHeaderCell style={{ width: 190 }}>Time</TableHeaderCell><TableHeaderCell>Actor</TableHeaderCell><TableHeaderCell>Action</TableHeaderCell>
              <TableHeaderCell>Target</TableHeaderCell><TableHeaderCell>Tenant</TableHeaderCell><TableHeaderCell>Source</TableHeaderCell><TableHeaderCell>Result</TableHeaderCell>
            </TableRow></TableHeader>
            <TableBody>
              {data.items.slice(0, 1000).map((r) => (
                <TableRow key={r.seq}>
                  <TableCell>{fmtTime(r.time)}</TableCell><TableCell>{r.actor}</TableCell><TableCell>{r.action}</TableCell>
                  <TableCell title={typeof r.detail === 'string' ? r.detail : JSON.stringify(r.detail)}>{r.target}</TableCell>
                  <TableCell>{r.tenant}</TableCell><TableCell>{r.source}</TableCell><TableCell>{r.result}</TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
        </div>
      )}
    </div>
  );
}
