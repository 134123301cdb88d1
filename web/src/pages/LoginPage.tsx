import { useState, type FormEvent } from 'react';
import { ApiError, messageOf } from '../api.js';
import { AuthCard } from '../components/AuthCard.js';
import { Banner } from '../components/Banner.js';
import { TextField } from '../components/fields.js';
import { useTitle } from '../components/Layout.js';
import { navigate, useLocation } from '../router.js';
import { homePath, useSession } from '../session.js';

/** Sign in with a login name or email and a password. */
export function LoginPage() {
  useTitle('Sign in');
  const { signIn } = useSession();
  const { search } = useLocation();
  const [login, setLogin] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<{ message: string; code: string } | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!login.trim() || !password) {
      setError({ message: 'Enter your login or email and your password.', code: 'MISSING' });
      return;
    }
    setBusy(true);
    setError(null);
    try {
      const user = await signIn(login.trim(), password);
      const next = search.get('next');
      // Only same-console paths: never bounce a fresh session to another site.
      navigate(next && next.startsWith('/') && !next.startsWith('//') && !next.startsWith('/login') ? next : homePath(user), { replace: true });
    } catch (err) {
      setError({ message: messageOf(err), code: err instanceof ApiError ? err.code : 'UNKNOWN' });
      setPassword('');
    } finally {
      setBusy(false);
    }
  };

  return (
    <AuthCard title="Sign in" lead="Manage customers, rosters and reading content." footer="Students and teachers: open your books from your school’s LMS or the reader.">
        {error ? (
          <Banner kind={error.code === 'RATE_LIMITED' ? 'warning' : 'error'} title={error.code === 'RATE_LIMITED' ? 'Too many attempts' : undefined} urgent>
            {error.message}
          </Banner>
        ) : null}
        <form onSubmit={submit} noValidate className="auth-form">
          <TextField name="login" label="Login or email" value={login} onChange={setLogin} autoComplete="username" spellCheck={false} />
          <TextField name="password" label="Password" type="password" value={password} onChange={setPassword} autoComplete="current-password" />
          <button type="submit" className="btn btn-primary btn-block" disabled={busy}>
            {busy ? 'Signing in…' : 'Sign in'}
          </button>
        </form>
    </AuthCard>
  );
}
