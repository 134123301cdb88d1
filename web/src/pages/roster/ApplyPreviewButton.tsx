import { useState } from 'react';
import { api, messageOf } from '../../api.js';
import { navigate } from '../../router.js';
import type { RosterRun } from '../../types.js';

/**
 * "Apply this preview": a new run reads the preview's kept file again and applies it (planned
 * afresh, so a roster that moved on since the preview is still handled safely), then opens it.
 */
export function ApplyPreviewButton({ runPath, customerId }: { runPath: string; customerId: string }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const apply = async () => {
    setBusy(true);
    setError(null);
    try {
      const run = await api.post<RosterRun>(`${runPath}/apply`);
      navigate(`/customers/${customerId}/roster/runs/${run.runId}`);
    } catch (err) {
      setError(messageOf(err));
      setBusy(false);
    }
  };
  return (
    <div className="apply-preview">
      <button type="button" className="btn btn-primary" onClick={() => void apply()} disabled={busy} aria-busy={busy}>
        {busy ? 'Starting…' : 'Apply this preview'}
      </button>
      {error ? (
        <p className="field-error" role="alert">
          {error}
        </p>
      ) : null}
    </div>
  );
}
