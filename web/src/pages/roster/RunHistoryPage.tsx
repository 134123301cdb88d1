import { useTranslation } from 'react-i18next';
import { Banner } from '../../components/Banner.js';
import { DataTable, EmptyState, Pager, type Column } from '../../components/DataTable.js';
import { PageHeader, useTitle } from '../../components/Layout.js';
import { useCustomer, useCustomerCrumbs } from '../../hooks/useCustomer.js';
import { usePagedList } from '../../hooks/usePagedList.js';
import { useResource } from '../../hooks/useResource.js';
import { ENTITY_OPTIONS, formatDateTime, formatDuration, triggerLabel } from '../../labels.js';
import { Link, navigate } from '../../router.js';
import type { Page, RosterRun } from '../../types.js';
import { RunStatusBadge } from './parts.js';
import { RunHistoryChart } from './RunHistoryChart.js';

const PAGE_SIZE = 20;

/** "+12 · ~3 · −2" with words for screen readers: created, updated, deleted across all types. */
function CountsSummary({ run }: { run: RosterRun }) {
  const { t } = useTranslation('roster');
  const sum = (k: 'created' | 'updated' | 'deleted' | 'restored') => ENTITY_OPTIONS.reduce((n, e) => n + (run.counts[e.value]?.[k] ?? 0), 0);
  if (run.status === 'failed' || run.status === 'discarded' || run.status === 'queued' || run.status === 'running') return <span className="muted">—</span>;
  const users = run.counts.users;
  return (
    <span className="counts-summary">
      <span className="count-created">{t('summary.created', { count: sum('created') })}</span>
      <span className="count-updated">{t('summary.updated', { count: sum('updated') })}</span>
      <span className={sum('deleted') ? 'count-danger' : 'muted'}>{t('summary.deleted', { count: sum('deleted') })}</span>
      {sum('restored') ? <span className="count-created">{t('summary.restored', { count: sum('restored') })}</span> : null}
      {users && (users.created || users.updated || users.deleted || users.restored) ? (
        <span className="muted counts-users">
          {t('history.users', {
            parts: (['created', 'updated', 'deleted', 'restored'] as const)
              .filter((k) => users[k])
              .map((k) => t(`summary.${k}`, { count: users[k] }))
              .join(', '),
          })}
        </span>
      ) : null}
    </span>
  );
}

/** The customer's roster runs: a chart of the recent ones and the full history, newest first. */
export function RunHistoryPage({ customerId }: { customerId: string }) {
  const { t } = useTranslation('roster');
  const customer = useCustomer(customerId);
  const crumbs = useCustomerCrumbs(customerId, customer);
  const base = `/api/customers/${encodeURIComponent(customerId)}/roster/runs`;
  const list = usePagedList<RosterRun>(base, PAGE_SIZE);
  // The chart always shows the latest runs, whatever page the table is on.
  const recent = useResource<Page<RosterRun>>(`${base}?pageSize=50`);
  useTitle(t('runsTitle'));
  const runLink = (r: RosterRun) => `/customers/${customerId}/roster/runs/${r.runId}`;
  const columns: Column<RosterRun>[] = [
    {
      header: t('history.date'),
      cell: (r) => (
        <Link to={runLink(r)} className="row-link nowrap">
          {formatDateTime(r.createdAt)}
        </Link>
      ),
    },
    {
      header: t('details.startedBy'),
      cell: (r) => (
        <span className="two-line">
          <span>{triggerLabel(r.trigger)}</span>
          {r.actor ? <span className="muted small">{r.actor}</span> : null}
        </span>
      ),
      secondary: true,
    },
    { header: t('history.source'), cell: (r) => <span className="file-name nowrap">{r.fileName || '—'}</span> },
    {
      header: t('history.status'),
      cell: (r) => (
        <span className="status-cell">
          <RunStatusBadge run={r} />
          {r.dryRun ? <span className="badge badge-preview-tag">{t('previewTag')}</span> : null}
        </span>
      ),
    },
    { header: t('changesTab'), cell: (r) => <CountsSummary run={r} /> },
    { header: t('history.duration'), cell: (r) => <span className="nowrap">{r.finishedAt ? formatDuration(r.startedAt ?? r.createdAt, r.finishedAt) : '—'}</span>, secondary: true },
    {
      header: t('issues.title'),
      cell: (r) => {
        const { error, warning } = r.issueCounts;
        if (!error && !warning) return <span className="muted">{t('history.noIssues')}</span>;
        return (
          <span className="counts-summary">
            {error ? <span className="count-danger">{t('issues.errorCount', { count: error })}</span> : null}
            {warning ? <span className="count-warning">{t('issues.warningCount', { count: warning })}</span> : null}
          </span>
        );
      },
      secondary: true,
    },
  ];
  return (
    <div className="page">
      <PageHeader
        crumbs={crumbs}
        title={t('runsTitle')}
        subtitle={t('history.subtitle')}
        actions={
          <Link to={`/customers/${customerId}/roster/upload`} className="btn btn-primary">
            {t('users:uploadRoster')}
          </Link>
        }
      />
      {recent.data && recent.data.items.length > 0 ? (
        <section className="card" aria-label={t('history.chartLabel')}>
          <RunHistoryChart runs={recent.data.items} customerId={customerId} />
        </section>
      ) : null}
      <section className="card" aria-label={t('runHistory')}>
        {list.error ? <Banner kind="error">{list.error}</Banner> : null}
        {list.data && list.data.items.length === 0 ? (
          <EmptyState title={t('history.none')}>
            <p>{t('history.noneBody')}</p>
            <Link to={`/customers/${customerId}/roster/upload`} className="btn btn-primary">
              {t('users:uploadRoster')}
            </Link>
          </EmptyState>
        ) : null}
        {list.data && list.data.items.length > 0 ? (
          <>
            <DataTable caption={t('history.caption')} columns={columns} rows={list.data.items} rowKey={(r) => r.runId} onRowClick={(r) => navigate(runLink(r))} loading={list.loading} />
            <Pager label={t('runsTitle')} page={list.data.page} pageSize={PAGE_SIZE} total={list.data.total} onPage={list.setPage} />
          </>
        ) : null}
        {!list.data && !list.error ? <p className="loading">{t('history.loading')}</p> : null}
      </section>
    </div>
  );
}
