// Threat intelligence: the tenant's indicators (GET /api/v1/security/tiIndicators, the
// newest rows of ThreatIntelligenceIndicator), filtered by text, type and activity, and
// import of a STIX 2.1 bundle (POST /api/v1/threatIntelligence/indicators:import).
import { useRef, useState } from 'react';
import { useSearchParams } from 'react-router-dom';
import {
  Badge, Button, Checkbox, Input, MessageBar, MessageBarBody, MessageBarTitle, Select, Spinner, Table, TableBody, TableCell, TableHeader,
  TableHeaderCell, TableRow, Text,
} from '@fluentui/react-components';
import { ArrowUpload20Regular, Search20Regular } from '@fluentui/react-icons';
import { api, ApiError, errorText } from '../lib/api';
import { useAsync } from '../lib/useAsync';
import { Empty, ErrorBar, fmtTime, usePageStyles } from './common';

interface Indicator {
  id: string;
  type: string;
  value: string;
  threatType: string;
  description: string;
  confidence: number;
  source: string;
  validUntil: string | null;
  active: boolean;
  /** action is alert, or block for the fleet block list every agent enforces. */
  action?: string;
  tags: string;
  tlp: string;
  timeGenerated: string | null;
}

interface ImportResult {
  accepted: number;
  rejected: number;
  observables: number;
  skipped: number;
  errors?: { index: number; id?: string; reason?: string; message?: string }[];
}

const types = [['', 'All types'], ['ip', 'IP address'], ['domain', 'Domain'], ['url', 'URL'], ['file', 'File'], ['email', 'Email']];

