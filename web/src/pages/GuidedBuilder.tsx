// Guided hunting: build a query from a table, filter rows (column, operator by type, value),
// a time range and an optional summarize, with the KQL it makes shown live.
import { useMemo } from 'react';
import { Button, Field, Input, makeStyles, MessageBar, MessageBarBody, Select, Text, tokens } from '@fluentui/react-components';
import { Add16Regular, Delete16Regular, Edit16Regular, Play16Filled } from '@fluentui/react-icons';
import { bins, buildKql, operatorsFor, timeColumn, timeRanges, type Aggregation, type GuidedQuery } from '../lib/guided';
import type { TableInfo } from '../lib/types';

const useStyles = makeStyles({
  root: { display: 'flex', flexDirection: 'column', gap: '8px', padding: '8px 12px', border: `1px solid ${tokens.colorNeutralStroke1}`, borderRadius: tokens.borderRadiusMedium,
    boxSizing: 'border-box' },
  row: { display: 'flex', gap: '8px', alignItems: 'end', flexWrap: 'wrap' },
  kql: { fontFamily: tokens.fontFamilyMonospace, fontSize: tokens.fontSizeBase200, whiteSpace: 'pre-wrap', margin: 0, padding: '6px 8px',
    backgroundColor: tokens.colorNeutralBackground3, borderRadius: tokens.borderRadiusMedium },
});

export interface GuidedBuilderProps {
  tables: TableInfo[];
  value: GuidedQuery;
  onChange: (g: GuidedQuery) => void;
  onRun: (kql: string) => void;
  onEdit: (kql: string) => void;
  running: boolean;
}

