import { useCallback, useEffect, useMemo, useState } from 'react';
import { Trans, useTranslation } from 'react-i18next';
import { api, messageOf } from '../api.js';
import { Banner } from '../components/Banner.js';
import { ConfirmDialog } from '../components/Dialog.js';
import { PageHeader, useTitle } from '../components/Layout.js';
import { LtiSecretDialog } from '../components/LtiSecretDialog.js';
import { StatusBadge } from '../components/StatusBadge.js';
import { CustomerForm } from '../customer-form/CustomerForm.js';
import { patchBody, type FormMode } from '../customer-form/model.js';
import { Link } from '../router.js';
import type { Customer, LtiCredentials } from '../types.js';
import { AuditTrail } from './customer/AuditTrail.js';
import { CustomerSummary } from './customer/CustomerSummary.js';
import { EraseCard } from './customer/EraseCard.js';
import { ExportCard } from './customer/ExportCard.js';

/** One customer for the enterprise admin: summary, edit, disable/enable, LTI rotation, audit. */
export function CustomerPage({ id }: { id: string }) {
  const { t } = useTranslation('customerPage');
  const [customer, setCustomer] = useState<Customer | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [editing, setEditing] = useState(false);
  const [notice, setNotice] = useState<string | null>(null);
  const [actionError, setActionError] = useState<string | null>(null);
  const [confirm, setConfirm] = useState<'status' | 'rotate' | null>(null);
  const [busy, setBusy] = useState(false);
  const [rotated, setRotated] = useState<LtiCredentials | null>(null);
  const [auditVersion, setAuditVersion] = useState(0);
  useTitle(customer?.profile.name ?? t('title'));

  useEffect(() => {
    let current = true;
    api
      .get<Customer>(`/api/customers/${encodeURIComponent(id)}`)
      .then((c) => current && setCustomer(c))
      .catch((err: unknown) => current && setLoadError(messageOf(err)));
    return () => {
      current = false;
    };
  }, [id]);

  const changed = useCallback((c: Customer, message: string) => {
    setCustomer(c);
    setNotice(message);
    setAuditVersion((n) => n + 1);
  }, []);
  const mode = useMemo<FormMode | null>(() => (customer ? { kind: 'edit', customer } : null), [customer]);

  if (loadError)
    return (
      <div className="page">
        <Banner kind="error">{loadError}</Banner>
      </div>
    );
  if (!customer || !mode)
    return (
      <div className="page">
        <p className="loading">{t('loading')}</p>
      </div>
    );

  const disabling = customer.status === 'active';
  const run = async (action: () => Promise<void>) => {
    setBusy(true);
    setActionError(null);
    setNotice(null);
    try {
      await action();
    } catch (err) {
      setActionError(messageOf(err));
    } finally {
      setBusy(false);
      setConfirm(null);
    }
  };
  const toggleStatus = () =>
    run(async () => {
      const c = await api.patch<Customer>(`/api/customers/${customer.id}`, { status: disabling ? 'disabled' : 'active' });
      changed(c, disabling ? t('disabledNotice') : t('enabledNotice'));
    });
  const rotate = () =>
    run(async () => {
      setRotated(await api.post<LtiCredentials>(`/api/customers/${customer.id}/lti/rotate`));
      setAuditVersion((n) => n + 1);
    });

  return (
    <div className="page">
      <PageHeader
        crumbs={[{ to: '/customers', label: t('ui:crumbCustomers') }]}
        title={
          <>
            {customer.profile.name} <StatusBadge status={customer.status} />
          </>
        }
        subtitle={<Trans i18nKey="subtitle" t={t} values={{ code: customer.profile.code, timeZone: customer.profile.timeZone.replace(/_/g, ' ') }} components={{ 1: <code /> }} />}
        actions={
          editing ? null : (
            <>
              <Link to={`/customers/${customer.id}/users`} className="btn btn-secondary">
                {t('usersAndClasses')}
              </Link>
              <Link to={`/customers/${customer.id}/content`} className="btn btn-secondary">
                {t('content')}
              </Link>
              <button
                type="button"
                className="btn btn-secondary"
                onClick={() => {
                  setNotice(null);
                  setEditing(true);
                }}
              >
                {t('edit')}
              </button>
              <button type="button" className={`btn ${disabling ? 'btn-danger-outline' : 'btn-secondary'}`} onClick={() => setConfirm('status')}>
                {disabling ? t('disable') : t('enable')}
              </button>
            </>
          )
        }
      />
      {notice ? <Banner kind="success">{notice}</Banner> : null}
      {actionError ? <Banner kind="error">{actionError}</Banner> : null}

      {editing ? (
        <CustomerForm
          mode={mode}
          submitLabel={t('saveChanges')}
          onCancel={() => setEditing(false)}
          onSubmit={async (values) => {
            const c = await api.patch<Customer>(`/api/customers/${customer.id}`, patchBody(values, customer));
            setEditing(false);
            changed(c, t('changesSaved'));
          }}
        />
      ) : (
        <>
          <CustomerSummary customer={customer} onRotate={() => setConfirm('rotate')} onMinted={() => setAuditVersion((n) => n + 1)} />
          <ExportCard customer={customer} onExported={() => setAuditVersion((n) => n + 1)} />
          <AuditTrail customerId={customer.id} version={auditVersion} />
          <EraseCard customer={customer} />
        </>
      )}

      <ConfirmDialog
        open={confirm === 'status'}
        title={disabling ? t('disableTitle', { name: customer.profile.name }) : t('enableTitle', { name: customer.profile.name })}
        confirmLabel={disabling ? t('disableCustomer') : t('enableCustomer')}
        danger={disabling}
        busy={busy}
        onConfirm={() => void toggleStatus()}
        onCancel={() => setConfirm(null)}
      >
        <p>{disabling ? t('disableBody') : t('enableBody')}</p>
      </ConfirmDialog>
      <ConfirmDialog open={confirm === 'rotate'} title={t('rotateTitle')} confirmLabel={t('rotateSecret')} danger busy={busy} onConfirm={() => void rotate()} onCancel={() => setConfirm(null)}>
        <p>{t('rotateBody')}</p>
      </ConfirmDialog>
      <LtiSecretDialog title={t('newSecretTitle')} credentials={rotated} closeLabel={t('secretStored')} onClose={() => setRotated(null)} />
    </div>
  );
}
