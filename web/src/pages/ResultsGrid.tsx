// The hunting results grid: rows virtualized (100k rows stay smooth), columns sortable and
// resizable, rows selectable for copying, CSV export.
import { useMemo, useRef, useState, type PointerEvent as RPointerEvent } from 'react';
import { useVirtualizer } from '@tanstack/react-virtual';
import { Button, makeStyles, Text, tokens, Toolbar, ToolbarButton } from '@fluentui/react-components';
import { ArrowDown16Regular, ArrowDownload20Regular, ArrowUp16Regular, Copy20Regular } from '@fluentui/react-icons';
import { cellText, toCSV, toTSV } from '../lib/csv';

const rowHeight = 30;

const useStyles = makeStyles({
  wrap: { display: 'flex', flexDirection: 'column', minHeight: 0, flex: 1, border: `1px solid ${tokens.colorNeutralStroke2}`, backgroundColor: tokens.colorNeutralBackground1 },
  scroller: { overflow: 'auto', flex: 1, minHeight: '200px', position: 'relative', fontSize: tokens.fontSizeBase200 },
  head: { display: 'flex', position: 'sticky', top: 0, zIndex: 1, backgroundColor: tokens.colorNeutralBackground3, borderBottom: `1px solid ${tokens.colorNeutralStroke1}` },
  hcell: { position: 'relative', flexShrink: 0, display: 'flex', alignItems: 'center', boxSizing: 'border-box', height: `${rowHeight}px`, borderRight: `1px solid ${tokens.colorNeutralStroke2}` },
  sortBtn: { minWidth: 0, flex: 1, justifyContent: 'flex-start', overflow: 'hidden', whiteSpace: 'nowrap', fontWeight: tokens.fontWeightSemibold },
  resizer: { position: 'absolute', right: '-3px', top: 0, bottom: 0, width: '6px', cursor: 'col-resize', zIndex: 2, ':hover': { backgroundColor: tokens.colorBrandStroke1 } },
  row: { display: 'flex', position: 'absolute', left: 0, height: `${rowHeight}px`, borderBottom: `1px solid ${tokens.colorNeutralStroke3}`, cursor: 'default',
    ':hover': { backgroundColor: tokens.colorNeutralBackground1Hover } },
  sel: { backgroundColor: tokens.colorNeutralBackground1Selected },
  cell: { flexShrink: 0, padding: '0 8px', boxSizing: 'border-box', overflow: 'hidden', textOverflow: 'ellipsis', whiteSpace: 'nowrap', lineHeight: `${rowHeight}px`, fontFamily: tokens.fontFamilyMonospace },
});

export interface GridProps {
  columns: { Name: string; Type: string }[];
  rows: Record<string, unknown>[];
  fileName?: string;
}

/** sortRows orders rows by one column: numbers as numbers, the rest as text; empty last. */
export function sortRows(rows: Record<string, unknown>[], col: string, desc: boolean): Record<string, unknown>[] {
  const sign = desc ? -1 : 1;
  return [...rows].sort((a, b) => {
    const x = a[col];
    const y = b[col];
    const ex = x === null || x === undefined || x === '';
    const ey = y === null || y === undefined || y === '';
    if (ex || ey) return ex === ey ? 0 : ex ? 1 : -1;
    if (typeof x === 'number' && typeof y === 'number') return sign * (x - y);
    return sign * cellText(x).localeCompare(cellText(y), undefined, { numeric: true });
  });
}

