// The dialog that creates a watchlist from an uploaded or pasted CSV. The CSV is read here too
// (lib/watchlists parseCsv) to offer its columns as the search key and for type overrides and
// to point at rows that will not do; the server decides, and its error is shown at the field
// it is about, with the CSV line it names.
import { useMemo, useRef, useState } from 'react';
import {
  Button, Dialog, DialogActions, DialogBody, DialogContent, DialogSurface, DialogTitle, Field, Input, MessageBar, MessageBarBody, Select, Spinner,
  Text, Textarea, tokens,
} from '@fluentui/react-components';
import { ArrowUpload20Regular } from '@fluentui/react-icons';
import { errorText } from '../lib/api';
import {
  aliasProblem, columnTypes, isForbidden, createWatchlist, csvErrorLine, errorField, guessTypes, lineOf, parseCsv, type FormField, type Watchlist,
  type WatchlistDraft,
} from '../lib/watchlists';

export interface CreateProps {
  /** taken are the aliases in use, to say so before the server does. */
  taken: string[];
  onClose: () => void;
  onCreated: (w: Watchlist) => void;
  /** onDenied is called when the server answers 403: the caller lacks rules:write. */
  onDenied: () => void;
}

const emptyDraft: WatchlistDraft = { alias: '', name: '', description: '', searchKey: '', csv: '', source: '', types: {} };

