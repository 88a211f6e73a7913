// One watchlist: its definition, its items (virtualized: an upload holds up to 100,000),
// adding, editing and deleting items, deleting the watchlist, and querying it in hunting.
import { useMemo, useRef, useState } from 'react';
import { Link as RouterLink, useNavigate, useParams } from 'react-router-dom';
import { useVirtualizer } from '@tanstack/react-virtual';
import {
  Badge, Button, Dialog, DialogActions, DialogBody, DialogContent, DialogSurface, DialogTitle, Field, Input, makeStyles, mergeClasses, MessageBar,
  MessageBarBody, Spinner, Text, tokens, Tooltip,
} from '@fluentui/react-components';
import { Add20Regular, Delete20Regular, Edit20Regular, Search20Regular, TableSearch20Regular } from '@fluentui/react-icons';
import { ApiError, errorText } from '../lib/api';
import { useAsync } from '../lib/useAsync';
import {
  addItem, deleteItem, deleteWatchlist, getWatchlist, huntingLink, isForbidden, listItems, replaceItem, valueProblem, watchlistQuery,
  type Watchlist, type WatchlistColumn, type WatchlistItem,
} from '../lib/watchlists';
import { Empty, ErrorBar, fmtTime, usePageStyles } from './common';
import { readOnlyText, useWatchlistWrite } from './Watchlists';

const rowHeight = 34;
// One collator for every comparison: localeCompare with options builds one per call, which
// makes sorting 100,000 items take seconds.
const collator = new Intl.Collator(undefined, { numeric: true });

const useStyles = makeStyles({
  grid: { backgroundColor: tokens.colorNeutralBackground1, borderRadius: tokens.borderRadiusMedium, boxShadow: tokens.shadow2, display: 'flex', flexDirection: 'column', flex: 1, minHeight: '300px' },
  scroller: { overflow: 'auto', flex: 1, minHeight: '240px', maxHeight: 'calc(100vh - 360px)' },
  row: { display: 'flex', alignItems: 'center', height: `${rowHeight}px`, borderBottom: `1px solid ${tokens.colorNeutralStroke2}`, boxSizing: 'border-box', padding: '0 8px',
    ':hover': { backgroundColor: tokens.colorNeutralBackground1Hover } },
  head: { fontWeight: tokens.fontWeightSemibold, position: 'sticky', top: 0, zIndex: 1, backgroundColor: tokens.colorNeutralBackground3, ':hover': { backgroundColor: tokens.colorNeutralBackground3 } },
  cell: { flex: '1 0 140px', overflow: 'hidden', textOverflow: 'ellipsis', whiteSpace: 'nowrap', paddingRight: '8px', fontFamily: tokens.fontFamilyMonospace, fontSize: tokens.fontSizeBase200 },
  fixed: { flex: '0 0 170px', fontFamily: tokens.fontFamilyBase },
  actions: { flex: '0 0 72px', display: 'flex' },
  dl: { display: 'grid', gridTemplateColumns: '120px 1fr', gap: '4px 12px', margin: 0 },
});

