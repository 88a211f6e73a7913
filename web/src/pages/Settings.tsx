// Settings: users, roles, API keys and tenants (/api/v1/users, /roles, /apiKeys, /tenants) and
// the tenant's automation level. Only what those APIs offer; the tab is in the URL (?tab=).
import { useState } from 'react';
import { useSearchParams } from 'react-router-dom';
import {
  Badge, Button, Dialog, DialogActions, DialogBody, DialogContent, DialogSurface, DialogTitle, Field, Input, MessageBar, MessageBarBody,
  MessageBarTitle, Select, Spinner, Switch, Tab, Table, TableBody, TableCell, TableHeader, TableHeaderCell, TabList, TableRow, Text, tokens,
} from '@fluentui/react-components';
import { Add20Regular } from '@fluentui/react-icons';
import { api, ApiError, errorText } from '../lib/api';
import { useAsync, type AsyncState } from '../lib/useAsync';
import { AutomationPanel } from './ActionCenter';
import { Empty, ErrorBar, fmtTime, usePageStyles } from './common';

interface Grant { role: string; tenant: string; deviceGroups?: string[] }
interface User { id: string; username: string; displayName: string; defaultTenant: string; disabled: boolean; locked: boolean; lastLogin?: string; createdAt: string; roles: Grant[]; password?: string }
interface Role { id: string; name: string; description: string; builtin: boolean; permissions: string[] }
interface ApiKey { id: string; name: string; prefix: string; defaultTenant: string; createdBy: string; createdAt: string; expiresAt?: string; revokedAt?: string; lastUsedAt?: string; roles: Grant[]; key?: string }
interface Tenant { id: string; name: string; createdAt: string }

type TabName = 'users' | 'roles' | 'keys' | 'tenants' | 'automation';

const grantsText = (gs: Grant[]) => gs.map((g) => `${g.role} in ${g.tenant === '*' ? 'all tenants' : g.tenant}${g.deviceGroups?.length ? ` (${g.deviceGroups.join(', ')})` : ''}`).join('; ');

function Denied({ error, what }: { error: unknown; what: string }) {
  if (error instanceof ApiError && error.status === 403) {
    return <MessageBar intent="info"><MessageBarBody>Managing {what} needs the users:manage permission, which you do not have in this tenant.</MessageBarBody></MessageBar>;
  }
  if (error instanceof ApiError && error.status === 404) {
    return <MessageBar intent="info"><MessageBarBody>This server has no {what} API (it runs without user accounts: only API keys from its configuration).</MessageBarBody></MessageBar>;
  }
  return <ErrorBar error={error} />;
}

export default function Settings() {
  const ps = usePageStyles();
  const [params, setParams] = useSearchParams();
  const tab = (params.get('tab') ?? 'users') as TabName;
  const roles = useAsync((sig) => api<{ value: Role[]; permissions: string[] }>('/api/v1/roles', { signal: sig }), []);
  const tenants = useAsync((sig) => api<{ value: Tenant[] }>('/api/v1/tenants', { signal: sig }), []);
  return (
    <div className={ps.page}>
      <h1 className={ps.title}>Settings</h1>
      <TabList selectedValue={tab} onTabSelect={(_, d) => setParams({ tab: String(d.value) }, { replace: true })}>
        <Tab value="users">Users</Tab>
        <Tab value="roles">Roles</Tab>
        <Tab value="keys">API keys</Tab>
        <Tab value="tenants">Tenants</Tab>
        <Tab value="automation">Automation level</Tab>
      </TabList>
      {tab === 'users' && <Users roles={roles} tenants={tenants} />}
      {tab === 'roles' && <Roles roles={roles} />}
      {tab === 'keys' && <Keys roles={roles} tenants={tenants} />}
      {tab === 'tenants' && <Tenants tenants={tenants} />}
      {tab === 'automation' && <AutomationPanel />}
    </div>
  );
}

type RolesState = AsyncState<{ value: Role[]; permissions: string[] }>;
type TenantsState = AsyncState<{ value: Tenant[] }>;

function GrantPicker({ roles, tenants, value, onChange }: { roles: RolesState; tenants: TenantsState; value: Grant; onChange: (g: Grant) => void }) {
  return (
    <div style={{ display: 'flex', gap: 8 }}>
      <Field label="Role">
        <Select aria-label="Role" value={value.role} onChange={(_, d) => onChange({ ...value, role: d.value })}>
          <option value="">Pick a role</option>
          {(roles.data?.value ?? []).map((r) => <option key={r.id} value={r.id}>{r.name}</option>)}
        </Select>
      </Field>
      <Field label="In tenant">
        <Select aria-label="Tenant" value={value.tenant} onChange={(_, d) => onChange({ ...value, tenant: d.value })}>
          <option value="">Pick a tenant</option>
          <option value="*">All tenants</option>
          {(tenants.data?.value ?? []).map((t) => <option key={t.id} value={t.id}>{t.name || t.id}</option>)}
        </Select>
      </Field>
    </div>
  );
}

