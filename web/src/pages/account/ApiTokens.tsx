import { useCallback, useEffect, useState, type FormEvent } from 'react';
import { ApiError, api, messageOf } from '../../api.js';
import { Banner } from '../../components/Banner.js';
import { CopyField } from '../../components/CopyField.js';
import { DataTable, EmptyState, type Column } from '../../components/DataTable.js';
import { ConfirmDialog } from '../../components/Dialog.js';
import { SelectField, TextField } from '../../components/fields.js';
import { formatDate, formatDateTime } from '../../labels.js';
import type { ApiToken } from '../../types.js';

const EXPIRY = [
  { value: '30', label: '30 days' },
  { value: '90', label: '90 days' },
  { value: '365', label: '1 year' },
  { value: '', label: 'No expiry' },
];

/** Personal API tokens for scripts: create (shown once), list, revoke. */
export function ApiTokens() {
  const [tokens, setTokens] = useState<ApiToken[] | null>(null);
  const [name, setName] = useState('');
  const [expires, setExpires] = useState('90');
  const [nameError, setNameError] = useState<string | undefined>();
  const [error, setError] = useState<string | null>(null);
  const [created, setCreated] = useState<{ token: string; name: string } | null>(null);
  const [revoking, setRevoking] = useState<ApiToken | null>(null);
  const [busy, setBusy] = useState(false);

  const load = useCallback(() => {
    api
      .get<ApiToken[]>('/api/auth/tokens')
      .then(setTokens)
      .catch((err: unknown) => setError(messageOf(err)));
  }, []);
  useEffect(load, [load]);

  const create = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    if (!name.trim()) {
      setNameError('Name the token after the script or machine that uses it.');
      document.getElementById('field-tokenName')?.focus();
      return;
    }
    setNameError(undefined);
    setBusy(true);
    try {
      const res = await api.post<{ token: string; info: ApiToken }>('/api/auth/tokens', { name: name.trim(), ...(expires ? { expiresInDays: Number(expires) } : {}) });
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
      await api.delete(`/api/auth/tokens/${encodeURIComponent(revoking.id)}`);
      load();
    } catch (err) {
      setError(messageOf(err));
    } finally {
      setBusy(false);
      setRevoking(null);
    }
  };

  const columns: Column<ApiToken>[] = [
    { header: 'Name', cell: (t) => <strong>{t.name}</strong> },
    { header: 'Token', cell: (t) => <code>{t.prefix}…</code> },
    { header: 'Created', cell: (t) => formatDate(t.createdAt), secondary: true },
    { header: 'Last used', cell: (t) => (t.lastUsedAt ? formatDateTime(t.lastUsedAt) : 'Never'), secondary: true },
    { header: 'Expires', cell: (t) => (t.revokedAt ? 'Revoked' : t.expiresAt ? formatDate(t.expiresAt) : 'Never') },
    {
      header: 'Actions',
      className: 'actions-cell',
      cell: (t) =>
        t.revokedAt ? null : (
          <button type="button" className="btn btn-danger-outline btn-small" onClick={() => setRevoking(t)} aria-label={`Revoke ${t.name}`}>
            Revoke
          </button>
        ),
    },
  ];

  return (
    <section className="card" aria-labelledby="tokens-title">
      <header className="card-header">
        <h2 id="tokens-title">API tokens</h2>
      </header>
      <p className="muted">
        For scripts and the API: send <code>Authorization: Bearer &lt;token&gt;</code>. A token acts as you, with your permissions.
      </p>
      {error ? <Banner kind="error">{error}</Banner> : null}
      {created ? (
        <div className="token-created stack">
          <Banner kind="warning" title="Copy your new token now">
            “{created.name}” is shown only this once. Store it where your script can read it.
          </Banner>
          <CopyField label="New API token" name="token" value={created.token} secret />
          <div>
            <button type="button" className="btn btn-secondary btn-small" onClick={() => setCreated(null)}>
              Done
            </button>
          </div>
        </div>
      ) : null}
      <form className="inline-form" onSubmit={create} noValidate>
        <TextField name="tokenName" label="Token name" value={name} onChange={setName} error={nameError} placeholder="Nightly export script" maxLength={100} />
        <SelectField name="expiresInDays" label="Expires after" value={expires} onChange={setExpires} options={EXPIRY} />
        <div className="inline-form-submit">
          <button type="submit" className="btn btn-primary" disabled={busy}>
            Create token
          </button>
        </div>
      </form>
      {tokens && tokens.length === 0 ? <EmptyState title="No API tokens">Create one above for a script or integration.</EmptyState> : null}
      {tokens && tokens.length > 0 ? <DataTable caption="Your API tokens" columns={columns} rows={tokens} rowKey={(t) => t.id} /> : null}
      <ConfirmDialog
        open={revoking !== null}
        title={`Revoke “${revoking?.name ?? ''}”?`}
        confirmLabel="Revoke token"
        danger
        busy={busy}
        onConfirm={() => void revoke()}
        onCancel={() => setRevoking(null)}
      >
        <p>Scripts using this token stop working at once. This cannot be undone.</p>
      </ConfirmDialog>
    </section>
  );
}
