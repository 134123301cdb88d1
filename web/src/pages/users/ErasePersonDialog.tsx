import { useState, type FormEvent } from 'react';
import { ApiError, api, messageOf } from '../../api.js';
import { Banner } from '../../components/Banner.js';
import { Dialog } from '../../components/Dialog.js';
import { TextField } from '../../components/fields.js';
import { navigate } from '../../router.js';
import { useUser } from '../../session.js';
import { CertificateSummary } from '../erasures/CertificateSummary.js';
import type { CertificateDetail } from '../erasures/model.js';
import '../erasures/erasures.css';

/**
 * "Erase this person" on a user's page: a hard delete of the person everywhere (account, progress,
 * LMS links, sessions, enrollments, assignments, roster history, audit entries about them), with a
 * certificate, behind their login typed in full. Says before it acts that the customer's kept roster
 * files go too: previews waiting to be applied, runs held for approval and queued runs are ended.
 */
export function ErasePersonDialog({ customerId, user }: { customerId: string; user: { id: string; login: string; givenName: string; familyName: string } }) {
  const me = useUser();
  const [open, setOpen] = useState(false);
  const [typed, setTyped] = useState('');
  const [error, setError] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);
  const [certificate, setCertificate] = useState<CertificateDetail | null>(null);
  if (me.id === user.id) return null;
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
      setError(`Type the login, ${user.login}, exactly.`);
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
        <h2 id="erase-person-title">Erase this person</h2>
      </header>
      <div className="danger-zone">
        <p>
          For a request to delete a person’s data: removes {name} and everything about them for good, with a certificate of the erasure. If a later roster brings them back, they get a fresh account,
          and the run says so.
        </p>
        <button type="button" className="btn btn-danger" onClick={() => setOpen(true)}>
          Erase this person…
        </button>
      </div>
      <Dialog
        open={open}
        title={certificate ? `${name} was erased` : `Erase ${name}?`}
        onClose={close}
        dismissable={!busy}
        footer={
          certificate ? (
            <button type="button" className="btn btn-primary" onClick={close}>
              Back to users
            </button>
          ) : (
            <>
              <button type="button" className="btn btn-secondary" onClick={close} disabled={busy}>
                Cancel
              </button>
              <button type="submit" form="erase-person-form" className="btn btn-danger" disabled={busy}>
                {busy ? 'Erasing…' : 'Erase person'}
              </button>
            </>
          )
        }
      >
        {certificate ? (
          <CertificateSummary certificate={certificate} />
        ) : (
          <form id="erase-person-form" className="stack" onSubmit={(e) => void erase(e)} noValidate>
            <Banner kind="warning" title="This cannot be undone">
              <p>
                Deleted now: the account, reading progress and settings, LMS links and grade reports, sessions and tokens, class enrollments and assignments, their rows in roster run history, and
                audit entries about them.
              </p>
              <p>
                The customer’s kept roster files could hold this person, so they go too: <strong>previews waiting to be applied, runs held for approval and queued runs are discarded</strong>. Run the
                sync again afterwards.
              </p>
            </Banner>
            <TextField
              name="confirm"
              label={`Type the login, ${user.login}, to confirm`}
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