export function download(name: string, text: string, type: string): void {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

export function ResultsGrid({ columns, rows, fileName = 'hunting-results.csv' }: GridProps) {
  const s = useStyles();
  const names = useMemo(() => columns.map((c) => c.Name), [columns]);
  const [sort, setSort] = useState<{ col: string; desc: boolean } | null>(null);
  const [widths, setWidths] = useState<Record<string, number>>({});
  const [selected, setSelected] = useState<Set<number>>(new Set());
  const [note, setNote] = useState('');
  const sorted = useMemo(() => (sort ? sortRows(rows, sort.col, sort.desc) : rows), [rows, sort]);
  const scroller = useRef<HTMLDivElement>(null);
  const virt = useVirtualizer({ count: sorted.length, getScrollElement: () => scroller.current, estimateSize: () => rowHeight, overscan: 20 });
  const width = (c: { Name: string; Type: string }) => widths[c.Name] ?? (c.Type === 'datetime' ? 210 : c.Type === 'string' || c.Type === 'dynamic' ? 220 : 110);
  const total = columns.reduce((n, c) => n + width(c), 0);

  const startResize = (e: RPointerEvent, col: { Name: string; Type: string }) => {
    e.preventDefault();
    e.stopPropagation();
    const x0 = e.clientX;
    const w0 = width(col);
    const move = (ev: PointerEvent) => setWidths((w) => ({ ...w, [col.Name]: Math.max(48, w0 + ev.clientX - x0) }));
    const up = () => { window.removeEventListener('pointermove', move); window.removeEventListener('pointerup', up); };
    window.addEventListener('pointermove', move);
    window.addEventListener('pointerup', up);
  };
  const copy = async () => {
    const pick = selected.size ? sorted.filter((_, i) => selected.has(i)) : sorted;
    try {
      await navigator.clipboard.writeText(toTSV(names, pick));
      setNote(`Copied ${pick.length} row(s).`);
    } catch {
      setNote('The browser refused the clipboard.');
    }
  };
  const clickRow = (i: number, additive: boolean) => setSelected((old) => {
    const n = new Set(additive ? old : []);
    if (additive && n.has(i)) n.delete(i); else n.add(i);
    return n;
  });

  return (
    <div className={s.wrap}>
      <Toolbar size="small" aria-label="Results">
        <Text style={{ alignSelf: 'center', marginRight: 8 }}>{rows.length.toLocaleString()} rows</Text>
        <ToolbarButton icon={<Copy20Regular />} onClick={() => void copy()}>{selected.size ? `Copy ${selected.size} selected` : 'Copy all'}</ToolbarButton>
        <ToolbarButton icon={<ArrowDownload20Regular />} onClick={() => download(fileName, toCSV(names, sorted), 'text/csv;charset=utf-8')}>Export CSV</ToolbarButton>
        {note && <Text size={200} style={{ alignSelf: 'center' }} role="status">{note}</Text>}
      </Toolbar>
      <div ref={scroller} className={s.scroller} role="grid" aria-label="Query results" aria-rowcount={sorted.length + 1} aria-colcount={columns.length}>
        <div className={s.head} role="row" style={{ width: total }}>
          {columns.map((c) => (
            <div key={c.Name} className={s.hcell} style={{ width: width(c) }} role="columnheader"
              aria-sort={sort?.col === c.Name ? (sort.desc ? 'descending' : 'ascending') : 'none'}>
              <Button appearance="transparent" size="small" className={s.sortBtn} title={`${c.Name} (${c.Type})`}
                icon={sort?.col === c.Name ? (sort.desc ? <ArrowDown16Regular /> : <ArrowUp16Regular />) : undefined} iconPosition="after"
                onClick={() => setSort((o) => (o?.col === c.Name ? (o.desc ? null : { col: c.Name, desc: true }) : { col: c.Name, desc: false }))}>
                {c.Name}
              </Button>
              <span className={s.resizer} role="separator" aria-orientation="vertical" aria-label={`Resize ${c.Name}`} tabIndex={0}
                onPointerDown={(e) => startResize(e, c)}
                onKeyDown={(e) => {
                  if (e.key === 'ArrowLeft' || e.key === 'ArrowRight') {
                    e.preventDefault();
                    setWidths((w) => ({ ...w, [c.Name]: Math.max(48, width(c) + (e.key === 'ArrowRight' ? 16 : -16)) }));
                  }
                }} />
            </div>
          ))}
        </div>
        <div style={{ height: virt.getTotalSize(), width: total, position: 'relative' }}>
          {virt.getVirtualItems().map((v) => {
            const r = sorted[v.index];
            if (!r) return null;
            return (
              <div key={v.key} role="row" aria-rowindex={v.index + 2} aria-selected={selected.has(v.index)}
                className={`${s.row} ${selected.has(v.index) ? s.sel : ''}`} style={{ top: v.start, width: total }}
                onClick={(e) => clickRow(v.index, e.ctrlKey || e.metaKey)}>
                {columns.map((c) => {
                  const t = cellText(r[c.Name]);
                  return <div key={c.Name} role="gridcell" className={s.cell} style={{ width: width(c) }} title={t.length > 30 ? t : undefined}>{t}</div>;
                })}
              </div>
            );
          })}
        </div>
      </div>
    </div>
  );
}
