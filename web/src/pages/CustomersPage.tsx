import { useTranslation } from 'react-i18next';
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

function useColumns(): Column<Customer>[] {
  const { t } = useTranslation('customers');
  return [
    {
      header: t('name'),
      cell: (c) => (
        <Link to={`/customers/${c.id}`} className="row-link">
          {c.profile.name}
        </Link>
      ),
    },
    { header: t('code'), cell: (c) => <code>{c.profile.code}</code> },
    { header: t('status'), cell: (c) => <StatusBadge status={c.status} /> },
    { header: t('rostering'), cell: (c) => rosteringSummary(c.rostering) },
    { header: t('lastSync'), cell: (c) => <LastSync customer={c} /> },
    { header: t('nextRun'), cell: (c) => formatInZone(c.rostering.nextRunAt, c.profile.timeZone), secondary: true },
    { header: t('created'), cell: (c) => formatDate(c.createdAt), secondary: true },
  ];
}

/**
 * The customer's last roster sync as a badge with its time, and a "Stale feed" badge when an Auto
 * customer has gone two of its periods without a successful sync.
 */
function LastSync({ customer: c }: { customer: Customer }) {
  const { t } = useTranslation('customers');
  const last = c.rostering.lastRun;
  if (!last && !c.rostering.stale) return <span className="muted">—</span>;
  return (
    <span className="status-cell">
      {last ? (
        <Link to={`/customers/${c.id}/roster/runs/${last.runId}`} title={t('startedAt', { when: formatDateTime(last.createdAt) })}>
          <RunStatusBadge run={{ status: last.status as RosterRun['status'], dryRun: false }} />
        </Link>
      ) : null}
      {c.rostering.stale ? (
        <span className="badge badge-failed" title={c.rostering.lastSuccessAt ? t('lastSuccess', { when: formatDateTime(c.rostering.lastSuccessAt) }) : t('noSuccessYet')}>
          {t('staleFeed')}
        </span>
      ) : null}
      {last ? <span className="muted small nowrap">{formatDateTime(last.finishedAt ?? last.createdAt)}</span> : null}
    </span>
  );
}

/** The enterprise admin's list of customers, with search, a status filter and paging. */
export function CustomersPage() {
  const { t } = useTranslation('customers');
  const columns = useColumns();
  useTitle(t('title'));
  const list = usePagedList<Customer>('/api/customers', PAGE_SIZE, { initialFilters: { status: '' } });
  const filtered = Boolean(list.query.search || list.query.filters.status);
  return (
    <div className="page">
      <PageHeader
        title={t('title')}
        subtitle={t('subtitle')}
        actions={
          <Link to="/customers/new" className="btn btn-primary">
            {t('addButton')}
          </Link>
        }
      />
      <div className="card">
        <ListToolbar label={t('title')} search={list.query.search} onSearch={list.setSearch} placeholder={t('searchPlaceholder')}>
          <FilterSelect
            name="status"
            label={t('status')}
            value={list.query.filters.status ?? ''}
            onChange={(v) => list.setFilter('status', v)}
            options={[
              { value: '', label: t('allStatuses') },
              { value: 'active', label: t('labels:status.active') },
              { value: 'disabled', label: t('labels:status.disabled') },
            ]}
          />
        </ListToolbar>
        {list.error ? <Banner kind="error">{list.error}</Banner> : null}
        {list.data && list.data.items.length === 0 ? (
          filtered ? (
            <EmptyState title={t('noMatch')}>{t('noMatchBody')}</EmptyState>
          ) : (
            <EmptyState title={t('noneYet')}>
              <p>{t('noneYetBody')}</p>
              <Link to="/customers/new" className="btn btn-primary">
                {t('addButton')}
              </Link>
            </EmptyState>
          )
        ) : null}
        {list.data && list.data.items.length > 0 ? (
          <>
            <DataTable caption={t('title')} columns={columns} rows={list.data.items} rowKey={(c) => c.id} onRowClick={(c) => navigate(`/customers/${c.id}`)} loading={list.loading} />
            <Pager label={t('title')} page={list.data.page} pageSize={PAGE_SIZE} total={list.data.total} onPage={list.setPage} />
          </>
        ) : null}
        {!list.data && !list.error ? <p className="loading">{t('loading')}</p> : null}
      </div>
    </div>
  );
}
