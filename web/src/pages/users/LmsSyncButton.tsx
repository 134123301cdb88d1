import { useEffect, useRef, useState } from 'react';
import { api, messageOf } from '../../api.js';
import { Banner } from '../../components/Banner.js';
import { useResource } from '../../hooks/useResource.js';
import { formatCount, isActiveRun } from '../../labels.js';
import { Link } from '../../router.js';
import { RunStatusBadge } from '../roster/parts.js';
import { RunProgress } from '../roster/RunProgress.js';
import { useRun } from '../roster/useRun.js';

/** The LMS course a class was made from (GET …/classes/:classId/lms-sync). */
interface LmsContext {
  contextId: string;
  title: string;
  issuer: string;
  host: string;
}

/**
 * The Class page's **Sync from LMS** button, shown only for a class made from an LMS course (LTI 1.3,
 * NRPS): pulls the course's members now as a roster run, shows its progress here, then its outcome
 * and the report link. `onSynced` reloads the class when the run ends.
 */
export function LmsSyncButton({ customerId, classId, onSynced }: { customerId: string; classId: string; onSynced: () => void }) {
  const path = `/api/customers/${encodeURIComponent(customerId)}/classes/${encodeURIComponent(classId)}/lms-sync`;
  const lms = useResource<{ context: LmsContext | null }>(path);
  const [runId, setRunId] = useState<string | null>(null);
  const [failure, setFailure] = useState<string | null>(null);
  const [starting, setStarting] = useState(false);
  // True from the press until the run ends: one pull at a time from here (the server enforces it too).
  const [working, setWorking] = useState(false);
  const context = lms.data?.context;
  if (!context) return null;

  const start = async () => {
    setStarting(true);
    setFailure(null);
    try {
      setRunId((await api.post<{ runId: string }>(path, {})).runId);
      setWorking(true);
    } catch (err) {
      setFailure(messageOf(err));
    } finally {
      setStarting(false);
    }
  };

  return (
    <section className="sync-panel" aria-label="LMS roster sync">
      <div className="card-header">
        <p className="muted small">
          Made from the LMS course <strong>{context.title || context.contextId}</strong> ({context.host}). Pull its members now: new ones are added and enrolled, those who left lose this class.
        </p>
        <button type="button" className="btn btn-primary" onClick={() => void start()} disabled={starting || working}>
          {starting ? 'Starting…' : 'Sync from LMS'}
        </button>
      </div>
      {failure ? <Banner kind="error">{failure}</Banner> : null}
      {runId ? (
        <LmsSyncRun
          key={runId}
          customerId={customerId}
          runId={runId}
          onFinished={() => {
            setWorking(false);
            onSynced();
          }}
          onClose={() => setRunId(null)}
        />
      ) : null}
    </section>
  );
}

/** One LMS pull, live: the run's stages while it works, then what it changed in the class. */
function LmsSyncRun({ customerId, runId, onFinished, onClose }: { customerId: string; runId: string; onFinished: () => void; onClose: () => void }) {
  const { run, error } = useRun(customerId, runId);
  const finished = useRef(false);
  useEffect(() => {
    if (run && !isActiveRun(run) && !finished.current) {
      finished.current = true;
      onFinished();
    }
  }, [run, onFinished]);
  const report = `/customers/${customerId}/roster/runs/${runId}`;
  if (!run || isActiveRun(run)) {
    return (
      <div role="status">
        {run ? <RunProgress run={run} /> : <p className="loading">Starting the sync…</p>}
        {error ? <p className="muted small">Lost touch with the server ({error}); still trying…</p> : null}
      </div>
    );
  }
  const e = run.counts.enrollments;
  const outcome =
    run.status === 'failed'
      ? `The sync failed and changed nothing: ${run.error?.message ?? 'see the report.'}`
      : run.status === 'awaiting_approval'
        ? `It would end more enrollments than the customer’s threshold allows, so it waits for approval. ${run.holdReason}`
        : `Users: ${formatCount(run.counts.users?.created ?? 0)} added. Enrollments: ${formatCount(e?.created ?? 0)} added, ${formatCount(e?.deleted ?? 0)} ended.`;
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
