import { useEffect, useState, type FormEvent } from 'react';
import { Trans, useTranslation } from 'react-i18next';
import type { NotificationPreferences, PreferencesView } from '../../../../src/notifications/notification-view.js';
import { client, messageOf, unwrap } from '../../api.js';
import { Banner } from '../../components/Banner.js';
import { CheckboxField } from '../../components/fields.js';
import { useResource } from '../../hooks/useResource.js';
import './notifications.css';

// The operator's setting that turns e-mail on: a name, the same in every language.
const SMTP_SETTING = 'LECTERN_SMTP_URL';

// The events a customer's admin can be e-mailed about; their words are `notifications:email.<key>` and `…Hint`.
const EVENT_CHOICES = ['runFailed', 'runHeld', 'feedStale'] as const satisfies readonly (keyof NotificationPreferences)[];

/** The signed-in admin's e-mail choices: the three events, or (enterprise admins) the daily digest. */
export function EmailPreferences() {
  const { t } = useTranslation('notifications');
  const { data, error, set } = useResource<PreferencesView>('/api/notifications/preferences');
  const [draft, setDraft] = useState<NotificationPreferences | null>(null);
  const [saving, setSaving] = useState(false);
  const [saveError, setSaveError] = useState<string | null>(null);
  const [saved, setSaved] = useState(false);
  useEffect(() => {
    if (data) setDraft(data.preferences);
  }, [data]);

  const save = async (e: FormEvent) => {
    e.preventDefault();
    if (!draft) return;
    setSaving(true);
    setSaveError(null);
    setSaved(false);
    try {
      set(await unwrap(client.PUT('/api/notifications/preferences', { body: draft })));
      setSaved(true);
    } catch (err) {
      setSaveError(messageOf(err));
    } finally {
      setSaving(false);
    }
  };
  const change = (key: keyof NotificationPreferences, value: boolean) => {
    setSaved(false);
    setDraft((d) => (d ? { ...d, [key]: value } : d));
  };

  return (
    <section className="card email-prefs" aria-labelledby="email-prefs-title">
      <header className="card-header">
        <h2 id="email-prefs-title">{t('email.title')}</h2>
      </header>
      {error ? <Banner kind="error">{error}</Banner> : null}
      {data && !data.email.enabled ? (
        <Banner kind="info" title={t('email.off')}>
          {t('email.offBody', { setting: SMTP_SETTING })}
        </Banner>
      ) : null}
      {data && draft ? (
        <form onSubmit={save} noValidate className="stack">
          {data.email.address ? (
            <p className="muted">
              <Trans i18nKey="email.sentTo" t={t} values={{ address: data.email.address }} components={{ 1: <strong /> }} />
            </p>
          ) : (
            <p className="muted">{t('email.noAddress')}</p>
          )}
          {data.scope === 'platform' ? (
            <CheckboxField name="dailyDigest" label={t('email.digest')} checked={draft.dailyDigest} onChange={(v) => change('dailyDigest', v)} hint={t('email.digestHint')}>
              {t('email.digestLabel')}
            </CheckboxField>
          ) : (
            <fieldset className="field">
              <legend>{t('email.events')}</legend>
              {EVENT_CHOICES.map((key) => (
                <CheckboxField key={key} name={key} label={t(`email.${key}`)} checked={draft[key]} onChange={(v) => change(key, v)} hint={t(`email.${key}Hint`)} />
              ))}
            </fieldset>
          )}
          {saveError ? <Banner kind="error">{saveError}</Banner> : null}
          <div className="form-actions">
            <button type="submit" className="btn btn-primary" disabled={saving}>
              {saving ? t('ui:saving') : t('email.save')}
            </button>
            <span role="status" className="muted">
              {saved ? t('email.saved') : ''}
            </span>
          </div>
        </form>
      ) : !error ? (
        <p className="loading">{t('email.loading')}</p>
      ) : null}
    </section>
  );
}
