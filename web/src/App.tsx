import { lazy, Suspense, useEffect, useState } from 'react';
import { Route, Routes } from 'react-router-dom';
import { FluentProvider, Spinner, webDarkTheme, webLightTheme } from '@fluentui/react-components';
import { AuthProvider, useAuth } from './auth';
import { Shell } from './Shell';
import { Login } from './pages/Login';
import { Home } from './pages/Home';
import { IncidentQueue } from './pages/IncidentQueue';
import { IncidentPage } from './pages/IncidentPage';
import { DataConnectors } from './pages/DataConnectors';
import { NotFound } from './pages/Placeholder';
import { Rules } from './pages/Rules';
import { Audit } from './pages/Audit';
import { ThreatIntel } from './pages/ThreatIntel';
import { Watchlists } from './pages/Watchlists';
import { WatchlistPage } from './pages/WatchlistPage';
import { AlertRedirect, DevicePage, UserPage } from './pages/EntityPages';

// Hunting carries the results grid and charts; Monaco is loaded lazily inside it.
const Hunting = lazy(() => import('./pages/Hunting'));
const ActionCenter = lazy(() => import('./pages/ActionCenter'));
const Settings = lazy(() => import('./pages/Settings'));

export type ThemeName = 'light' | 'dark';
const themeKey = 'vigil.theme';

function initialTheme(): ThemeName {
  const saved = localStorage.getItem(themeKey);
  if (saved === 'light' || saved === 'dark') return saved;
  return window.matchMedia('(prefers-color-scheme: dark)').matches ? 'dark' : 'light';
}

export function App() {
  const [theme, setTheme] = useState<ThemeName>(initialTheme);
  useEffect(() => {
    localStorage.setItem(themeKey, theme);
    document.documentElement.dataset.theme = theme;
  }, [theme]);
  return (
    <FluentProvider theme={theme === 'dark' ? webDarkTheme : webLightTheme} style={{ height: '100vh' }}>
      <AuthProvider>
        <Gate theme={theme} onTheme={setTheme} />
      </AuthProvider>
    </FluentProvider>
  );
}

function Gate({ theme, onTheme }: { theme: ThemeName; onTheme: (t: ThemeName) => void }) {
  const { auth, checking } = useAuth();
  if (checking) return <Spinner label="Loading Vigil" style={{ marginTop: '20vh' }} />;
  if (!auth) return <Login />;
  return (
    <Shell theme={theme} onTheme={onTheme}>
      <Suspense fallback={<Spinner label="Loading" />}>
        <Routes>
          <Route path="/" element={<Home />} />
          <Route path="/incidents" element={<IncidentQueue />} />
          <Route path="/incidents/:id" element={<IncidentPage />} />
          <Route path="/incidents/:id/:tab" element={<IncidentPage />} />
          <Route path="/hunting" element={<Hunting theme={theme} />} />
          <Route path="/rules" element={<Rules />} />
          <Route path="/action-center" element={<ActionCenter />} />
          <Route path="/devices/:name" element={<DevicePage />} />
          <Route path="/devices/:name/:tab" element={<DevicePage />} />
          <Route path="/users/:name" element={<UserPage />} />
          <Route path="/users/:name/:tab" element={<UserPage />} />
          <Route path="/alerts/:id" element={<AlertRedirect />} />
          <Route path="/threat-intelligence" element={<ThreatIntel />} />
          <Route path="/watchlists" element={<Watchlists />} />
          <Route path="/watchlists/:alias" element={<WatchlistPage />} />
          <Route path="/data-connectors" element={<DataConnectors />} />
          <Route path="/settings" element={<Settings />} />
          <Route path="/audit" element={<Audit />} />
          <Route path="*" element={<NotFound />} />
        </Routes>
      </Suspense>
    </Shell>
  );
}
