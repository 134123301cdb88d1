import { useState, type FormEvent, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError, messageOf } from '../api.js';
import { useSession } from '../session.js';
import type { Me } from '../types.js';
import { AuthCard } from './AuthCard.js';
import { Banner } from './Banner.js';
import { TextField } from './fields.js';

/**
 * The sign-in card of the console and of the reader: the same form, errors and rate-limit banner;
 * each says who it is for and where a signed-in person goes (`onSignedIn`).
 */
export function SignInForm(p: {
  title: string;
  lead: string;
  footer: string;
  loginLabel: string;
  loginHint?: string;
  missing: string;
  /** Beside the card's footer: the language switch. */
  extra?: ReactNode;
  onSignedIn: (user: Me) => void;
}) {
  const { t } = useTranslation('auth');
  const { signIn } = useSession();
  const [login, setLogin] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<{ message: string; code: string } | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!login.trim() || !password) {
      setError({ message: p.missing, code: 'MISSING' });
      return;
    }
    setBusy(true);
    setError(null);
    try {
      p.onSignedIn(await signIn(login.trim(), password));
    } catch (err) {
      const code = err instanceof ApiError ? err.code : 'UNKNOWN';
      setError({ message: messageOf(err), code });
      setPassword('');
    } finally {
      setBusy(false);
    }
  };

  return (
    <AuthCard title={p.title} lead={p.lead} footer={p.footer} extra={p.extra}>
      {error ? (
        <Banner kind={error.code === 'RATE_LIMITED' ? 'warning' : 'error'} title={error.code === 'RATE_LIMITED' ? t('tooManyAttempts') : undefined} urgent>
          {error.message}
        </Banner>
      ) : null}
      <form onSubmit={submit} noValidate className="auth-form">
        <TextField name="login" label={p.loginLabel} hint={p.loginHint} value={login} onChange={setLogin} autoComplete="username" spellCheck={false} />
        <TextField name="password" label={t('password')} type="password" value={password} onChange={setPassword} autoComplete="current-password" />
        <button type="submit" className="btn btn-primary btn-block" disabled={busy}>
          {busy ? t('signingIn') : t('signIn')}
        </button>
      </form>
    </AuthCard>
  );
}
