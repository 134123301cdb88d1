import { DataTable, EmptyState, Pager, type Column } from '../components/DataTable.js';
import { Banner } from '../components/Banner.js';
import { PageHeader, useTitle } from '../components/Layout.js';
import { FilterSelect, ListToolbar } from '../components/ListToolbar.js';
import { StatusBadge } from '../components/StatusBadge.js';
import { usePagedList } from '../hooks/usePagedList.js';
import { formatDate, formatDateTime, formatInZone, rosteringSummary } from '../labels.js';
import { Link, navigate } from '../router.js';
import type { Customer, RosterRun } from '../types.js';
import { RunStatusBadge } from './roster/parts.js';

const PAGE_SIZE = 25;

const columns: Column<Customer>[] = [
  {
    header: 'Name',
    cell: (c) => (
      <Link to={`/customers/${c.id}`} className="row-link">
        {c.profile.name}
      </Link>
    ),
  },
  { header: 'Code', cell: (c) => <code>{c.profile.code}</code> },
  { header: 'Status', cell: (c) => <StatusBadge status={c.status} /> },
  { header: 'Rostering', cell: (c) => rosteringSummary(c.rostering) },
  { header: 'Last sync', cell: (c) => <LastSync customer={c} /> },
  { header: 'Next run', cell: (c) => formatInZone(c.rostering.nextRunAt, c.profile.timeZone), secondary: true },
  { header: 'Created', cell: (c) => formatDate(c.createdAt), secondary: true },
];

/**
 * The customer's last roster sync as a badge with its time, and a "Stale feed" badge when an Auto
 * customer has gone two of its periods without a successful sync.
 */
function LastSync({ customer: c }: { customer: Customer }) {
  const last = c.rostering.lastRun;
  if (!last && !c.rostering.stale) return <span className="muted">—</span>;
  return (
    <span className="status-cell">
      {last ? (
        <Link to={`/customers/${c.id}/roster/runs/${last.runId}`} title={`Started ${formatDateTime(last.createdAt)}`}>
          <RunStatusBadge run={{ status: last.status as RosterRun['status'], dryRun: false }} />
        </Link>
      ) : null}
      {c.rostering.stale ? (
        <span className="badge badge-failed" title={c.rostering.lastSuccessAt ? `Last successful sync ${formatDateTime(c.rostering.lastSuccessAt)}` : 'No successful sync yet'}>
          Stale feed
        </span>
      ) : null}
      {last ? <span className="muted small nowrap">{formatDateTime(last.finishedAt ?? last.createdAt)}</span> : null}
    </span>
  );
}

/** The enterprise admin's list of customers, with search, a status filter and paging. */
export function CustomersPage() {
  useTitle('Customers');
  const list = usePagedList<Customer>('/api/customers', PAGE_SIZE, { initialFilters: { status: '' } });
  const filtered = Boolean(list.query.search || list.query.filters.status);
  return (
    <div className="page">
      <PageHeader
        title="Customers"
        subtitle="Districts and publishers using Lectern, with their rostering and LTI settings."
        actions={
          <Link to="/customers/new" className="btn btn-primary">
            + Add Customer
          </Link>
        }
      />
      <div className="card">
        <ListToolbar label="Customers" search={list.query.search} onSearch={list.setSearch} placeholder="Search by name or code">
          <FilterSelect
            name="status"
            label="Status"
            value={list.query.filters.status ?? ''}
            onChange={(v) => list.setFilter('status', v)}
            options={[
              { value: '', label: 'All statuses' },
              { value: 'active', label: 'Active' },
              { value: 'disabled', label: 'Disabled' },
            ]}
          />
        </ListToolbar>
        {list.error ? <Banner kind="error">{list.error}</Banner> : null}
        {list.data && list.data.items.length === 0 ? (
          filtered ? (
            <EmptyState title="No customers match">Try another search or status.</EmptyState>
          ) : (
            <EmptyState title="No customers yet">
              <p>Add the first district or publisher to give its schools access to Lectern.</p>
              <Link to="/customers/new" className="btn btn-primary">
                + Add Customer
              </Link>
            </EmptyState>
          )
        ) : null}
        {list.data && list.data.items.length > 0 ? (
          <>
            <DataTable caption="Customers" columns={columns} rows={list.data.items} rowKey={(c) => c.id} onRowClick={(c) => navigate(`/customers/${c.id}`)} loading={list.loading} />
            <Pager label="Customers" page={list.data.page} pageSize={PAGE_SIZE} total={list.data.total} onPage={list.setPage} />
          </>
        ) : null}
        {!list.data && !list.error ? <p className="loading">Loading customers…</p> : null}
      </div>
    </div>
  );
}
