import { useCallback, useEffect, useState } from 'react';
import type { DeliveryStatus, DeliveryView, WebhookView } from '../../../../src/notifications/notification-view.js';
import { ApiError, api, messageOf } from '../../api.js';
import { Banner } from '../../components/Banner.js';
import { CopyField } from '../../components/CopyField.js';
import { DataTable, EmptyState, Pager, type Column } from '../../components/DataTable.js';
import { ConfirmDialog } from '../../components/Dialog.js';
import { RadioGroup, TextField } from '../../components/fields.js';
import { PageHeader, useTitle } from '../../components/Layout.js';
import { ListToolbar } from '../../components/ListToolbar.js';
import { StatusBadge } from '../../components/StatusBadge.js';
import { useCustomer, useCustomerCrumbs } from '../../hooks/useCustomer.js';
import { usePagedList } from '../../hooks/usePagedList.js';
import { useResource } from '../../hooks/useResource.js';
import { formatDateTime } from '../../labels.js';
import { EmailPreferences } from './EmailPreferences.js';
import { useUser } from '../../session.js';
import type { Page } from '../../types.js';
import './notifications.css';

const PAGE_SIZE = 20;

const STATUSES: { value: DeliveryStatus; label: string; meaning: string }[] = [
  { value: 'failed', label: 'Failed', meaning: 'Every try failed, or the address is one Lectern does not call.' },
  { value: 'retrying', label: 'Retrying', meaning: 'The last try failed; Lectern tries again at the time shown.' },
  { value: 'pending', label: 'Pending', meaning: 'Waiting for its first try.' },
  { value: 'succeeded', label: 'Delivered', meaning: 'Your endpoint answered 2xx.' },
];

const EVENT_LABELS: Record<string, string> = { 'run.failed': 'Sync failed', 'run.held': 'Waiting for approval', 'feed.stale': 'Feed stale', 'webhook.test': 'Test event' };

/** A customer's notifications: your e-mail choices, the webhook (secret shown once), and its delivery log. */
export function NotificationsPage({ customerId }: { customerId: string }) {
  const customer = useCustomer(customerId);
  const crumbs = useCustomerCrumbs(customerId, customer);
  useTitle('Notifications');
  const [deliveriesChanged, setDeliveriesChanged] = useState(0);
  return (
    <div className="page">
      <PageHeader crumbs={crumbs} title="Notifications" subtitle="Hear about failed, held and stale roster syncs: by e-mail to you, and as signed webhooks to your own systems." />
      <div className="notifications-grid">
        <EmailPreferences />
        <WebhookCard customerId={customerId} onSent={() => setDeliveriesChanged((n) => n + 1)} />
      </div>
      <DeliveryLog customerId={customerId} changed={deliveriesChanged} />
    </div>
  );
}