export function WatchlistPage() {
  const { alias = '' } = useParams();
  const s = useStyles();
  const ps = usePageStyles();
  const go = useNavigate();
  const wl = useAsync((sig) => getWatchlist(alias, sig), [alias]);
  const items = useAsync((sig) => listItems(alias, sig), [alias]);
  const { canWrite, denied } = useWatchlistWrite();
  const [editing, setEditing] = useState<WatchlistItem | 'new' | null>(null);
  const [removing, setRemoving] = useState<WatchlistItem | 'watchlist' | null>(null);
  const [notice, setNotice] = useState<{ ok: boolean; text: string } | null>(null);
  const failed = (what: string, e: unknown) => {
    if (isForbidden(e)) denied();
    setNotice({ ok: false, text: `${what}: ${errorText(e)}` });
  };
  const reload = () => { wl.reload(); items.reload(); };

  if (wl.error) {
    return (
      <div className={ps.page}>
        <RouterLink to="/watchlists">Watchlists</RouterLink>
        <ErrorBar error={wl.error} title={wl.error instanceof ApiError && wl.error.status === 404 ? `There is no watchlist ${alias}` : 'The watchlist could not be loaded'} />
      </div>
    );
  }
  const w = wl.data;
  if (!w) return <div className={ps.page}><Spinner label="Loading the watchlist" /></div>;
  const cols = w.columns ?? [];
  return (
    <div className={ps.page} style={{ height: '100%' }}>
      <RouterLink to="/watchlists">Watchlists</RouterLink>
      <div className={ps.header}>
        <h1 className={ps.title}>{w.displayName}</h1>
        <Badge appearance="outline" shape="rounded" style={{ fontFamily: tokens.fontFamilyMonospace }}>{w.watchlistAlias}</Badge>
        <span style={{ flex: 1 }} />
        <Button icon={<TableSearch20Regular />} onClick={() => void go(huntingLink(w.watchlistAlias))}>Query</Button>
        <Tooltip content={canWrite ? 'Add an item' : readOnlyText} relationship="description">
          <Button icon={<Add20Regular />} disabled={!canWrite} onClick={() => setEditing('new')}>Add item</Button>
        </Tooltip>
        <Tooltip content={canWrite ? 'Delete the watchlist and its items' : readOnlyText} relationship="description">
          <Button icon={<Delete20Regular />} disabled={!canWrite} onClick={() => setRemoving('watchlist')}>Delete watchlist</Button>
        </Tooltip>
      </div>
      {!canWrite && <MessageBar intent="info" data-testid="watchlists-readonly"><MessageBarBody>{readOnlyText}</MessageBarBody></MessageBar>}
      {notice && <MessageBar intent={notice.ok ? 'success' : 'error'} data-testid="watchlist-notice"><MessageBarBody>{notice.text}</MessageBarBody></MessageBar>}
      <section className={ps.card} aria-label="Definition">
        <dl className={s.dl}>
          {w.description && <><dt>Description</dt><dd style={{ margin: 0 }}>{w.description}</dd></>}
          <dt>Query</dt><dd style={{ margin: 0 }}><code>{watchlistQuery(w.watchlistAlias)}</code></dd>
          <dt>Search key</dt><dd style={{ margin: 0 }}><code>{w.itemsSearchKey}</code></dd>
          <dt>Columns</dt><dd style={{ margin: 0 }}>{cols.map((c) => <Badge key={c.name} appearance="tint" shape="rounded" color="informative" style={{ marginRight: 4 }}>{c.name}: {c.type}</Badge>)}</dd>
          <dt>Items</dt><dd style={{ margin: 0 }}>{w.itemCount.toLocaleString()}</dd>
          <dt>Source</dt><dd style={{ margin: 0 }}>{[w.provider, w.source].filter(Boolean).join(' · ') || '—'}</dd>
          <dt>Created</dt><dd style={{ margin: 0 }}>{fmtTime(w.created)}{w.createdBy ? ` by ${w.createdBy}` : ''}</dd>
          <dt>Updated</dt><dd style={{ margin: 0 }}>{fmtTime(w.updated)}</dd>
        </dl>
      </section>
      {items.error ? <ErrorBar error={items.error} title="The items could not be loaded" /> : !items.data ? <Spinner /> : (
        <ItemGrid items={items.data} cols={cols} sortKey={w.itemsSearchKey} canWrite={canWrite} onEdit={setEditing} onDelete={setRemoving} />
      )}
      {editing && (
        <ItemDialog watchlist={w} item={editing === 'new' ? null : editing} onClose={() => setEditing(null)}
          onSaved={(it, isNew) => { setEditing(null); setNotice({ ok: true, text: `${isNew ? 'Added' : 'Saved'} item ${it.itemsKeyValue[w.itemsSearchKey] ?? it.watchlistItemId}.` }); reload(); }}
          onDenied={denied} />
      )}
      {removing && (
        <Dialog open onOpenChange={(_, x) => { if (!x.open) setRemoving(null); }}>
          <DialogSurface><DialogBody>
            <DialogTitle>{removing === 'watchlist' ? `Delete the watchlist ${w.watchlistAlias}?` : `Delete the item ${removing.itemsKeyValue[w.itemsSearchKey] ?? removing.watchlistItemId}?`}</DialogTitle>
            <DialogContent>{removing === 'watchlist'
              ? `Its ${w.itemCount.toLocaleString()} items go with it, and queries and rules that call _GetWatchlist('${w.watchlistAlias}') will fail.`
              : 'Queries stop seeing it at once.'}</DialogContent>
            <DialogActions>
              <Button onClick={() => setRemoving(null)}>Cancel</Button>
              <Button appearance="primary" onClick={() => {
                const r = removing;
                setRemoving(null);
                if (r === 'watchlist') {
                  deleteWatchlist(w.watchlistAlias).then(() => void go('/watchlists'), (e: unknown) => failed('Not deleted', e));
                } else {
                  deleteItem(w.watchlistAlias, r.watchlistItemId).then(() => { setNotice({ ok: true, text: 'Deleted the item.' }); reload(); }, (e: unknown) => failed('Not deleted', e));
                }
              }}>Delete</Button>
            </DialogActions>
          </DialogBody></DialogSurface>
        </Dialog>
      )}
    </div>
  );
}

