import { useState, type FormEvent } from 'react';
import { ApiError, api, messageOf } from '../../api.js';
import { Banner } from '../../components/Banner.js';
import { Dialog } from '../../components/Dialog.js';
import { focusFirstError } from '../../components/ErrorSummary.js';
import { CheckboxField, RadioGroup, TextField } from '../../components/fields.js';
import type { DirectoryUser } from '../../types.js';
import type { IssuedPassword } from './IssuedPasswords.js';

const MODES = [
  { value: 'generate', label: 'Make a one-time password for me' },
  { value: 'type', label: 'Type a password' },
];

/** The rule for roster passwords, as the dialog and the README say it. */
export const ROSTER_PASSWORD_RULE = "A password set here wins over the roster's until the roster brings a different password for this person; then the roster's wins again.";

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
      setError('Type a password, or let Lectern make one.');
      requestAnimationFrame(() => focusFirstError(form));
      return;
    }
    setBusy(true);
    try {
      const body = mode === 'type' ? { password, mustChangePassword: mustChange } : { mustChangePassword: true };
      const res = await api.post<{ password: string | null }>(`/api/customers/${encodeURIComponent(customerId)}/users/${encodeURIComponent(user.id)}/password`, body);
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
    <Dialog open={user !== null} title={`Set a password for ${name}`} onClose={close}>
      <form onSubmit={submit} noValidate className="stack">
        {general ? <Banner kind="error">{general}</Banner> : null}
        {user?.source === 'roster' ? <p className="field-hint">{ROSTER_PASSWORD_RULE}</p> : null}
        <RadioGroup name="mode" label="New password" value={mode} onChange={setMode} options={MODES} />
        {mode === 'type' ? (
          <>
            <TextField
              name="password"
              label="Password"
              type="password"
              value={password}
              onChange={(v) => {
                setPassword(v);
                setError(undefined);
              }}
              autoComplete="new-password"
              error={error}
              hint="At least 10 characters, mixing letters with digits or symbols; not a common password, and not their login or email."
            />
            <CheckboxField name="mustChangePassword" label="Must change it at the next sign-in" checked={mustChange} onChange={setMustChange} />
          </>
        ) : (
          <p className="field-hint">Lectern shows the new password once; they must change it at their next sign-in.</p>
        )}
        <p className="field-hint">Their open sessions and API tokens end.</p>
        <div className="form-actions">
          <button type="button" className="btn btn-secondary" onClick={close} disabled={busy}>
            Cancel
          </button>
          <button type="submit" className="btn btn-primary" disabled={busy}>
            {busy ? 'Saving…' : 'Set password'}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
