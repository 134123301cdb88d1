import { ApiError, api } from '../../api.js';
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
  const customer = useCustomer(customerId);
  const r = customer?.rostering;
  if (!r || r.type !== 'oneroster' || (r.syncType !== 'api' && r.syncType !== 'sftp')) return null;
  const runs = `/api/customers/${encodeURIComponent(customerId)}/roster`;

  const start = async (): Promise<StartedRun> => {
    try {
      return { runId: (await api.post<RosterRun>(`${runs}/sync`, {})).runId };
    } catch (err) {
      if (err instanceof ApiError && err.code === 'SYNC_IN_PROGRESS') {
        // Someone (or the schedule) started one first: show that one.
        const page = await api.get<Page<RosterRun>>(`${runs}/runs?pageSize=10`).catch(() => null);
        const active = page?.items.find(isActiveRun);
        if (active) return { runId: active.runId, notice: 'A sync of this customer was already under way; here is its progress.' };
      }
      throw err;
    }
  };

  return (
    <SyncPanel
      customerId={customerId}
      ariaLabel="Roster sync"
      description={r.syncType === 'sftp' ? `Pull ${r.sftp.fileName || 'the roster file'} from ${r.sftp.host} now.` : 'Pull the roster from the customer’s OneRoster API now.'}
      label={r.syncType === 'sftp' ? 'Sync from SFTP' : 'Sync with OneRoster – API'}
      start={start}
      progress={pullProgress}
      outcome={pullOutcome}
      onFinished={onSynced}
    />
  );
}

/** A pull at work: its stage, and how much of the file it has read. */
function pullProgress(run: RosterRun | null, report: string) {
  const stage = run ? stageLabel(run) : 'Starting';
  const { done, total } = run?.progress ?? { done: 0, total: 0 };
  const reading = run?.stage === 'reading' && total > 0;
  return (
    <>
      <ProgressBar
        label={run?.status === 'queued' ? 'Waiting to start: connecting to the source…' : stage}
        value={reading ? done : undefined}
        max={reading ? total : undefined}
        detail={reading ? `${formatBytes(done)} of ${formatBytes(total)}` : undefined}
      />
      <p className="muted small">
        You can leave this page: the sync carries on. <Link to={report}>Follow it on its own page</Link>.
      </p>
    </>
  );
}

/** What a finished pull did to the customer's users. */
function pullOutcome(run: RosterRun): string {
  const users = run.counts.users;
  if (run.stage === 'unchanged') return 'The source has not changed since the last sync: nothing to do.';
  if (run.status === 'awaiting_approval') return `It would delete more than the customer’s threshold allows, so it waits for approval. ${run.holdReason}`;
  return `Users: ${formatCount(users?.created ?? 0)} created, ${formatCount(users?.updated ?? 0)} updated, ${formatCount(users?.deleted ?? 0)} deleted.`;
}
