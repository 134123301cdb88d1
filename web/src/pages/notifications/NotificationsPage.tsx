import { useEffect, useState } from 'react';
import { Trans, useTranslation } from 'react-i18next';
import type { DeliveryStatus, DeliveryView, WebhookView } from '../../../../src/notifications/notification-view.js';
import { ApiError, client, messageOf, unwrap } from '../../api.js';
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
import { formatDateTime, numberFormat } from '../../labels.js';
import { EmailPreferences } from './EmailPreferences.js';
import { useUser } from '../../session.js';
import type { Page } from '../../types.js';
import './notifications.css';

const PAGE_SIZE = 20;

// The header a receiver reads the signature from: code, the same in every language.
const SIGNATURE_HEADER = 'Lectern-Signature';

// Problems first. Their names and meanings are `notifications:status.<value>` and `notifications:meaning.<value>`.
const STATUSES: readonly DeliveryStatus[] = ['failed', 'retrying', 'pending', 'succeeded'];

// The events a webhook posts; their names are `notifications:event.<type>` (an unknown type shows as sent).
const EVENTS = ['run.failed', 'run.held', 'feed.stale', 'webhook.test'];

/** A customer's notifications: your e-mail choices, the webhook (secret shown once), and its delivery log. */
export function NotificationsPage({ customerId }: { customerId: string }) {
  const { t } = useTranslation('notifications');
  const customer = useCustomer(customerId);
  const crumbs = useCustomerCrumbs(customerId, customer);
  useTitle(t('title'));
  const [deliveriesChanged, setDeliveriesChanged] = useState(0);
  return (
    <div className="page">
      <PageHeader crumbs={crumbs} title={t('title')} subtitle={t('subtitle')} />
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
  const { t } = useTranslation('notifications');
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
        setUrlError(t('webhook.enterUrl'));
        document.getElementById('field-webhookUrl')?.focus();
        return;
      }
      setUrlError(undefined);
      const body = { url: url.trim(), ...(rotateSecret ? { rotateSecret: true } : {}) };
      const res = await unwrap(client.PUT('/api/customers/{id}/notifications/webhook', { params: { path: { id: customerId } }, body }));
      set({ webhook: res.webhook });
      if (res.secret) setSecret(res.secret);
      setNotice(hook ? (res.secret ? t('webhook.rotated') : t('webhook.saved')) : t('webhook.added'));
    });
  const sendTest = () =>
    act(async () => {
      await unwrap(client.POST('/api/customers/{id}/notifications/webhook/test', { params: { path: { id: customerId } } }));
      setNotice(t('webhook.testQueued'));
      onSent();
    });
  const remove = () =>
    act(async () => {
      await unwrap(client.DELETE('/api/customers/{id}/notifications/webhook', { params: { path: { id: customerId } } }));
      set({ webhook: null });
      setSecret(null);
      setRemoving(false);
      setNotice(t('webhook.removed'));
    });

  return (
    <section className="card" aria-labelledby="webhook-title">
      <header className="card-header">
        <h2 id="webhook-title">{t('webhook.title')}</h2>
      </header>
      <p className="muted">
        <Trans i18nKey="webhook.lead" t={t} values={{ header: SIGNATURE_HEADER }} components={{ 1: <code /> }} />
      </p>
      {error ? <Banner kind="error">{error}</Banner> : null}
      {failure ? <Banner kind="error">{failure}</Banner> : null}
      {notice ? <Banner kind="success">{notice}</Banner> : null}
      {secret ? (
        <div className="stack webhook-secret">
          <Banner kind="warning" title={t('webhook.copySecret')}>
            {t('webhook.shownOnce')}
          </Banner>
          <CopyField label={t('webhook.secret')} name="webhookSecret" value={secret} secret />
          <div>
            <button type="button" className="btn btn-secondary btn-small" onClick={() => setSecret(null)}>
              {t('ui:done')}
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
              label={t('webhook.url')}
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
                {hook ? t('webhook.saveUrl') : t('webhook.add')}
              </button>
              {hook ? (
                <>
                  <button type="button" className="btn btn-secondary" disabled={busy} onClick={() => void sendTest()}>
                    {t('webhook.sendTest')}
                  </button>
                  <button type="button" className="btn btn-secondary" disabled={busy} onClick={() => void save(true)}>
                    {t('webhook.newSecret')}
                  </button>
                  <button type="button" className="btn btn-danger-outline" disabled={busy} onClick={() => setRemoving(true)}>
                    {t('ui:remove')}
                  </button>
                </>
              ) : null}
            </div>
          </form>
        ) : hook ? (
          <p>
            <Trans i18nKey="webhook.goesTo" t={t} values={{ url: hook.url }} components={{ 1: <code /> }} />
          </p>
        ) : (
          <p className="muted">{t('webhook.none')}</p>
        )
      ) : !error ? (
        <p className="loading">{t('webhook.loading')}</p>
      ) : null}
      <ConfirmDialog open={removing} title={t('webhook.removeTitle')} confirmLabel={t('webhook.remove')} danger busy={busy} onConfirm={() => void remove()} onCancel={() => setRemoving(false)}>
        <p>{t('webhook.removeBody')}</p>
      </ConfirmDialog>
    </section>
  );
}

