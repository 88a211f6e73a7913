import type { ReactNode } from 'react';
import { useLocation, useNavigate } from 'react-router-dom';
import {
  Avatar, Button, makeStyles, Menu, MenuItem, MenuList, MenuPopover, MenuTrigger, NavDrawer, NavDrawerBody, NavItem,
  Text, tokens, Tooltip,
} from '@fluentui/react-components';
import {
  Alert24Regular, Board24Regular, BookSearch24Regular, DocumentBulletList24Regular, Flash24Regular,
  Home24Regular, PlugConnected24Regular, TextBulletListSquare24Regular, Settings24Regular, ShieldTask24Regular, WeatherMoon24Regular, WeatherSunny24Regular,
} from '@fluentui/react-icons';
import { useAuth } from './auth';
import { getTenant, setTenant } from './lib/api';
import type { ThemeName } from './App';

const nav = [
  { to: '/', label: 'Home', icon: <Home24Regular /> },
  { to: '/incidents', label: 'Incidents', icon: <Alert24Regular /> },
  { to: '/hunting', label: 'Advanced hunting', icon: <BookSearch24Regular /> },
  { to: '/rules', label: 'Detection rules', icon: <ShieldTask24Regular /> },
  { to: '/action-center', label: 'Action center', icon: <Flash24Regular /> },
  { to: '/threat-intelligence', label: 'Threat intelligence', icon: <Board24Regular /> },
  { to: '/watchlists', label: 'Watchlists', icon: <TextBulletListSquare24Regular /> },
  { to: '/data-connectors', label: 'Data connectors', icon: <PlugConnected24Regular /> },
  { to: '/settings', label: 'Settings', icon: <Settings24Regular /> },
  { to: '/audit', label: 'Audit', icon: <DocumentBulletList24Regular /> },
];

const useStyles = makeStyles({
  root: { display: 'grid', gridTemplateRows: '48px 1fr', height: '100vh', overflow: 'hidden' },
  top: {
    display: 'flex', alignItems: 'center', gap: '12px', padding: '0 12px', color: '#ffffff', backgroundColor: '#1b1f2a',
  },
  brand: { fontWeight: tokens.fontWeightSemibold, fontSize: tokens.fontSizeBase400, color: '#ffffff' },
  topBtn: { color: '#ffffff', ':hover': { color: '#ffffff', backgroundColor: 'rgba(255,255,255,0.12)' }, ':hover:active': { color: '#ffffff', backgroundColor: 'rgba(255,255,255,0.2)' } },
  spacer: { flex: 1 },
  body: { display: 'grid', gridTemplateColumns: 'auto 1fr', minHeight: 0 },
  drawer: { minWidth: '220px', maxWidth: '220px', height: '100%' },
  main: { overflow: 'auto', minWidth: 0, backgroundColor: tokens.colorNeutralBackground2 },
  tenant: { color: '#d6d6d6' },
  tenantPick: { backgroundColor: 'transparent', color: '#ffffff', border: '1px solid #5c6370', borderRadius: '4px', padding: '2px 6px', '& option': { color: '#000' } },
});

export function Shell({ children, theme, onTheme }: { children: ReactNode; theme: ThemeName; onTheme: (t: ThemeName) => void }) {
  const s = useStyles();
  const loc = useLocation();
  const go = useNavigate();
  const { auth, signOut } = useAuth();
  const selected = nav.slice().reverse().find((n) => n.to === '/' ? loc.pathname === '/' : loc.pathname.startsWith(n.to))?.to ?? '';
  const tenants = auth?.kind === 'session' ? auth.tenants.filter((t) => t !== '*') : [];
  const tenant = getTenant() || tenants[0] || 'default';
  return (
    <div className={s.root}>
      <header className={s.top}>
        <ShieldTask24Regular aria-hidden />
        <Text className={s.brand}>Vigil</Text>
        <Text className={s.tenant} size={200}>Security</Text>
        <span className={s.spacer} />
        {tenants.length > 1 ? (
          <select aria-label="Tenant" value={tenant} className={s.tenantPick}
            onChange={(e) => { setTenant(e.target.value); window.location.reload(); }}>
            {tenants.map((t) => <option key={t} value={t}>{t}</option>)}
          </select>
        ) : <Text size={200} className={s.tenant}>Tenant: {tenant}</Text>}
        <Tooltip content={theme === 'dark' ? 'Light theme' : 'Dark theme'} relationship="label">
          <Button appearance="subtle" className={s.topBtn} icon={theme === 'dark' ? <WeatherSunny24Regular /> : <WeatherMoon24Regular />}
            onClick={() => onTheme(theme === 'dark' ? 'light' : 'dark')} />
        </Tooltip>
        <Menu>
          <MenuTrigger disableButtonEnhancement>
            <Button appearance="subtle" className={s.topBtn} icon={<Avatar size={24} name={auth?.user ?? ''} />}>{auth?.user}</Button>
          </MenuTrigger>
          <MenuPopover>
            <MenuList>
              <MenuItem disabled>{auth?.kind === 'key' ? 'Signed in with an API key' : `Roles: ${auth?.kind === 'session' ? auth.roles.join(', ') : ''}`}</MenuItem>
              <MenuItem onClick={() => void signOut()}>Sign out</MenuItem>
            </MenuList>
          </MenuPopover>
        </Menu>
      </header>
      <div className={s.body}>
        <NavDrawer open type="inline" className={s.drawer} selectedValue={selected}
          onNavItemSelect={(_, d) => { void go(d.value); }}>
          <NavDrawerBody>
            {nav.map((n) => (
              <NavItem key={n.to} value={n.to} icon={n.icon}>{n.label}</NavItem>
            ))}
          </NavDrawerBody>
        </NavDrawer>
        <main className={s.main}>{children}</main>
      </div>
    </div>
  );
}
