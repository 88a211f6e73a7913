import { useMemo, useState } from 'react';
import { Link as RouterLink } from 'react-router-dom';
import { Badge, Input, MessageBar, MessageBarBody, Spinner, Switch, Table, TableBody, TableCell, TableHeader, TableHeaderCell, TableRow, Text } from '@fluentui/react-components';
import { Search20Regular } from '@fluentui/react-icons';
import { api } from '../lib/api';
import type { TableInfo } from '../lib/types';
import { useAsync } from '../lib/useAsync';
import { Empty, ErrorBar, usePageStyles } from './common';

/** DataConnectors lists the tables of the event store with their row counts (GET
 * /api/v1/tables); per-source health needs an API that does not exist yet. */
export function DataConnectors() {
  const s = usePageStyles();
  const { data, error, loading } = useAsync((sig) => api<TableInfo[]>('/api/v1/tables', { signal: sig }), []);
  const [q, setQ] = useState('');
  const [onlyData, setOnlyData] = useState(true);
  const rows = useMemo(() => (data ?? []).filter((t) => (!onlyData || t.rows > 0) && t.name.toLowerCase().includes(q.toLowerCase())), [data, q, onlyData]);
  return (
    <div className={s.page}>
      <h1 className={s.title}>Data connectors</h1>
      <MessageBar intent="info"><MessageBarBody>
        Per-source health (rows per second, last event, errors by connector) needs a connectors API the server does not have yet. Below: every table of the event store and the rows it holds. Rejected rows are in the <RouterLink to={`/hunting?q=${encodeURIComponent('IngestionErrors\n| take 100')}`}>IngestionErrors</RouterLink> table.
      </MessageBarBody></MessageBar>
      <div className={s.header}>
        <Input contentBefore={<Search20Regular />} placeholder="Find a table" value={q} onChange={(_, d) => setQ(d.value)} aria-label="Find a table" />
        <Switch checked={onlyData} onChange={(_, d) => setOnlyData(d.checked)} label="Only tables with data" />
        {data && <Text className={s.muted}>{rows.length} of {data.length} tables</Text>}
      </div>
      {error ? <ErrorBar error={error} /> : loading ? <Spinner /> : rows.length === 0 ? (
        <Empty title="No tables match">{onlyData ? 'No table holds data yet: send rows with POST /api/v1/ingest/{table}, syslog or a shipper.' : 'Try another name.'}</Empty>
      ) : (
        <div className={s.card}>
          <Table size="small" style={{ tableLayout: 'auto' }} aria-label="Tables">
            <TableHeader><TableRow>
              <TableHeaderCell>Table</TableHeaderCell><TableHeaderCell>Kind</TableHeaderCell>
              <TableHeaderCell>Rows</TableHeaderCell><TableHeaderCell>Columns</TableHeaderCell><TableHeaderCell>Description</TableHeaderCell>
            </TableRow></TableHeader>
            <TableBody>
              {rows.map((t) => (
                <TableRow key={t.name}>
                  <TableCell><RouterLink to={`/hunting?q=${encodeURIComponent(`${t.name}\n| take 100`)}`}>{t.name}</RouterLink></TableCell>
                  <TableCell><Badge appearance="outline" color={t.kind === 'custom' ? 'brand' : 'informative'}>{t.kind}</Badge></TableCell>
                  <TableCell>{t.rows.toLocaleString()}</TableCell>
                  <TableCell>{t.columns?.length ?? 0}</TableCell>
                  <TableCell><Text truncate wrap={false} style={{ maxWidth: 480, display: 'block', overflow: 'hidden' }}>{t.description}</Text></TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
        </div>
      )}
    </div>
  );
}
