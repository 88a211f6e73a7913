// The incident queue's saved filters: name and save the current filter (for oneself or shared
// with the tenant), pick one of one's own or the team's from a menu. They are kept on the
// server; filters an earlier portal kept in this browser move there on the first load.
import { useEffect, useState } from 'react';
import {
  Button, Checkbox, Dialog, DialogActions, DialogBody, DialogContent, DialogSurface, DialogTitle, Field, Input, Menu, MenuDivider, MenuGroup,
  MenuGroupHeader, MenuItem, MenuList, MenuPopover, MenuTrigger, Spinner,
} from '@fluentui/react-components';
import { Bookmark20Regular, Dismiss16Regular, People16Regular } from '@fluentui/react-icons';
import { errorText } from '../lib/api';
import { deleteFilter, groupFilters, listFilters, migrateLocal, ownByName, saveFilter, type SavedFilter } from '../lib/savedFilters';

export function SavedFilters({ current, onPick }: { current: string; onPick: (query: string) => void }) {
  const [list, setList] = useState<SavedFilter[] | null>(null);
  const [loadErr, setLoadErr] = useState('');
  const [naming, setNaming] = useState(false);
  const [name, setName] = useState('');
  const [shared, setShared] = useState(false);
  const [err, setErr] = useState('');
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    const ctl = new AbortController();
    listFilters(ctl.signal)
      .then((l) => migrateLocal(l))
      .then((m) => {
        if (ctl.signal.aborted) return;
        setList(m.list);
        if (m.failed.length) setLoadErr(`Filters kept in this browser that could not move to the server: ${m.failed.join('; ')}`);
      })
      .catch((e: unknown) => { if (!ctl.signal.aborted) setLoadErr(errorText(e)); });
    return () => ctl.abort();
  }, []);
  const save = async () => {
    setBusy(true);
    setErr('');
    try {
      const f = await saveFilter(list ?? [], { name, query: current, shared });
      setList((l) => [...(l ?? []).filter((x) => x.id !== f.id), f]);
      setNaming(false);
    } catch (e) {
      setErr(errorText(e));
    } finally {
      setBusy(false);
    }
  };
  const remove = async (f: SavedFilter) => {
    try {
      await deleteFilter(f.id);
      setList((l) => (l ?? []).filter((x) => x.id !== f.id));
    } catch (e) {
      setLoadErr(`${f.name}: ${errorText(e)}`);
    }
  };
  const { mine, shared: team } = groupFilters(list ?? []);
  const item = (f: SavedFilter) => (
    <MenuItem key={f.id} data-filter={f.name} onClick={() => onPick(f.query)} icon={f.shared ? <People16Regular aria-label="Shared" /> : undefined}
      secondaryContent={f.canEdit ? (
        <Button size="small" appearance="transparent" icon={<Dismiss16Regular />} aria-label={`Delete filter ${f.name}`}
          onClick={(e) => { e.stopPropagation(); void remove(f); }} />
      ) : undefined}>
      {f.name}{!f.mine && <span style={{ opacity: 0.7 }}> · {f.owner}</span>}
    </MenuItem>
  );
  const replacing = list && name.trim() ? ownByName(list, name) : undefined;
  return (
    <>
      <Menu>
        <MenuTrigger disableButtonEnhancement><Button icon={<Bookmark20Regular />}>Saved filters</Button></MenuTrigger>
        <MenuPopover>
          <MenuList hasIcons={(list ?? []).some((f) => f.shared)}>
            {list === null && !loadErr && <MenuItem disabled icon={<Spinner size="extra-tiny" />}>Loading saved filters</MenuItem>}
            {loadErr && <MenuItem disabled>{loadErr}</MenuItem>}
            {list !== null && mine.length + team.length === 0 && <MenuItem disabled>No saved filters yet</MenuItem>}
            {mine.length > 0 && <MenuGroup><MenuGroupHeader>My filters</MenuGroupHeader>{mine.map(item)}</MenuGroup>}
            {team.length > 0 && <MenuGroup><MenuGroupHeader>Shared with the team</MenuGroupHeader>{team.map(item)}</MenuGroup>}
            <MenuDivider />
            <MenuItem disabled={!current || list === null} onClick={() => { setName(''); setShared(false); setErr(''); setNaming(true); }}>Save current filter…</MenuItem>
          </MenuList>
        </MenuPopover>
      </Menu>
      {naming && (
        <Dialog open onOpenChange={(_, d) => { if (!d.open) setNaming(false); }}>
          <DialogSurface>
            <form onSubmit={(e) => { e.preventDefault(); void save(); }}>
              <DialogBody>
                <DialogTitle>Save filter</DialogTitle>
                <DialogContent style={{ display: 'flex', flexDirection: 'column', gap: 8 }}>
                  <Field label="Name" validationMessage={err || undefined}
                    hint={replacing ? `Replaces your filter "${replacing.name}".` : 'Kept on the server for your account.'}>
                    <Input value={name} onChange={(_, d) => setName(d.value)} autoFocus aria-label="Filter name" />
                  </Field>
                  <Checkbox checked={shared} onChange={(_, d) => setShared(d.checked === true)} label="Share with everyone in this tenant" />
                </DialogContent>
                <DialogActions>
                  <Button onClick={() => setNaming(false)}>Cancel</Button>
                  <Button appearance="primary" type="submit" disabled={busy} icon={busy ? <Spinner size="tiny" /> : undefined}>Save</Button>
                </DialogActions>
              </DialogBody>
            </form>
          </DialogSurface>
        </Dialog>
      )}
    </>
  );
}
