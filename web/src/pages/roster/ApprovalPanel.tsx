import { useState } from 'react';
import { Trans, useTranslation } from 'react-i18next';
import { ApiError, api, messageOf } from '../../api.js';
import { Banner } from '../../components/Banner.js';
import { ConfirmDialog } from '../../components/Dialog.js';
import { formatLocale } from '../../i18n/index.js';
import { ENTITY_OPTIONS, formatCount, sourceWords } from '../../labels.js';
import type { RosterRun } from '../../types.js';
import { PlanTable, plannedCount } from './PlanTable.js';

/**
 * The approval screen of a held run: why it was held, everything it would delete, and Approve
 * (after a confirmation naming the numbers) or Discard. A refusal (409: the roster changed since
 * the plan was made) is shown as it comes.
 */
export function ApprovalPanel({ run, runPath, customerId, onDecided }: { run: RosterRun; runPath: string; customerId: string; onDecided: (run: RosterRun, message: string) => void }) {
  const { t } = useTranslation('roster');
  const [confirm, setConfirm] = useState<'approve' | 'discard' | null>(null);
  const [busy, setBusy] = useState(false);
  const [refusal, setRefusal] = useState<{ title: string; message: string } | null>(null);
  const deletions = ENTITY_OPTIONS.map((e) => ({ ...e, n: plannedCount(run, 'delete', e.value) })).filter((e) => e.n > 0);
  const summary = deletions.map((e) => `${formatCount(e.n)} ${e.label.toLocaleLowerCase(formatLocale())}`).join(', ');

  const decide = async (decision: 'approve' | 'discard') => {
    setBusy(true);
    setRefusal(null);
    try {
      const done = await api.post<RosterRun>(`${runPath}/${decision}`);
      onDecided(done, decision === 'approve' ? t('approval.approved') : t('approval.discarded'));
    } catch (err) {
      const changed = err instanceof ApiError && err.status === 409;
      setRefusal({ title: changed ? t('approval.refused') : decision === 'approve' ? t('approval.couldNotApprove') : t('approval.couldNotDiscard'), message: messageOf(err) });
    } finally {
      setBusy(false);
      setConfirm(null);
    }
  };

  return (
    <section className="card approval" aria-labelledby="approval-title">
      <header className="card-header">
        <div>
          <h2 id="approval-title">{t('approval.title')}</h2>
          <p className="muted">{t('approval.lead')}</p>
        </div>
      </header>
      <div className="hold-reason" role="note" aria-label={t('approval.why')}>
        <span className="hold-icon" aria-hidden="true">
          !
        </span>
        <div>
          <strong>{t('approval.held')}</strong>
          <p>{run.holdReason || t('approval.overThreshold')}</p>
        </div>
      </div>
      {refusal ? (
        <Banner kind="error" title={refusal.title}>
          {refusal.message}
        </Banner>
      ) : null}
      <h3 className="subheading">{summary ? t('approval.wouldDeleteList', { summary }) : t('approval.wouldDelete')}</h3>
      <PlanTable run={run} runPath={runPath} customerId={customerId} fixedAction="delete" caption={t('approval.deletionsCaption')} />
      <div className="approval-actions">
        <button type="button" className="btn btn-secondary" onClick={() => setConfirm('discard')} disabled={busy}>
          {t('approval.discard')}
        </button>
        <button type="button" className="btn btn-danger" onClick={() => setConfirm('approve')} disabled={busy}>
          {t('approval.approveEllipsis')}
        </button>
      </div>
      <ConfirmDialog
        open={confirm === 'approve'}
        title={t('approval.confirmTitle')}
        confirmLabel={t('approval.approve')}
        danger
        busy={busy}
        onConfirm={() => void decide('approve')}
        onCancel={() => setConfirm(null)}
      >
        <div className="stack">
          <p>{summary ? <Trans i18nKey="approval.confirmDeletes" t={t} values={{ summary }} components={{ 1: <strong /> }} /> : t('approval.confirmBody')}</p>
          <p className="muted">{t('approval.restorable')}</p>
        </div>
      </ConfirmDialog>
      <ConfirmDialog
        open={confirm === 'discard'}
        title={t('approval.discardTitle')}
        confirmLabel={t('approval.discardSync')}
        busy={busy}
        onConfirm={() => void decide('discard')}
        onCancel={() => setConfirm(null)}
      >
        <p>
          {t('approval.discardBody', { run: sourceWords(run.trigger).thisRun })} {sourceWords(run.trigger).isUpload ? t('approval.discardUpload') : t('approval.discardPull')}
        </p>
      </ConfirmDialog>
    </section>
  );
}