/** The last 100 deliveries, newest first, with a status filter; refreshes itself while a delivery is still trying. */
function DeliveryLog({ customerId, changed }: { customerId: string; changed: number }) {
  const { t } = useTranslation('notifications');
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

  const columns: Column<DeliveryView>[] = [
    { header: t('outcomes:when'), cell: (d) => <time dateTime={d.updatedAt}>{formatDateTime(d.updatedAt)}</time> },
    { header: t('log.event'), cell: (d) => (EVENTS.includes(d.eventType) ? t(`event.${d.eventType}`) : d.eventType) },
    {
      header: t('content:status'),
      cell: (d) => (
        <span title={STATUSES.includes(d.status) ? t(`meaning.${d.status}`) : undefined}>
          <StatusBadge status={d.status} label={STATUSES.includes(d.status) ? t(`status.${d.status}`) : undefined} />
        </span>
      ),
    },
    { header: 'HTTP', cell: (d) => (d.statusCode === null ? <span className="muted">—</span> : d.statusCode), className: 'num' },
    { header: t('log.attempt'), cell: (d) => d.attempt, className: 'num' },
    {
      header: t('log.duration'),
      cell: (d) => (d.durationMs === null ? <span className="muted">—</span> : numberFormat({ style: 'unit', unit: 'millisecond' }).format(d.durationMs)),
      className: 'num',
      secondary: true,
    },
    {
      header: t('log.nextOrError'),
      cell: (d) =>
        d.nextRetryAt ? (
          <span>{t('log.nextTry', { when: formatDateTime(d.nextRetryAt) })}</span>
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
        <h2 id="deliveries-title">{t('log.title')}</h2>
        <button type="button" className="btn btn-secondary btn-small" onClick={reload}>
          {t('outcomes:refresh')}
        </button>
      </header>
      <ListToolbar label={t('log.deliveries')}>
        <RadioGroup
          name="delivery-status"
          label={t('content:status')}
          value={status}
          onChange={(v) => list.setFilter('status', v)}
          options={[{ value: '', label: t('log.all') }, ...STATUSES.map((s) => ({ value: s, label: t(`status.${s}`) }))]}
          className="segmented"
        />
      </ListToolbar>
      {list.error ? <Banner kind="error">{list.error}</Banner> : null}
      {page && page.items.length === 0 ? (
        <EmptyState title={status ? t('log.noneWithStatus') : t('log.none')}>
          <p>{t('log.noneBody')}</p>
        </EmptyState>
      ) : null}
      {page && page.items.length > 0 ? (
        <>
          <DataTable caption={t('log.caption')} columns={columns} rows={page.items} rowKey={(d) => d.id} loading={list.loading} />
          <Pager label={t('log.deliveries')} page={page.page} pageSize={PAGE_SIZE} total={page.total} onPage={list.setPage} />
        </>
      ) : null}
      {!page && !list.error ? <p className="loading">{t('log.loading')}</p> : null}
    </section>
  );
}
