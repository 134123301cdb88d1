import { Banner } from '../../components/Banner.js';
import { DataTable, EmptyState, Pager, type Column } from '../../components/DataTable.js';
import { PageHeader, useTitle } from '../../components/Layout.js';
import { useCustomer, useCustomerCrumbs } from '../../hooks/useCustomer.js';
import { usePagedList } from '../../hooks/usePagedList.js';
import { useResource } from '../../hooks/useResource.js';
import { ENTITY_OPTIONS, formatCount, formatDateTime, formatDuration, plural, triggerLabel } from '../../labels.js';
import { Link, navigate } from '../../router.js';
import type { Page, RosterRun } from '../../types.js';
import { RunStatusBadge } from './parts.js';
import { RunHistoryChart } from './RunHistoryChart.js';

const PAGE_SIZE = 20;

/** "+12 · ~3 · −2" with words for screen readers: created, updated, deleted across all types. */
function CountsSummary({ run }: { run: RosterRun }) {
  const sum = (k: 'created' | 'updated' | 'deleted' | 'restored') => ENTITY_OPTIONS.reduce((n, e) => n + (run.counts[e.value]?.[k] ?? 0), 0);
  if (run.status === 'failed' || run.status === 'discarded' || run.status === 'queued' || run.status === 'running') return <span className="muted">—</span>;
  const users = run.counts.users;
  return (
    <span className="counts-summary">
      <span className="count-created">{formatCount(sum('created'))} created</span>
      <span className="count-updated">{formatCount(sum('updated'))} updated</span>
      <span className={sum('deleted') ? 'count-danger' : 'muted'}>{formatCount(sum('deleted'))} deleted</span>
      {sum('restored') ? <span className="count-created">{formatCount(sum('restored'))} restored</span> : null}
      {users && (users.created || users.updated || users.deleted || users.restored) ? (
        <span className="muted counts-users">
          Users:{' '}
          {[
            users.created ? `${formatCount(users.created)} created` : '',
            users.updated ? `${formatCount(users.updated)} updated` : '',
            users.deleted ? `${formatCount(users.deleted)} deleted` : '',
            users.restored ? `${formatCount(users.restored)} restored` : '',
          ]
            .filter(Boolean)
            .join(', ')}
        </span>
      ) : null}
    </span>
  );
}

/** The customer's roster runs: a chart of the recent ones and the full history, newest first. */
export function RunHistoryPage({ customerId }: { customerId: string }) {
  const customer = useCustomer(customerId);
  const crumbs = useCustomerCrumbs(customerId, customer);
  const base = `/api/customers/${encodeURIComponent(customerId)}/roster/runs`;
  const list = usePagedList<RosterRun>(base, PAGE_SIZE);
  // The chart always shows the latest runs, whatever page the table is on.
  const recent = useResource<Page<RosterRun>>(`${base}?pageSize=50`);
  useTitle('Roster runs');
  const runLink = (r: RosterRun) => `/customers/${customerId}/roster/runs/${r.runId}`;
  const columns: Column<RosterRun>[] = [
    {
      header: 'Date',
      cell: (r) => (
        <Link to={runLink(r)} className="row-link nowrap">
          {formatDateTime(r.createdAt)}
        </Link>
      ),
    },
    {
      header: 'Started by',
      cell: (r) => (
        <span className="two-line">
          <span>{triggerLabel(r.trigger)}</span>
          {r.actor ? <span className="muted small">{r.actor}</span> : null}
        </span>
      ),
      secondary: true,
    },
    { header: 'Source', cell: (r) => <span className="file-name nowrap">{r.fileName || '—'}</span> },
    {
      header: 'Status',
      cell: (r) => (
        <span className="status-cell">
          <RunStatusBadge run={r} />
          {r.dryRun ? <span className="badge badge-preview-tag">Preview</span> : null}
        </span>
      ),
    },
    { header: 'Changes', cell: (r) => <CountsSummary run={r} /> },
    { header: 'Duration', cell: (r) => <span className="nowrap">{r.finishedAt ? formatDuration(r.startedAt ?? r.createdAt, r.finishedAt) : '—'}</span>, secondary: true },
    {
      header: 'Issues',
      cell: (r) => {
        const { error, warning } = r.issueCounts;
        if (!error && !warning) return <span className="muted">None</span>;
        return (
          <span className="counts-summary">
            {error ? <span className="count-danger">{plural(error, 'error')}</span> : null}
            {warning ? <span className="count-warning">{plural(warning, 'warning')}</span> : null}
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
        title="Roster runs"
        subtitle="Every roster sync of this customer: uploads, scheduled and command-line runs, previews and held runs."
        actions={
          <Link to={`/customers/${customerId}/roster/upload`} className="btn btn-primary">
            Upload Roster File
          </Link>
        }
      />
      {recent.data && recent.data.items.length > 0 ? (
        <section className="card" aria-label="Chart of recent syncs">
          <RunHistoryChart runs={recent.data.items} customerId={customerId} />
        </section>
      ) : null}
      <section className="card" aria-label="Run history">
        {list.error ? <Banner kind="error">{list.error}</Banner> : null}
        {list.data && list.data.items.length === 0 ? (
          <EmptyState title="No roster syncs yet">
            <p>Upload a OneRoster bundle to bring in this customer’s schools, classes, teachers and students.</p>
            <Link to={`/customers/${customerId}/roster/upload`} className="btn btn-primary">
              Upload Roster File
            </Link>
          </EmptyState>
        ) : null}
        {list.data && list.data.items.length > 0 ? (
          <>
            <DataTable caption="Roster runs, newest first" columns={columns} rows={list.data.items} rowKey={(r) => r.runId} onRowClick={(r) => navigate(runLink(r))} loading={list.loading} />
            <Pager label="Roster runs" page={list.data.page} pageSize={PAGE_SIZE} total={list.data.total} onPage={list.setPage} />
          </>
        ) : null}
        {!list.data && !list.error ? <p className="loading">Loading runs…</p> : null}
      </section>
    </div>
  );
}
