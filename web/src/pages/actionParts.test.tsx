import { afterEach, describe, expect, it, vi } from 'vitest';
import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/react';
import { FluentProvider, webLightTheme } from '@fluentui/react-components';
import { ApiError } from '../lib/api';
import { actionStatuses, statusColor, type Action } from '../lib/actions';
import { ActionStatusBadge, DecisionDialog } from './actionParts';

afterEach(cleanup);

// jsdom has no ResizeObserver; Fluent's MessageBar observes its size.
class NoResize {
  observe(): void { /* nothing to observe in jsdom */ }
  unobserve(): void { /* idem */ }
  disconnect(): void { /* idem */ }
}
if (!('ResizeObserver' in globalThis)) Object.assign(globalThis, { ResizeObserver: NoResize });

const action: Action = {
  tenantId: 'default', id: 'a1', type: 'isolateDevice', status: 'pendingApproval', target: { device: 'ws-fin-014.corp.local' },
  requestor: { type: 'user', name: 'admin' }, requestorComment: 'contain it', result: {}, attempts: 0,
  creationDateTimeUtc: '2026-01-01T00:00:00Z', lastUpdateDateTimeUtc: '2026-01-01T00:00:00Z',
};

describe('status badges', () => {
  it('maps every status to its color', () => {
    expect(Object.fromEntries(actionStatuses.map((s) => [s, statusColor(s)]))).toEqual({
      pendingApproval: 'warning', approved: 'brand', rejected: 'severe', sent: 'brand', running: 'brand',
      completed: 'success', failed: 'danger', cancelled: 'subtle', timedOut: 'danger',
    });
    expect(statusColor('somethingNew')).toBe('informative');
  });
  it('labels a status for people', () => {
    render(<FluentProvider theme={webLightTheme}><ActionStatusBadge status="pendingApproval" /><ActionStatusBadge status="timedOut" /></FluentProvider>);
    expect(screen.getByText('Pending approval')).toBeTruthy();
    expect(screen.getByText('Timed out')).toBeTruthy();
  });
});

function renderDialog(send: (id: string, verb: string, comment: string) => Promise<Action>, verb: 'approve' | 'cancel' = 'approve') {
  const onDone = vi.fn();
  render(<FluentProvider theme={webLightTheme}><DecisionDialog action={action} verb={verb} send={send} onClose={() => undefined} onDone={onDone} /></FluentProvider>);
  return onDone;
}

describe('DecisionDialog', () => {
  it('refuses to approve without a comment', async () => {
    const send = vi.fn(() => Promise.resolve({ ...action, status: 'approved' as const }));
    const onDone = renderDialog(send);
    fireEvent.click(screen.getByRole('button', { name: 'Approve' }));
    await screen.findByText('A comment is required to approve.');
    expect(send).not.toHaveBeenCalled();
    fireEvent.change(screen.getByRole('textbox'), { target: { value: '  looks right ' } });
    fireEvent.click(screen.getByRole('button', { name: 'Approve' }));
    await waitFor(() => expect(onDone).toHaveBeenCalled());
    expect(send).toHaveBeenCalledWith('a1', 'approve', 'looks right');
  });
  it('lets cancel go without a comment', async () => {
    const send = vi.fn(() => Promise.resolve({ ...action, status: 'cancelled' as const }));
    const onDone = renderDialog(send, 'cancel');
    fireEvent.click(screen.getByRole('button', { name: 'Cancel' }));
    await waitFor(() => expect(onDone).toHaveBeenCalled());
  });
  it('says plainly when four eyes refuse', async () => {
    const send = vi.fn(() => Promise.reject(new ApiError(403, 'fourEyes', 'four eyes: the requester of an action cannot decide on it')));
    renderDialog(send);
    fireEvent.change(screen.getByRole('textbox'), { target: { value: 'ok' } });
    fireEvent.click(screen.getByRole('button', { name: 'Approve' }));
    await screen.findByText('Four eyes: someone else must decide');
  });
  it('says plainly when the permission is missing', async () => {
    const send = vi.fn(() => Promise.reject(new ApiError(403, 'forbidden', 'needs response:approve')));
    renderDialog(send);
    fireEvent.change(screen.getByRole('textbox'), { target: { value: 'ok' } });
    fireEvent.click(screen.getByRole('button', { name: 'Approve' }));
    await screen.findByText('You do not have the permission');
  });
});
