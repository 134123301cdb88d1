import type { TFunction } from 'i18next';
import { Trans, useTranslation } from 'react-i18next';
import { ApiError, api, client, unwrap } from '../../api.js';
import { ProgressBar } from '../../components/ProgressBar.js';
import { useCustomer } from '../../hooks/useCustomer.js';
import { formatBytes, formatCount, isActiveRun, stageLabel } from '../../labels.js';
import { Link } from '../../router.js';
import type { Page, RosterRun } from '../../types.js';
import { SyncPanel, type StartedRun } from './SyncPanel.js';

/**
 * The Class tab's **Sync with OneRoster – API** button ("Sync from SFTP" for SFTP customers): pulls
 * the roster now, shows the run's progress here, then links to its report. A sync already under way
 * is followed instead of refused. Hidden for ZIP Upload customers and those without rostering.
 */
export function SyncButton({ customerId, onSynced }: { customerId: string; onSynced?: () => void }) {
  const { t } = useTranslation('users');
  const customer = useCustomer(customerId);
  const r = customer?.rostering;
  if (!r || r.type !== 'oneroster' || (r.syncType !== 'api' && r.syncType !== 'sftp')) return null;
  const runs = `/api/customers/${encodeURIComponent(customerId)}/roster`;

  const start = async (): Promise<StartedRun> => {
    try {
      return { runId: (await unwrap(client.POST('/api/customers/{id}/roster/sync', { params: { path: { id: customerId } }, body: {} }))).runId };
    } catch (err) {
      if (err instanceof ApiError && err.code === 'SYNC_IN_PROGRESS') {
        // Someone (or the schedule) started one first: show that one.
        const page = await api.get<Page<RosterRun>>(`${runs}/runs?pageSize=10`).catch(() => null);
        const active = page?.items.find(isActiveRun);
        if (active) return { runId: active.runId, notice: t('sync.alreadyRunning') };
      }
      throw err;
    }
  };

  return (
    <SyncPanel
      customerId={customerId}
      ariaLabel={t('sync.rosterSync')}
      description={r.syncType === 'sftp' ? t('sync.pullSftp', { file: r.sftp.fileName || t('sync.theRosterFile'), host: r.sftp.host }) : t('sync.pullApi')}
      label={r.syncType === 'sftp' ? t('sync.fromSftp') : t('sync.withApi')}
      start={start}
      progress={(run, report) => pullProgress(t, run, report)}
      outcome={(run) => pullOutcome(t, run)}
      onFinished={onSynced}
    />
  );
}

/** A pull at work: its stage, and how much of the file it has read. */
function pullProgress(t: TFunction<'users'>, run: RosterRun | null, report: string) {
  const stage = run ? stageLabel(run) : t('sync.starting');
  const { done, total } = run?.progress ?? { done: 0, total: 0 };
  const reading = run?.stage === 'reading' && total > 0;
  return (
    <>
      <ProgressBar
        label={run?.status === 'queued' ? t('sync.waiting') : stage}
        value={reading ? done : undefined}
        max={reading ? total : undefined}
        detail={reading ? t('ui:bytesOf', { loaded: formatBytes(done), total: formatBytes(total) }) : undefined}
      />
      <p className="muted small">
        <Trans i18nKey="sync.canLeave" t={t} components={{ 1: <Link to={report} /> }} />
      </p>
    </>
  );
}

/** What a finished pull did to the customer's users. */
function pullOutcome(t: TFunction<'users'>, run: RosterRun): string {
  const users = run.counts.users;
  if (run.stage === 'unchanged') return t('sync.unchanged');
  if (run.status === 'awaiting_approval') return t('sync.heldDeletes', { reason: run.holdReason });
  return t('sync.pullDone', { created: formatCount(users?.created ?? 0), updated: formatCount(users?.updated ?? 0), deleted: formatCount(users?.deleted ?? 0) });
}