export function ThreatIntel() {
  const ps = usePageStyles();
  const [params, setParams] = useSearchParams();
  const search = params.get('search') ?? '';
  const type = params.get('type') ?? '';
  const active = params.get('active') === 'true';
  const [typed, setTyped] = useState(search);
  const [importing, setImporting] = useState(false);
  const [imported, setImported] = useState<{ file: string; r: ImportResult } | null>(null);
  const [importErr, setImportErr] = useState('');
  const file = useRef<HTMLInputElement>(null);
  const list = useAsync((sig) => {
    const q = new URLSearchParams({ $top: '500' });
    if (search) q.set('search', search);
    if (type) q.set('type', type);
    if (active) q.set('active', 'true');
    return api<{ value: Indicator[]; truncated?: boolean }>(`/api/v1/security/tiIndicators?${q.toString()}`, { signal: sig });
  }, [search, type, active]);
  const setParam = (k: string, v: string) => setParams((old) => {
    const n = new URLSearchParams(old);
    if (v) n.set(k, v);
    else n.delete(k);
    return n;
  }, { replace: true });
  const doImport = async (f: File) => {
    setImporting(true);
    setImportErr('');
    setImported(null);
    try {
      const text = await f.text();
      const r = await api<ImportResult>('/api/v1/threatIntelligence/indicators:import', { method: 'POST', rawBody: text, contentType: 'application/json' });
      setImported({ file: f.name, r });
      list.reload();
    } catch (e) {
      setImportErr(`${f.name}: ${errorText(e)}`);
    } finally {
      setImporting(false);
    }
  };
  const rows = list.data?.value ?? [];
  const missing = list.error instanceof ApiError && list.error.status === 404;
  return (
    <div className={ps.page}>
      <div className={ps.header}>
        <h1 className={ps.title}>Threat intelligence</h1>
        <span style={{ flex: 1 }} />
        {list.data && <Text className={ps.muted}>{rows.length}{list.data.truncated ? '+' : ''} indicators</Text>}
        <input ref={file} type="file" accept=".json" hidden data-testid="stix-import" onChange={(e) => { const f = e.target.files?.[0]; e.target.value = ''; if (f) void doImport(f); }} />
        <Button icon={importing ? <Spinner size="tiny" /> : <ArrowUpload20Regular />} disabled={importing} onClick={() => file.current?.click()}>Import STIX bundle</Button>
      </div>
      <form style={{ display: 'flex', gap: 8, alignItems: 'center', flexWrap: 'wrap' }} onSubmit={(e) => { e.preventDefault(); setParam('search', typed.trim()); }}>
        <Input contentBefore={<Search20Regular />} placeholder="Find a value or description (Enter)" aria-label="Find indicators" value={typed}
          onChange={(_, d) => setTyped(d.value)} onBlur={() => setParam('search', typed.trim())} style={{ width: 340 }} />
        <Select aria-label="Indicator type" value={type} onChange={(_, d) => setParam('type', d.value)}>
          {types.map(([v, l]) => <option key={v} value={v}>{l}</option>)}
        </Select>
        <Checkbox label="Active and unexpired only" checked={active} onChange={(_, d) => setParam('active', d.checked === true ? 'true' : '')} />
      </form>
      {imported && (
        <MessageBar intent={imported.r.rejected ? 'warning' : 'success'} data-testid="stix-result">
          <MessageBarBody>
            <MessageBarTitle>{imported.file}</MessageBarTitle>
            {imported.r.accepted} indicators accepted ({imported.r.observables} observables), {imported.r.rejected} rejected, {imported.r.skipped} other objects skipped.
            {(imported.r.errors ?? []).slice(0, 10).map((e, i) => <div key={i}>object {e.index}{e.id ? ` (${e.id})` : ''}: {e.reason ?? e.message}</div>)}
          </MessageBarBody>
        </MessageBar>
      )}
      {importErr && <MessageBar intent="error"><MessageBarBody>{importErr}</MessageBarBody></MessageBar>}
      {missing ? (
        <MessageBar intent="info"><MessageBarBody>This server has no indicator listing API (GET /api/v1/security/tiIndicators); indicators can still be imported.</MessageBarBody></MessageBar>
      ) : list.error ? <ErrorBar error={list.error} /> : list.loading && !list.data ? <Spinner /> : rows.length === 0 ? (
        <Empty title={search || type || active ? 'No indicators match' : 'No indicators yet'}>Import a STIX 2.1 bundle, or connect a threat intelligence feed that writes ThreatIntelligenceIndicator.</Empty>
      ) : (
        <div className={ps.card} style={{ overflowX: 'auto' }}>
          <Table size="small" aria-label="Indicators">
            <TableHeader><TableRow>
              <TableHeaderCell style={{ width: 80 }}>Type</TableHeaderCell><TableHeaderCell>Value</TableHeaderCell><TableHeaderCell>Threat</TableHeaderCell>
              <TableHeaderCell style={{ width: 90 }}>Confidence</TableHeaderCell><TableHeaderCell>Source</TableHeaderCell><TableHeaderCell>Valid until</TableHeaderCell>
              <TableHeaderCell style={{ width: 80 }}>Active</TableHeaderCell>
            </TableRow></TableHeader>
            <TableBody>
              {rows.map((r, i) => (
                <TableRow key={`${r.id}-${i}`}>
                  <TableCell>{r.type}</TableCell>
                  <TableCell title={r.description} style={{ fontFamily: 'monospace', wordBreak: 'break-all' }}>{r.value || <span className={ps.muted}>{r.id}</span>}</TableCell>
                  <TableCell>{r.threatType}</TableCell>
                  <TableCell>{r.confidence ? Math.round(r.confidence) : ''}</TableCell>
                  <TableCell>{r.source}</TableCell>
                  <TableCell>{fmtTime(r.validUntil)}</TableCell>
                  <TableCell>{r.active ? <Badge color="success" appearance="tint">active</Badge> : <Badge color="subtle" appearance="tint">inactive</Badge>}
                    {/block/i.test(r.action ?? '') && <Badge color="danger" appearance="tint" title="On the fleet block list: every agent enforces it">block</Badge>}</TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
        </div>
      )}
    </div>
  );
}