/** The customer's webhook: add, change the URL, new secret (shown once), test event, remove. */
function WebhookCard({ customerId, onSent }: { customerId: string; onSent: () => void }) {
  const user = useUser();
  const path = `/api/customers/${encodeURIComponent(customerId)}/notifications/webhook`;
  const { data, error, set } = useResource<{ webhook: WebhookView | null }>(path);
  const [url, setUrl] = useState('');
  const [urlError, setUrlError] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState<string | null>(null);
  const [secret, setSecret] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [removing, setRemoving] = useState(false);
  const mayEdit = user.role !== 'institute_admin';
  const hook = data?.webhook ?? null;
  useEffect(() => {
    if (data) setUrl(data.webhook?.url ?? '');
  }, [data]);

  const act = async (what: () => Promise<void>) => {
    setBusy(true);
    setFailure(null);
    setNotice(null);
    try {
      await what();
    } catch (err) {
      if (err instanceof ApiError && err.fields.some((f) => f.field === 'url')) {
        setUrlError(err.fields.find((f) => f.field === 'url')?.message);
        document.getElementById('field-webhookUrl')?.focus();
      } else setFailure(messageOf(err));
    } finally {
      setBusy(false);
    }
  };
  const save = (rotateSecret = false) =>
    act(async () => {
      if (!url.trim()) {
        setUrlError('Enter the URL Lectern should post events to.');
        document.getElementById('field-webhookUrl')?.focus();
        return;
      }
      setUrlError(undefined);
      const res = await api.put<{ webhook: WebhookView; secret: string | null }>(path, { url: url.trim(), ...(rotateSecret ? { rotateSecret: true } : {}) });
      set({ webhook: res.webhook });
      if (res.secret) setSecret(res.secret);
      setNotice(hook ? (res.secret ? 'A new signing secret was made; the old one no longer signs.' : 'Webhook URL saved.') : 'Webhook added.');
    });
  const sendTest = () =>
    act(async () => {
      await api.post(`${path}/test`);
      setNotice('Test event queued: follow it in the delivery log below.');
      onSent();
    });
  const remove = () =>
    act(async () => {
      await api.delete(path);
      set({ webhook: null });
      setSecret(null);
      setRemoving(false);
      setNotice('Webhook removed.');
    });

  return (
    <section className="card" aria-labelledby="webhook-title">
      <header className="card-header">
        <h2 id="webhook-title">Webhook</h2>
      </header>
      <p className="muted">
        Lectern posts each event as JSON, signed in the <code>Lectern-Signature</code> header (HMAC-SHA256 with your secret), and retries for about an hour when your endpoint fails.
      </p>
      {error ? <Banner kind="error">{error}</Banner> : null}
      {failure ? <Banner kind="error">{failure}</Banner> : null}
      {notice ? <Banner kind="success">{notice}</Banner> : null}
      {secret ? (
        <div className="stack webhook-secret">
          <Banner kind="warning" title="Copy the signing secret now">
            It is shown only this once. Your endpoint needs it to check that events come from Lectern.
          </Banner>
          <CopyField label="Signing secret" name="webhookSecret" value={secret} secret />
          <div>
            <button type="button" className="btn btn-secondary btn-small" onClick={() => setSecret(null)}>
              Done
            </button>
          </div>
        </div>
      ) : null}
      {data ? (
        mayEdit ? (
          <form
            className="stack"
            noValidate
            onSubmit={(e) => {
              e.preventDefault();
              void save();
            }}
          >
            <TextField
              name="webhookUrl"
              label="Endpoint URL"
              type="url"
              value={url}
              onChange={(v) => {
                setUrl(v);
                if (urlError) setUrlError(undefined);
              }}
              error={urlError}
              placeholder="https://sis.example.org/hooks/lectern"
              maxLength={2000}
              width="full"
              required
            />
            <div className="form-actions">
              <button type="submit" className="btn btn-primary" disabled={busy}>
                {hook ? 'Save URL' : 'Add webhook'}
              </button>
              {hook ? (
                <>
                  <button type="button" className="btn btn-secondary" disabled={busy} onClick={() => void sendTest()}>
                    Send test event
                  </button>
                  <button type="button" className="btn btn-secondary" disabled={busy} onClick={() => void save(true)}>
                    New secret
                  </button>
                  <button type="button" className="btn btn-danger-outline" disabled={busy} onClick={() => setRemoving(true)}>
                    Remove
                  </button>
                </>
              ) : null}
            </div>
          </form>
        ) : hook ? (
          <p>
            Events go to <code>{hook.url}</code>. A customer administrator can change it.
          </p>
        ) : (
          <p className="muted">No webhook. A customer administrator can add one.</p>
        )
      ) : !error ? (
        <p className="loading">Loading the webhook…</p>
      ) : null}
      <ConfirmDialog open={removing} title="Remove the webhook?" confirmLabel="Remove webhook" danger busy={busy} onConfirm={() => void remove()} onCancel={() => setRemoving(false)}>
        <p>Lectern stops posting events; deliveries still waiting are not sent.</p>
      </ConfirmDialog>
    </section>
  );
}

