import { useEffect, useState, type FormEvent } from 'react';
import type { NotificationPreferences, PreferencesView } from '../../../../src/notifications/notification-view.js';
import { api, messageOf } from '../../api.js';
import { Banner } from '../../components/Banner.js';
import { CheckboxField } from '../../components/fields.js';
import { useResource } from '../../hooks/useResource.js';
import './notifications.css';

const EVENT_CHOICES: { key: keyof NotificationPreferences; label: string; hint: string }[] = [
  { key: 'runFailed', label: 'A roster sync fails', hint: 'Any source: upload, SFTP, API pull, Sync from LMS. Nothing was applied.' },
  { key: 'runHeld', label: 'A roster sync waits for approval', hint: 'It would delete more than your threshold allows.' },
  { key: 'feedStale', label: 'A scheduled feed goes stale', hint: 'No successful sync for two of its periods.' },
];

/** The signed-in admin's e-mail choices: the three events, or (enterprise admins) the daily digest. */
export function EmailPreferences() {
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
      set(await api.put<PreferencesView>('/api/notifications/preferences', draft));
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
        <h2 id="email-prefs-title">E-mail me when</h2>
      </header>
      {error ? <Banner kind="error">{error}</Banner> : null}
      {data && !data.email.enabled ? (
        <Banner kind="info" title="E-mail is off">
          The operator has not set up e-mail (LECTERN_SMTP_URL), so Lectern sends none. Your choices are kept for when it is.
        </Banner>
      ) : null}
      {data && draft ? (
        <form onSubmit={save} noValidate className="stack">
          {data.email.address ? (
            <p className="muted">
              Sent to <strong>{data.email.address}</strong>.
            </p>
          ) : (
            <p className="muted">Your account has no e-mail address, so no e-mail can reach you.</p>
          )}
          {data.scope === 'platform' ? (
            <CheckboxField
              name="dailyDigest"
              label="Daily digest"
              checked={draft.dailyDigest}
              onChange={(v) => change('dailyDigest', v)}
              hint="Every morning: all customers' failed syncs of the last 24 hours, syncs waiting for approval, and stale feeds."
            >
              Send me the daily digest of all customers
            </CheckboxField>
          ) : (
            <fieldset className="field">
              <legend>Events</legend>
              {EVENT_CHOICES.map((c) => (
                <CheckboxField key={c.key} name={c.key} label={c.label} checked={draft[c.key]} onChange={(v) => change(c.key, v)} hint={c.hint} />
              ))}
            </fieldset>
          )}
          {saveError ? <Banner kind="error">{saveError}</Banner> : null}
          <div className="form-actions">
            <button type="submit" className="btn btn-primary" disabled={saving}>
              {saving ? 'Saving…' : 'Save preferences'}
            </button>
            <span role="status" className="muted">
              {saved ? 'Preferences saved.' : ''}
            </span>
          </div>
        </form>
      ) : !error ? (
        <p className="loading">Loading your preferences…</p>
      ) : null}
    </section>
  );
}
