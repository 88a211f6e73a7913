import { Link as RouterLink } from 'react-router-dom';
import { Spinner, Text, tokens } from '@fluentui/react-components';
import { api } from '../lib/api';
import { fetchIncidents } from '../lib/incidents';
import { severities, type TableInfo } from '../lib/types';
import { useAsync } from '../lib/useAsync';
import { ErrorBar, SeverityBadge, usePageStyles } from './common';

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
        <section className={s.card}>
          <Text weight="semibold" size={400} block>Automated investigations and disruptions</Text>
          <Text className={s.muted} block style={{ marginTop: 12 }}>Not available yet: the server has no response actions or automated investigations API.</Text>
        </section>
      </div>
    </div>
  );
}
