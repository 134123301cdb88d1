import { useState, type FormEvent, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError, messageOf } from '../../api.js';
import { Banner } from '../../components/Banner.js';
import { Dialog } from '../../components/Dialog.js';
import { TextField } from '../../components/fields.js';
import { CertificateSummary } from './CertificateSummary.js';
import type { CertificateDetail } from './model.js';
import './erasures.css';

/** The words of an erase dialog, each already in the page's language. */
export interface EraseDialogText {
  title: string;
  doneTitle: string;
  warningTitle: string;
  warning: ReactNode;
  confirmLabel: string;
  mismatch: string;
  action: string;
  doneLabel: string;
}

/**
 * An erasure behind a typed name (a customer's code, a person's login): the warning, the name typed
 * in full (`matches` decides, before anything is sent), then the certificate of what went.
 * `onClose(true)` once it is done, so the caller can leave a page whose subject is gone.
 */
export function EraseDialog({
  open,
  form,
  text,
  matches,
  erase,
  onClose,
}: {
  open: boolean;
  form: string;
  text: EraseDialogText;
  matches: (typed: string) => boolean;
  erase: (confirm: string) => Promise<CertificateDetail>;
  onClose: (done: boolean) => void;
}) {
  const { t } = useTranslation('erasure');
  const [typed, setTyped] = useState('');
  const [error, setError] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);
  const [certificate, setCertificate] = useState<CertificateDetail | null>(null);
  const close = () => {
    setTyped('');
    setError(undefined);
    onClose(certificate !== null);
  };
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!matches(typed.trim())) {
      setError(text.mismatch);
      return;
    }
    setBusy(true);
    setError(undefined);
    try {
      setCertificate(await erase(typed.trim()));
    } catch (err) {
      setError(err instanceof ApiError && err.fields.length ? err.fields[0]!.message : messageOf(err));
    } finally {
      setBusy(false);
    }
  };
  const footer = certificate ? (
    <button type="button" className="btn btn-primary" onClick={close}>
      {text.doneLabel}
    </button>
  ) : (
    <>
      <button type="button" className="btn btn-secondary" onClick={close} disabled={busy}>
        {t('ui:cancel')}
      </button>
      <button type="submit" form={form} className="btn btn-danger" disabled={busy}>
        {busy ? t('erasing') : text.action}
      </button>
    </>
  );
  return (
    <Dialog open={open} title={certificate ? text.doneTitle : text.title} onClose={close} dismissable={!busy} footer={footer}>
      {certificate ? (
        <CertificateSummary certificate={certificate} />
      ) : (
        <form id={form} className="stack" onSubmit={(e) => void submit(e)} noValidate>
          <Banner kind="warning" title={text.warningTitle}>
            {text.warning}
          </Banner>
          <TextField
            name="confirm"
            label={text.confirmLabel}
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
  );
}
