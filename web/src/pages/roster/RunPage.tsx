import { useState } from 'react';
import { Banner } from '../../components/Banner.js';
import { ProgressBar } from '../../components/ProgressBar.js';
import { Facts, SectionCard } from '../../components/Facts.js';
import { PageHeader, useTitle } from '../../components/Layout.js';
import { Tabs } from '../../components/Tabs.js';
import { useCustomer, useCustomerCrumbs } from '../../hooks/useCustomer.js';
import { ENTITY_OPTIONS, formatBytes, formatCount, formatDateTime, formatDuration, isActiveRun, plural, sourceWords, startedBy, triggerLabel } from '../../labels.js';
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
  const customer = useCustomer(customerId);
  const { run, error, path, replace } = useRun(customerId, runId);
  const [notice, setNotice] = useState<string | null>(null);
  const [tab, setTab] = useState<string | null>(null);
  const crumbs = useCustomerCrumbs(customerId, customer, [{ to: `/customers/${customerId}/roster/runs`, label: 'Roster runs' }]);
  useTitle(run ? `Roster run · ${run.fileName}` : 'Roster run');

  if (!run) {
    return (
      <div className="page">
        <PageHeader crumbs={crumbs} title="Roster run" />
        {error ? <Banner kind="error">{error}</Banner> : <p className="loading">Loading the run…</p>}
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
            {run.fileName || 'Roster run'} <RunStatusBadge run={run} />
            {run.dryRun ? <span className="badge badge-preview-tag">Preview</span> : null}
          </>
        }
        subtitle={`${startedBy(run)} · ${formatDateTime(run.createdAt)}${run.sizeBytes ? ` · ${formatBytes(run.sizeBytes)}` : ''}`}
        actions={
          <>
            <Link to={`/customers/${customerId}/roster/runs`} className="btn btn-secondary">
              Run history
            </Link>
            {sourceWords(run.trigger).isUpload ? (
              <Link to={`/customers/${customerId}/roster/upload`} className="btn btn-primary">
                Upload another file
              </Link>
            ) : null}
          </>
        }
      />
      {notice ? <Banner kind="success">{notice}</Banner> : null}
      {error ? <Banner kind="warning">Lost touch with the server ({error}); still trying…</Banner> : null}
      {active ? <RunProgress run={run} /> : <ResultBanner run={run} />}
      {!active && run.dryRun && run.status !== 'failed' ? <ApplyPreviewButton runPath={path} customerId={customerId} /> : null}
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
            label="Run report"
            selected={tab ?? defaultTab}
            onSelect={setTab}
            tabs={[
              ...(hasChanges
                ? [
                    {
                      id: 'plan',
                      label: planned ? 'Plan' : 'Changes',
                      panel: () => <PlanTable key={run.status} run={run} runPath={path} customerId={customerId} caption={planned ? 'Planned changes' : 'Changes made'} />,
                    },
                  ]
                : []),
              { id: 'issues', label: `Issues (${formatCount(issueTotal)})`, panel: () => <IssueTable run={run} runPath={path} /> },
            ]}
          />
        </>
      )}
    </div>
  );
}

function changeSummary(run: RosterRun): string {
  const sum = (k: 'created' | 'updated' | 'deleted' | 'restored') => ENTITY_OPTIONS.reduce((n, e) => n + (run.counts[e.value]?.[k] ?? 0), 0);
  const users = run.counts.users;
  const parts = [`${formatCount(sum('created'))} created`, `${formatCount(sum('updated'))} updated`, `${formatCount(sum('deleted'))} deleted`];
  if (sum('restored')) parts.push(`${formatCount(sum('restored'))} restored`);
  const who = users ? ` Users: ${formatCount(users.created)} new, ${formatCount(users.updated)} changed, ${formatCount(users.deleted)} removed.` : '';
  return `Records: ${parts.join(', ')}.${who}`;
}

/**
 * Roster passwords are hashed after the run (argon2id, every core): each account can sign in as
 * soon as its own is ready, and this says how far the whole batch has got.
 */
