import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { client, messageOf, unwrap } from '../../api.js';
import { navigate } from '../../router.js';

/**
 * "Apply this preview": a new run reads the preview's kept file again and applies it (planned
 * afresh, so a roster that moved on since the preview is still handled safely), then opens it.
 */
export function ApplyPreviewButton({ runId, customerId }: { runId: string; customerId: string }) {
  const { t } = useTranslation('roster');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const apply = async () => {
    setBusy(true);
    setError(null);
    try {
      const run = await unwrap(client.POST('/api/customers/{id}/roster/runs/{runId}/apply', { params: { path: { id: customerId, runId } } }));
      navigate(`/customers/${customerId}/roster/runs/${run.runId}`);
    } catch (err) {
      setError(messageOf(err));
      setBusy(false);
    }
  };
  return (
    <div className="apply-preview">
      <button type="button" className="btn btn-primary" onClick={() => void apply()} disabled={busy} aria-busy={busy}>
        {busy ? t('starting') : t('applyPreview')}
      </button>
      {error ? (
        <p className="field-error" role="alert">
          {error}
        </p>
      ) : null}
    </div>
  );
}
