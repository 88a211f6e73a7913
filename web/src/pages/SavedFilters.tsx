// The incident queue's saved filters: name and save the current filter, pick one from a menu
// (kept in this browser).
import { useState } from 'react';
import {
  Button, Dialog, DialogActions, DialogBody, DialogContent, DialogSurface, DialogTitle, Field, Input, Menu, MenuDivider, MenuItem, MenuList,
  MenuPopover, MenuTrigger,
} from '@fluentui/react-components';
import { Bookmark20Regular, Dismiss16Regular } from '@fluentui/react-icons';
import { deleteFilter, loadFilters, saveFilter, type SavedFilter } from '../lib/savedFilters';

export function SavedFilters({ current, onPick }: { current: string; onPick: (query: string) => void }) {
  const [list, setList] = useState<SavedFilter[]>(loadFilters);
  const [naming, setNaming] = useState(false);
  const [name, setName] = useState('');
  const [err, setErr] = useState('');
  const save = () => {
    try {
      setList(saveFilter({ name, query: current }));
      setNaming(false);
    } catch (e) {
      setErr((e as Error).message);
    }
  };
  return (
    <>
      <Menu>
        <MenuTrigger disableButtonEnhancement><Button icon={<Bookmark20Regular />}>Saved filters</Button></MenuTrigger>
        <MenuPopover>
          <MenuList>
            {list.length === 0 && <MenuItem disabled>No saved filters yet</MenuItem>}
            {list.map((f) => (
              <MenuItem key={f.name} onClick={() => onPick(f.query)} secondaryContent={
                <Button size="small" appearance="transparent" icon={<Dismiss16Regular />} aria-label={`Delete filter ${f.name}`}
                  onClick={(e) => { e.stopPropagation(); setList(deleteFilter(f.name)); }} />
              }>{f.name}</MenuItem>
            ))}
            <MenuDivider />
            <MenuItem disabled={!current} onClick={() => { setName(''); setErr(''); setNaming(true); }}>Save current filter…</MenuItem>
          </MenuList>
        </MenuPopover>
      </Menu>
      {naming && (
        <Dialog open onOpenChange={(_, d) => { if (!d.open) setNaming(false); }}>
          <DialogSurface>
            <form onSubmit={(e) => { e.preventDefault(); save(); }}>
              <DialogBody>
                <DialogTitle>Save filter</DialogTitle>
                <DialogContent>
                  <Field label="Name" validationMessage={err || undefined} hint="Kept in this browser; a filter of the same name is replaced.">
                    <Input value={name} onChange={(_, d) => setName(d.value)} autoFocus aria-label="Filter name" />
                  </Field>
                </DialogContent>
                <DialogActions>
                  <Button onClick={() => setNaming(false)}>Cancel</Button>
                  <Button appearance="primary" type="submit">Save</Button>
                </DialogActions>
              </DialogBody>
            </form>
          </DialogSurface>
        </Dialog>
      )}
    </>
  );
}
