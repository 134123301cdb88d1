import { useState } from 'react';
import { ApiError, api, messageOf } from '../../api.js';
import { Banner } from '../../components/Banner.js';
import { ConfirmDialog } from '../../components/Dialog.js';
import { ENTITY_OPTIONS, formatCount, sourceWords } from '../../labels.js';
import type { RosterRun } from '../../types.js';
import { PlanTable, plannedCount } from './PlanTable.js';

/**
 * The approval screen of a held run: why it was held, everything it would delete, and Approve
 * (after a confirmation naming the numbers) or Discard. A refusal (409: the roster changed since
 * the plan was made) is shown as it comes.
 */
export function ApprovalPanel({ run, runPath, customerId, onDecided }: { run: RosterRun; runPath: string; customerId: string; onDecided: (run: RosterRun, message: string) => void }) {
  const [confirm, setConfirm] = useState<'approve' | 'discard' | null>(null);
  const [busy, setBusy] = useState(false);
  const [refusal, setRefusal] = useState<{ title: string; message: string } | null>(null);
  const deletions = ENTITY_OPTIONS.map((e) => ({ ...e, n: plannedCount(run, 'delete', e.value) })).filter((e) => e.n > 0);
  const summary = deletions.map((e) => `${formatCount(e.n)} ${e.label.toLowerCase()}`).join(', ');

  const decide = async (decision: 'approve' | 'discard') => {
    setBusy(true);
    setRefusal(null);
    try {
      const done = await api.post<RosterRun>(`${runPath}/${decision}`);
      onDecided(done, decision === 'approve' ? 'Approved: the plan was applied.' : 'Discarded: nothing was changed.');
    } catch (err) {
      const changed = err instanceof ApiError && err.status === 409;
      setRefusal({ title: changed ? 'Approval refused' : `Could not ${decision} the run`, message: messageOf(err) });
    } finally {
      setBusy(false);
      setConfirm(null);
    }
  };

  return (
    <section className="card approval" aria-labelledby="approval-title">
      <header className="card-header">
        <div>
          <h2 id="approval-title">This sync needs your approval</h2>
          <p className="muted">Nothing has changed yet. Review what it would delete, then approve or discard it.</p>
        </div>
      </header>
      <div className="hold-reason" role="note" aria-label="Why it was held">
        <span className="hold-icon" aria-hidden="true">
          !
        </span>
        <div>
          <strong>Held for approval</strong>
          <p>{run.holdReason || 'More records would be deleted than the customer’s deletion threshold allows.'}</p>
        </div>
      </div>
      {refusal ? (
        <Banner kind="error" title={refusal.title}>
          {refusal.message}
        </Banner>
      ) : null}
      <h3 className="subheading">Would be deleted{summary ? `: ${summary}` : ''}</h3>
      <PlanTable run={run} runPath={runPath} customerId={customerId} fixedAction="delete" caption="Deletions waiting for approval" />
      <div className="approval-actions">
        <button type="button" className="btn btn-secondary" onClick={() => setConfirm('discard')} disabled={busy}>
          Discard
        </button>
        <button type="button" className="btn btn-danger" onClick={() => setConfirm('approve')} disabled={busy}>
          Approve and apply…
        </button>
      </div>
      <ConfirmDialog
        open={confirm === 'approve'}
        title="Apply this sync, deletions included?"
        confirmLabel="Approve and apply"
        danger
        busy={busy}
        onConfirm={() => void decide('approve')}
        onCancel={() => setConfirm(null)}
      >
        <div className="stack">
          <p>
            The whole plan is applied at once
            {summary ? (
              <>
                , and <strong>{summary}</strong> are deleted
              </>
            ) : null}
            . Deleted users lose access straight away.
          </p>
          <p className="muted">They can be restored from the Users tab during the retention period.</p>
        </div>
      </ConfirmDialog>
      <ConfirmDialog open={confirm === 'discard'} title="Discard this sync?" confirmLabel="Discard sync" busy={busy} onConfirm={() => void decide('discard')} onCancel={() => setConfirm(null)}>
        <p>
          Nothing of {sourceWords(run.trigger).thisRun} is applied: no creates, updates or deletions.{' '}
          {sourceWords(run.trigger).isUpload ? 'You can upload a corrected file afterwards.' : 'Fix the source, then sync again.'}
        </p>
      </ConfirmDialog>
    </section>
  );
}