function Users({ roles, tenants }: { roles: RolesState; tenants: TenantsState }) {
  const ps = usePageStyles();
  const users = useAsync((sig) => api<{ value: User[] }>('/api/v1/users', { signal: sig }), []);
  const [creating, setCreating] = useState(false);
  const [form, setForm] = useState({ username: '', displayName: '', defaultTenant: '', grant: { role: '', tenant: '' } satisfies Grant });
  const [created, setCreated] = useState<User | null>(null);
  const [err, setErr] = useState('');
  const [busy, setBusy] = useState('');
  const create = async () => {
    setErr('');
    try {
      const u = await api<User>('/api/v1/users', { method: 'POST', body: {
        username: form.username.trim(), displayName: form.displayName.trim(), defaultTenant: form.defaultTenant || form.grant.tenant,
        roles: form.grant.role && form.grant.tenant ? [form.grant] : [],
      } });
      setCreated(u);
      setCreating(false);
      users.reload();
    } catch (e) {
      setErr(errorText(e));
    }
  };
  const setDisabled = async (u: User, disabled: boolean) => {
    setBusy(u.id);
    setErr('');
    try {
      await api(`/api/v1/users/${encodeURIComponent(u.id)}`, { method: 'PATCH', body: { disabled } });
      users.reload();
    } catch (e) {
      setErr(`${u.username}: ${errorText(e)}`);
    } finally {
      setBusy('');
    }
  };
  if (users.error) return <Denied error={users.error} what="users" />;
  return (
    <>
      <div><Button icon={<Add20Regular />} onClick={() => { setCreating(true); setErr(''); }}>New user</Button></div>
      {created?.password && (
        <MessageBar intent="success" data-testid="one-time-password"><MessageBarBody>
          <MessageBarTitle>{created.username} created</MessageBarTitle>
          One-time password (shown once, must be changed at first sign-in): <code style={{ userSelect: 'all' }}>{created.password}</code>
        </MessageBarBody></MessageBar>
      )}
      {err && !creating && <MessageBar intent="error"><MessageBarBody>{err}</MessageBarBody></MessageBar>}
      {users.loading && !users.data ? <Spinner /> : (users.data?.value ?? []).length === 0 ? <Empty title="No users you can manage" /> : (
        <div className={ps.card}>
          <Table size="small" aria-label="Users">
            <TableHeader><TableRow>
              <TableHeaderCell>User</TableHeaderCell><TableHeaderCell>Roles</TableHeaderCell><TableHeaderCell>Default tenant</TableHeaderCell>
              <TableHeaderCell>Last sign-in</TableHeaderCell><TableHeaderCell style={{ width: 130 }}>Enabled</TableHeaderCell>
            </TableRow></TableHeader>
            <TableBody>
              {(users.data?.value ?? []).map((u) => (
                <TableRow key={u.id}>
                  <TableCell><Text weight="semibold">{u.username}</Text>{u.displayName && u.displayName !== u.username && <Text className={ps.muted}> · {u.displayName}</Text>}
                    {u.locked && <Badge color="danger" appearance="tint" style={{ marginLeft: 6 }}>locked</Badge>}</TableCell>
                  <TableCell>{grantsText(u.roles) || <span className={ps.muted}>none</span>}</TableCell>
                  <TableCell>{u.defaultTenant}</TableCell>
                  <TableCell>{fmtTime(u.lastLogin) || <span className={ps.muted}>never</span>}</TableCell>
                  <TableCell><Switch aria-label={`Enable ${u.username}`} checked={!u.disabled} disabled={busy === u.id} onChange={(_, d) => void setDisabled(u, !d.checked)} /></TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
        </div>
      )}
      {creating && (
        <Dialog open onOpenChange={(_, d) => { if (!d.open) setCreating(false); }}>
          <DialogSurface><DialogBody>
            <DialogTitle>New user</DialogTitle>
            <DialogContent style={{ display: 'flex', flexDirection: 'column', gap: 8 }}>
              <Field label="User name" required><Input value={form.username} onChange={(_, d) => setForm({ ...form, username: d.value })} /></Field>
              <Field label="Display name"><Input value={form.displayName} onChange={(_, d) => setForm({ ...form, displayName: d.value })} /></Field>
              <GrantPicker roles={roles} tenants={tenants} value={form.grant} onChange={(grant) => setForm({ ...form, grant })} />
              <Text size={200} className={ps.muted}>A one-time password is generated and shown once.</Text>
              {err && <MessageBar intent="error"><MessageBarBody>{err}</MessageBarBody></MessageBar>}
            </DialogContent>
            <DialogActions>
              <Button onClick={() => setCreating(false)}>Cancel</Button>
              <Button appearance="primary" disabled={!form.username.trim()} onClick={() => void create()}>Create</Button>
            </DialogActions>
          </DialogBody></DialogSurface>
        </Dialog>
      )}
    </>
  );
}

function Roles({ roles }: { roles: RolesState }) {
  const ps = usePageStyles();
  if (roles.error) return <Denied error={roles.error} what="roles" />;
  if (!roles.data) return <Spinner />;
  return (
    <>
      <Text className={ps.muted}>Custom roles are created and changed with PUT /api/v1/roles/&#123;id&#125; (users:manage); this page lists them.</Text>
      <div className={ps.card}>
        <Table size="small" aria-label="Roles">
          <TableHeader><TableRow><TableHeaderCell style={{ width: 260 }}>Role</TableHeaderCell><TableHeaderCell>Permissions</TableHeaderCell></TableRow></TableHeader>
          <TableBody>
            {roles.data.value.map((r) => (
              <TableRow key={r.id}>
                <TableCell><Text weight="semibold">{r.name}</Text> <Badge appearance="outline" color={r.builtin ? 'informative' : 'brand'}>{r.builtin ? 'built-in' : 'custom'}</Badge>
                  {r.description && <Text block size={200} className={ps.muted}>{r.description}</Text>}</TableCell>
                <TableCell style={{ fontFamily: tokens.fontFamilyMonospace, fontSize: 12 }}>{r.permissions.join(', ')}</TableCell>
              </TableRow>
            ))}
          </TableBody>
        </Table>
      </div>
    </>
  );
}

function Keys({ roles, tenants }: { roles: RolesState; tenants: TenantsState }) {
  const ps = usePageStyles();
  const keys = useAsync((sig) => api<{ value: ApiKey[] }>('/api/v1/apiKeys', { signal: sig }), []);
  const [creating, setCreating] = useState(false);
  const [form, setForm] = useState({ name: '', days: '90', grant: { role: '', tenant: '' } satisfies Grant });
  const [created, setCreated] = useState<ApiKey | null>(null);
  const [revoking, setRevoking] = useState<ApiKey | null>(null);
  const [err, setErr] = useState('');
  const create = async () => {
    setErr('');
    const days = Number(form.days);
    try {
      const k = await api<ApiKey>('/api/v1/apiKeys', { method: 'POST', body: {
        name: form.name.trim(), defaultTenant: form.grant.tenant === '*' ? '' : form.grant.tenant, roles: form.grant.role && form.grant.tenant ? [form.grant] : [],
        ...(days > 0 ? { expiresAt: new Date(Date.now() + days * 86400e3).toISOString() } : {}),
      } });
      setCreated(k);
      setCreating(false);
      keys.reload();
    } catch (e) {
      setErr(errorText(e));
    }
  };
  const revoke = async (k: ApiKey) => {
    setRevoking(null);
    try {
      await api(`/api/v1/apiKeys/${encodeURIComponent(k.id)}`, { method: 'DELETE' });
      keys.reload();
    } catch (e) {
      setErr(`${k.name}: ${errorText(e)}`);
    }
  };
  if (keys.error) return <Denied error={keys.error} what="API keys" />;
  return (
    <>
      <div><Button icon={<Add20Regular />} onClick={() => { setCreating(true); setErr(''); }}>New API key</Button></div>
      {created?.key && (
        <MessageBar intent="success" data-testid="new-api-key"><MessageBarBody>
          <MessageBarTitle>{created.name}</MessageBarTitle>
          Copy the key now; it is not shown again: <code style={{ userSelect: 'all' }}>{created.key}</code>
        </MessageBarBody></MessageBar>
      )}
      {err && !creating && <MessageBar intent="error"><MessageBarBody>{err}</MessageBarBody></MessageBar>}
      {keys.loading && !keys.data ? <Spinner /> : (keys.data?.value ?? []).length === 0 ? <Empty title="No API keys you can manage" /> : (
        <div className={ps.card}>
          <Table size="small" aria-label="API keys">
            <TableHeader><TableRow>
              <TableHeaderCell>Name</TableHeaderCell><TableHeaderCell>Key</TableHeaderCell><TableHeaderCell>Roles</TableHeaderCell><TableHeaderCell>Expires</TableHeaderCell>
              <TableHeaderCell>Last used</TableHeaderCell><TableHeaderCell style={{ width: 110 }} />
            </TableRow></TableHeader>
            <TableBody>
              {(keys.data?.value ?? []).map((k) => (
                <TableRow key={k.id}>
                  <TableCell><Text weight="semibold">{k.name}</Text><Text block size={200} className={ps.muted}>by {k.createdBy}, {fmtTime(k.createdAt)}</Text></TableCell>
                  <TableCell style={{ fontFamily: tokens.fontFamilyMonospace }}>{k.prefix}…</TableCell>
                  <TableCell>{grantsText(k.roles)}</TableCell>
                  <TableCell>{k.expiresAt ? fmtTime(k.expiresAt) : <span className={ps.muted}>never</span>}</TableCell>
                  <TableCell>{fmtTime(k.lastUsedAt) || <span className={ps.muted}>never</span>}</TableCell>
                  <TableCell>{k.revokedAt ? <Badge color="subtle">revoked</Badge> : <Button size="small" onClick={() => setRevoking(k)}>Revoke</Button>}</TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
        </div>
      )}
      {creating && (
        <Dialog open onOpenChange={(_, d) => { if (!d.open) setCreating(false); }}>
          <DialogSurface><DialogBody>
            <DialogTitle>New API key</DialogTitle>
            <DialogContent style={{ display: 'flex', flexDirection: 'column', gap: 8 }}>
              <Field label="Name" required><Input value={form.name} onChange={(_, d) => setForm({ ...form, name: d.value })} /></Field>
              <GrantPicker roles={roles} tenants={tenants} value={form.grant} onChange={(grant) => setForm({ ...form, grant })} />
              <Field label="Expires after (days; 0 for never)"><Input type="number" value={form.days} onChange={(_, d) => setForm({ ...form, days: d.value })} /></Field>
              {err && <MessageBar intent="error"><MessageBarBody>{err}</MessageBarBody></MessageBar>}
            </DialogContent>
            <DialogActions>
              <Button onClick={() => setCreating(false)}>Cancel</Button>
              <Button appearance="primary" disabled={!form.name.trim()} onClick={() => void create()}>Create</Button>
            </DialogActions>
          </DialogBody></DialogSurface>
        </Dialog>
      )}
      {revoking && (
        <Dialog open onOpenChange={(_, d) => { if (!d.open) setRevoking(null); }}>
          <DialogSurface><DialogBody>
            <DialogTitle>Revoke {revoking.name}?</DialogTitle>
            <DialogContent>Whatever uses this key stops working at once.</DialogContent>
            <DialogActions><Button onClick={() => setRevoking(null)}>Cancel</Button><Button appearance="primary" onClick={() => void revoke(revoking)}>Revoke</Button></DialogActions>
          </DialogBody></DialogSurface>
        </Dialog>
      )}
    </>
  );
}

function Tenants({ tenants }: { tenants: TenantsState }) {
  const ps = usePageStyles();
  const [id, setId] = useState('');
  const [name, setName] = useState('');
  const [err, setErr] = useState('');
  const create = async () => {
    setErr('');
    try {
      await api('/api/v1/tenants', { method: 'POST', body: { id: id.trim(), name: name.trim() } });
      setId('');
      setName('');
      tenants.reload();
    } catch (e) {
      setErr(errorText(e));
    }
  };
  if (tenants.error) return <Denied error={tenants.error} what="tenants" />;
  return (
    <>
      <form style={{ display: 'flex', gap: 8, alignItems: 'end' }} onSubmit={(e) => { e.preventDefault(); void create(); }}>
        <Field label="Tenant id"><Input value={id} onChange={(_, d) => setId(d.value)} placeholder="contoso" /></Field>
        <Field label="Name"><Input value={name} onChange={(_, d) => setName(d.value)} /></Field>
        <Button type="submit" icon={<Add20Regular />} disabled={!id.trim()}>Add tenant</Button>
      </form>
      {err && <MessageBar intent="error"><MessageBarBody>{err}</MessageBarBody></MessageBar>}
      {!tenants.data ? <Spinner /> : (
        <div className={ps.card}>
          <Table size="small" aria-label="Tenants">
            <TableHeader><TableRow><TableHeaderCell>Id</TableHeaderCell><TableHeaderCell>Name</TableHeaderCell><TableHeaderCell>Created</TableHeaderCell></TableRow></TableHeader>
            <TableBody>
              {tenants.data.value.map((t) => (
                <TableRow key={t.id}><TableCell>{t.id}</TableCell><TableCell>{t.name}</TableCell><TableCell>{fmtTime(t.createdAt)}</TableCell></TableRow>
              ))}
            </TableBody>
          </Table>
        </div>
      )}
    </>
  );
}
