import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError, client, download, messageOf, unwrap } from '../../api.js';
import { Banner } from '../../components/Banner.js';
import { Dialog } from '../../components/Dialog.js';
import { RadioGroup } from '../../components/fields.js';
import { ProgressBar } from '../../components/ProgressBar.js';

/** Whom the cards are for: the active students of a class, chosen users, or both. */
export interface CardTarget {
  classId?: string;
  userIds?: string[];
}

/**
 * The **Print login cards** dialog: choose QR sign-in or first-use passwords and the paper size,
 * read what it will change, then download the PDF (eight cards a page). Open it with `classId` (the
 * Class page) or `userIds` (a selection in the Users tab); `label` names them ("Algebra P1").
 */
export function LoginCardsDialog({ customerId, target, label, open, onClose }: { customerId: string; target: CardTarget; label: string; open: boolean; onClose: () => void }) {
  const { t } = useTranslation('users');
  const modes = [
    { value: 'qr', label: t('cards.modeQr') },
    { value: 'password', label: t('cards.modePassword') },
  ];
  // A4 is the paper's name everywhere.
  const pageSizes = [
    { value: 'letter', label: t('cards.letter') },
    { value: 'a4', label: 'A4' },
  ];
  const base = `/api/customers/${encodeURIComponent(customerId)}/login-cards`;
  const [mode, setMode] = useState<'qr' | 'password'>('qr');
  const [pageSize, setPageSize] = useState<'letter' | 'a4'>('letter');
  const [preview, setPreview] = useState<{ count: number; rosterPasswords: number } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [done, setDone] = useState<string | null>(null);
  const targetKey = JSON.stringify(target);

  useEffect(() => {
    if (!open) return;
    setPreview(null);
    setError(null);
    setDone(null);
    let live = true;
    unwrap(client.POST('/api/customers/{id}/login-cards/preview', { params: { path: { id: customerId } }, body: { ...target, mode: 'qr' } })).then(
      (p) => live && setPreview(p),
      (err: unknown) => live && setError(fieldMessage(err)),
    );
    return () => {
      live = false;
    };
    // targetKey stands for target: a new array with the same ids is the same request.
  }, [open, customerId, targetKey]);

  const print = async () => {
    setBusy(true);
    setError(null);
    setDone(null);
    try {
      const headers = await download(base, { ...target, mode, pageSize }, `login-cards-${slug(label)}.pdf`);
      const count = Number(headers.get('x-lectern-card-count') ?? preview?.count ?? 0);
      setDone(t('cards.downloaded', { count }));
    } catch (err) {
      setError(fieldMessage(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Dialog
      open={open}
      title={t('cards.title', { label })}
      onClose={onClose}
      dismissable={!busy}
      footer={
        <>
          <button type="button" className="btn btn-secondary" onClick={onClose} disabled={busy}>
            {done ? t('ui:close') : t('ui:cancel')}
          </button>
          <button type="button" className="btn btn-primary" onClick={() => void print()} disabled={busy || !preview || preview.count === 0}>
            {busy ? t('cards.preparing') : preview ? t('cards.downloadCount', { count: preview.count }) : t('cards.download')}
          </button>
        </>
      }
    >
      <div className="stack">
        {preview ? <p>{t(target.classId ? 'cards.leadClass' : 'cards.lead', { count: preview.count })}</p> : !error ? <p className="loading">{t('cards.counting')}</p> : null}
        <RadioGroup name="mode" label={t('cards.howSignIn')} value={mode} onChange={(v) => setMode(v as 'qr' | 'password')} options={modes} />
        {mode === 'password' && preview ? (
          <Banner kind="warning" title={t('cards.replacesTitle')}>
            {t('cards.replacesBody', { count: preview.count })}
            {preview.rosterPasswords > 0 ? ` ${t('cards.rosterPasswords', { count: preview.rosterPasswords })}` : ''}
          </Banner>
        ) : null}
        <RadioGroup name="pageSize" label={t('cards.paper')} value={pageSize} onChange={(v) => setPageSize(v as 'letter' | 'a4')} options={pageSizes} />
        {busy ? <ProgressBar label={t('cards.preparingTheCards')} detail={mode === 'password' ? t('cards.hashing') : undefined} /> : null}
        {error ? <Banner kind="error">{error}</Banner> : null}
        {done ? <Banner kind="success">{done}</Banner> : null}
      </div>
    </Dialog>
  );
}

// An error with its field messages, which say which people could not get a card and why.
function fieldMessage(err: unknown): string {
  if (err instanceof ApiError && err.fields.length) return err.fields.map((f) => f.message).join(' ');
  return messageOf(err);
}

function slug(text: string): string {
  return (
    text
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-|-$/g, '')
      .slice(0, 40) || 'users'
  );
}
