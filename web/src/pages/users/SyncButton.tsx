import { useEffect, useRef, useState } from 'react';
import { ApiError, api, messageOf } from '../../api.js';
import { Banner } from '../../components/Banner.js';
import { ProgressBar } from '../../components/ProgressBar.js';
import { useCustomer } from '../../hooks/useCustomer.js';
import { RUN_STAGES, formatBytes, formatCount, isActiveRun } from '../../labels.js';
import { Link } from '../../router.js';
import type { Page, RosterRun } from '../../types.js';
import { RunStatusBadge } from '../roster/parts.js';
import { useRun } from '../roster/useRun.js';

/**
 * The Class tab's **Sync with OneRoster – API** button ("Sync from SFTP" for SFTP customers): pulls
 * the roster now, shows the run's progress here, then links to its report. A sync already under way
 * is followed instead of refused. Hidden for ZIP Upload customers and those without rostering.
 */
export function SyncButton({ customerId, onSynced }: { customerId: string; onSynced?: () => void }) {
  const customer = useCustomer(customerId);
  const [runId, setRunId] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [failure, setFailure] = useState<string | null>(null);
  const [starting, setStarting] = useState(false);
  // True from the press until the run ends: one sync at a time from here (the server enforces it too).
  const [working, setWorking] = useState(false);
  const r = customer?.rostering;
  if (!r || r.type !== 'oneroster' || (r.syncType !== 'api' && r.syncType !== 'sftp')) return null;
  const label = r.syncType === 'sftp' ? 'Sync from SFTP' : 'Sync with OneRoster – API';
  const runs = `/api/customers/${encodeURIComponent(customerId)}/roster`;

  const start = async () => {
    setStarting(true);
    setFailure(null);
    setNotice(null);
    try {
      const run = await api.post<RosterRun>(`${runs}/sync`, {});
      setWorking(true);
      setRunId(run.runId);
    } catch (err) {
      if (err instanceof ApiError && err.code === 'SYNC_IN_PROGRESS') {
        // Someone (or the schedule) started one first: show that one.
        const page = await api.get<Page<RosterRun>>(`${runs}/runs?pageSize=10`).catch(() => null);
        const active = page?.items.find(isActiveRun);
        if (active) {
          setNotice('A sync of this customer was already under way; here is its progress.');
          setWorking(true);
          setRunId(active.runId);
          return;
        }
      }
      setFailure(messageOf(err));
    } finally {
      setStarting(false);
    }
  };

  return (
    <section className="sync-panel" aria-label="Roster sync">
      <div className="card-header">
        <p className="muted small">{r.syncType === 'sftp' ? `Pull ${r.sftp.fileName || 'the roster file'} from ${r.sftp.host} now.` : 'Pull the roster from the customer’s OneRoster API now.'}</p>
        <button type="button" className="btn btn-primary" onClick={() => void start()} disabled={starting || working}>
          {starting ? 'Starting…' : label}
        </button>
      </div>
      {failure ? <Banner kind="error">{failure}</Banner> : null}
      {notice ? <Banner kind="info">{notice}</Banner> : null}
      {runId ? (
        <SyncRun
          key={runId}
          customerId={customerId}
          runId={runId}
          onFinished={() => {
            setWorking(false);
            onSynced?.();
          }}
          onClose={() => {
            setRunId(null);
            setNotice(null);
          }}
        />
      ) : null}
    </section>
  );
}

/** One pull, live: its stage and progress while it works, then the outcome and the report link. */
function SyncRun({ customerId, runId, onFinished, onClose }: { customerId: string; runId: string; onFinished: () => void; onClose: () => void }) {
  const { run, error } = useRun(customerId, runId);
  const active = !run || isActiveRun(run);
  const finished = useRef(false);
  useEffect(() => {
    if (run && !isActiveRun(run) && !finished.current) {
      finished.current = true;
      onFinished();
    }
  }, [run, onFinished]);
  const report = `/customers/${customerId}/roster/runs/${runId}`;
  if (active) {
    const stage = run ? (RUN_STAGES.find((s) => s.value === run.stage)?.label ?? run.stage) : 'Starting';
    const { done, total } = run?.progress ?? { done: 0, total: 0 };
    const reading = run?.stage === 'reading' && total > 0;
    return (
      <div className="sync-progress" role="status">
        <ProgressBar
          label={run?.status === 'queued' ? 'Waiting to start: connecting to the source…' : stage}
          value={reading ? done : undefined}
          max={reading ? total : undefined}
          detail={reading ? `${formatBytes(done)} of ${formatBytes(total)}` : undefined}
        />
        {error ? <p className="muted small">Lost touch with the server ({error}); still trying…</p> : null}
        <p className="muted small">
          You can leave this page: the sync carries on. <Link to={report}>Follow it on its own page</Link>.
        </p>
      </div>
    );
  }
  const users = run.counts.users;
  const outcome =
    run.status === 'failed'
      ? `The sync failed and changed nothing: ${run.error?.message ?? 'see the report.'}`
      : run.stage === 'unchanged'
        ? 'The source has not changed since the last sync: nothing to do.'
        : run.status === 'awaiting_approval'
          ? `It would delete more than the customer’s threshold allows, so it waits for approval. ${run.holdReason}`
          : `Users: ${formatCount(users?.created ?? 0)} created, ${formatCount(users?.updated ?? 0)} updated, ${formatCount(users?.deleted ?? 0)} deleted.`;
  return (
    <div className="sync-result" role="status">
      <p>
        <RunStatusBadge run={run} /> {outcome}
      </p>
      <p>
        <Link to={report}>View the run report</Link>
        {' · '}
        <button type="button" className="btn btn-secondary btn-small" onClick={onClose}>
          Dismiss
        </button>
      </p>
    </div>
  );
}
