import { Banner } from '../../components/Banner.js';
import { DataTable, EmptyState, Pager, type Column } from '../../components/DataTable.js';
import { RadioGroup } from '../../components/fields.js';
import { PageHeader, useTitle } from '../../components/Layout.js';
import { ListToolbar } from '../../components/ListToolbar.js';
import { StatusBadge } from '../../components/StatusBadge.js';
import { useCustomer, useCustomerCrumbs } from '../../hooks/useCustomer.js';
import { usePagedList } from '../../hooks/usePagedList.js';
import { formatCount, formatDateTime } from '../../labels.js';
import { Link } from '../../router.js';
import type { OutcomeCall, OutcomeCallPage, OutcomeStatus } from '../../types.js';
import './outcomes.css';

const PAGE_SIZE = 25;

// Problems first: an admin opens this page to find the reports that did not reach the LMS.
const STATUSES: readonly { value: OutcomeStatus; label: string; meaning: string }[] = [
  { value: 'failed', label: 'Failed', meaning: 'The LMS refused or could not be reached five times; Lectern gave up.' },
  { value: 'retrying', label: 'Retrying', meaning: 'The last attempt failed; Lectern tries again shortly.' },
  { value: 'queued', label: 'Queued', meaning: 'Waiting to be sent.' },
  { value: 'succeeded', label: 'Sent', meaning: 'The LMS accepted the grade.' },
  { value: 'superseded', label: 'Superseded', meaning: 'A newer score for the same assignment was sent instead.' },
];

const percent = new Intl.NumberFormat(undefined, { style: 'percent', maximumFractionDigits: 1 });

function OutcomeStatusBadge({ status }: { status: OutcomeStatus }) {
  const known = STATUSES.find((s) => s.value === status);
  return (
    <span title={known?.meaning}>
      <StatusBadge status={status} label={known?.label} />
    </span>
  );
}

/** The customer's LTI grade reports (1.1 Basic Outcomes calls, 1.3 AGS scores) to its LMS: status chips with counts, search, paging. */
export function OutcomesPage({ customerId }: { customerId: string }) {
  const customer = useCustomer(customerId);
  const crumbs = useCustomerCrumbs(customerId, customer);
  // This endpoint's pages also carry the calls per status.
  const list = usePagedList<OutcomeCall, OutcomeCallPage>(`/api/customers/${encodeURIComponent(customerId)}/lti/outcomes`, PAGE_SIZE, { initialFilters: { status: '' } });
  const page = list.data;
  useTitle('Grade reports');
  const status = list.query.filters.status ?? '';
  const counts = page?.counts;
  const all = counts ? Object.values(counts).reduce((a, b) => a + b, 0) : 0;
  const count = (n: number | undefined) => (counts ? ` (${formatCount(n ?? 0)})` : '');
  const statusOptions = [{ value: '', label: `All${count(all)}` }, ...STATUSES.map((s) => ({ value: s.value, label: `${s.label}${count(counts?.[s.value])}` }))];
  const filtered = Boolean(list.query.search.trim() || status);
  // Nothing at all was ever reported: say what the page is for rather than "no matches". Not while
  // loading, when the page in hand may still be the answer to a search just cleared.
  const neverReported = page !== null && !filtered && !list.loading && page.total === 0;
  const clearFilters = () => {
    list.setSearch('');
    list.setFilter('status', '');
  };

  const columns: Column<OutcomeCall>[] = [
    {
      header: 'When',
      cell: (c) => (
        <span className="two-line nowrap">
          <time dateTime={c.updatedAt}>{formatDateTime(c.updatedAt)}</time>
          {c.updatedAt !== c.createdAt ? <span className="muted small">Queued {formatDateTime(c.createdAt)}</span> : null}
        </span>
      ),
    },
    {
      header: 'Student',
      cell: (c) => (
        <Link to={`/customers/${customerId}/users/${c.user.id}`} className="row-link">
          {c.user.name || 'Unnamed user'}
        </Link>
      ),
    },
    {
      header: 'Title',
      cell: (c) => (
        <span className="two-line">
          {c.targetTitle ?? <span className="muted">Removed {c.target.type === 'collection' ? 'collection' : 'title'}</span>}
          {c.target.type === 'collection' && c.targetTitle !== null ? <span className="muted small">Collection</span> : null}
          {c.version === '1.3' ? (
            <span className="muted small outcome-version" title={`An LTI 1.3 score (Assignment and Grade Services) to ${c.serviceHost || 'the LMS'}`}>
              LTI 1.3
            </span>
          ) : null}
        </span>
      ),
    },
    { header: 'Score', cell: (c) => percent.format(c.score), className: 'outcome-score' },
    { header: 'Status', cell: (c) => <OutcomeStatusBadge status={c.status} /> },
    { header: 'Attempts', cell: (c) => formatCount(c.attempts), className: 'outcome-attempts', secondary: true },
    {
      header: 'Last error',
      cell: (c) =>
        c.lastError ? (
          <span className="outcome-error" title={c.lastError}>
            {c.lastError}
          </span>
        ) : (
          <span className="muted">—</span>
        ),
      secondary: true,
    },
  ];

  return (
    <div className="page">
      <PageHeader
        crumbs={crumbs}
        title="Grade reports"
        subtitle="Scores Lectern sends to your LMS (LTI 1.1 Basic Outcomes, LTI 1.3 Assignment and Grade Services) as students read titles launched from an LMS assignment."
        actions={
          <button type="button" className="btn btn-secondary" onClick={list.reload}>
            Refresh
          </button>
        }
      />
      <section className="card" aria-label="Grade reports sent to the LMS">
        {neverReported ? null : (
          <ListToolbar label="Grade reports" search={list.query.search} onSearch={list.setSearch} placeholder="Student or title">
            <RadioGroup name="outcome-status" label="Status" value={status} onChange={(v) => list.setFilter('status', v)} options={statusOptions} className="segmented" />
          </ListToolbar>
        )}
        {list.error ? <Banner kind="error">{list.error}</Banner> : null}
        {neverReported ? (
          <EmptyState title="No grade reports yet">
            <p>Grades Lectern reports to your LMS when students read titles launched from an LMS assignment appear here: each score, whether the LMS accepted it, and why not when it did not.</p>
            <p>Reports start once an LMS assignment that takes grades back (LTI 1.1 Basic Outcomes, or LTI 1.3 with Assignment and Grade Services) links to a Lectern title or collection.</p>
          </EmptyState>
        ) : null}
        {page && !neverReported && page.items.length === 0 ? (
          <EmptyState title="No grade reports match">
            <p>Try another status or search.</p>
            <button type="button" className="btn btn-secondary btn-small" onClick={clearFilters}>
              Clear filters
            </button>
          </EmptyState>
        ) : null}
        {page && page.items.length > 0 ? (
          <>
            <DataTable caption="Grade reports, newest first" columns={columns} rows={page.items} rowKey={(c) => c.id} loading={list.loading} />
            <Pager label="Grade reports" page={page.page} pageSize={PAGE_SIZE} total={page.total} onPage={list.setPage} />
          </>
        ) : null}
        {!page && !list.error ? <p className="loading">Loading grade reports…</p> : null}
      </section>
    </div>
  );
}
