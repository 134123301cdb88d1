import { Banner } from '../../components/Banner.js';
import { DataTable, EmptyState, Pager, type Column } from '../../components/DataTable.js';
import { PageHeader, useTitle } from '../../components/Layout.js';
import { FilterSelect, ListToolbar } from '../../components/ListToolbar.js';
import { StatusBadge } from '../../components/StatusBadge.js';
import { usePagedList } from '../../hooks/usePagedList.js';
import { PERIOD_OPTIONS, SYNC_TYPE_OPTIONS, formatCount, formatDateTime, formatInZone, labelOf, plural, sourceWords } from '../../labels.js';
import { Link } from '../../router.js';
import type { CustomerStatus, RosterRun, StatusList, StatusState } from '../../types.js';
import { RunStatusBadge } from '../roster/parts.js';
import './status.css';

const PAGE_SIZE = 25;

/** The states, worst first, as the bar, the legend and the filter name them. */
const STATES: readonly { value: StatusState; label: string; meaning: string }[] = [
  { value: 'failed', label: 'Last sync failed', meaning: 'the most recent roster sync failed: nothing of it was applied' },
  { value: 'held', label: 'Held for approval', meaning: 'a sync would delete more than the threshold and waits for a person' },
  { value: 'stale', label: 'Stale feed', meaning: 'an Auto feed without a successful sync for two of its periods' },
  { value: 'outcomes', label: 'Grade reports failing', meaning: 'LTI grade reports to the LMS failed in the last 7 days' },
  { value: 'ok', label: 'OK', meaning: 'the last sync worked and nothing waits' },
  { value: 'idle', label: 'No syncs yet', meaning: 'no roster sync yet and none scheduled' },
];

const SOURCE_OPTIONS = [{ value: '', label: 'All sources' }, ...SYNC_TYPE_OPTIONS, { value: 'none', label: 'No rostering' }];

function StateBadge({ state }: { state: StatusState }) {
  return <StatusBadge status={`state-${state}`} label={STATES.find((s) => s.value === state)?.label ?? state} />;
}

/**
 * How many customers are in each state, as one bar split by state (a legend button per state filters
 * the list to it). The numbers are in the legend, so the picture adds nothing a screen reader misses.
 */
function StateBar({ counts, selected, onSelect }: { counts: Record<StatusState, number>; selected: string; onSelect: (state: string) => void }) {
  const total = STATES.reduce((n, s) => n + counts[s.value], 0);
  return (
    <section className="card status-summary" aria-labelledby="status-summary-title">
      <h2 id="status-summary-title">Customers by state</h2>
      <div className="state-bar" aria-hidden="true">
        {STATES.filter((s) => counts[s.value] > 0).map((s) => (
          <span key={s.value} className={`state-seg state-${s.value}`} style={{ flexGrow: counts[s.value] }} title={`${s.label}: ${formatCount(counts[s.value])}`} />
        ))}
        {total === 0 ? <span className="state-seg state-empty" /> : null}
      </div>
      <ul className="state-legend">
        {STATES.map((s) => (
          <li key={s.value}>
            <button type="button" className="state-key" aria-pressed={selected === s.value} onClick={() => onSelect(selected === s.value ? '' : s.value)} title={s.meaning}>
              <span className={`state-swatch state-${s.value}`} aria-hidden="true" />
              {s.label} <strong>{formatCount(counts[s.value])}</strong>
            </button>
          </li>
        ))}
      </ul>
    </section>
  );
}

function LastSync({ row: r }: { row: CustomerStatus }) {
  const last = r.lastSync;
  if (!last) return <span className="muted">Never</span>;
  return (
    <span className="two-line">
      <span className="status-cell">
        <Link to={`/customers/${r.customerId}/roster/runs/${last.runId}`} aria-label={`Last sync of ${r.name}: ${last.status.replace(/_/g, ' ')}`}>
          <RunStatusBadge run={{ status: last.status as RosterRun['status'], dryRun: false }} />
        </Link>
        <span className="muted small">{sourceWords(last.trigger).label}</span>
      </span>
      <time className="muted small" dateTime={last.finishedAt ?? last.createdAt}>
        {formatDateTime(last.finishedAt ?? last.createdAt)}
      </time>
    </span>
  );
}

