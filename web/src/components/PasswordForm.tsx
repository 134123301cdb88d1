import { useState, type FormEvent } from 'react';
import { ApiError, api, messageOf } from '../api.js';
import { Banner } from './Banner.js';
import { focusFirstError } from './ErrorSummary.js';
import { TextField } from './fields.js';

/** The form's own words, for a page that shows it in another language (the reader's); English otherwise. */
export interface PasswordWords {
  current: string;
  next: string;
  nextHint: string;
  again: string;
  saving: string;
  changed: string;
  missingCurrent: string;
  missingNext: string;
  mismatch: string;
}

const ENGLISH: PasswordWords = {
  current: 'Current password',
  next: 'New password',
  nextHint: 'At least 10 characters, mixing letters with digits or symbols; not a common password, and not your login or email.',
  again: 'New password again',
  saving: 'Saving…',
  changed: 'Your password was changed. Other sessions were signed out.',
  missingCurrent: 'Enter your current password.',
  missingNext: 'Enter a new password.',
  mismatch: 'The two new passwords do not match.',
};

/** Change your own password: current, new, and the new one again. Other sessions end. */
export function PasswordForm({ onChanged, submitLabel = 'Change password', words = ENGLISH }: { onChanged: () => void | Promise<void>; submitLabel?: string; words?: PasswordWords }) {
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [again, setAgain] = useState('');
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [general, setGeneral] = useState<string | null>(null);
  const [done, setDone] = useState(false);
  const [busy, setBusy] = useState(false);

  const submit = async (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const form = e.currentTarget;
    const found: Record<string, string> = {};
    if (!current) found.currentPassword = words.missingCurrent;
    if (!next) found.newPassword = words.missingNext;
    if (next && again !== next) found.confirmPassword = words.mismatch;
    setGeneral(null);
    setDone(false);
    setErrors(found);
    if (Object.keys(found).length) {
      requestAnimationFrame(() => focusFirstError(form));
      return;
    }
    setBusy(true);
    try {
      await api.post('/api/auth/password', { currentPassword: current, newPassword: next });
      setCurrent('');
      setNext('');
      setAgain('');
      setDone(true);
      await onChanged();
    } catch (err) {
      if (err instanceof ApiError && err.fields.length) {
        setErrors(Object.fromEntries(err.fields.map((f) => [f.field, f.message])));
        requestAnimationFrame(() => focusFirstError(form));
      } else setGeneral(messageOf(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <form onSubmit={submit} noValidate className="stack narrow-form">
      {general ? <Banner kind="error">{general}</Banner> : null}
      {done ? <Banner kind="success">{words.changed}</Banner> : null}
      <TextField name="currentPassword" label={words.current} type="password" value={current} onChange={setCurrent} autoComplete="current-password" error={errors.currentPassword} />
      <TextField name="newPassword" label={words.next} type="password" value={next} onChange={setNext} autoComplete="new-password" error={errors.newPassword} hint={words.nextHint} />
      <TextField name="confirmPassword" label={words.again} type="password" value={again} onChange={setAgain} autoComplete="new-password" error={errors.confirmPassword} />
      <div>
        <button type="submit" className="btn btn-primary" disabled={busy}>
          {busy ? words.saving : submitLabel}
        </button>
      </div>
    </form>
  );
}