/** The last 100 deliveries, newest first, with a status filter; refreshes itself while a delivery is still trying. */
function DeliveryLog({ customerId, changed }: { customerId: string; changed: number }) {
  const list = usePagedList<DeliveryView, Page<DeliveryView>>(`/api/customers/${encodeURIComponent(customerId)}/notifications/deliveries`, PAGE_SIZE, { initialFilters: { status: '' } });
  const { reload } = list;
  const status = list.query.filters.status ?? '';
  const open = list.data?.items.some((d) => d.status === 'pending' || d.status === 'retrying') ?? false;
  useEffect(() => {
    if (changed) reload();
  }, [changed, reload]);
  // While a delivery is still trying, its row follows it.
  useEffect(() => {
    if (!open) return;
    const timer = setInterval(reload, 2000);
    return () => clearInterval(timer);
  }, [open, reload]);
  const statusLabel = useCallback((s: DeliveryStatus) => STATUSES.find((x) => x.value === s), []);

  const columns: Column<DeliveryView>[] = [
    { header: 'When', cell: (d) => <time dateTime={d.updatedAt}>{formatDateTime(d.updatedAt)}</time> },
    { header: 'Event', cell: (d) => EVENT_LABELS[d.eventType] ?? d.eventType },
    {
      header: 'Status',
      cell: (d) => (
        <span title={statusLabel(d.status)?.meaning}>
          <StatusBadge status={d.status} label={statusLabel(d.status)?.label} />
        </span>
      ),
    },
    { header: 'HTTP', cell: (d) => (d.statusCode === null ? <span className="muted">—</span> : d.statusCode), className: 'num' },
    { header: 'Attempt', cell: (d) => d.attempt, className: 'num' },
    { header: 'Duration', cell: (d) => (d.durationMs === null ? <span className="muted">—</span> : `${d.durationMs} ms`), className: 'num', secondary: true },
    {
      header: 'Next retry or error',
      cell: (d) =>
        d.nextRetryAt ? (
          <span>Next try {formatDateTime(d.nextRetryAt)}</span>
        ) : d.error ? (
          <span className="delivery-error" title={d.error}>
            {d.error}
          </span>
        ) : (
          <span className="muted">—</span>
        ),
      secondary: true,
    },
  ];
  const page = list.data;
  return (
    <section className="card" aria-labelledby="deliveries-title">
      <header className="card-header">
        <h2 id="deliveries-title">Delivery log</h2>
        <button type="button" className="btn btn-secondary btn-small" onClick={reload}>
          Refresh
        </button>
      </header>
      <ListToolbar label="Deliveries">
        <RadioGroup
          name="delivery-status"
          label="Status"
          value={status}
          onChange={(v) => list.setFilter('status', v)}
          options={[{ value: '', label: 'All' }, ...STATUSES.map((s) => ({ value: s.value, label: s.label }))]}
          className="segmented"
        />
      </ListToolbar>
      {list.error ? <Banner kind="error">{list.error}</Banner> : null}
      {page && page.items.length === 0 ? (
        <EmptyState title={status ? 'No deliveries with this status' : 'No deliveries yet'}>
          <p>Each event posted to the webhook appears here with the answer of your endpoint. The last 100 are kept.</p>
        </EmptyState>
      ) : null}
      {page && page.items.length > 0 ? (
        <>
          <DataTable caption="Webhook deliveries, newest first" columns={columns} rows={page.items} rowKey={(d) => d.id} loading={list.loading} />
          <Pager label="Deliveries" page={page.page} pageSize={PAGE_SIZE} total={page.total} onPage={list.setPage} />
        </>
      ) : null}
      {!page && !list.error ? <p className="loading">Loading deliveries…</p> : null}
    </section>
  );
}
