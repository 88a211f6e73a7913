// Advanced hunting: KQL editor or guided builder, results grid, charts for `render`, query
// history, saved and shared queries, templates, and "create detection rule" from a query. The
// query is in the URL (?q=, the saved query opened in ?id=, guided mode in ?mode=guided) so a
// hunt can be shared.
import { lazy, Suspense, useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { useSearchParams } from 'react-router-dom';
import {
  Button, Dialog, DialogActions, DialogBody, DialogContent, DialogSurface, DialogTitle, Dropdown, makeStyles, Menu, MenuItem, MenuList, MenuPopover, MenuTrigger, MessageBar, MessageBarBody, MessageBarTitle,
  Option, Spinner, Tab, TabList, Text, tokens, Tooltip,
} from '@fluentui/react-components';
import { Add20Regular, ChevronDown16Regular, ChevronRight16Regular, History20Regular, Play20Filled, Save20Regular, ShieldAdd20Regular, Table20Regular, TextBulletListSquare20Regular } from '@fluentui/react-icons';
import { api, ApiError, errorText } from '../lib/api';
import { toMarkers, type Marker } from '../lib/diagnostics';
import { addHistory, clearHistory, loadHistory, type HistoryItem } from '../lib/history';
import { chartKinds, renderOf, seriesOf, type ChartKind } from '../lib/render';
import type { HuntingResult, TableInfo } from '../lib/types';
import { useAsync } from '../lib/useAsync';
import { Empty, usePageStyles } from './common';
import { ResultsGrid } from './ResultsGrid';
import type { ThemeName } from '../App';
import { emptyGuided, type GuidedQuery } from '../lib/guided';
import { createSavedQuery, deleteSavedQuery, getSavedQuery, listSavedQueries, listTemplates, updateSavedQuery, type SavedQuery, type SavedQueryInput } from '../lib/savedQueries';
import { guessEntities, ruleId, type RuleDraft } from '../lib/ruleYaml';
import { GuidedBuilder } from './GuidedBuilder';
import { QueriesPanel } from './QueriesPanel';
import { SaveQueryDialog } from './SaveQueryDialog';
import { CreateRuleDialog } from './RuleDialog';
import { listWatchlists, watchlistQuery } from '../lib/watchlists';

const KustoEditor = lazy(() => import('./KustoEditor'));
const ResultChart = lazy(() => import('./ResultChart'));

const starter = 'DeviceProcessEvents\n| where Timestamp > ago(7d)\n| summarize count() by bin(Timestamp, 1h)\n| render timechart';

const useStyles = makeStyles({
  layout: { display: 'grid', gridTemplateColumns: '220px 1fr', gap: '12px', flex: 1, minHeight: 0 },
  schema: { overflowY: 'auto', overflowX: 'hidden', backgroundColor: tokens.colorNeutralBackground1, borderRadius: tokens.borderRadiusMedium, padding: '8px', fontSize: tokens.fontSizeBase200, maxHeight: 'calc(100vh - 140px)' },
  main: { display: 'flex', flexDirection: 'column', gap: '8px', minWidth: 0, minHeight: 0 },
  guided: { minHeight: '200px', flexShrink: 0, display: 'flex', flexDirection: 'column' },
  editor: { height: '200px', border: `1px solid ${tokens.colorNeutralStroke1}`, borderRadius: tokens.borderRadiusMedium, overflow: 'hidden', resize: 'vertical', minHeight: '120px' },
  diag: { fontFamily: tokens.fontFamilyMonospace, fontSize: tokens.fontSizeBase200, cursor: 'pointer', textAlign: 'left', background: 'none', border: 'none', color: 'inherit', padding: '2px 0', display: 'block' },
  table: { display: 'flex', alignItems: 'center', gap: '4px', width: '100%', whiteSpace: 'nowrap', overflow: 'hidden', textOverflow: 'ellipsis', textAlign: 'left', background: 'none', border: 'none', color: tokens.colorNeutralForeground1, padding: '3px 4px', cursor: 'pointer', borderRadius: '4px',
    ':hover': { backgroundColor: tokens.colorNeutralBackground1Hover } },
});

export default function Hunting({ theme }: { theme: ThemeName }) {
  const s = useStyles();
  const ps = usePageStyles();
  const [params, setParams] = useSearchParams();
  const [text, setText] = useState(() => params.get('q') ?? loadHistory()[0]?.query ?? starter);
  const [result, setResult] = useState<HuntingResult | null>(null);
  const [ranQuery, setRanQuery] = useState('');
  const [err, setErr] = useState<unknown>(null);
  const [markers, setMarkers] = useState<Marker[]>([]);
  const [jumpTo, setJumpTo] = useState<Marker | null>(null);
  const [running, setRunning] = useState(false);
  const [elapsed, setElapsed] = useState(0);
  const [history, setHistory] = useState<HistoryItem[]>(loadHistory);
  const [view, setView] = useState<'results' | 'chart'>('results');
  const [chart, setChart] = useState<ChartKind>('table');
  const [tableFilter, setTableFilter] = useState('');
  const tables = useAsync((sig) => api<TableInfo[]>('/api/v1/tables', { signal: sig }), []);
  const watchlists = useAsync((sig) => listWatchlists(sig), []);
  const [insert, setInsert] = useState<{ text: string } | null>(null);
  const [openLists, setOpenLists] = useState<Set<string>>(new Set());
  const saved = useAsync((sig) => listSavedQueries(sig), []);
  const templates = useAsync((sig) => listTemplates(sig), []);
  const ctl = useRef<AbortController | null>(null);
  const [side, setSide] = useState<'schema' | 'queries'>(params.get('id') ? 'queries' : 'schema');
  const mode = params.get('mode') === 'guided' ? 'guided' : 'advanced';
  const [guided, setGuided] = useState<GuidedQuery>(() => emptyGuided());
  const openId = params.get('id') ?? '';
  const [opened, setOpened] = useState<SavedQuery | null>(null);
  const [openErr, setOpenErr] = useState<unknown>(null);
  const [saveDialog, setSaveDialog] = useState<'save' | 'saveAs' | null>(null);
  const [ruleDialog, setRuleDialog] = useState<RuleDraft | null>(null);
  const [notice, setNotice] = useState('');
  const [confirmDelete, setConfirmDelete] = useState<SavedQuery | null>(null);

  // A saved query named in the URL (?id=) opens into the editor once.
  const loadedId = useRef('');
  useEffect(() => {
    if (!openId || loadedId.current === openId) return;
    loadedId.current = openId;
    const c = new AbortController();
    getSavedQuery(openId, c.signal).then((q) => {
      setOpened(q);
      if (!params.get('q')) setText(q.query);
    }, (e: unknown) => { if (!c.signal.aborted) setOpenErr(e); });
    return () => c.abort();
  }, [openId, params]);

  const setUrl = useCallback((p: Record<string, string>) => {
    setParams((old) => {
      const n = new URLSearchParams(old);
      for (const [k, v] of Object.entries(p)) {
        if (v) n.set(k, v);
        else n.delete(k);
      }
      return n;
    }, { replace: true });
  }, [setParams]);

  const run = useCallback(async (q?: string) => {
    const query = q ?? text;
    if (!query.trim()) return;
    ctl.current?.abort();
    const c = new AbortController();
    ctl.current = c;
    setRunning(true);
    setErr(null);
    setMarkers([]);
    setUrl({ q: query });
    const t0 = performance.now();
    try {
      const r = await api<HuntingResult>('/api/v1/security/runHuntingQuery', { method: 'POST', body: { Query: query }, signal: c.signal });
      setResult(r);
      setRanQuery(query);
      const kind = renderOf(query);
      setChart(kind);
      setView(kind === 'table' ? 'results' : 'chart');
      setHistory(addHistory({ query, at: new Date().toISOString(), rows: r.results.length }));
    } catch (e) {
      if (e instanceof DOMException && e.name === 'AbortError') return;
      setErr(e);
      if (e instanceof ApiError && e.diagnostics.length) setMarkers(toMarkers(query, e.diagnostics));
      setHistory(addHistory({ query, at: new Date().toISOString(), error: errorText(e) }));
    } finally {
      setElapsed(performance.now() - t0);
      if (ctl.current === c) setRunning(false);
    }
  }, [text, setUrl]);

  const openQuery = (q: { id?: string; name: string; query: string }) => {
    setText(q.query);
    setOpenErr(null);
    setNotice('');
    if (q.id) {
      loadedId.current = q.id;
      setOpened(saved.data?.find((x) => x.id === q.id) ?? null);
    } else {
      setOpened(null);
    }
    setUrl({ id: q.id ?? '', q: q.query, mode: '' });
  };
  const save = async (input: SavedQueryInput, asNew: boolean) => {
    const q = !asNew && opened?.canEdit ? await updateSavedQuery(opened.id, input) : await createSavedQuery(input);
    setOpened(q);
    loadedId.current = q.id;
    setUrl({ id: q.id });
    setSaveDialog(null);
    setNotice(`Saved "${q.name}"${q.shared ? ', shared with the tenant' : ''}.`);
    saved.reload();
  };
  const quickSave = () => {
    if (opened?.canEdit) {
      void save({ name: opened.name, description: opened.description, folder: opened.folder, shared: opened.shared, query: text }, false)
        .catch((e: unknown) => setNotice(`Not saved: ${errorText(e)}`));
    } else {
      setSaveDialog('saveAs');
    }
  };
  const remove = async (q: SavedQuery) => {
    setConfirmDelete(null);
    try {
      await deleteSavedQuery(q.id);
      if (opened?.id === q.id) {
        setOpened(null);
        setUrl({ id: '' });
      }
      setNotice(`Deleted "${q.name}".`);
      saved.reload();
    } catch (e) {
      setNotice(`Not deleted: ${errorText(e)}`);
    }
  };
  const newRule = () => {
    const columns = result && ranQuery === text ? result.schema.map((c) => c.Name) : [];
    setRuleDialog({
      id: ruleId(), name: opened?.name ?? '', description: opened?.description ?? '', severity: 'Medium', frequency: '1h', period: '1h',
      tactics: [], techniques: [], query: text.replace(/\n\|\s*render\b[^\n]*/g, ''), entities: guessEntities(columns),
    });
  };

  const series = useMemo(() => (result && chart !== 'table' ? seriesOf(result, chart) : null), [result, chart]);
  const tableList = useMemo(() => (tables.data ?? [])
    .filter((t) => t.name.toLowerCase().includes(tableFilter.toLowerCase()))
    .sort((a, b) => (b.rows > 0 ? 1 : 0) - (a.rows > 0 ? 1 : 0) || a.name.localeCompare(b.name)), [tables.data, tableFilter]);
  const watchlistList = useMemo(() => (watchlists.data ?? [])
    .filter((w) => `${w.watchlistAlias} ${w.displayName}`.toLowerCase().includes(tableFilter.toLowerCase())), [watchlists.data, tableFilter]);
  // Clicking a watchlist puts its call at the cursor, or starts a query with it.
  const pickWatchlist = (alias: string) => {
    const call = watchlistQuery(alias);
    if (text.trim()) setInsert({ text: call });
    else setText(`${call}\n| take 100`);
  };
  const toggleList = (alias: string) => setOpenLists((o) => {
    const n = new Set(o);
    if (n.has(alias)) n.delete(alias); else n.add(alias);
    return n;
  });
  const diagErrs = err instanceof ApiError ? err.diagnostics : [];

  return (
    <div className={ps.page} style={{ height: '100%' }}>
      <div className={ps.header}>
        <h1 className={ps.title}>Advanced hunting</h1>
        <span style={{ flex: 1 }} />
        {opened && <Text className={ps.muted} data-testid="opened-query">{opened.name}{opened.shared ? ' (shared)' : ''}</Text>}
        <Button icon={<Save20Regular />} onClick={quickSave} disabled={!text.trim()}>Save</Button>
        <Button icon={<Add20Regular />} onClick={() => setSaveDialog('saveAs')} disabled={!text.trim()}>Save as</Button>
        <Button icon={<ShieldAdd20Regular />} onClick={newRule} disabled={!text.trim()}>Create detection rule</Button>
        <Tooltip content="Shift+Enter or Ctrl+Enter" relationship="description">
          <Button appearance="primary" icon={running ? <Spinner size="tiny" /> : <Play20Filled />} onClick={() => void run()} disabled={running}>Run query</Button>
        </Tooltip>
        <Menu>
          <MenuTrigger disableButtonEnhancement><Button icon={<History20Regular />}>History</Button></MenuTrigger>
          <MenuPopover style={{ maxWidth: 560 }}>
            <MenuList>
              {history.length === 0 ? <MenuItem disabled>No queries yet</MenuItem> : history.slice(0, 20).map((h) => (
                <MenuItem key={h.at + h.query} onClick={() => { setText(h.query); void run(h.query); }}
                  secondaryContent={h.error ? 'error' : `${h.rows ?? 0} rows`}>
                  <span style={{ fontFamily: tokens.fontFamilyMonospace, fontSize: 12 }}>{h.query.replace(/\s+/g, ' ').slice(0, 80)}</span>
                </MenuItem>
              ))}
              {history.length > 0 && <MenuItem onClick={() => { clearHistory(); setHistory([]); }}>Clear history</MenuItem>}
            </MenuList>
          </MenuPopover>
        </Menu>
      </div>
      <div className={s.layout}>
        <nav className={s.schema} aria-label="Schema and queries">
          <TabList size="small" selectedValue={side} onTabSelect={(_, d) => setSide(d.value as 'schema' | 'queries')}>
            <Tab value="schema">Schema</Tab>
            <Tab value="queries">Queries</Tab>
          </TabList>
          {side === 'queries' ? (
            <QueriesPanel saved={saved} templates={templates} activeId={opened?.id ?? ''} onOpen={openQuery} onDelete={setConfirmDelete} />
          ) : <>
          <input aria-label="Filter tables" placeholder="Filter tables" value={tableFilter} onChange={(e) => setTableFilter(e.target.value)}
            style={{ width: '100%', boxSizing: 'border-box', margin: '6px 0', padding: 4, background: 'transparent', color: 'inherit', border: `1px solid ${tokens.colorNeutralStroke1}`, borderRadius: 4 }} />
          <section aria-label="Watchlists" data-testid="schema-watchlists">
            <Text weight="semibold" size={200} block style={{ margin: '4px 4px 2px' }}>Watchlists</Text>
            {watchlists.loading && !watchlists.data ? <Spinner size="tiny" /> : watchlists.error ? <Text size={200}>{errorText(watchlists.error)}</Text>
              : watchlistList.length === 0 ? <Text size={200} className={ps.muted} style={{ padding: '0 4px' }}>{watchlists.data?.length ? 'None match' : 'None yet'}</Text>
                : watchlistList.map((w) => (
                  <div key={w.watchlistAlias}>
                    <div style={{ display: 'flex', alignItems: 'center' }}>
                      <button className={s.table} style={{ width: 22, flexShrink: 0, padding: 2 }} aria-label={`${openLists.has(w.watchlistAlias) ? 'Hide' : 'Show'} the columns of ${w.watchlistAlias}`}
                        aria-expanded={openLists.has(w.watchlistAlias)} onClick={() => toggleList(w.watchlistAlias)}>
                        {openLists.has(w.watchlistAlias) ? <ChevronDown16Regular /> : <ChevronRight16Regular />}
                      </button>
                      <button className={s.table} title={`Insert ${watchlistQuery(w.watchlistAlias)} · ${w.itemCount} items · search key ${w.itemsSearchKey}`}
                        data-watchlist={w.watchlistAlias} onClick={() => pickWatchlist(w.watchlistAlias)}>
                        <TextBulletListSquare20Regular style={{ flexShrink: 0 }} />
                        <span style={{ overflow: 'hidden', textOverflow: 'ellipsis' }}>{w.watchlistAlias}</span>
                      </button>
                    </div>
                    {openLists.has(w.watchlistAlias) && (
                      <ul aria-label={`Columns of ${w.watchlistAlias}`} style={{ listStyle: 'none', margin: '0 0 4px 30px', padding: 0 }}>
                        {(w.columns ?? []).map((c) => (
                          <li key={c.name} style={{ fontFamily: tokens.fontFamilyMonospace, overflow: 'hidden', textOverflow: 'ellipsis', whiteSpace: 'nowrap' }} title={`${c.name}: ${c.type}`}>
                            {c.name}{c.name === w.itemsSearchKey ? ' (key)' : ''} <span className={ps.muted}>{c.type}</span>
                          </li>
                        ))}
                      </ul>
                    )}
                  </div>
                ))}
          </section>
          <Text weight="semibold" size={200} block style={{ margin: '10px 4px 2px' }}>Tables</Text>
          {tables.loading ? <Spinner size="tiny" /> : tables.error ? <Text>{errorText(tables.error)}</Text> : tableList.slice(0, 400).map((t) => (
            <button key={t.name} className={s.table} title={`${t.rows.toLocaleString()} rows · ${(t.columns ?? []).map((c) => `${c.name}:${c.type}`).join(', ')}`}
              onClick={() => setText((old) => (old.trim() ? old : `${t.name}\n| take 100`))} onDoubleClick={() => setText(`${t.name}\n| take 100`)}>
              <Table20Regular style={{ flexShrink: 0 }} />
              <span style={{ fontWeight: t.rows > 0 ? 600 : 400, overflow: 'hidden', textOverflow: 'ellipsis' }}>{t.name}</span>
            </button>
          ))}
          </>}
        </nav>
        <div className={s.main}>
          <TabList size="small" selectedValue={mode} onTabSelect={(_, d) => setUrl({ mode: d.value === 'guided' ? 'guided' : '' })}>
            <Tab value="advanced">Advanced mode</Tab>
            <Tab value="guided">Guided mode</Tab>
          </TabList>
          {notice && <MessageBar intent={notice.startsWith('Not ') ? 'error' : 'success'} data-testid="hunting-notice"><MessageBarBody>{notice}</MessageBarBody></MessageBar>}
          {openErr !== null && <MessageBar intent="error"><MessageBarBody>The saved query {openId} cannot be opened: {errorText(openErr)}</MessageBarBody></MessageBar>}
          {mode === 'guided' && (
            <div className={s.guided}>
              {tables.error ? <Text>{errorText(tables.error)}</Text> : (
                <GuidedBuilder tables={tables.data ?? []} value={guided} onChange={setGuided} running={running}
                  onRun={(kql) => { setText(kql); void run(kql); }}
                  onEdit={(kql) => { setText(kql); setUrl({ mode: '', q: kql }); }} />
              )}
            </div>
          )}
          {/* The editor stays mounted in guided mode (hidden): unmounting Monaco while the Kusto
              worker answers breaks the worker's callbacks, and it keeps the text and undo. */}
          <div className={s.editor} style={mode === 'guided' ? { display: 'none' } : undefined}>
            <Suspense fallback={<Spinner label="Loading the editor" style={{ marginTop: 40 }} />}>
              <KustoEditor value={text} onChange={setText} onRun={() => void run()} markers={markers} tables={tables.data}
                watchlists={watchlists.data} insert={insert} dark={theme === 'dark'} jumpTo={jumpTo} />
            </Suspense>
          </div>
          {err !== null && (
            <MessageBar intent="error" role="alert" data-testid="query-error">
              <MessageBarBody>
                <MessageBarTitle>{diagErrs.length ? `The query has ${diagErrs.length} problem${diagErrs.length > 1 ? 's' : ''}` : 'The query failed'}</MessageBarTitle>
                {diagErrs.length === 0 && errorText(err)}
                {markers.map((m, i) => (
                  <button key={i} className={s.diag} onClick={() => setJumpTo({ ...m })}>
                    {m.startLineNumber}:{m.startColumn}: {m.message}
                  </button>
                ))}
              </MessageBarBody>
            </MessageBar>
          )}
          {result && !err && (
            <div style={{ display: 'flex', alignItems: 'center', gap: 12, flexWrap: 'wrap' }}>
              <TabList selectedValue={view} onTabSelect={(_, d) => setView(d.value as 'results' | 'chart')} size="small">
                <Tab value="results">Results</Tab>
                <Tab value="chart">Chart</Tab>
              </TabList>
              <Dropdown aria-label="Chart type" size="small" selectedOptions={[chart]} value={chart} style={{ minWidth: 150 }}
                onOptionSelect={(_, d) => { const k = (d.optionValue ?? 'table') as ChartKind; setChart(k); setView(k === 'table' ? 'results' : 'chart'); }}>
                {chartKinds.map((k) => <Option key={k} value={k}>{k}</Option>)}
              </Dropdown>
              <Text size={200} className={ps.muted}>{result.results.length.toLocaleString()} rows in {(elapsed / 1000).toFixed(2)} s{result.truncated ? ' (truncated at the server limit)' : ''}</Text>
            </div>
          )}
          {!result && !err && !running && <Empty title="Run a query to see results">Write KQL over the Defender and Sentinel tables; Shift+Enter runs it.</Empty>}
          {result && !err && view === 'results' && (
            result.results.length === 0 ? <Empty title="No results">The query ran and returned no rows.</Empty> :
            <div style={{ display: 'flex', flex: 1, minHeight: 280 }}><ResultsGrid columns={result.schema} rows={result.results} /></div>
          )}
          {result && !err && view === 'chart' && (
            chart === 'table' ? <Text>Pick a chart type.</Text> : series === null ? (
              <MessageBar intent="warning"><MessageBarBody>A {chart} needs a numeric column{chart === 'timechart' ? ' and a datetime column' : ''}; this result has {result.schema.map((c) => `${c.Name}:${c.Type}`).join(', ')}.</MessageBarBody></MessageBar>
            ) : (
              <div className={ps.card}><Suspense fallback={<Spinner label="Loading the chart" />}><ResultChart kind={chart} series={series} /></Suspense></div>
            )
          )}
          {ranQuery && ranQuery !== text && result && !err && <Text size={200} className={ps.muted}>The results are of the previous query text.</Text>}
        </div>
      </div>
      {saveDialog && (
        <SaveQueryDialog title={saveDialog === 'saveAs' && opened ? `Save a copy of ${opened.name}` : 'Save query'}
          initial={{ name: saveDialog === 'saveAs' && opened ? `${opened.name} (copy)` : opened?.name ?? '', description: opened?.description ?? '', folder: opened?.folder ?? '', shared: false, query: text }}
          onSave={(q) => save({ ...q, query: text }, true)} onClose={() => setSaveDialog(null)} />
      )}
      {ruleDialog && <CreateRuleDialog initial={ruleDialog} columns={result && ranQuery === text ? result.schema.map((c) => c.Name) : []} onClose={() => setRuleDialog(null)} />}
      {confirmDelete && (
        <Dialog open onOpenChange={(_, d) => { if (!d.open) setConfirmDelete(null); }}>
          <DialogSurface><DialogBody>
            <DialogTitle>Delete {confirmDelete.name}?</DialogTitle>
            <DialogContent>{confirmDelete.shared ? 'It is shared: it goes for everyone in the tenant.' : 'This cannot be undone.'}</DialogContent>
            <DialogActions>
              <Button onClick={() => setConfirmDelete(null)}>Cancel</Button>
              <Button appearance="primary" onClick={() => void remove(confirmDelete)}>Delete</Button>
            </DialogActions>
          </DialogBody></DialogSurface>
        </Dialog>
      )}
    </div>
  );
}
