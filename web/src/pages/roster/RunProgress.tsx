import { useTranslation } from 'react-i18next';
import { ProgressBar } from '../../components/ProgressBar.js';
import { RUN_STAGES, formatBytes, stageLabel } from '../../labels.js';
import type { RosterRun } from '../../types.js';

/**
 * Where a queued or running run is: the stages as steps (done, current, to come) and, while the
 * source is read, how much of it has been read (the words fit the source: file, SFTP, API, LMS). Announced politely as it moves.
 */
export function RunProgress({ run }: { run: RosterRun }) {
  const { t } = useTranslation('roster');
  const at = Math.max(
    0,
    RUN_STAGES.findIndex((s) => s.value === run.stage),
  );
  const current = stageLabel(run);
  const reading = run.stage === 'reading';
  const { done, total } = run.progress;
  return (
    <section className="card run-progress" aria-labelledby="run-progress-title">
      <header className="card-header">
        <h2 id="run-progress-title">{run.dryRun ? t('progress.preview') : t('progress.sync')}</h2>
        <span className="spinner" aria-hidden="true" />
      </header>
      <ol className="stepper" aria-label={t('progress.stages')}>
        {RUN_STAGES.map((s, i) => {
          // A preview never applies: its last working stage is Planning.
          const skipped = run.dryRun && s.value === 'applying';
          const state = i < at ? 'done' : i === at ? 'current' : 'todo';
          return (
            <li key={s.value} className={`step step-${skipped ? 'skipped' : state}`} aria-current={state === 'current' ? 'step' : undefined}>
              <span className="step-marker" aria-hidden="true">
                {state === 'done' ? '✓' : i + 1}
              </span>
              <span className="step-label">
                {stageLabel({ stage: s.value, trigger: run.trigger })}
                {skipped ? <span className="visually-hidden"> {t('progress.notInPreview')}</span> : null}
                {state === 'done' ? <span className="visually-hidden"> {t('progress.done')}</span> : null}
              </span>
            </li>
          );
        })}
      </ol>
      <p className="run-progress-now" role="status">
        {run.status === 'queued' ? t('progress.waiting') : `${current}…`}
      </p>
      {reading ? (
        <ProgressBar label={current} value={total ? done : undefined} max={total || undefined} detail={total ? t('ui:bytesOf', { loaded: formatBytes(done), total: formatBytes(total) }) : undefined} />
      ) : run.status === 'queued' ? null : (
        <ProgressBar label={current} />
      )}
      <p className="muted small">{t('progress.canLeave')}</p>
    </section>
  );
}
