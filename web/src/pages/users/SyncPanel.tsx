import { useEffect, useRef, useState, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { messageOf } from '../../api.js';
import { Banner } from '../../components/Banner.js';
import { isActiveRun } from '../../labels.js';
import { Link } from '../../router.js';
import type { RosterRun } from '../../types.js';
import { RunStatusBadge } from '../roster/parts.js';
import { useRun } from '../roster/useRun.js';

/** The run a press started, or (with `notice` saying so) one already under way that it follows instead. */
export interface StartedRun {
  runId: string;
  notice?: string;
}

/** What one sync button says and does; the panel does the rest (see SyncPanel). */
export interface SyncPanelProps {
  customerId: string;
  /** The section's accessible name. */
  ariaLabel: string;
  /** The line beside the button: what a press pulls. */
  description: ReactNode;
  label: string;
  /** Starts the run; a throw is shown as the failure. */
  start: () => Promise<StartedRun>;
  /** The run while it works (null before its first poll answers); `report` is its page. */
  progress: (run: RosterRun | null, report: string) => ReactNode;
  /** The outcome of a finished run that did not fail. */
  outcome: (run: RosterRun) => string;
  /** Called once when the run ends (the page reloads what it changed). */
  onFinished?: () => void;
}

/**
 * A roster sync button and its run, shared by the Class tab's OneRoster/SFTP sync and a class's
 * Sync from LMS: press, follow the run's progress here, then its outcome, the report link and
 * Dismiss. The button stays disabled from the press until the run ends: one sync at a time from
 * here (the server enforces it too).
 */
export function SyncPanel({ customerId, ariaLabel, description, label, start, progress, outcome, onFinished }: SyncPanelProps) {
  const { t } = useTranslation('users');
  const [runId, setRunId] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [failure, setFailure] = useState<string | null>(null);
  const [starting, setStarting] = useState(false);
  const [working, setWorking] = useState(false);

  const press = async () => {
    setStarting(true);
    setFailure(null);
    setNotice(null);
    try {
      const started = await start();
      setWorking(true);
      setNotice(started.notice ?? null);
      setRunId(started.runId);
    } catch (err) {
      setFailure(messageOf(err));
    } finally {
      setStarting(false);
    }
  };

  return (
    <section className="sync-panel" aria-label={ariaLabel}>
      <div className="card-header">
        <p className="muted small">{description}</p>
        <button type="button" className="btn btn-primary" onClick={() => void press()} disabled={starting || working}>
          {starting ? t('sync.startingButton') : label}
        </button>
      </div>
      {failure ? <Banner kind="error">{failure}</Banner> : null}
      {notice ? <Banner kind="info">{notice}</Banner> : null}
      {runId ? (
        <SyncRun
          key={runId}
          customerId={customerId}
          runId={runId}
          progress={progress}
          outcome={outcome}
          onFinished={() => {
            setWorking(false);
            onFinished?.();
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

/** One run, live: the button's progress view while it works, then its outcome and the report link. */
function SyncRun({
  customerId,
  runId,
  progress,
  outcome,
  onFinished,
  onClose,
}: Pick<SyncPanelProps, 'customerId' | 'progress' | 'outcome'> & { runId: string; onFinished: () => void; onClose: () => void }) {
  const { t } = useTranslation('users');
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
      <div className="sync-progress" role="status">
        {progress(run, report)}
        {error ? <p className="muted small">{t('roster:lostTouch', { error })}</p> : null}
      </div>
    );
  }
  return (
    <div className="sync-result" role="status">
      <p>
        <RunStatusBadge run={run} /> {run.status === 'failed' ? t('sync.failed', { reason: run.error?.message ?? t('sync.seeReport') }) : outcome(run)}
      </p>
      <p>
        <Link to={report}>{t('sync.viewReport')}</Link>
        {' · '}
        <button type="button" className="btn btn-secondary btn-small" onClick={onClose}>
          {t('sync.dismiss')}
        </button>
      </p>
    </div>
  );
}
