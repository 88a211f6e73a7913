// The hunting page's Queries panel: the caller's saved queries, the tenant's shared ones and
// the built-in templates; a click opens one into the editor.
import { useMemo, useState } from 'react';
import { Button, makeStyles, Spinner, Tab, TabList, Text, tokens, Tooltip } from '@fluentui/react-components';
import { Delete16Regular, Document16Regular, People16Regular } from '@fluentui/react-icons';
import { ApiError, errorText } from '../lib/api';
import type { AsyncState } from '../lib/useAsync';
import { groupQueries, type QueryTemplate, type SavedQuery } from '../lib/savedQueries';

const useStyles = makeStyles({
  item: { display: 'flex', alignItems: 'flex-start', gap: '4px', width: '100%', textAlign: 'left', background: 'none', border: 'none', color: tokens.colorNeutralForeground1,
    padding: '4px', cursor: 'pointer', borderRadius: '4px', ':hover': { backgroundColor: tokens.colorNeutralBackground1Hover } },
  active: { backgroundColor: tokens.colorNeutralBackground1Selected },
  name: { overflow: 'hidden', textOverflow: 'ellipsis', whiteSpace: 'nowrap', display: 'block' },
  folder: { fontSize: tokens.fontSizeBase100, color: tokens.colorNeutralForeground3, textTransform: 'uppercase', margin: '8px 0 2px' },
});

export type QueriesTab = 'mine' | 'shared' | 'templates';

export interface QueriesPanelProps {
  saved: AsyncState<SavedQuery[]>;
  templates: AsyncState<QueryTemplate[]>;
  activeId: string;
  onOpen: (q: { id?: string; name: string; query: string }) => void;
  onDelete: (q: SavedQuery) => void;
}

export function QueriesPanel({ saved, templates, activeId, onOpen, onDelete }: QueriesPanelProps) {
  const s = useStyles();
  const [tab, setTab] = useState<QueriesTab>('mine');
  const groups = useMemo(() => groupQueries(saved.data ?? []), [saved.data]);
  const missing = (e: unknown) => e instanceof ApiError && e.status === 404;
  const list = tab === 'templates' ? null : groups[tab];
  return (
    <div data-testid="queries-panel">
      <TabList size="small" selectedValue={tab} onTabSelect={(_, d) => setTab(d.value as QueriesTab)} style={{ flexWrap: 'wrap' }}>
        <Tab value="mine">My queries</Tab>
        <Tab value="shared">Shared</Tab>
        <Tab value="templates">Templates</Tab>
      </TabList>
      {tab === 'templates' ? (
        templates.loading && !templates.data ? <Spinner size="tiny" /> : templates.error ? (
          <Text size={200}>{missing(templates.error) ? 'This server does not serve hunting templates.' : errorText(templates.error)}</Text>
        ) : (templates.data ?? []).length === 0 ? <Text size={200}>No templates.</Text> : (templates.data ?? []).map((t) => (
          <button key={t.id} className={s.item} title={t.description} onClick={() => onOpen({ name: t.name, query: t.query })}>
            <Document16Regular style={{ flexShrink: 0, marginTop: 2 }} />
            <span style={{ minWidth: 0 }}><span className={s.name}>{t.name}</span></span>
          </button>
        ))
      ) : saved.loading && !saved.data ? <Spinner size="tiny" /> : saved.error ? (
        <Text size={200}>{missing(saved.error) ? 'This server does not keep saved queries (the huntingQueries API is missing).' : errorText(saved.error)}</Text>
      ) : list && list.length === 0 ? (
        <Text size={200} block style={{ marginTop: 8 }}>{tab === 'mine' ? 'No saved queries yet: write one and choose Save.' : 'Nobody has shared a query in this tenant yet.'}</Text>
      ) : (list ?? []).map((q, i, all) => (
        <div key={q.id}>
          {q.folder && q.folder !== all[i - 1]?.folder && <div className={s.folder}>{q.folder}</div>}
          <div style={{ display: 'flex', alignItems: 'center' }}>
            <button className={`${s.item} ${q.id === activeId ? s.active : ''}`} title={q.description || q.query.slice(0, 300)} onClick={() => onOpen(q)} data-testid="saved-query">
              {q.shared ? <People16Regular style={{ flexShrink: 0, marginTop: 2 }} /> : <Document16Regular style={{ flexShrink: 0, marginTop: 2 }} />}
              <span style={{ minWidth: 0 }}>
                <span className={s.name}>{q.name}</span>
                {tab === 'shared' && <Text size={100} className={s.name} style={{ color: tokens.colorNeutralForeground3 }}>by {q.owner}</Text>}
              </span>
            </button>
            {q.canEdit && (
              <Tooltip content={`Delete ${q.name}`} relationship="label">
                <Button size="small" appearance="subtle" icon={<Delete16Regular />} onClick={() => onDelete(q)} />
              </Tooltip>
            )}
          </div>
        </div>
      ))}
    </div>
  );
}
