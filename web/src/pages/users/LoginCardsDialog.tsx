import { useEffect, useState } from 'react';
import { api, ApiError, download, messageOf } from '../../api.js';
import { Banner } from '../../components/Banner.js';
import { Dialog } from '../../components/Dialog.js';
import { RadioGroup } from '../../components/fields.js';
import { ProgressBar } from '../../components/ProgressBar.js';
import { formatCount, plural } from '../../labels.js';

/** Whom the cards are for: the active students of a class, chosen users, or both. */
export interface CardTarget {
  classId?: string;
  userIds?: string[];
}

const MODES = [
  { value: 'qr', label: 'QR sign-in: a code that signs in once, for 7 days (passwords stay as they are)' },
  { value: 'password', label: 'First-use password: a new password each person changes at first sign-in' },
] as const;
const PAGE_SIZES = [
  { value: 'letter', label: 'US Letter' },
  { value: 'a4', label: 'A4' },
] as const;

/**
 * The **Print login cards** dialog: choose QR sign-in or first-use passwords and the paper size,
 * read what it will change, then download the PDF (eight cards a page). Open it with `classId` (the
 * Class page) or `userIds` (a selection in the Users tab); `label` names them ("Algebra P1").
 */
export function LoginCardsDialog({ customerId, target, label, open, onClose }: { customerId: string; target: CardTarget; label: string; open: boolean; onClose: () => void }) {
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
    api.post<{ count: number; rosterPasswords: number }>(`${base}/preview`, { ...target, mode: 'qr' }).then(
      (p) => live && setPreview(p),
      (err: unknown) => live && setError(fieldMessage(err)),
    );
    return () => {
      live = false;
    };
    // targetKey stands for target: a new array with the same ids is the same request.
  }, [open, base, targetKey]);

  const print = async () => {
    setBusy(true);
    setError(null);
    setDone(null);
    try {
      const headers = await download(base, { ...target, mode, pageSize }, `login-cards-${slug(label)}.pdf`);
      const count = Number(headers.get('x-lectern-card-count') ?? preview?.count ?? 0);
      setDone(`Downloaded ${plural(count, 'login card')}. Print the PDF and cut along the dashed lines.`);
    } catch (err) {
      setError(fieldMessage(err));
    } finally {
      setBusy(false);
    }
  };

  const people = preview ? plural(preview.count, 'person', 'people') : '';
  return (
    <Dialog
      open={open}
      title={`Print login cards: ${label}`}
      onClose={onClose}
      dismissable={!busy}
      footer={
        <>
          <button type="button" className="btn btn-secondary" onClick={onClose} disabled={busy}>
            {done ? 'Close' : 'Cancel'}
          </button>
          <button type="button" className="btn btn-primary" onClick={() => void print()} disabled={busy || !preview || preview.count === 0}>
            {busy ? 'Preparing cards…' : preview ? `Download ${plural(preview.count, 'card')} (PDF)` : 'Download cards (PDF)'}
          </button>
        </>
      }
    >
      <div className="stack">
        {preview ? (
          <p>
            One card for each of {people}
            {target.classId ? ' (the active students of the class)' : ''}, with your reader address, their username and a way to sign in.
          </p>
        ) : !error ? (
          <p className="loading">Counting the people…</p>
        ) : null}
        <RadioGroup name="mode" label="How they sign in" value={mode} onChange={(v) => setMode(v as 'qr' | 'password')} options={MODES} />
        {mode === 'password' && preview ? (
          <Banner kind="warning" title="This replaces their current passwords">
            The {people} will no longer sign in with their current password, and anyone signed in is signed out. The new passwords appear only in this PDF: Lectern keeps no copy.
            {preview.rosterPasswords > 0 ? ` ${formatCount(preview.rosterPasswords)} of them get their password from the roster: a later sync that brings a changed password replaces the card’s.` : ''}
          </Banner>
        ) : null}
        <RadioGroup name="pageSize" label="Paper" value={pageSize} onChange={(v) => setPageSize(v as 'letter' | 'a4')} options={PAGE_SIZES} />
        {busy ? <ProgressBar label="Preparing the cards" detail={mode === 'password' ? 'making each password safe to store takes a moment' : undefined} /> : null}
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
