import type { TFunction } from 'i18next';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Banner } from '../../components/Banner.js';
import { ProgressBar } from '../../components/ProgressBar.js';
import { Facts, SectionCard } from '../../components/Facts.js';
import { PageHeader, useTitle } from '../../components/Layout.js';
import { Tabs } from '../../components/Tabs.js';
import { useCustomer, useCustomerCrumbs } from '../../hooks/useCustomer.js';
import { formatLocale } from '../../i18n/index.js';
import { ENTITY_OPTIONS, formatBytes, formatCount, formatDateTime, formatDuration, isActiveRun, sourceWords, startedBy, triggerLabel } from '../../labels.js';
import { Link } from '../../router.js';
import type { RosterRun } from '../../types.js';
import { ApplyPreviewButton } from './ApplyPreviewButton.js';
import { ApprovalPanel } from './ApprovalPanel.js';
import { IssueTable } from './IssueTable.js';
import { RunStatusBadge } from './parts.js';
import { PlanTable } from './PlanTable.js';
import { RunCounts } from './RunCounts.js';
import { RunProgress } from './RunProgress.js';
import { useRun } from './useRun.js';

/**
 * One roster run, live: its progress while it works, then the result (banner, counts, details),
 * the approval screen if it was held, and its issues and plan.
 */
export function RunPage({ customerId, runId }: { customerId: string; runId: string }) {
  const { t } = useTranslation('roster');
  const customer = useCustomer(customerId);
  const { run, error, path, replace } = useRun(customerId, runId);
  const [notice, setNotice] = useState<string | null>(null);
  const [tab, setTab] = useState<string | null>(null);
  const crumbs = useCustomerCrumbs(customerId, customer, [{ to: `/customers/${customerId}/roster/runs`, label: t('runsTitle') }]);
  useTitle(run ? t('runTitleNamed', { file: run.fileName }) : t('runTitle'));

  if (!run) {
    return (
      <div className="page">
        <PageHeader crumbs={crumbs} title={t('runTitle')} />
        {error ? <Banner kind="error">{error}</Banner> : <p className="loading">{t('loadingRun')}</p>}
      </div>
    );
  }
  const active = isActiveRun(run);
  const planned = run.dryRun || run.status === 'awaiting_approval';
  const issueTotal = run.issueCounts.error + run.issueCounts.warning + run.issueCounts.info;
  const hasChanges = run.status !== 'failed' && run.status !== 'discarded';
  const defaultTab = run.dryRun ? 'plan' : issueTotal > 0 || !hasChanges ? 'issues' : 'plan';
  return (
    <div className="page">
      <PageHeader
        crumbs={crumbs}
        title={
          <>
            {run.fileName || t('runTitle')} <RunStatusBadge run={run} />
            {run.dryRun ? <span className="badge badge-preview-tag">{t('previewTag')}</span> : null}
          </>
        }
        subtitle={`${startedBy(run)} · ${formatDateTime(run.createdAt)}${run.sizeBytes ? ` · ${formatBytes(run.sizeBytes)}` : ''}`}
        actions={
          <>
            <Link to={`/customers/${customerId}/roster/runs`} className="btn btn-secondary">
              {t('runHistory')}
            </Link>
            {sourceWords(run.trigger).isUpload ? (
              <Link to={`/customers/${customerId}/roster/upload`} className="btn btn-primary">
                {t('uploadAnother')}
              </Link>
            ) : null}
          </>
        }
      />
      {notice ? <Banner kind="success">{notice}</Banner> : null}
      {error ? <Banner kind="warning">{t('lostTouch', { error })}</Banner> : null}
      {active ? <RunProgress run={run} /> : <ResultBanner run={run} />}
      {!active && run.dryRun && run.status !== 'failed' ? <ApplyPreviewButton runId={run.runId} customerId={customerId} /> : null}
      {run.passwords.queued > 0 ? <PasswordProgress run={run} /> : null}
      {run.status === 'awaiting_approval' ? (
        <ApprovalPanel
          key={run.runId}
          run={run}
          runPath={path}
          customerId={customerId}
          onDecided={(r, message) => {
            replace(r);
            setNotice(message);
          }}
        />
      ) : null}
      {active ? null : (
        <>
          <div className="run-grid">
            {hasChanges || run.status === 'discarded' ? <RunCounts run={run} /> : null}
            <RunDetails run={run} />
          </div>
          <Tabs
            label={t('runReport')}
            selected={tab ?? defaultTab}
            onSelect={setTab}
            tabs={[
              ...(hasChanges
                ? [
                    {
                      id: 'plan',
                      label: planned ? t('planTab') : t('changesTab'),
                      panel: () => <PlanTable key={run.status} run={run} runPath={path} customerId={customerId} caption={planned ? t('plan.planned') : t('plan.made')} />,
                    },
                  ]
                : []),
              { id: 'issues', label: t('issuesTab', { n: formatCount(issueTotal) }), panel: () => <IssueTable run={run} runPath={path} /> },
            ]}
          />
        </>
      )}
    </div>
  );
}

