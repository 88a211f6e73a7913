import { afterEach, describe, expect, it } from 'vitest';
import { cleanup, fireEvent, render, screen, within } from '@testing-library/react';
import { FluentProvider, webLightTheme } from '@fluentui/react-components';
import { ResultsGrid, sortRows } from './ResultsGrid';

afterEach(cleanup);

const columns = [{ Name: 'DeviceName', Type: 'string' }, { Name: 'count_', Type: 'long' }];
const rows = [{ DeviceName: 'ws10', count_: 5 }, { DeviceName: 'ws2', count_: 40 }, { DeviceName: '', count_: null }, { DeviceName: 'ws1', count_: 7 }];

describe('sortRows', () => {
  it('sorts numbers as numbers, text naturally, empty cells last either way', () => {
    expect(sortRows(rows, 'count_', false).map((r) => r.count_)).toEqual([5, 7, 40, null]);
    expect(sortRows(rows, 'count_', true).map((r) => r.count_)).toEqual([40, 7, 5, null]);
    expect(sortRows(rows, 'DeviceName', false).map((r) => r.DeviceName)).toEqual(['ws1', 'ws2', 'ws10', '']);
  });
});

describe('ResultsGrid', () => {
  it('shows the row count and sorts by a header click', () => {
    render(<FluentProvider theme={webLightTheme}><ResultsGrid columns={columns} rows={rows} /></FluentProvider>);
    expect(screen.getByText('4 rows')).toBeTruthy();
    const grid = screen.getByRole('grid', { name: 'Query results' });
    const header = within(grid).getByRole('columnheader', { name: /count_/ });
    expect(header.getAttribute('aria-sort')).toBe('none');
    fireEvent.click(within(header).getByRole('button'));
    expect(header.getAttribute('aria-sort')).toBe('ascending');
    fireEvent.click(within(header).getByRole('button'));
    expect(header.getAttribute('aria-sort')).toBe('descending');
  });
  it('resizes a column from the keyboard', () => {
    render(<FluentProvider theme={webLightTheme}><ResultsGrid columns={columns} rows={rows} /></FluentProvider>);
    const sep = screen.getByRole('separator', { name: 'Resize DeviceName' });
    const cell = sep.parentElement as HTMLElement;
    expect(cell.style.width).toBe('220px');
    fireEvent.keyDown(sep, { key: 'ArrowRight' });
    expect(cell.style.width).toBe('236px');
  });
});
