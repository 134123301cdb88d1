import { useCallback, useEffect, useState, type FormEvent } from 'react';
import { Trans, useTranslation } from 'react-i18next';
import { ApiError, client, messageOf, unwrap } from '../../api.js';
import { Banner } from '../../components/Banner.js';
import { CopyField } from '../../components/CopyField.js';
import { DataTable, EmptyState, type Column } from '../../components/DataTable.js';
import { ConfirmDialog } from '../../components/Dialog.js';
import { SelectField, TextField } from '../../components/fields.js';
import { formatDate, formatDateTime } from '../../labels.js';
import type { ApiToken } from '../../types.js';

// What a script sends: code, the same in every language.
const AUTH_HEADER = 'Authorization: Bearer <token>';

/** Personal API tokens for scripts: create (shown once), list, revoke. */
export function ApiTokens() {
  const { t } = useTranslation('account');
  const expiry = [
    { value: '30', label: t('days', { count: 30 }) },
    { value: '90', label: t('days', { count: 90 }) },
    { value: '365', label: t('oneYear') },
    { value: '', label: t('noExpiry') },
  ];
  const [tokens, setTokens] = useState<ApiToken[] | null>(null);
  const [name, setName] = useState('');
  const [expires, setExpires] = useState('90');
  const [nameError, setNameError] = useState<string | undefined>();
  const [error, setError] = useState<string | null>(null);
  const [created, setCreated] = useState<{ token: string; name: string } | null>(null);
  const [revoking, setRevoking] = useState<ApiToken | null>(null);
  const [busy, setBusy] = useState(false);

  const load = useCallback(() => {
    unwrap(client.GET('/api/auth/tokens'))
      .then(setTokens)
      .catch((err: unknown) => setError(messageOf(err)));
  }, []);
  useEffect(load, [load]);

  const create = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    if (!name.trim()) {
      setNameError(t('tokenNameMissing'));
      document.getElementById('field-tokenName')?.focus();
      return;
    }
    setNameError(undefined);
    setBusy(true);
    try {
      const res = await unwrap(client.POST('/api/auth/tokens', { body: { name: name.trim(), ...(expires ? { expiresInDays: Number(expires) } : {}) } }));
      setCreated({ token: res.token, name: res.info.name });
      setName('');
      load();
    } catch (err) {
      if (err instanceof ApiError && err.fields.length) setNameError(err.fields[0]?.message);
      else setError(messageOf(err));
    } finally {
      setBusy(false);
    }
  };

  const revoke = async () => {
    if (!revoking) return;
    setBusy(true);
    try {
      await unwrap(client.DELETE('/api/auth/tokens/{id}', { params: { path: { id: revoking.id } } }));
      load();
    } catch (err) {
      setError(messageOf(err));
    } finally {
      setBusy(false);
      setRevoking(null);
    }
  };

  const columns: Column<ApiToken>[] = [
    { header: t('name'), cell: (k) => <strong>{k.name}</strong> },
    { header: t('token'), cell: (k) => <code>{k.prefix}…</code> },
    { header: t('created'), cell: (k) => formatDate(k.createdAt), secondary: true },
    { header: t('lastUsed'), cell: (k) => (k.lastUsedAt ? formatDateTime(k.lastUsedAt) : t('never')), secondary: true },
    { header: t('expires'), cell: (k) => (k.revokedAt ? t('revoked') : k.expiresAt ? formatDate(k.expiresAt) : t('never')) },
    {
      header: t('ui:actions'),
      className: 'actions-cell',
      cell: (k) =>
        k.revokedAt ? null : (
          <button type="button" className="btn btn-danger-outline btn-small" onClick={() => setRevoking(k)} aria-label={t('revokeNamed', { name: k.name })}>
            {t('revoke')}
          </button>
        ),
    },
  ];

  return (
    <section className="card" aria-labelledby="tokens-title">
      <header className="card-header">
        <h2 id="tokens-title">{t('tokensTitle')}</h2>
      </header>
      <p className="muted">
        <Trans i18nKey="tokensLead" t={t} components={{ 1: <code /> }} values={{ header: AUTH_HEADER }} />
      </p>
      {error ? <Banner kind="error">{error}</Banner> : null}
      {created ? (
        <div className="token-created stack">
          <Banner kind="warning" title={t('copyNow')}>
            {t('shownOnce', { name: created.name })}
          </Banner>
          <CopyField label={t('newToken')} name="token" value={created.token} secret />
          <div>
            <button type="button" className="btn btn-secondary btn-small" onClick={() => setCreated(null)}>
              {t('ui:done')}
            </button>
          </div>
        </div>
      ) : null}
      <form className="inline-form" onSubmit={create} noValidate>
        <TextField name="tokenName" label={t('tokenName')} value={name} onChange={setName} error={nameError} placeholder={t('tokenNameExample')} maxLength={100} />
        <SelectField name="expiresInDays" label={t('expiresAfter')} value={expires} onChange={setExpires} options={expiry} />
        <div className="inline-form-submit">
          <button type="submit" className="btn btn-primary" disabled={busy}>
            {t('createToken')}
          </button>
        </div>
      </form>
      {tokens && tokens.length === 0 ? <EmptyState title={t('noTokens')}>{t('noTokensBody')}</EmptyState> : null}
      {tokens && tokens.length > 0 ? <DataTable caption={t('yourTokens')} columns={columns} rows={tokens} rowKey={(t) => t.id} /> : null}
      <ConfirmDialog
        open={revoking !== null}
        title={t('revokeTitle', { name: revoking?.name ?? '' })}
        confirmLabel={t('revokeToken')}
        danger
        busy={busy}
        onConfirm={() => void revoke()}
        onCancel={() => setRevoking(null)}
      >
        <p>{t('revokeBody')}</p>
      </ConfirmDialog>
    </section>
  );
}
