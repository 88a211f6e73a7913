// Sign-in: a user session (POST /api/v1/auth/login, cookie vigil_session and a CSRF token) or
// an API key kept in sessionStorage for this tab only.
import { createContext, useCallback, useContext, useEffect, useState, type ReactNode } from 'react';
import { ApiError, api, setAuth, setUnauthorizedHandler, type Auth } from './lib/api';

const keyStorage = 'vigil.apiKey';

interface LoginAnswer {
  user: string | { name?: string; username?: string; displayName?: string };
  roles?: (string | { role: string; tenant?: string })[];
  tenants?: string[];
  csrfToken: string;
}

function roleNames(rs: LoginAnswer['roles']): string[] {
  return (rs ?? []).map((r) => (typeof r === 'string' ? r : r.tenant ? `${r.role} (${r.tenant})` : r.role));
}

function userName(u: LoginAnswer['user']): string {
  if (typeof u === 'string') return u;
  return u.displayName ?? u.username ?? u.name ?? 'user';
}

interface AuthState {
  auth: Auth | null;
  checking: boolean;
  signInWithKey: (key: string) => Promise<void>;
  signInWithPassword: (username: string, password: string) => Promise<void>;
  signOut: () => Promise<void>;
}

const Ctx = createContext<AuthState | null>(null);

export function useAuth(): AuthState {
  const c = useContext(Ctx);
  if (!c) throw new Error('useAuth outside AuthProvider');
  return c;
}

// checkKey proves a key works with a cheap authenticated call.
async function checkKey(key: string): Promise<Auth> {
  const a: Auth = { kind: 'key', key, user: 'API key' };
  setAuth(a);
  try {
    await api('/api/v1/tables/SecurityIncident', { noAuthRedirect: true });
  } catch (e) {
    setAuth(null);
    if (e instanceof ApiError && e.status === 401) throw new ApiError(401, 'unauthenticated', 'That API key is not valid.');
    throw e;
  }
  return a;
}

export function AuthProvider({ children }: { children: ReactNode }) {
  const [auth, setState] = useState<Auth | null>(null);
  const [checking, setChecking] = useState(true);

  const apply = useCallback((a: Auth | null) => {
    setAuth(a);
    setState(a);
  }, []);

  useEffect(() => {
    setUnauthorizedHandler(() => {
      sessionStorage.removeItem(keyStorage);
      apply(null);
    });
    const st = { stop: false };
    void (async () => {
      const key = sessionStorage.getItem(keyStorage);
      try {
        if (key) {
          const a = await checkKey(key);
          if (!st.stop) apply(a);
          return;
        }
        const me = await api<LoginAnswer>('/api/v1/auth/me', { noAuthRedirect: true });
        if (!st.stop) apply({ kind: 'session', csrf: me.csrfToken, user: userName(me.user), roles: roleNames(me.roles), tenants: me.tenants ?? [] });
      } catch {
        if (!st.stop) apply(null);
      } finally {
        if (!st.stop) setChecking(false);
      }
    })();
    return () => {
      st.stop = true;
      setUnauthorizedHandler(null);
    };
  }, [apply]);

  const signInWithKey = useCallback(async (key: string) => {
    const a = await checkKey(key.trim());
    sessionStorage.setItem(keyStorage, key.trim());
    apply(a);
  }, [apply]);

  const signInWithPassword = useCallback(async (username: string, password: string) => {
    let r: LoginAnswer;
    try {
      r = await api<LoginAnswer>('/api/v1/auth/login', { method: 'POST', body: { username, password }, noAuthRedirect: true });
    } catch (e) {
      if (e instanceof ApiError && (e.status === 404 || e.status === 405)) {
        throw new ApiError(e.status, 'notAvailable', 'This server does not have user accounts yet (the users-and-sessions backend has not landed). Sign in with an API key.');
      }
      if (e instanceof ApiError && e.status === 401) throw new ApiError(401, 'unauthenticated', 'Wrong user name or password.');
      throw e;
    }
    apply({ kind: 'session', csrf: r.csrfToken, user: userName(r.user), roles: roleNames(r.roles), tenants: r.tenants ?? [] });
  }, [apply]);

  const signOut = useCallback(async () => {
    if (auth?.kind === 'session') {
      try {
        await api('/api/v1/auth/logout', { method: 'POST', noAuthRedirect: true });
      } catch {
        // signed out locally anyway
      }
    }
    sessionStorage.removeItem(keyStorage);
    apply(null);
  }, [auth, apply]);

  return <Ctx.Provider value={{ auth, checking, signInWithKey, signInWithPassword, signOut }}>{children}</Ctx.Provider>;
}
