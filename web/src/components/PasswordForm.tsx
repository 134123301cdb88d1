import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError, api, messageOf } from '../api.js';
import { Banner } from './Banner.js';
import { focusFirstError } from './ErrorSummary.js';
import { TextField } from './fields.js';

/** Change your own password: current, new, and the new one again. Other sessions end. */
export function PasswordForm({ onChanged, submitLabel }: { onChanged: () => void | Promise<void>; submitLabel?: string }) {
  const { t } = useTranslation('password');
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
    if (!current) found.currentPassword = t('missingCurrent');
    if (!next) found.newPassword = t('missingNext');
    if (next && again !== next) found.confirmPassword = t('mismatch');
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
      {done ? <Banner kind="success">{t('changed')}</Banner> : null}
      <TextField name="currentPassword" label={t('current')} type="password" value={current} onChange={setCurrent} autoComplete="current-password" error={errors.currentPassword} />
      <TextField name="newPassword" label={t('next')} type="password" value={next} onChange={setNext} autoComplete="new-password" error={errors.newPassword} hint={t('nextHint')} />
      <TextField name="confirmPassword" label={t('again')} type="password" value={again} onChange={setAgain} autoComplete="new-password" error={errors.confirmPassword} />
      <div>
        <button type="submit" className="btn btn-primary" disabled={busy}>
          {busy ? t('saving') : (submitLabel ?? t('change'))}
        </button>
      </div>
    </form>
  );
}