export function GuidedBuilder({ tables, value: g, onChange, onRun, onEdit, running }: GuidedBuilderProps) {
  const s = useStyles();
  const table = tables.find((t) => t.name === g.table);
  const cols = useMemo(() => table?.columns ?? [], [table]);
  const built = useMemo(() => buildKql(g, cols), [g, cols]);
  const sorted = useMemo(() => [...tables].sort((a, b) => (b.rows > 0 ? 1 : 0) - (a.rows > 0 ? 1 : 0) || a.name.localeCompare(b.name)), [tables]);
  const set = (p: Partial<GuidedQuery>) => onChange({ ...g, ...p });
  const setFilter = (i: number, p: Partial<GuidedQuery['filters'][number]>) => set({ filters: g.filters.map((f, j) => (j === i ? { ...f, ...p } : f)) });
  const tc = timeColumn(cols);
  return (
    <div className={s.root} data-testid="guided">
      <div className={s.row}>
        <Field label="Table" style={{ minWidth: 240 }}>
          <Select aria-label="Table" value={g.table} onChange={(_, d) => set({ table: d.value, filters: [], by: [], dcountColumn: '' })}>
            <option value="">Pick a table</option>
            {sorted.map((t) => <option key={t.name} value={t.name}>{t.name}{t.rows > 0 ? ` (${t.rows.toLocaleString()} rows)` : ''}</option>)}
          </Select>
        </Field>
        <Field label={tc ? `Time range (${tc})` : 'Time range'}>
          <Select aria-label="Time range" value={g.range} disabled={!!table && !tc} onChange={(_, d) => set({ range: d.value })}>
            {timeRanges.map((r) => <option key={r.value} value={r.value}>{r.label}</option>)}
          </Select>
        </Field>
        <Field label="Summarize">
          <Select aria-label="Summarize" value={g.aggregation} onChange={(_, d) => set({ aggregation: d.value as Aggregation })}>
            <option value="none">No: show rows</option>
            <option value="count">count()</option>
            <option value="dcount">dcount(column)</option>
          </Select>
        </Field>
        {g.aggregation === 'none' && (
          <Field label="Rows"><Input type="number" aria-label="Row limit" value={String(g.limit)} style={{ width: 90 }} onChange={(_, d) => set({ limit: Number(d.value) || 100 })} /></Field>
        )}
        {g.aggregation === 'dcount' && (
          <Field label="Distinct values of">
            <Select aria-label="Distinct column" value={g.dcountColumn} onChange={(_, d) => set({ dcountColumn: d.value })}>
              <option value="">Pick a column</option>
              {cols.map((c) => <option key={c.name} value={c.name}>{c.name}</option>)}
            </Select>
          </Field>
        )}
        {g.aggregation !== 'none' && tc && (
          <Field label={`Over time (bin ${tc})`}>
            <Select aria-label="Time bin" value={g.bin} onChange={(_, d) => set({ bin: d.value })}>
              <option value="">No</option>
              {bins.map((b) => <option key={b} value={b}>{b}</option>)}
            </Select>
          </Field>
        )}
        {g.aggregation !== 'none' && (
          <Field label="By columns">
            <Select aria-label="Add a by column" value="" onChange={(_, d) => { if (d.value && !g.by.includes(d.value)) set({ by: [...g.by, d.value] }); }}>
              <option value="">{g.by.length ? g.by.join(', ') : 'Add a column'}</option>
              {cols.filter((c) => !g.by.includes(c.name)).map((c) => <option key={c.name} value={c.name}>{c.name}</option>)}
            </Select>
          </Field>
        )}
        {g.by.length > 0 && g.aggregation !== 'none' && <Button size="small" onClick={() => set({ by: [] })}>Clear by</Button>}
      </div>
      {g.filters.map((f, i) => {
        const col = cols.find((c) => c.name === f.column);
        const opsList = col ? operatorsFor(col.type) : [];
        const op = opsList.find((o) => o.op === f.op);
        return (
          <div key={i} className={s.row} data-testid="guided-filter">
            <Text size={200} style={{ width: 40 }}>{i === 0 ? 'where' : 'and'}</Text>
            <Select aria-label={`Filter ${i + 1} column`} value={f.column} style={{ minWidth: 200 }}
              onChange={(_, d) => { const c = cols.find((x) => x.name === d.value); setFilter(i, { column: d.value, op: c ? operatorsFor(c.type)[0]?.op ?? '' : '' }); }}>
              <option value="">Column</option>
              {cols.map((c) => <option key={c.name} value={c.name}>{c.name} ({c.type})</option>)}
            </Select>
            <Select aria-label={`Filter ${i + 1} operator`} value={f.op} disabled={!col} onChange={(_, d) => setFilter(i, { op: d.value })}>
              {opsList.map((o) => <option key={o.op} value={o.op}>{o.label}</option>)}
            </Select>
            {op?.arity !== 0 && (
              <Input aria-label={`Filter ${i + 1} value`} value={f.value} style={{ minWidth: 200 }} onChange={(_, d) => setFilter(i, { value: d.value })}
                placeholder={op?.arity === -1 ? 'a, b, c' : col && col.type === 'datetime' ? '2026-01-31 or 3d' : 'value'} />
            )}
            <Button size="small" appearance="subtle" icon={<Delete16Regular />} aria-label={`Remove filter ${i + 1}`} onClick={() => set({ filters: g.filters.filter((_, j) => j !== i) })} />
          </div>
        );
      })}
      <div className={s.row}>
        <Button size="small" icon={<Add16Regular />} disabled={!table} onClick={() => set({ filters: [...g.filters, { column: '', op: '', value: '' }] })}>Add filter</Button>
        <span style={{ flex: 1 }} />
        <Button size="small" icon={<Edit16Regular />} disabled={!built.kql} onClick={() => onEdit(built.kql)}>Edit in advanced mode</Button>
        <Button size="small" appearance="primary" icon={<Play16Filled />} disabled={!!built.error || running} onClick={() => onRun(built.kql)}>Run guided query</Button>
      </div>
      {built.error && g.table && <MessageBar intent="warning"><MessageBarBody>{built.error}</MessageBarBody></MessageBar>}
      <pre className={s.kql} aria-label="Generated KQL" data-testid="guided-kql">{built.kql || '// Pick a table to start'}</pre>
    </div>
  );
}
