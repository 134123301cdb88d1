import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError, client, messageOf, unwrap } from '../../api.js';
import { Banner } from '../../components/Banner.js';
import { TargetPicker } from './TargetPicker.js';
import { describeTargets, targetIds, type Target } from './model.js';

/**
 * The "assign to users or classes" form of a title or a collection: pick targets, Assign. `what`
 * is the request's book part (`{bookIds}` or `{collectionId}`).
 */
export function AssignPanel({ customerId, what, onAssigned }: { customerId: string; what: { bookIds: string[] } | { collectionId: string }; onAssigned: () => void }) {
  const { t } = useTranslation('content');
  const [targets, setTargets] = useState<Target[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  // Bumped after an assignment so the picker starts again with an empty search.
  const [round, setRound] = useState(0);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setDone(null);
    if (!targets.length) {
      setError(t('chooseTarget'));
      return;
    }
    setError(null);
    setBusy(true);
    try {
      const res = await unwrap(client.POST('/api/customers/{id}/assignments', { params: { path: { id: customerId } }, body: { ...what, ...targetIds(targets) } }));
      setDone(res.created ? t('assignedNew', { count: res.created }) : t('alreadyAssigned'));
      setTargets([]);
      setRound((n) => n + 1);
      onAssigned();
    } catch (err) {
      setError(err instanceof ApiError && err.fields.length ? err.fields.map((f) => f.message).join(' ') : messageOf(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <form className="stack" onSubmit={submit} noValidate aria-label={t('assign')}>
      {done ? <Banner kind="success">{done}</Banner> : null}
      <TargetPicker
        key={round}
        customerId={customerId}
        value={targets}
        onChange={(t) => {
          setTargets(t);
          setError(null);
        }}
        onSearch={() => setError(null)}
        error={error}
      />
      <div className="form-buttons">
        <button type="submit" className="btn btn-primary" disabled={busy}>
          {busy ? t('assigning') : targets.length ? t('assignTo', { targets: describeTargets(targets) }) : t('assign')}
        </button>
      </div>
    </form>
  );
}
