import { useState } from 'react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { cleanup, fireEvent, render, screen } from '@testing-library/react';
import { FluentProvider, webLightTheme } from '@fluentui/react-components';
import { GuidedBuilder } from './GuidedBuilder';
import { emptyGuided } from '../lib/guided';
import type { TableInfo } from '../lib/types';

afterEach(cleanup);

// jsdom has no ResizeObserver, which Fluent's overflow handling asks for.
(globalThis as { ResizeObserver?: unknown }).ResizeObserver ??= class {
  observe() {}
  unobserve() {}
  disconnect() {}
};

const tables: TableInfo[] = [
  { name: 'DeviceProcessEvents', kind: 'builtin', rows: 10, columns: [{ name: 'Timestamp', type: 'datetime' }, { name: 'DeviceName', type: 'string' }, { name: 'ProcessId', type: 'long' }] },
  { name: 'Empty', kind: 'builtin', rows: 0, columns: [{ name: 'Key', type: 'string' }] },
];

function Harness({ onRun, onEdit }: { onRun: (k: string) => void; onEdit: (k: string) => void }) {
  const [g, setG] = useState(emptyGuided());
  return <FluentProvider theme={webLightTheme}><GuidedBuilder tables={tables} value={g} onChange={setG} onRun={onRun} onEdit={onEdit} running={false} /></FluentProvider>;
}

describe('GuidedBuilder', () => {
  it('builds the KQL live from the controls and hands it on', () => {
    const onRun = vi.fn();
    const onEdit = vi.fn();
    render(<Harness onRun={onRun} onEdit={onEdit} />);
    expect(screen.getByTestId('guided-kql').textContent).toBe('// Pick a table to start');
    fireEvent.change(screen.getByLabelText('Table'), { target: { value: 'DeviceProcessEvents' } });
    fireEvent.click(screen.getByRole('button', { name: 'Add filter' }));
    fireEvent.change(screen.getByLabelText('Filter 1 column'), { target: { value: 'ProcessId' } });
    fireEvent.change(screen.getByLabelText('Filter 1 operator'), { target: { value: '>' } });
    fireEvent.change(screen.getByLabelText('Filter 1 value'), { target: { value: 'x' } });
    expect(screen.getByText('filter 1: "x" is not a number')).toBeTruthy();
    expect(screen.getByRole<HTMLButtonElement>('button', { name: 'Run guided query' }).disabled).toBe(true);
    fireEvent.change(screen.getByLabelText('Filter 1 value'), { target: { value: '4' } });
    fireEvent.change(screen.getByLabelText('Summarize'), { target: { value: 'count' } });
    fireEvent.change(screen.getByLabelText('Add a by column'), { target: { value: 'DeviceName' } });
    const want = 'DeviceProcessEvents\n| where Timestamp > ago(7d)\n| where ProcessId > 4\n| summarize Count = count() by DeviceName\n| order by Count desc';
    expect(screen.getByTestId('guided-kql').textContent).toBe(want);
    fireEvent.click(screen.getByRole('button', { name: 'Run guided query' }));
    expect(onRun).toHaveBeenCalledWith(want);
    fireEvent.click(screen.getByRole('button', { name: 'Edit in advanced mode' }));
    expect(onEdit).toHaveBeenCalledWith(want);
  });
});
