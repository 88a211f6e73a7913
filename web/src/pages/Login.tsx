import { useState, type SyntheticEvent } from 'react';
import {
  Button, Field, Input, makeStyles, MessageBar, MessageBarBody, Tab, TabList, Text, tokens,
} from '@fluentui/react-components';
import { ShieldTask24Regular } from '@fluentui/react-icons';
import { useAuth } from '../auth';
import { errorText } from '../lib/api';

const useStyles = makeStyles({
  wrap: { display: 'grid', placeItems: 'center', minHeight: '100vh', backgroundColor: tokens.colorNeutralBackground3 },
  card: {
    width: '400px', padding: '32px', display: 'flex', flexDirection: 'column', gap: '16px',
    backgroundColor: tokens.colorNeutralBackground1, borderRadius: tokens.borderRadiusXLarge, boxShadow: tokens.shadow16,
  },
  brand: { display: 'flex', alignItems: 'center', gap: '8px', color: tokens.colorBrandForeground1 },
  form: { display: 'flex', flexDirection: 'column', gap: '12px' },
});

export function Login() {
  const s = useStyles();
  const { signInWithKey, signInWithPassword } = useAuth();
  const [mode, setMode] = useState<'password' | 'key'>('password');
  const [user, setUser] = useState('');
  const [password, setPassword] = useState('');
  const [key, setKey] = useState('');
  const [busy, setBusy] = useState(false);
  const [err, setErr] = useState<string | null>(null);

  const submit = async (e: SyntheticEvent) => {
    e.preventDefault();
    setBusy(true);
    setErr(null);
    try {
      if (mode === 'key') await signInWithKey(key);
      else await signInWithPassword(user, password);
    } catch (x) {
      setErr(errorText(x));
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className={s.wrap}>
      <main className={s.card}>
        <div className={s.brand}><ShieldTask24Regular /><Text size={600} weight="semibold">Vigil</Text></div>
        <Text>Sign in to the security portal</Text>
        <TabList selectedValue={mode} onTabSelect={(_, d) => { setMode(d.value as 'password' | 'key'); setErr(null); }}>
          <Tab value="password">User name and password</Tab>
          <Tab value="key">API key</Tab>
        </TabList>
        <form className={s.form} onSubmit={(e) => void submit(e)}>
          {mode === 'password' ? (
            <>
              <Field label="User name" required>
                <Input name="username" autoComplete="username" value={user} onChange={(_, d) => setUser(d.value)} autoFocus />
              </Field>
              <Field label="Password" required>
                <Input name="password" type="password" autoComplete="current-password" value={password} onChange={(_, d) => setPassword(d.value)} />
              </Field>
            </>
          ) : (
            <Field label="API key" required hint="The administrator key is in DATA/admin.key on the server. It is kept for this browser tab only.">
              <Input name="apikey" type="password" autoComplete="off" value={key} onChange={(_, d) => setKey(d.value)} autoFocus />
            </Field>
          )}
          {err && <MessageBar intent="error" role="alert"><MessageBarBody>{err}</MessageBarBody></MessageBar>}
          <Button appearance="primary" type="submit" disabled={busy || (mode === 'key' ? !key : !user || !password)}>
            {busy ? 'Signing in…' : 'Sign in'}
          </Button>
        </form>
      </main>
    </div>
  );
}
