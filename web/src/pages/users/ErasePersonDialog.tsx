import { useState, type FormEvent } from 'react';
import { Trans, useTranslation } from 'react-i18next';
import { ApiError, api, messageOf } from '../../api.js';
import { Banner } from '../../components/Banner.js';
import { Dialog } from '../../components/Dialog.js';
import { TextField } from '../../components/fields.js';
import { navigate } from '../../router.js';
import { mayActOnPerson, useUser } from '../../session.js';
import { CertificateSummary, EraseDialogFooter } from '../erasures/CertificateSummary.js';
import type { CertificateDetail } from '../erasures/model.js';
import '../erasures/erasures.css';

/**
 * "Erase this person" on a user's page: a hard delete of the person everywhere (account, progress,
 * LMS links, sessions, enrollments, assignments, roster history, audit entries about them), with a
 * certificate, behind their login typed in full. Says before it acts that the customer's kept roster
 * files go too: previews waiting to be applied, runs held for approval and queued runs are ended.
 */
export function ErasePersonDialog({ customerId, user }: { customerId: string; user: { id: string; role: string; login: string; givenName: string; familyName: string } }) {
  const { t } = useTranslation('erasure');
  const me = useUser();
  const [open, setOpen] = useState(false);
  const [typed, setTyped] = useState('');
  const [error, setError] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);
  const [certificate, setCertificate] = useState<CertificateDetail | null>(null);
  if (!mayActOnPerson(me, user)) return null;
  const name = `${user.givenName} ${user.familyName}`.trim() || user.login;
  const usersPage = `/customers/${encodeURIComponent(customerId)}/users`;
  const close = () => {
    if (certificate) navigate(usersPage);
    setOpen(false);
    setTyped('');
    setError(undefined);
  };
  const erase = async (e: FormEvent) => {
    e.preventDefault();
    if (typed.trim().toLowerCase() !== user.login.toLowerCase()) {
      setError(t('person.mismatch', { login: user.login }));
      return;
    }
    setBusy(true);
    setError(undefined);
    try {
      setCertificate(await api.post<CertificateDetail>(`/api/customers/${encodeURIComponent(customerId)}/users/${encodeURIComponent(user.id)}/erase`, { confirm: typed.trim() }));
    } catch (err) {
      setError(err instanceof ApiError && err.fields.length ? err.fields[0]!.message : messageOf(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <section className="card danger-card" aria-labelledby="erase-person-title">
      <header className="card-header">
        <h2 id="erase-person-title">{t('person.title')}</h2>
      </header>
      <div className="danger-zone">
        <p>{t('person.lead', { name })}</p>
        <button type="button" className="btn btn-danger" onClick={() => setOpen(true)}>
          {t('person.open')}
        </button>
      </div>
      <Dialog
        open={open}
        title={certificate ? t('person.doneTitle', { name }) : t('person.confirmTitle', { name })}
        onClose={close}
        dismissable={!busy}
        footer={<EraseDialogFooter done={Boolean(certificate)} busy={busy} form="erase-person-form" action={t('person.action')} doneLabel={t('person.back')} onClose={close} />}
      >
        {certificate ? (
          <CertificateSummary certificate={certificate} />
        ) : (
          <form id="erase-person-form" className="stack" onSubmit={(e) => void erase(e)} noValidate>
            <Banner kind="warning" title={t('person.warningTitle')}>
              <p>{t('person.deleted')}</p>
              <p>
                <Trans i18nKey="person.files" t={t} components={{ 1: <strong /> }} />
              </p>
            </Banner>
            <TextField
              name="confirm"
              label={t('person.confirmLabel', { login: user.login })}
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
    </section>
  );
}
