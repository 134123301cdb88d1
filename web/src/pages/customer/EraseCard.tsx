import { useEffect, useState, type FormEvent } from 'react';
import { ApiError, api, messageOf } from '../../api.js';
import { Banner } from '../../components/Banner.js';
import { Dialog } from '../../components/Dialog.js';
import { TextField } from '../../components/fields.js';
import { useResource } from '../../hooks/useResource.js';
import { formatCount, formatDateTime } from '../../labels.js';

// English until this card moves into the catalogue with the rest of the customer page.
const dayCount = (n: number) => `${formatCount(n)} ${n === 1 ? 'day' : 'days'}`;
import { navigate } from '../../router.js';
import type { Customer } from '../../types.js';
import { CertificateSummary, EraseDialogFooter } from '../erasures/CertificateSummary.js';
import type { CertificateDetail, Offboarding } from '../erasures/model.js';
import '../erasures/erasures.css';

/**
 * The customer's offboarding and erasure (enterprise admin): how long after disabling the daily
 * purge erases it (its own period or the operator's default), and "Erase customer" now, behind the
 * customer's code typed in full. The erasure's certificate is shown, and kept on the Erasures page.
 */
export function EraseCard({ customer }: { customer: Customer }) {
  const off = useResource<Offboarding>(`/api/customers/${encodeURIComponent(customer.id)}/offboarding`);
  const o = off.data;
  return (
    <section className="card danger-card" aria-labelledby="offboarding-title">
      <header className="card-header">
        <h2 id="offboarding-title">Offboarding and erasure</h2>
      </header>
      {off.error ? <Banner kind="error">{off.error}</Banner> : null}
      {o ? <OffboardingForm customerId={customer.id} offboarding={o} onSaved={off.set} /> : <p className="loading">Loading…</p>}
      <div className="danger-zone danger-zone-split">
        <h3>Erase now</h3>
        <p>
          Deletes every record and file of {customer.profile.name} at once: people, classes, progress, titles, roster files and runs, LMS links, sessions, secrets and its audit log. Only a certificate
          of the erasure stays, and one audit entry saying so. This cannot be undone.
        </p>
        <EraseCustomerButton customer={customer} />
      </div>
    </section>
  );
}

function OffboardingForm({ customerId, offboarding: o, onSaved }: { customerId: string; offboarding: Offboarding; onSaved: (o: Offboarding) => void }) {
  const [days, setDays] = useState(o.offboardingDays === null ? '' : String(o.offboardingDays));
  const [error, setError] = useState<string | undefined>();
  const [notice, setNotice] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  useEffect(() => setDays(o.offboardingDays === null ? '' : String(o.offboardingDays)), [o.offboardingDays]);
  const period = o.offboardingDays ?? o.defaultDays;
  const save = async (e: FormEvent) => {
    e.preventDefault();
    const value = days.trim() === '' ? null : Number(days);
    if (value !== null && (!Number.isInteger(value) || value < 1 || value > 3650)) {
      setError('Enter a whole number of days from 1 to 3650, or leave it empty for the default.');
      return;
    }
    setBusy(true);
    setError(undefined);
    setNotice(null);
    try {
      onSaved(await api.put<Offboarding>(`/api/customers/${encodeURIComponent(customerId)}/offboarding`, { days: value }));
      setNotice('Saved.');
    } catch (err) {
      setError(err instanceof ApiError && err.fields.length ? err.fields[0]!.message : messageOf(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <form className="stack" onSubmit={(e) => void save(e)} noValidate>
      {o.status === 'disabled' && o.eraseAfter ? (
        <Banner kind="warning" title="Offboarding">
          {`Disabled since ${formatDateTime(o.disabledAt)}: the daily purge erases this customer after ${formatDateTime(o.eraseAfter)} (${dayCount(period)} after disabling), unless it is enabled again.`}
        </Banner>
      ) : (
        <p className="muted">{`When this customer is disabled, the daily purge erases it ${dayCount(period)} later, with a certificate.`}</p>
      )}
      <TextField
        name="days"
        label="Offboarding period (days)"
        type="number"
        inputMode="numeric"
        width="short"
        value={days}
        onChange={(v) => {
          setDays(v);
          setError(undefined);
        }}
        error={error}
        hint={`Days from disabling to erasure. Leave empty for the default, ${dayCount(o.defaultDays)} (LECTERN_OFFBOARDING_DAYS).`}
      />
      <div>
        <button type="submit" className="btn btn-secondary" disabled={busy}>
          {busy ? 'Saving…' : 'Save period'}
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
  const [open, setOpen] = useState(false);
  const [typed, setTyped] = useState('');
  const [error, setError] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);
  const [certificate, setCertificate] = useState<CertificateDetail | null>(null);
  const code = customer.profile.code;
  const close = () => {
    if (certificate) navigate('/erasures');
    setOpen(false);
    setTyped('');
    setError(undefined);
  };
  const erase = async (e: FormEvent) => {
    e.preventDefault();
    if (typed.trim() !== code) {
      setError(`Type the customer's code, ${code}, exactly.`);
      return;
    }
    setBusy(true);
    setError(undefined);
    try {
      setCertificate(await api.post<CertificateDetail>(`/api/customers/${encodeURIComponent(customer.id)}/erase`, { confirm: typed.trim() }));
    } catch (err) {
      setError(err instanceof ApiError && err.fields.length ? err.fields[0]!.message : messageOf(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <>
      <button type="button" className="btn btn-danger" onClick={() => setOpen(true)}>
        Erase customer…
      </button>
      <Dialog
        open={open}
        title={certificate ? `${customer.profile.name} was erased` : `Erase ${customer.profile.name}?`}
        onClose={close}
        dismissable={!busy}
        footer={<EraseDialogFooter done={Boolean(certificate)} busy={busy} form="erase-customer-form" action="Erase customer" doneLabel="Go to erasure certificates" onClose={close} />}
      >
        {certificate ? (
          <CertificateSummary certificate={certificate} />
        ) : (
          <form id="erase-customer-form" className="stack" onSubmit={(e) => void erase(e)} noValidate>
            <Banner kind="warning" title="This cannot be undone">
              Every person, class, title, roster file, run, LMS link, session, secret and audit entry of this customer is deleted now. Its people can no longer sign in or launch.
            </Banner>
            <TextField
              name="confirm"
              label={`Type the customer's code, ${code}, to confirm`}
              value={typed}
              onChange={(v) => {
                setTyped(v);
                setError(undefined);
              }}
              error={error}
              autoComplete="off"
              spellCheck={false}
            />
          </form>
        )}
      </Dialog>
    </>
  );
}
