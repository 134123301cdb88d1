import { useEffect, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError, api, messageOf } from '../../api.js';
import { Banner } from '../../components/Banner.js';
import { TextField } from '../../components/fields.js';
import { useResource } from '../../hooks/useResource.js';
import { formatDateTime } from '../../labels.js';
import { navigate } from '../../router.js';
import type { Customer } from '../../types.js';
import { EraseDialog } from '../erasures/EraseDialog.js';
import type { CertificateDetail, Offboarding } from '../erasures/model.js';
import '../erasures/erasures.css';

/**
 * The customer's offboarding and erasure (enterprise admin): how long after disabling the daily
 * purge erases it (its own period or the operator's default), and "Erase customer" now, behind the
 * customer's code typed in full. The erasure's certificate is shown, and kept on the Erasures page.
 */
export function EraseCard({ customer }: { customer: Customer }) {
  const { t } = useTranslation('customerPage');
  const off = useResource<Offboarding>(`/api/customers/${encodeURIComponent(customer.id)}/offboarding`);
  const o = off.data;
  return (
    <section className="card danger-card" aria-labelledby="offboarding-title">
      <header className="card-header">
        <h2 id="offboarding-title">{t('offboarding.title')}</h2>
      </header>
      {off.error ? <Banner kind="error">{off.error}</Banner> : null}
      {o ? <OffboardingForm customerId={customer.id} offboarding={o} onSaved={off.set} /> : <p className="loading">{t('offboarding.loading')}</p>}
      <div className="danger-zone danger-zone-split">
        <h3>{t('erase.title')}</h3>
        <p>{t('erase.lead', { name: customer.profile.name })}</p>
        <EraseCustomerButton customer={customer} />
      </div>
    </section>
  );
}

function OffboardingForm({ customerId, offboarding: o, onSaved }: { customerId: string; offboarding: Offboarding; onSaved: (o: Offboarding) => void }) {
  const { t } = useTranslation('customerPage');
  const [days, setDays] = useState(o.offboardingDays === null ? '' : String(o.offboardingDays));
  const [error, setError] = useState<string | undefined>();
  const [notice, setNotice] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  useEffect(() => setDays(o.offboardingDays === null ? '' : String(o.offboardingDays)), [o.offboardingDays]);
  const dayCount = (count: number) => t('offboarding.days', { count });
  const period = dayCount(o.offboardingDays ?? o.defaultDays);
  const save = async (e: FormEvent) => {
    e.preventDefault();
    const value = days.trim() === '' ? null : Number(days);
    if (value !== null && (!Number.isInteger(value) || value < 1 || value > 3650)) {
      setError(t('offboarding.periodInvalid'));
      return;
    }
    setBusy(true);
    setError(undefined);
    setNotice(null);
    try {
      onSaved(await api.put<Offboarding>(`/api/customers/${encodeURIComponent(customerId)}/offboarding`, { days: value }));
      setNotice(t('ui:saved'));
    } catch (err) {
      setError(err instanceof ApiError && err.fields.length ? err.fields[0]!.message : messageOf(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <form className="stack" onSubmit={(e) => void save(e)} noValidate>
      {o.status === 'disabled' && o.eraseAfter ? (
        <Banner kind="warning" title={t('offboarding.disabledTitle')}>
          {t('offboarding.disabled', { since: formatDateTime(o.disabledAt), after: formatDateTime(o.eraseAfter), period })}
        </Banner>
      ) : (
        <p className="muted">{t('offboarding.active', { period })}</p>
      )}
      <TextField
        name="days"
        label={t('offboarding.periodLabel')}
        type="number"
        inputMode="numeric"
        width="short"
        value={days}
        onChange={(v) => {
          setDays(v);
          setError(undefined);
        }}
        error={error}
        hint={t('offboarding.periodHint', { period: dayCount(o.defaultDays) })}
      />
      <div>
        <button type="submit" className="btn btn-secondary" disabled={busy}>
          {busy ? t('ui:saving') : t('offboarding.save')}
        </button>
        {notice ? (
          <span className="muted" role="status">
            {' '}
            {notice}
          </span>
        ) : null}
      </div>
    </form>
  );
}

function EraseCustomerButton({ customer }: { customer: Customer }) {
  const { t } = useTranslation('customerPage');
  const [open, setOpen] = useState(false);
  const { code, name } = customer.profile;
  return (
    <>
      <button type="button" className="btn btn-danger" onClick={() => setOpen(true)}>
        {t('erase.open')}
      </button>
      <EraseDialog
        open={open}
        form="erase-customer-form"
        text={{
          title: t('erase.confirmTitle', { name }),
          doneTitle: t('erase.doneTitle', { name }),
          warningTitle: t('erase.warningTitle'),
          warning: t('erase.warning'),
          confirmLabel: t('erase.confirmLabel', { code }),
          mismatch: t('erase.mismatch', { code }),
          action: t('erase.action'),
          doneLabel: t('erase.toCertificates'),
        }}
        matches={(typed) => typed === code}
        erase={(confirm) => api.post<CertificateDetail>(`/api/customers/${encodeURIComponent(customer.id)}/erase`, { confirm })}
        onClose={(done) => (done ? navigate('/erasures') : setOpen(false))}
      />
    </>
  );
}
