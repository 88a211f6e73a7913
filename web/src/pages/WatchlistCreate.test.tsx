import { afterEach, describe, expect, it, vi } from 'vitest';
import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/react';
import { FluentProvider, webLightTheme } from '@fluentui/react-components';
import { CreateWatchlistDialog } from './WatchlistCreate';

afterEach(() => { cleanup(); vi.unstubAllGlobals(); });

(globalThis as { ResizeObserver?: unknown }).ResizeObserver ??= class {
  observe() {}
  unobserve() {}
  disconnect() {}
};

/** answer makes fetch answer each request with the next status and body, and keeps the requests. */
function answer(...replies: { status: number; body: unknown }[]) {
  const sent: { url: string; body: unknown }[] = [];
  vi.stubGlobal('fetch', vi.fn((url: string, init: RequestInit) => {
    sent.push({ url, body: typeof init.body === 'string' ? JSON.parse(init.body) : null });
    const r = replies.shift() ?? { status: 500, body: { error: { code: 'test', message: 'no more answers' } } };
    return Promise.resolve(new Response(JSON.stringify(r.body), { status: r.status }));
  }));
  return sent;
}

function open(props: Partial<Parameters<typeof CreateWatchlistDialog>[0]> = {}) {
  const p = { taken: [], onClose: vi.fn(), onCreated: vi.fn(), onDenied: vi.fn(), ...props };
  render(<FluentProvider theme={webLightTheme}><CreateWatchlistDialog {...p} /></FluentProvider>);
  return p;
}

const fill = (label: string, value: string) => fireEvent.change(screen.getByLabelText(label, { exact: false }), { target: { value } });

describe('CreateWatchlistDialog', { timeout: 30_000 }, () => {
  it('offers the CSV columns as search key and type overrides, and sends them', async () => {
    const sent = answer({ status: 201, body: { watchlistAlias: 'Assets', displayName: 'Assets', itemsSearchKey: 'Id', itemCount: 2 } });
    const p = open();
    fill('Alias', 'Assets');
    fill('CSV', 'Host,Id\nsrv-01,007\nsrv-02,12\n');
    expect(screen.getByText('2 columns, 2 items')).toBeTruthy();
    expect(screen.getByLabelText<HTMLSelectElement>('Type of Id').selectedOptions[0]?.textContent).toBe('Guess (long)');
    fireEvent.change(screen.getByLabelText('Type of Id'), { target: { value: 'string' } });
    fireEvent.change(screen.getByRole('combobox', { name: /Search key/ }), { target: { value: 'Id' } });
    fireEvent.click(screen.getByRole('button', { name: 'Create' }));
    await waitFor(() => expect(p.onCreated).toHaveBeenCalled());
    expect(sent[0]?.url).toBe('/api/v1/security/watchlists');
    expect(sent[0]?.body).toMatchObject({ watchlistAlias: 'Assets', itemsSearchKey: 'Id', rawContent: 'Host,Id\nsrv-01,007\nsrv-02,12\n', columns: [{ name: 'Id', type: 'string' }] });
  });

  it("shows the server's CSV error at the CSV, with the line it names", async () => {
    answer({ status: 400, body: { error: { code: 'badRequest', message: 'CSV: record on line 3: wrong number of fields' } } });
    const p = open();
    fill('Alias', 'Assets');
    fill('CSV', 'Host,Owner\nsrv-01,alice\nsrv-02\n');
    // The local reading already points at the row, as a warning.
    expect(screen.getByTestId('csv-problems').textContent).toBe('line 3: 1 field, but the header has 2');
    fireEvent.click(screen.getByRole('button', { name: 'Create' }));
    const e = await screen.findByTestId('csv-error');
    expect(e.textContent).toContain('CSV: record on line 3: wrong number of fields');
    expect(e.textContent).toContain('line 3: srv-02');
    expect(p.onCreated).not.toHaveBeenCalled();
    // Editing the CSV clears the server's error.
    fill('CSV', 'Host,Owner\nsrv-01,alice\n');
    expect(screen.queryByTestId('csv-error')).toBeNull();
  });

  it('puts a taken alias at the alias field', async () => {
    answer({ status: 409, body: { error: { code: 'conflict', message: 'alias "Assets" is in use: conflict' } } });
    open();
    fill('Alias', 'Assets');
    fill('CSV', 'Host\nsrv-01\n');
    fireEvent.click(screen.getByRole('button', { name: 'Create' }));
    expect(await screen.findByText(/alias "Assets" is in use/)).toBeTruthy();
  });

  it('checks the alias and the CSV before sending', () => {
    const sent = answer();
    open({ taken: ['VIPs'] });
    fill('Alias', 'a b');
    expect(screen.getByText(/An alias is 1 to 64 letters/)).toBeTruthy();
    fill('Alias', 'vips');
    expect(screen.getByText('The alias vips is in use in this tenant.')).toBeTruthy();
    fireEvent.click(screen.getByRole('button', { name: 'Create' }));
    expect(screen.getByText(/Paste the CSV or upload a file/)).toBeTruthy();
    expect(sent).toEqual([]);
  });

  it('says so when the caller may not create watchlists', async () => {
    answer({ status: 403, body: { error: { code: 'forbidden', message: 'needs rules:write' } } });
    const p = open();
    fill('Alias', 'Assets');
    fill('CSV', 'Host\nsrv-01\n');
    fireEvent.click(screen.getByRole('button', { name: 'Create' }));
    expect(await screen.findByText(/needs rules:write/)).toBeTruthy();
    expect(p.onDenied).toHaveBeenCalled();
  });
});
