import { useTranslation } from 'react-i18next';
import { Banner } from '../../components/Banner.js';
import { DataTable, EmptyState, Pager, type Column } from '../../components/DataTable.js';
import { RadioGroup } from '../../components/fields.js';
import { PageHeader, useTitle } from '../../components/Layout.js';
import { ListToolbar } from '../../components/ListToolbar.js';
import { StatusBadge } from '../../components/StatusBadge.js';
import { useCustomer, useCustomerCrumbs } from '../../hooks/useCustomer.js';
import { usePagedList } from '../../hooks/usePagedList.js';
import { formatCount, formatDateTime, numberFormat } from '../../labels.js';
import { Link } from '../../router.js';
import type { OutcomeCall, OutcomeCallPage, OutcomeStatus } from '../../types.js';
import './outcomes.css';

const PAGE_SIZE = 25;

// Problems first: an admin opens this page to find the reports that did not reach the LMS. Their
// names and meanings are `outcomes:status.<value>` and `outcomes:meaning.<value>`.
const STATUSES: readonly OutcomeStatus[] = ['failed', 'retrying', 'queued', 'succeeded', 'superseded'];

function OutcomeStatusBadge({ status }: { status: OutcomeStatus }) {
  const { t } = useTranslation('outcomes');
  const known = STATUSES.includes(status);
  return (
    <span title={known ? t(`meaning.${status}`) : undefined}>
      <StatusBadge status={status} label={known ? t(`status.${status}`) : undefined} />
    </span>
  );
}

/** The customer's LTI grade reports (1.1 Basic Outcomes calls, 1.3 AGS scores) to its LMS: status chips with counts, search, paging. */
export function OutcomesPage({ customerId }: { customerId: string }) {
  const { t } = useTranslation('outcomes');
  const customer = useCustomer(customerId);
  const crumbs = useCustomerCrumbs(customerId, customer);
  // This endpoint's pages also carry the calls per status.
  const list = usePagedList<OutcomeCall, OutcomeCallPage>(`/api/customers/${encodeURIComponent(customerId)}/lti/outcomes`, PAGE_SIZE, { initialFilters: { status: '' } });
  const page = list.data;
  useTitle(t('title'));
  const status = list.query.filters.status ?? '';
  const counts = page?.counts;
  const all = counts ? Object.values(counts).reduce((a, b) => a + b, 0) : 0;
  const count = (n: number | undefined) => (counts ? ` (${formatCount(n ?? 0)})` : '');
  const statusOptions = [{ value: '', label: `${t('all')}${count(all)}` }, ...STATUSES.map((s) => ({ value: s, label: `${t(`status.${s}`)}${count(counts?.[s])}` }))];
  const percent = numberFormat({ style: 'percent', maximumFractionDigits: 1 });
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
      header: t('when'),
      cell: (c) => (
        <span className="two-line nowrap">
          <time dateTime={c.updatedAt}>{formatDateTime(c.updatedAt)}</time>
          {c.updatedAt !== c.createdAt ? <span className="muted small">{t('queuedAt', { when: formatDateTime(c.createdAt) })}</span> : null}
        </span>
      ),
    },
    {
      header: t('student'),
      cell: (c) => (
        <Link to={`/customers/${customerId}/users/${c.user.id}`} className="row-link">
          {c.user.name || t('unnamed')}
        </Link>
      ),
    },
    {
      header: t('content:colTitle'),
      cell: (c) => (
        <span className="two-line">
          {c.targetTitle ?? <span className="muted">{c.target.type === 'collection' ? t('removedCollection') : t('removedTitle')}</span>}
          {c.target.type === 'collection' && c.targetTitle !== null ? <span className="muted small">{t('content:collection')}</span> : null}
          {c.version === '1.3' ? (
            <span className="muted small outcome-version" title={t('lti13Score', { host: c.serviceHost || t('theLms') })}>
              LTI 1.3
            </span>
          ) : null}
        </span>
      ),
    },
    { header: t('score'), cell: (c) => percent.format(c.score), className: 'outcome-score' },
    { header: t('content:status'), cell: (c) => <OutcomeStatusBadge status={c.status} /> },
    { header: t('attempts'), cell: (c) => formatCount(c.attempts), className: 'outcome-attempts', secondary: true },
    {
      header: t('lastError'),
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
        title={t('title')}
        subtitle={t('subtitle')}
        actions={
          <button type="button" className="btn btn-secondary" onClick={list.reload}>
            {t('refresh')}
          </button>
        }
      />
      <section className="card" aria-label={t('sectionLabel')}>
        {neverReported ? null : (
          <ListToolbar label={t('title')} search={list.query.search} onSearch={list.setSearch} placeholder={t('searchPlaceholder')}>
            <RadioGroup name="outcome-status" label={t('content:status')} value={status} onChange={(v) => list.setFilter('status', v)} options={statusOptions} className="segmented" />
          </ListToolbar>
        )}
        {list.error ? <Banner kind="error">{list.error}</Banner> : null}
        {neverReported ? (
          <EmptyState title={t('noneYet')}>
            <p>{t('noneYetBody')}</p>
            <p>{t('noneYetStart')}</p>
          </EmptyState>
        ) : null}
        {page && !neverReported && page.items.length === 0 ? (
          <EmptyState title={t('noMatch')}>
            <p>{t('noMatchBody')}</p>
            <button type="button" className="btn btn-secondary btn-small" onClick={clearFilters}>
              {t('roster:issues.clearFilters')}
            </button>
          </EmptyState>
        ) : null}
        {page && page.items.length > 0 ? (
          <>
            <DataTable caption={t('caption')} columns={columns} rows={page.items} rowKey={(c) => c.id} loading={list.loading} />
            <Pager label={t('title')} page={page.page} pageSize={PAGE_SIZE} total={page.total} onPage={list.setPage} />
          </>
        ) : null}
        {!page && !list.error ? <p className="loading">{t('loading')}</p> : null}
      </section>
    </div>
  );
}
