import { useState, type FormEvent } from 'react';
import { ApiError, messageOf } from '../api.js';
import { AuthCard } from '../components/AuthCard.js';
import { Banner } from '../components/Banner.js';
import { TextField } from '../components/fields.js';
import { useTitle } from '../components/Layout.js';
import { navigate, useLocation } from '../router.js';
import { safeNext, useReaderSession } from './session.js';

/** Sign in to the reader with the username your school gave you (with its suffix) and password. */
export function ReaderLoginPage() {
  useTitle('Sign in to the reader');
  const { signIn } = useReaderSession();
  const { search } = useLocation();
  const [login, setLogin] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<{ message: string; code: string } | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!login.trim() || !password) {
      setError({ message: 'Enter your username and your password.', code: 'MISSING' });
      return;
    }
    setBusy(true);
    setError(null);
    try {
      const user = await signIn(login.trim(), password);
      // A one-time password is changed in the console, which then sends the person back here.
      if (user.mustChangePassword) window.location.assign('/account');
      else navigate(safeNext(search.get('next')), { replace: true });
    } catch (err) {
      setError({ message: messageOf(err), code: err instanceof ApiError ? err.code : 'UNKNOWN' });
      setPassword('');
    } finally {
      setBusy(false);
    }
  };

  return (
    <AuthCard title="Sign in to read" lead="Use the username and password from your school." footer="Arriving from your course? Open the book from your LMS and you are signed in already.">
      {error ? (
        <Banner kind={error.code === 'RATE_LIMITED' ? 'warning' : 'error'} title={error.code === 'RATE_LIMITED' ? 'Too many attempts' : undefined} urgent>
          {error.message}
        </Banner>
      ) : null}
      <form onSubmit={submit} noValidate className="auth-form">
        <TextField name="login" label="Username" hint="With your school’s ending, for example jdoe@lincoln" value={login} onChange={setLogin} autoComplete="username" spellCheck={false} />
        <TextField name="password" label="Password" type="password" value={password} onChange={setPassword} autoComplete="current-password" />
        <button type="submit" className="btn btn-primary btn-block" disabled={busy}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
    </AuthCard>
  );
}
