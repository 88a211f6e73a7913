// The KQL editor: Monaco with the official Kusto language service (@kusto/monaco-kusto) fed
// with Vigil's schema for completion and hover, and our server's diagnostics as markers.
// This module, Monaco and the language service worker load only when the hunting page opens.
import { useEffect, useRef } from 'react';
import * as monaco from 'monaco-editor/esm/vs/editor/edcore.main';
import { getKustoWorker, themeNames } from '@kusto/monaco-kusto';
import EditorWorker from 'monaco-editor/esm/vs/editor/editor.worker?worker';
import KustoWorker from '../workers/kusto.worker?worker';
import type { Marker } from '../lib/diagnostics';
import type { TableInfo } from '../lib/types';
import { aliasInsertText, watchlistArgument, watchlistFunction, type Watchlist } from '../lib/watchlists';

window.MonacoEnvironment = {
  getWorker: (_id: string, label: string) => (label === 'kusto' ? new KustoWorker() : new EditorWorker()),
};

/** kustoSchema is Vigil's schema in the shape the Kusto language service takes: the tables,
 * and _GetWatchlist() over the tenant's watchlists. */
export function kustoSchema(tables: TableInfo[], watchlists: Watchlist[] = []) {
  const database = {
    name: 'Vigil', alternateName: 'Vigil', majorVersion: 1, minorVersion: 0, functions: [watchlistFunction(watchlists)], entityGroups: [],
    tables: tables.map((t) => ({ name: t.name, docstring: t.description ?? '', columns: (t.columns ?? []).map((c) => ({ name: c.name, type: c.type })) })),
  };
  return { clusterType: 'Engine' as const, cluster: { connectionString: 'https://vigil.local', databases: [database] }, database };
}

export interface EditorProps {
  value: string;
  onChange: (v: string) => void;
  onRun: () => void;
  markers: Marker[];
  tables: TableInfo[] | undefined;
  /** watchlists complete inside _GetWatchlist(' and give the function its columns. */
  watchlists: Watchlist[] | undefined;
  dark: boolean;
  /** insert puts text at the cursor (replacing the selection) each time it changes. */
  insert: { text: string } | null;
  /** jumpTo moves the cursor to a marker when it changes. */
  jumpTo: Marker | null;
}

const owner = 'vigil';

export default function KustoEditor({ value, onChange, onRun, markers, tables, watchlists, dark, jumpTo, insert }: EditorProps) {
  const box = useRef<HTMLDivElement>(null);
  const ed = useRef<monaco.editor.IStandaloneCodeEditor | null>(null);
  const runRef = useRef(onRun);
  const changeRef = useRef(onChange);
  const listsRef = useRef<Watchlist[]>([]);
  useEffect(() => { runRef.current = onRun; changeRef.current = onChange; listsRef.current = watchlists ?? []; });

  // The Kusto language service sees an alias as a plain string: this provider (merged with
  // the service's by Monaco) offers the tenant's aliases inside _GetWatchlist(' and ".
  useEffect(() => {
    const reg = monaco.languages.registerCompletionItemProvider('kusto', {
      triggerCharacters: ["'", '"'],
      provideCompletionItems: (model, pos) => {
        const line = model.getLineContent(pos.lineNumber);
        const arg = watchlistArgument(line.slice(0, pos.column - 1));
        if (!arg) return { suggestions: [] };
        const range = new monaco.Range(pos.lineNumber, pos.column - arg.typed.length, pos.lineNumber, pos.column);
        const after = line.slice(pos.column - 1);
        return {
          suggestions: listsRef.current.map((w) => ({
            label: w.watchlistAlias, kind: monaco.languages.CompletionItemKind.Value, range, sortText: `0${w.watchlistAlias}`,
            insertText: aliasInsertText(w.watchlistAlias, arg.quote, after),
            detail: `watchlist: ${w.displayName}`,
            documentation: `${w.itemCount} items; search key ${w.itemsSearchKey}; columns ${(w.columns ?? []).map((c) => `${c.name}:${c.type}`).join(', ')}`,
          })),
        };
      },
    });
    return () => reg.dispose();
  }, []);

  useEffect(() => {
    if (!box.current) return;
    const model = monaco.editor.createModel(value, 'kusto');
    const e = monaco.editor.create(box.current, {
      model, automaticLayout: true, minimap: { enabled: false }, fontSize: 13, scrollBeyondLastLine: false, wordWrap: 'on',
      theme: dark ? themeNames.dark : themeNames.light, fixedOverflowWidgets: true, renderLineHighlight: 'line', tabSize: 2,
      ariaLabel: 'Query editor. Shift+Enter or Ctrl+Enter runs the query.',
    });
    e.addCommand(monaco.KeyMod.Shift | monaco.KeyCode.Enter, () => runRef.current());
    e.addCommand(monaco.KeyMod.CtrlCmd | monaco.KeyCode.Enter, () => runRef.current());
    const sub = model.onDidChangeContent(() => {
      monaco.editor.setModelMarkers(model, owner, []); // the server's markers are for the text it saw
      changeRef.current(model.getValue());
    });
    ed.current = e;
    e.focus();
    return () => { sub.dispose(); e.dispose(); model.dispose(); ed.current = null; };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);

  useEffect(() => {
    const e = ed.current;
    if (!e || !jumpTo) return;
    e.setPosition({ lineNumber: jumpTo.startLineNumber, column: jumpTo.startColumn });
    e.revealLineInCenter(jumpTo.startLineNumber);
    e.focus();
  }, [jumpTo]);

  useEffect(() => {
    const e = ed.current;
    if (!e || !insert) return;
    const sel = e.getSelection();
    if (sel) e.executeEdits('vigil', [{ range: sel, text: insert.text, forceMoveMarkers: true }]);
    e.focus();
  }, [insert]);

  useEffect(() => { monaco.editor.setTheme(dark ? themeNames.dark : themeNames.light); }, [dark]);

  useEffect(() => {
    const m = ed.current?.getModel();
    if (m && m.getValue() !== value) m.setValue(value);
  }, [value]);

  useEffect(() => {
    const m = ed.current?.getModel();
    const sev = (n: Marker['severity']): monaco.MarkerSeverity =>
      n === 8 ? monaco.MarkerSeverity.Error : n === 4 ? monaco.MarkerSeverity.Warning : monaco.MarkerSeverity.Info;
    // The enum is re-exported through edcore.main's declaration, which the rule sees as another type.
    // eslint-disable-next-line @typescript-eslint/no-unsafe-enum-assignment
    if (m) monaco.editor.setModelMarkers(m, owner, markers.map((k) => ({ ...k, severity: sev(k.severity) })));
  }, [markers]);

  useEffect(() => {
    const m = ed.current?.getModel();
    if (!m || !tables) return;
    const st = { stop: false };
    void (async () => {
      try {
        const accessor = await getKustoWorker();
        const worker = await accessor(m.uri);
        if (!st.stop) await worker.setSchema(kustoSchema(tables, watchlists));
      } catch (err) {
        console.warn('kusto language service: schema not set', err);
      }
    })();
    return () => { st.stop = true; };
  }, [tables, watchlists]);

  return <div ref={box} data-testid="kql-editor" style={{ height: '100%', minHeight: 160 }} />;
}
