// Watchlists (Sentinel's): the tenant's named lists made from a CSV, which queries read with
// _GetWatchlist('alias'). The list, creating one from a CSV, and (WatchlistPage) a
// watchlist's items. Reading needs data:read; changing, rules:write: without it the page is
// read-only.
import { useState } from 'react';
import { useNavigate } from 'react-router-dom';
import {
  Badge, Button, MessageBar, MessageBarBody, Spinner, Table, TableBody, TableCell, TableHeader, TableHeaderCell, TableRow, Text, Tooltip,
} from '@fluentui/react-components';
import { Add20Regular, TableSearch20Regular } from '@fluentui/react-icons';
import { useAsync } from '../lib/useAsync';
import { canWriteWatchlists, huntingLink, listWatchlists } from '../lib/watchlists';
import { Empty, ErrorBar, fmtTime, usePageStyles } from './common';
import { CreateWatchlistDialog } from './WatchlistCreate';

/** readOnlyText says why the page does not offer changes. */
export const readOnlyText = 'You can read watchlists here; creating and changing them needs the rules:write permission (Detection engineer or Security administrator).';

/** useWatchlistWrite is whether the caller may change watchlists: what the server's
 * permissions say, until a change answers 403 (then not). */
export function useWatchlistWrite(): { canWrite: boolean; denied: () => void } {
  const perms = useAsync((sig) => canWriteWatchlists(sig), []);
  const [refused, setRefused] = useState(false);
  return { canWrite: !refused && perms.data !== false, denied: () => setRefused(true) };
}

export function Watchlists() {
  const ps = usePageStyles();
  const go = useNavigate();
  const list = useAsync((sig) => listWatchlists(sig), []);
  const { canWrite, denied } = useWatchlistWrite();
  const [creating, setCreating] = useState(false);
  const rows = list.data ?? [];
  return (
    <div className={ps.page}>
      <div className={ps.header}>
        <h1 className={ps.title}>Watchlists</h1>
        <span style={{ flex: 1 }} />
        {list.data && <Text className={ps.muted}>{rows.length} watchlist{rows.length === 1 ? '' : 's'}</Text>}
        <Tooltip content={canWrite ? 'Create a watchlist from a CSV' : readOnlyText} relationship="description">
          <Button appearance="primary" icon={<Add20Regular />} disabled={!canWrite} onClick={() => setCreating(true)}>New watchlist</Button>
        </Tooltip>
      </div>
      <Text className={ps.muted}>Named lists from a CSV (VIP users, high-value assets, known scanners) that queries and rules read with <code>_GetWatchlist('alias')</code>.</Text>
      {!canWrite && <MessageBar intent="info" data-testid="watchlists-readonly"><MessageBarBody>{readOnlyText}</MessageBarBody></MessageBar>}
      {list.error ? <ErrorBar error={list.error} title="The watchlists could not be loaded" /> : list.loading && !list.data ? <Spinner /> : rows.length === 0 ? (
        <Empty title="No watchlists yet">{canWrite ? 'Create one from a CSV: its header row names the columns, and one column is the search key to join on.' : 'None has been created in this tenant.'}</Empty>
      ) : (
        <div className={ps.card} style={{ overflowX: 'auto' }}>
          <Table size="small" aria-label="Watchlists">
            <TableHeader><TableRow>
              <TableHeaderCell>Alias</TableHeaderCell><TableHeaderCell>Name</TableHeaderCell><TableHeaderCell>Search key</TableHeaderCell>
              <TableHeaderCell style={{ width: 90 }}>Items</TableHeaderCell><TableHeaderCell>Updated</TableHeaderCell><TableHeaderCell style={{ width: 90 }} />
            </TableRow></TableHeader>
            <TableBody>
              {rows.map((w) => (
                <TableRow key={w.watchlistAlias} data-watchlist={w.watchlistAlias} style={{ cursor: 'pointer' }}
                  onClick={() => void go(`/watchlists/${encodeURIComponent(w.watchlistAlias)}`)}>
                  <TableCell><a href={`/watchlists/${encodeURIComponent(w.watchlistAlias)}`} onClick={(e) => e.preventDefault()} style={{ fontFamily: 'monospace' }}>{w.watchlistAlias}</a></TableCell>
                  <TableCell title={w.description}>{w.displayName}</TableCell>
                  <TableCell><Badge appearance="outline" shape="rounded">{w.itemsSearchKey}</Badge></TableCell>
                  <TableCell>{w.itemCount.toLocaleString()}</TableCell>
                  <TableCell>{fmtTime(w.updated)}</TableCell>
                  <TableCell>
                    <Button size="small" appearance="subtle" icon={<TableSearch20Regular />} aria-label={`Query ${w.watchlistAlias}`}
                      onClick={(e) => { e.stopPropagation(); void go(huntingLink(w.watchlistAlias)); }}>Query</Button>
                  </TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
        </div>
      )}
      {creating && (
        <CreateWatchlistDialog taken={rows.map((w) => w.watchlistAlias)} onClose={() => setCreating(false)} onDenied={denied}
          onCreated={(w) => { setCreating(false); void go(`/watchlists/${encodeURIComponent(w.watchlistAlias)}`); }} />
      )}
    </div>
  );
}
