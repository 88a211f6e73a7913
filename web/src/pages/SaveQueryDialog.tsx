// The hunting page's Save / Save as dialog: name, description, folder, and whether the query
// is shared with the tenant.
import { useState } from 'react';
import {
  Button, Checkbox, Dialog, DialogActions, DialogBody, DialogContent, DialogSurface, DialogTitle, Field, Input, Spinner, Textarea,
} from '@fluentui/react-components';
import { errorText } from '../lib/api';
import type { SavedQueryInput } from '../lib/savedQueries';

export interface SaveQueryDialogProps {
  title: string;
  initial: SavedQueryInput;
  onSave: (q: SavedQueryInput) => Promise<void>;
  onClose: () => void;
}

export function SaveQueryDialog({ title, initial, onSave, onClose }: SaveQueryDialogProps) {
  const [q, setQ] = useState(initial);
  const [busy, setBusy] = useState(false);
  const [err, setErr] = useState('');
  const save = async () => {
    if (!q.name.trim()) {
      setErr('Name the query.');
      return;
    }
    setBusy(true);
    setErr('');
    try {
      await onSave(q);
    } catch (e) {
      setErr(errorText(e));
      setBusy(false);
    }
  };
  return (
    <Dialog open onOpenChange={(_, d) => { if (!d.open) onClose(); }}>
      <DialogSurface>
        <form onSubmit={(e) => { e.preventDefault(); void save(); }}>
          <DialogBody>
            <DialogTitle>{title}</DialogTitle>
            <DialogContent style={{ display: 'flex', flexDirection: 'column', gap: 10 }}>
              <Field label="Name" required validationMessage={err || undefined}>
                <Input value={q.name} onChange={(_, d) => setQ({ ...q, name: d.value })} autoFocus aria-label="Query name" />
              </Field>
              <Field label="Description"><Textarea value={q.description} onChange={(_, d) => setQ({ ...q, description: d.value })} /></Field>
              <Field label="Folder" hint="Queries are grouped by folder in the Queries panel.">
                <Input value={q.folder} onChange={(_, d) => setQ({ ...q, folder: d.value })} />
              </Field>
              <Checkbox checked={q.shared} onChange={(_, d) => setQ({ ...q, shared: d.checked === true })}
                label="Shared: everyone in this tenant who can hunt sees it (only you, or someone who can write rules, changes it)" />
            </DialogContent>
            <DialogActions>
              <Button onClick={onClose}>Cancel</Button>
              <Button appearance="primary" type="submit" disabled={busy} icon={busy ? <Spinner size="tiny" /> : undefined}>Save</Button>
            </DialogActions>
          </DialogBody>
        </form>
      </DialogSurface>
    </Dialog>
  );
}
