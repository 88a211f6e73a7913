// Parts shared by the Action Center and the incident page's Actions tab.
import { useState } from 'react';
import {
  Badge, Button, Dialog, DialogActions, DialogBody, DialogContent, DialogSurface, DialogTitle, Field, MessageBar, MessageBarBody,
  MessageBarTitle, Spinner, Textarea,
} from '@fluentui/react-components';
import { ApiError, errorText } from '../lib/api';
import { actionStatusLabel, actionTypeLabel, statusColor, targetText, type Action } from '../lib/actions';

export function ActionStatusBadge({ status }: { status: string }) {
  return <Badge appearance="tint" shape="rounded" color={statusColor(status)} data-status={status}>{actionStatusLabel(status)}</Badge>;
}

export type Verb = 'approve' | 'reject' | 'cancel' | 'undo';

const verbTitle: Record<Verb, string> = { approve: 'Approve', reject: 'Reject', cancel: 'Cancel', undo: 'Undo' };

/** decisionError says plainly why the server refused a decision. */
export function decisionError(e: unknown): { title: string; text: string } {
  if (e instanceof ApiError && e.status === 403) {
    if (e.code === 'fourEyes') return { title: 'Four eyes: someone else must decide', text: `You requested this action, and the four-eyes rule lets only another person approve or reject it. (${e.message})` };
    if (e.code === 'automationOff') return { title: 'Automation is off', text: e.message };
    return { title: 'You do not have the permission', text: `Approving, rejecting, cancelling and undoing actions needs the response:approve permission (Security administrator). ${errorText(e)}` };
  }
  return { title: 'The server refused', text: errorText(e) };
}

/** commentRequired: approving and rejecting need a comment; cancel and undo take an optional one. */
export function commentRequired(verb: Verb): boolean {
  return verb === 'approve' || verb === 'reject';
}

/** DecisionDialog asks for the comment of a decision and sends it; onDone gets the server's answer. */
export function DecisionDialog({ action, verb, onClose, onDone, send }: {
  action: Action | null; verb: Verb; onClose: () => void; onDone: (a: Action) => void;
  send: (id: string, verb: Verb, comment: string) => Promise<Action>;
}) {
  const [comment, setComment] = useState('');
  const [touched, setTouched] = useState(false);
  const [busy, setBusy] = useState(false);
  const [err, setErr] = useState<{ title: string; text: string } | null>(null);
  const need = commentRequired(verb);
  const missing = need && comment.trim() === '';
  const close = () => { setComment(''); setTouched(false); setErr(null); onClose(); };
  const submit = async () => {
    setTouched(true);
    if (!action || missing) return;
    setBusy(true);
    setErr(null);
    try {
      const a = await send(action.id, verb, comment.trim());
      setComment('');
      setTouched(false);
      onDone(a);
    } catch (e) {
      setErr(decisionError(e));
    } finally {
      setBusy(false);
    }
  };
  return (
    <Dialog open={action !== null} onOpenChange={(_, d) => { if (!d.open) close(); }}>
      <DialogSurface aria-label={`${verbTitle[verb]} action`}>
        <form noValidate onSubmit={(e) => { e.preventDefault(); void submit(); }}>
          <DialogBody>
            <DialogTitle>{verbTitle[verb]} action</DialogTitle>
            <DialogContent style={{ display: 'flex', flexDirection: 'column', gap: 12 }}>
              {action && <div>{actionTypeLabel(action.type)} on <b>{targetText(action.target)}</b>, requested by {action.requestor.name}{action.requestorComment ? `: “${action.requestorComment}”` : ''}</div>}
              <Field label="Comment" required={need} validationState={touched && missing ? 'error' : 'none'}
                validationMessage={touched && missing ? `A comment is required to ${verb}.` : undefined}>
                <Textarea value={comment} onChange={(_, d) => setComment(d.value)} resize="vertical" />
              </Field>
              {err && <MessageBar intent="error" role="alert"><MessageBarBody><MessageBarTitle>{err.title}</MessageBarTitle>{err.text}</MessageBarBody></MessageBar>}
            </DialogContent>
            <DialogActions>
              {busy && <Spinner size="tiny" />}
              <Button appearance="secondary" onClick={close}>Close</Button>
              <Button appearance="primary" type="submit" disabled={busy}>{verbTitle[verb]}</Button>
            </DialogActions>
          </DialogBody>
        </form>
      </DialogSurface>
    </Dialog>
  );
}