// What the run changed in two sentences: records of every type, then people.
function changeSummary(t: TFunction<'roster'>, run: RosterRun): string {
  const sum = (k: 'created' | 'updated' | 'deleted' | 'restored') => ENTITY_OPTIONS.reduce((n, e) => n + (run.counts[e.value]?.[k] ?? 0), 0);
  const users = run.counts.users;
  const parts = [t('summary.created', { count: sum('created') }), t('summary.updated', { count: sum('updated') }), t('summary.deleted', { count: sum('deleted') })];
  if (sum('restored')) parts.push(t('summary.restored', { count: sum('restored') }));
  const records = t('summary.records', { parts: parts.join(', ') });
  return users ? `${records} ${t('summary.users', { created: formatCount(users.created), updated: formatCount(users.updated), deleted: formatCount(users.deleted) })}` : records;
}

/**
 * Roster passwords are hashed after the run (argon2id, every core): each account can sign in as
 * soon as its own is ready, and this says how far the whole batch has got.
 */
function PasswordProgress({ run }: { run: RosterRun }) {
  const { t } = useTranslation('roster');
  const { queued, pending } = run.passwords;
  const ready = queued - (pending ?? 0);
  if (pending === 0) return <p className="muted password-progress">{t('passwords.done', { count: queued })}</p>;
  return (
    <div className="password-progress">
      <ProgressBar label={t('passwords.working')} value={ready} max={queued} detail={t('passwords.detail', { ready: formatCount(ready), total: formatCount(queued) })} />
    </div>
  );
}

/** The outcome in one sentence, coloured by how it went. */
function ResultBanner({ run }: { run: RosterRun }) {
  const { t } = useTranslation('roster');
  const { error: errors, warning: warnings } = run.issueCounts;
  const words = sourceWords(run.trigger);
  const found = [errors ? t('result.errorsSkipped', { count: errors }) : '', warnings ? t('issues.warningCount', { count: warnings }) : ''].filter(Boolean);
  const issues = found.length ? new Intl.ListFormat(formatLocale(), { type: 'conjunction' }).format(found) : '';
  if (run.status === 'failed') {
    return (
      <Banner kind="error" title={t('result.failedTitle')}>
        {t('result.failedBody', { reason: run.error?.message ?? t('result.seeIssues'), run: words.thisRun })}
      </Banner>
    );
  }
  // A hold left unapproved past the retention is discarded by the daily purge, which says so in the run's error.
  if (run.status === 'discarded')
    return (
      <Banner kind="info" title={t('result.discardedTitle')}>
        {run.error?.message ?? t('result.discardedBody')}
      </Banner>
    );
  if (run.status === 'awaiting_approval') return null;
  if (run.dryRun) {
    return (
      <Banner kind="info" title={t('result.previewTitle')}>
        {[t('result.previewLead'), changeSummary(t, run), issues ? t('result.found', { issues }) : '', t('result.previewApply')].filter(Boolean).join(' ')}
      </Banner>
    );
  }
  if (run.stage === 'unchanged') {
    return (
      <Banner kind="info" title={t('result.unchangedTitle', { rowsFrom: words.rowsFrom })}>
        {t('result.unchangedBody')} {words.isUpload ? t('result.unchangedUpload') : t('result.unchangedPull')}
      </Banner>
    );
  }
  if (run.status === 'succeeded_with_warnings') {
    return (
      <Banner kind="warning" title={t('result.warningsTitle')}>
        {changeSummary(t, run)} {t('result.foundSee', { issues: issues || t('result.someIssues') })}
      </Banner>
    );
  }
  return (
    <Banner kind="success" title={t('result.appliedTitle')}>
      {changeSummary(t, run)}
    </Banner>
  );
}

/** Where the run came from and how long it took. */
function RunDetails({ run }: { run: RosterRun }) {
  const { t } = useTranslation('roster');
  const modes = Object.entries(run.modes);
  return (
    <SectionCard title={t('details.title')} className="run-details">
      <Facts
        items={[
          [t('details.startedBy'), `${triggerLabel(run.trigger)} · ${run.actor}`],
          [sourceWords(run.trigger).label, run.fileName],
          [t('details.size'), run.sizeBytes ? formatBytes(run.sizeBytes) : ''],
          [t('labels:rosteringType.oneroster'), run.version ? t('details.version', { version: run.version }) : ''],
          [
            t('details.files'),
            modes.length ? (
              <span key="m" className="modes">
                {modes.map(([f, m]) => `${f} (${m})`).join(', ')}
              </span>
            ) : (
              ''
            ),
          ],
          [t('details.queued'), formatDateTime(run.createdAt)],
          [t('details.finished'), run.finishedAt ? t('details.took', { when: formatDateTime(run.finishedAt), duration: formatDuration(run.startedAt ?? run.createdAt, run.finishedAt) }) : ''],
          [
            t('details.sha256'),
            run.sha256 ? (
              <code key="s" title={run.sha256}>
                {run.sha256.slice(0, 16)}…
              </code>
            ) : (
              ''
            ),
          ],
          [t('details.runId'), <code key="r">{run.runId}</code>],
        ]}
      />
    </SectionCard>
  );
}
