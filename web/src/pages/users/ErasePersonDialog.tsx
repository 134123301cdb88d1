import { useState } from 'react';
import { Trans, useTranslation } from 'react-i18next';
import { api } from '../../api.js';
import { navigate } from '../../router.js';
import { mayActOnPerson, useUser } from '../../session.js';
import { EraseDialog } from '../erasures/EraseDialog.js';
import type { CertificateDetail } from '../erasures/model.js';

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
  if (!mayActOnPerson(me, user)) return null;
  const name = `${user.givenName} ${user.familyName}`.trim() || user.login;
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
      <EraseDialog
        open={open}
        form="erase-person-form"
        text={{
          title: t('person.confirmTitle', { name }),
          doneTitle: t('person.doneTitle', { name }),
          warningTitle: t('person.warningTitle'),
          warning: (
            <>
              <p>{t('person.deleted')}</p>
              <p>
                <Trans i18nKey="person.files" t={t} components={{ 1: <strong /> }} />
              </p>
            </>
          ),
          confirmLabel: t('person.confirmLabel', { login: user.login }),
          mismatch: t('person.mismatch', { login: user.login }),
          action: t('person.action'),
          doneLabel: t('person.back'),
        }}
        matches={(typed) => typed.toLowerCase() === user.login.toLowerCase()}
        erase={(confirm) => api.post<CertificateDetail>(`/api/customers/${encodeURIComponent(customerId)}/users/${encodeURIComponent(user.id)}/erase`, { confirm })}
        onClose={(done) => (done ? navigate(`/customers/${encodeURIComponent(customerId)}/users`) : setOpen(false))}
      />
    </section>
  );
}