function PasswordProgress({ run }: { run: RosterRun }) {
  const { queued, pending } = run.passwords;
  const ready = queued - (pending ?? 0);
  if (pending === 0) return <p className="muted password-progress">{`${formatCount(queued)} roster ${queued === 1 ? 'password is' : 'passwords are'} set up.`}</p>;
  return (
    <div className="password-progress">
      <ProgressBar label="Setting up roster passwords" value={ready} max={queued} detail={`${formatCount(ready)} of ${formatCount(queued)} ready · each person can sign in as soon as theirs is`} />
    </div>
  );
}

/** The outcome in one sentence, coloured by how it went. */
function ResultBanner({ run }: { run: RosterRun }) {
  const { error: errors, warning: warnings } = run.issueCounts;
  const words = sourceWords(run.trigger);
  const issues = [errors ? `${plural(errors, 'error')} (rows skipped)` : '', warnings ? plural(warnings, 'warning') : ''].filter(Boolean).join(' and ');
  if (run.status === 'failed') {
    return (
      <Banner kind="error" title="The sync failed: nothing was applied">
        {run.error?.message ?? 'See the issues below.'} The roster is as it was before {words.thisRun}.
      </Banner>
    );
  }
  // A hold left unapproved past the retention is discarded by the daily purge, which says so in the run's error.
  if (run.status === 'discarded')
    return (
      <Banner kind="info" title="Discarded: nothing was applied">
        {run.error?.message ?? 'This sync was held for approval and then discarded.'}
      </Banner>
    );
  if (run.status === 'awaiting_approval') return null;
  if (run.dryRun) {
    return (
      <Banner kind="info" title="Preview: nothing was applied">
        This is what uploading this file would change. {changeSummary(run)} {issues ? `It found ${issues}.` : ''} To apply it, use Apply this preview: the same file is read again and applied.
      </Banner>
    );
  }
  if (run.stage === 'unchanged') {
    return (
      <Banner kind="info" title={`Nothing to do: ${words.rowsFrom} was already applied`}>
        It is byte for byte what the last applied sync read, and nothing in the roster or the settings has changed since, so it was not read again.{' '}
        {words.isUpload ? 'To read it anyway, upload it with “Read it again even if unchanged”.' : 'The next pull reads it again once anything changes.'}
      </Banner>
    );
  }
  if (run.status === 'succeeded_with_warnings') {
    return (
      <Banner kind="warning" title="The roster was applied, with issues">
        {changeSummary(run)} It found {issues || 'some issues'}; see the issues below.
      </Banner>
    );
  }
  return (
    <Banner kind="success" title="The roster was applied">
      {changeSummary(run)}
    </Banner>
  );
}

/** Where the run came from and how long it took. */
function RunDetails({ run }: { run: RosterRun }) {
  const modes = Object.entries(run.modes);
  return (
    <SectionCard title="Details" className="run-details">
      <Facts
        items={[
          ['Started by', `${triggerLabel(run.trigger)} · ${run.actor}`],
          [sourceWords(run.trigger).label, run.fileName],
          ['Size', run.sizeBytes ? formatBytes(run.sizeBytes) : ''],
          ['OneRoster', run.version ? `Version ${run.version}` : ''],
          [
            'Files',
            modes.length ? (
              <span key="m" className="modes">
                {modes.map(([f, m]) => `${f} (${m})`).join(', ')}
              </span>
            ) : (
              ''
            ),
          ],
          ['Queued', formatDateTime(run.createdAt)],
          ['Finished', run.finishedAt ? `${formatDateTime(run.finishedAt)} · took ${formatDuration(run.startedAt ?? run.createdAt, run.finishedAt)}` : ''],
          [
            'SHA-256',
            run.sha256 ? (
              <code key="s" title={run.sha256}>
                {run.sha256.slice(0, 16)}…
              </code>
            ) : (
              ''
            ),
          ],
          ['Run ID', <code key="r">{run.runId}</code>],
        ]}
      />
    </SectionCard>
  );
}