function ItemGrid({ items, cols, sortKey, canWrite, onEdit, onDelete }: {
  items: WatchlistItem[]; cols: WatchlistColumn[]; sortKey: string; canWrite: boolean; onEdit: (it: WatchlistItem) => void; onDelete: (it: WatchlistItem) => void;
}) {
  const s = useStyles();
  const ps = usePageStyles();
  const [find, setFind] = useState('');
  // Items in search key order, so that an edited item keeps its place.
  const shown = useMemo(() => {
    const f = find.trim().toLowerCase();
    const hit = f ? items.filter((it) => Object.values(it.itemsKeyValue).some((v) => v.toLowerCase().includes(f))) : [...items];
    return hit.sort((a, b) => collator.compare(a.itemsKeyValue[sortKey] ?? '', b.itemsKeyValue[sortKey] ?? ''));
  }, [items, find, sortKey]);
  const scroller = useRef<HTMLDivElement>(null);
  const virt = useVirtualizer({ count: shown.length, getScrollElement: () => scroller.current, estimateSize: () => rowHeight, overscan: 16 });
  const width = Math.max(600, cols.length * 140 + 170 + 72 + 16);
  return (
    <>
      <div className={ps.header}>
        <Input contentBefore={<Search20Regular />} placeholder="Find items" aria-label="Find items" value={find} onChange={(_, d) => setFind(d.value)} style={{ width: 280 }} />
        <Text className={ps.muted}>{shown.length === items.length ? `${items.length.toLocaleString()} items` : `${shown.length.toLocaleString()} of ${items.length.toLocaleString()} items`}</Text>
      </div>
      <div className={s.grid} role="grid" aria-label="Watchlist items" aria-rowcount={shown.length + 1}>
        <div ref={scroller} className={s.scroller}>
          <div className={mergeClasses(s.row, s.head)} role="row" style={{ minWidth: width }}>
            {cols.map((c) => <div key={c.name} role="columnheader" className={s.cell} title={`${c.name} (${c.type})`}>{c.name}</div>)}
            <div role="columnheader" className={mergeClasses(s.cell, s.fixed)}>Updated</div>
            <div role="columnheader" className={s.actions} aria-label="Item actions" />
          </div>
          {shown.length === 0 ? (
            <Empty title={items.length ? 'No items match' : 'This watchlist has no items'}>{items.length ? 'Change the text to find.' : canWrite ? 'Add one with Add item.' : ''}</Empty>
          ) : (
            <div style={{ height: virt.getTotalSize(), position: 'relative', minWidth: width }}>
              {virt.getVirtualItems().map((v) => {
                const it = shown[v.index];
                if (!it) return null;
                return (
                  <div key={it.watchlistItemId} role="row" data-item={it.watchlistItemId} className={s.row}
                    style={{ position: 'absolute', top: 0, left: 0, right: 0, transform: `translateY(${v.start}px)` }}>
                    {cols.map((c) => <div key={c.name} role="gridcell" className={s.cell} title={it.itemsKeyValue[c.name]}>{it.itemsKeyValue[c.name]}</div>)}
                    <div role="gridcell" className={mergeClasses(s.cell, s.fixed)}>{fmtTime(it.updated)}</div>
                    <div role="gridcell" className={s.actions}>
                      {canWrite && <>
                        <Button size="small" appearance="subtle" icon={<Edit20Regular />} aria-label={`Edit ${it.itemsKeyValue[cols[0]?.name ?? ''] ?? it.watchlistItemId}`} onClick={() => onEdit(it)} />
                        <Button size="small" appearance="subtle" icon={<Delete20Regular />} aria-label={`Delete ${it.itemsKeyValue[cols[0]?.name ?? ''] ?? it.watchlistItemId}`} onClick={() => onDelete(it)} />
                      </>}
                    </div>
                  </div>
                );
              })}
            </div>
          )}
        </div>
      </div>
    </>
  );
}

