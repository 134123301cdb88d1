import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError, client, messageOf, unwrap } from '../../api.js';
import { Banner } from '../../components/Banner.js';
import { Dialog } from '../../components/Dialog.js';
import { focusFirstError } from '../../components/ErrorSummary.js';
import { CheckboxField, RadioGroup, TextField } from '../../components/fields.js';
import type { DirectoryUser } from '../../types.js';
import type { IssuedPassword } from './IssuedPasswords.js';

function RosterPasswordRule() {
  const { t } = useTranslation('users');
  return <>{t('password.rosterRule')}</>;
}

/** The rule for roster passwords, as the dialog and the README say it (in the page's language). */
export const ROSTER_PASSWORD_RULE = <RosterPasswordRule />;

/** Set or reset one user's password: a one-time one Lectern makes, or one typed here; optionally to be changed at the next sign-in. */
export function PasswordDialog({
  customerId,
  user,
  onClose,
  onDone,
}: {
  customerId: string;
  user: DirectoryUser | null;
  onClose: () => void;
  /** Called after a change; with the one-time password when Lectern made one. */
  onDone: (issued: IssuedPassword | null) => void;
}) {
  const { t } = useTranslation('users');
  const modes = [
    { value: 'generate', label: t('password.modeGenerate') },
    { value: 'type', label: t('password.modeType') },
  ];
  const [mode, setMode] = useState('generate');
  const [password, setPassword] = useState('');
  const [mustChange, setMustChange] = useState(true);
  const [error, setError] = useState<string | undefined>();
  const [general, setGeneral] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const close = () => {
    setMode('generate');
    setPassword('');
    setMustChange(true);
    setError(undefined);
    setGeneral(null);
    onClose();
  };

  const submit = async (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    if (!user) return;
    const form = e.currentTarget;
    setGeneral(null);
    if (mode === 'type' && !password) {
      setError(t('password.typeOne'));
      requestAnimationFrame(() => focusFirstError(form));
      return;
    }
    setBusy(true);
    try {
      const body = mode === 'type' ? { password, mustChangePassword: mustChange } : { mustChangePassword: true };
      const res = await unwrap(client.POST('/api/customers/{id}/users/{userId}/password', { params: { path: { id: customerId, userId: user.id } }, body }));
      close();
      onDone(res.password ? { login: user.login, password: res.password } : null);
    } catch (err) {
      if (err instanceof ApiError && err.fields.length) {
        setError(err.fields.map((f) => f.message).join(' '));
        requestAnimationFrame(() => focusFirstError(form));
      } else setGeneral(messageOf(err));
    } finally {
      setBusy(false);
    }
  };

  const name = user ? `${user.givenName} ${user.familyName}`.trim() || user.login : '';
  return (
    <Dialog open={user !== null} title={t('list.setPasswordFor', { name })} onClose={close}>
      <form onSubmit={submit} noValidate className="stack">
        {general ? <Banner kind="error">{general}</Banner> : null}
        {user?.source === 'roster' ? <p className="field-hint">{ROSTER_PASSWORD_RULE}</p> : null}
        <RadioGroup name="mode" label={t('password.newPassword')} value={mode} onChange={setMode} options={modes} />
        {mode === 'type' ? (
          <>
            <TextField
              name="password"
              label={t('list.password')}
              type="password"
              value={password}
              onChange={(v) => {
                setPassword(v);
                setError(undefined);
              }}
              autoComplete="new-password"
              error={error}
              hint={t('password.hint')}
            />
            <CheckboxField name="mustChangePassword" label={t('password.mustChangeNext')} checked={mustChange} onChange={setMustChange} />
          </>
        ) : (
          <p className="field-hint">{t('password.generateHint')}</p>
        )}
        <p className="field-hint">{t('password.sessionsEnd')}</p>
        <div className="form-actions">
          <button type="button" className="btn btn-secondary" onClick={close} disabled={busy}>
            {t('ui:cancel')}
          </button>
          <button type="submit" className="btn btn-primary" disabled={busy}>
            {busy ? t('ui:saving') : t('password.submit')}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