export function CreateWatchlistDialog({ taken, onClose, onCreated, onDenied }: CreateProps) {
  const [d, setD] = useState<WatchlistDraft>(emptyDraft);
  const [busy, setBusy] = useState(false);
  const [err, setErr] = useState<{ field: FormField; text: string } | null>(null);
  const [touched, setTouched] = useState(false);
  const file = useRef<HTMLInputElement>(null);
  const preview = useMemo(() => (d.csv.trim() ? parseCsv(d.csv) : null), [d.csv]);
  const guessed = useMemo(() => (preview ? guessTypes(preview) : {}), [preview]);
  const header = preview?.header ?? [];
  const update = (p: Partial<WatchlistDraft>) => {
    setD((old) => ({ ...old, ...p }));
    // An error the server gave is about the text it saw: editing that field clears it.
    if (err && (err.field === 'form' || Object.keys(p).some((k) => k === err.field || (k === 'csv' && err.field === 'types')))) setErr(null);
  };
  const setCsv = (csv: string, source: string) => {
    const head = csv.trim() ? parseCsv(csv).header : [];
    update({ csv, source, searchKey: head.includes(d.searchKey) ? d.searchKey : (head[0] ?? ''),
      types: Object.fromEntries(Object.entries(d.types).filter(([k]) => head.includes(k))) });
  };
  const aliasHint = aliasProblem(d.alias) || (taken.some((t) => t.toLowerCase() === d.alias.trim().toLowerCase()) ? `The alias ${d.alias.trim()} is in use in this tenant.` : '');
  const at = (f: FormField) => (err?.field === f ? err.text : '');
  const submit = async () => {
    setTouched(true);
    if (aliasProblem(d.alias) || !d.csv.trim() || !d.searchKey) return;
    setBusy(true);
    setErr(null);
    try {
      onCreated(await createWatchlist(d));
    } catch (e) {
      if (isForbidden(e)) onDenied();
      setErr({ field: isForbidden(e) ? 'form' : errorField(e), text: errorText(e) });
    } finally {
      setBusy(false);
    }
  };
  const csvLine = err?.field === 'csv' ? csvErrorLine(err.text) : 0;
  return (
    <Dialog open onOpenChange={(_, x) => { if (!x.open && !busy) onClose(); }}>
      <DialogSurface style={{ maxWidth: 760 }}>
        <form noValidate onSubmit={(e) => { e.preventDefault(); void submit(); }}>
          <DialogBody>
            <DialogTitle>New watchlist</DialogTitle>
            <DialogContent style={{ display: 'flex', flexDirection: 'column', gap: 10 }}>
              <div style={{ display: 'grid', gridTemplateColumns: '1fr 1fr', gap: 10 }}>
                <Field label="Alias" required hint={at('alias') ? undefined : "What queries name: _GetWatchlist('alias')"}
                  validationState={at('alias') || (touched && aliasHint) ? 'error' : aliasHint && d.alias ? 'warning' : 'none'}
                  validationMessage={at('alias') || (touched || d.alias ? aliasHint : '') || undefined}>
                  <Input value={d.alias} onChange={(_, x) => update({ alias: x.value })} placeholder="HighValueAssets" autoFocus />
                </Field>
                <Field label="Name" validationState={at('name') ? 'error' : 'none'} validationMessage={at('name') || undefined} hint="Defaults to the alias">
                  <Input value={d.name} onChange={(_, x) => update({ name: x.value })} />
                </Field>
              </div>
              <Field label="Description" validationState={at('description') ? 'error' : 'none'} validationMessage={at('description') || undefined}>
                <Input value={d.description} onChange={(_, x) => update({ description: x.value })} />
              </Field>
              <Field label="CSV" required validationState={at('csv') || (touched && !d.csv.trim()) ? 'error' : preview?.problems.length ? 'warning' : 'none'}
                validationMessage={at('csv') ? <span data-testid="csv-error">{at('csv')}{csvLine > 0 && <><br />line {csvLine}: <code>{lineOf(d.csv, csvLine) || '(empty)'}</code></>}</span>
                  : touched && !d.csv.trim() ? 'Paste the CSV or upload a file: its header row names the columns.'
                    : preview?.problems.length ? <span data-testid="csv-problems">{preview.problems.slice(0, 3).map((p) => `line ${p.line}: ${p.message}`).join('; ')}{preview.problems.length > 3 ? ` (and ${preview.problems.length - 3} more)` : ''}</span>
                      : preview ? `${header.length} column${header.length === 1 ? '' : 's'}, ${preview.rows.length.toLocaleString()} item${preview.rows.length === 1 ? '' : 's'}${d.source ? ` from ${d.source}` : ''}` : undefined}>
                <Textarea value={d.csv} onChange={(_, x) => setCsv(x.value, d.source)} resize="vertical" rows={6} placeholder={'Hostname,Owner,Tier\nsrv-db-01,carol,1'}
                  textarea={{ style: { fontFamily: tokens.fontFamilyMonospace, fontSize: 12 }, 'aria-label': 'CSV' }} />
              </Field>
              <div style={{ display: 'flex', gap: 8, alignItems: 'center' }}>
                <input ref={file} type="file" accept=".csv,text/csv,text/plain" hidden data-testid="watchlist-csv-file"
                  onChange={(e) => { const f = e.target.files?.[0]; e.target.value = ''; if (f) void f.text().then((t) => setCsv(t, f.name)); }} />
                <Button icon={<ArrowUpload20Regular />} onClick={() => file.current?.click()}>Upload CSV</Button>
                <Text size={200} style={{ color: tokens.colorNeutralForeground3 }}>or paste it above; the first row names the columns.</Text>
              </div>
              <Field label="Search key" required hint="The column each item's SearchKey copies: the one to join on"
                validationState={at('searchKey') || (touched && !d.searchKey) ? 'error' : 'none'}
                validationMessage={at('searchKey') || (touched && !d.searchKey ? 'Pick the column to join on.' : undefined)}>
                <Select value={d.searchKey} disabled={header.length === 0} onChange={(_, x) => update({ searchKey: x.value })}>
                  {header.length === 0 ? <option value="">The CSV's columns appear here</option> : header.map((h) => <option key={h} value={h}>{h}</option>)}
                </Select>
              </Field>
              {header.length > 0 && (
                <Field label="Column types" hint="The server guesses each column's type from its values; override one to keep an id like 007 a string."
                  validationState={at('types') ? 'error' : 'none'} validationMessage={at('types') || undefined}>
                  <div style={{ display: 'grid', gridTemplateColumns: 'minmax(120px, 1fr) 200px', gap: '4px 12px', maxHeight: 180, overflowY: 'auto', alignItems: 'center' }}>
                    {header.map((h) => (
                      <div key={h} style={{ display: 'contents' }}>
                        <Text style={{ fontFamily: tokens.fontFamilyMonospace, overflow: 'hidden', textOverflow: 'ellipsis' }} title={h}>{h}</Text>
                        <Select size="small" aria-label={`Type of ${h}`} value={d.types[h] ?? ''} onChange={(_, x) => update({ types: { ...d.types, [h]: x.value } })}>
                          <option value="">Guess ({guessed[h] ?? 'string'})</option>
                          {columnTypes.map((t) => <option key={t} value={t}>{t}</option>)}
                        </Select>
                      </div>
                    ))}
                  </div>
                </Field>
              )}
              {err?.field === 'form' && <MessageBar intent="error" role="alert"><MessageBarBody>{err.text}</MessageBarBody></MessageBar>}
            </DialogContent>
            <DialogActions>
              <Button onClick={onClose} disabled={busy}>Cancel</Button>
              <Button appearance="primary" type="submit" disabled={busy} icon={busy ? <Spinner size="tiny" /> : undefined}>Create</Button>
            </DialogActions>
          </DialogBody>
        </form>
      </DialogSurface>
    </Dialog>
  );
}