function ItemDialog({ watchlist, item, onClose, onSaved, onDenied }: {
  watchlist: Watchlist; item: WatchlistItem | null; onClose: () => void; onSaved: (it: WatchlistItem, isNew: boolean) => void; onDenied: () => void;
}) {
  const cols = watchlist.columns ?? [];
  const [vals, setVals] = useState<Record<string, string>>(() => Object.fromEntries(cols.map((c) => [c.name, item?.itemsKeyValue[c.name] ?? ''])));
  const [busy, setBusy] = useState(false);
  const [err, setErr] = useState('');
  const keyMissing = !(vals[watchlist.itemsSearchKey] ?? '').trim();
  const save = async () => {
    setBusy(true);
    setErr('');
    try {
      const it = item ? await replaceItem(watchlist.watchlistAlias, item.watchlistItemId, vals) : await addItem(watchlist.watchlistAlias, vals);
      onSaved(it, !item);
    } catch (e) {
      if (isForbidden(e)) onDenied();
      setErr(errorText(e));
    } finally {
      setBusy(false);
    }
  };
  return (
    <Dialog open onOpenChange={(_, x) => { if (!x.open && !busy) onClose(); }}>
      <DialogSurface style={{ maxWidth: 560 }}>
        <form onSubmit={(e) => { e.preventDefault(); void save(); }}>
          <DialogBody>
            <DialogTitle>{item ? 'Edit item' : `Add an item to ${watchlist.watchlistAlias}`}</DialogTitle>
            <DialogContent style={{ display: 'flex', flexDirection: 'column', gap: 8, maxHeight: '60vh', overflowY: 'auto' }}>
              {cols.map((c) => {
                const v = vals[c.name] ?? '';
                const warn = valueProblem(v, c.type);
                const isKey = c.name === watchlist.itemsSearchKey;
                return (
                  <Field key={c.name} label={`${c.name} (${c.type})${isKey ? ', the search key' : ''}`} validationState={warn ? 'warning' : 'none'} validationMessage={warn || undefined}>
                    <Input value={v} onChange={(_, x) => setVals((o) => ({ ...o, [c.name]: x.value }))} />
                  </Field>
                );
              })}
              {keyMissing && <Text size={200} style={{ color: tokens.colorPaletteDarkOrangeForeground1 }}>The search key is empty: joins on SearchKey will not find this item.</Text>}
              {err && <MessageBar intent="error" role="alert"><MessageBarBody>{err}</MessageBarBody></MessageBar>}
            </DialogContent>
            <DialogActions>
              <Button onClick={onClose} disabled={busy}>Cancel</Button>
              <Button appearance="primary" type="submit" disabled={busy} icon={busy ? <Spinner size="tiny" /> : undefined}>{item ? 'Save' : 'Add'}</Button>
            </DialogActions>
          </DialogBody>
        </form>
      </DialogSurface>
    </Dialog>
  );
}