const columns: Column<CustomerStatus>[] = [
  {
    header: 'Customer',
    cell: (r) => (
      <span className="two-line status-customer">
        <Link to={`/customers/${r.customerId}`} className="row-link">
          {r.name}
        </Link>
        <code className="small">{r.code}</code>
      </span>
    ),
  },
  { header: 'State', cell: (r) => <StateBadge state={r.state} /> },
  { header: 'Last sync', cell: (r) => <LastSync row={r} /> },
  {
    header: 'Next run',
    cell: (r) =>
      r.nextRunAt ? (
        <span className="two-line">
          {formatInZone(r.nextRunAt, r.timeZone)}
          <span className="muted small">{labelOf(PERIOD_OPTIONS, r.period)}</span>
        </span>
      ) : (
        <span className="muted">{r.source === 'none' ? 'No rostering' : r.syncFrequency === 'manual' ? 'Manual' : '—'}</span>
      ),
    secondary: true,
  },
  {
    header: 'Feed',
    cell: (r) =>
      r.stale ? (
        <span className="badge badge-failed" title={r.lastSuccessAt ? `Last successful sync ${formatDateTime(r.lastSuccessAt)}` : 'No successful sync yet'}>
          Stale
        </span>
      ) : (
        <span className="muted">{labelOf(SOURCE_OPTIONS, r.source)}</span>
      ),
  },
  {
    header: 'Held runs',
    cell: (r) =>
      r.heldRuns && r.oldestHeldRunId ? <Link to={`/customers/${r.customerId}/roster/runs/${r.oldestHeldRunId}`}>{plural(r.heldRuns, 'run')} to review</Link> : <span className="muted">—</span>,
  },
  {
    header: 'Failed grade reports (7 days)',
    cell: (r) =>
      r.failedOutcomeCalls ? (
        <Link to={`/customers/${r.customerId}/lti/outcomes`} className="danger-link">
          {plural(r.failedOutcomeCalls, 'failed call')}
        </Link>
      ) : (
        <span className="muted">0</span>
      ),
  },
];

/** The enterprise admin's status page: every customer's feeds, held runs and grade reports at a glance, problems first to find. */
export function StatusPage() {
  useTitle('Status');
  const list = usePagedList<CustomerStatus, StatusList>('/api/status', PAGE_SIZE, { initialFilters: { source: '', problems: '', state: '' } });
  const f = list.query.filters;
  const filtered = Boolean(list.query.search.trim() || f.source || f.problems || f.state);
  const page = list.data;
  return (
    <div className="page">
      <PageHeader
        title="Status"
        subtitle="Every customer’s roster feed and LTI grade reports: the last sync, the next run, stale feeds, runs waiting for approval and failed grade reports."
        actions={
          <button type="button" className="btn btn-secondary" onClick={list.reload}>
            Refresh
          </button>
        }
      />
      {page ? <StateBar counts={page.counts} selected={f.state ?? ''} onSelect={(s) => list.setFilter('state', s)} /> : null}
      <div className="card">
        <ListToolbar label="Customer status" search={list.query.search} onSearch={list.setSearch} placeholder="Search by name or code">
          <FilterSelect name="source" label="Source" value={f.source ?? ''} onChange={(v) => list.setFilter('source', v)} options={SOURCE_OPTIONS} />
          <FilterSelect
            name="state"
            label="State"
            value={f.state ?? ''}
            onChange={(v) => list.setFilter('state', v)}
            options={[{ value: '', label: 'All states' }, ...STATES.map((s) => ({ value: s.value, label: s.label }))]}
          />
          <div className="toolbar-field toolbar-check">
            <label>
              <input type="checkbox" name="problems" checked={f.problems === 'true'} onChange={(e) => list.setFilter('problems', e.target.checked ? 'true' : '')} /> Only problems
            </label>
          </div>
          {filtered ? (
            <button
              type="button"
              className="btn btn-secondary btn-small toolbar-clear"
              onClick={() => {
                list.setSearch('');
                list.setFilters({ source: '', problems: '', state: '' });
              }}
            >
              Clear filters
            </button>
          ) : null}
        </ListToolbar>
        {list.error ? <Banner kind="error">{list.error}</Banner> : null}
        {page && page.items.length === 0 ? (
          filtered ? (
            <EmptyState title="No customers match">{f.problems || f.state ? 'Nothing needs attention here.' : 'Try another search or source.'}</EmptyState>
          ) : (
            <EmptyState title="No customers yet">Add a customer and its feeds will show here.</EmptyState>
          )
        ) : null}
        {page && page.items.length > 0 ? (
          <>
            <DataTable caption="Customer status" columns={columns} rows={page.items} rowKey={(r) => r.customerId} loading={list.loading} />
            <Pager label="Customer status" page={page.page} pageSize={PAGE_SIZE} total={page.total} onPage={list.setPage} />
            <p className="muted small">As of {formatDateTime(page.generatedAt)}.</p>
          </>
        ) : null}
        {!page && !list.error ? <p className="loading">Loading the status…</p> : null}
      </div>
    </div>
  );
}
