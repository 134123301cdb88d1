import { useState, type FormEvent } from 'react';
import { ApiError, api, messageOf } from '../../api.js';
import { Banner } from '../../components/Banner.js';
import { plural } from '../../labels.js';
import { TargetPicker } from './TargetPicker.js';
import { contentPaths, describeTargets, targetIds, type Target } from './model.js';

/**
 * The "assign to users or classes" form of a title or a collection: pick targets, Assign. `what`
 * is the request's book part (`{bookIds}` or `{collectionId}`).
 */
export function AssignPanel({ customerId, what, onAssigned }: { customerId: string; what: { bookIds: string[] } | { collectionId: string }; onAssigned: () => void }) {
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
      setError('Choose at least one class or person.');
      return;
    }
    setError(null);
    setBusy(true);
    try {
      const res = await api.post<{ created: number; books: number; targets: number }>(contentPaths(customerId).assignments, { ...what, ...targetIds(targets) });
      setDone(res.created ? `Assigned: ${plural(res.created, 'new assignment')}.` : 'Already assigned: nothing changed.');
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
    <form className="stack" onSubmit={submit} noValidate aria-label="Assign">
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
          {busy ? 'Assigning…' : targets.length ? `Assign to ${describeTargets(targets)}` : 'Assign'}
        </button>
      </div>
    </form>
  );
}
