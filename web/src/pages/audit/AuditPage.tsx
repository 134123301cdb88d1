import { useEffect, useRef } from 'react';
import { useTranslation } from 'react-i18next';
import { withQuery } from '../../api.js';
import type { paths } from '../../api-schema.js';
import { Banner } from '../../components/Banner.js';
import { DataTable, EmptyState, Pager, type Column } from '../../components/DataTable.js';
import { PageHeader, useTitle } from '../../components/Layout.js';
import { FilterSelect, FilterText, ListToolbar } from '../../components/ListToolbar.js';
import { usePagedList } from '../../hooks/usePagedList.js';
import { useResource } from '../../hooks/useResource.js';
import { formatDateTime } from '../../labels.js';
import { Link, navigate, useLocation } from '../../router.js';
import { isEnterpriseAdmin, useUser } from '../../session.js';
import type { Customer, Page } from '../../types.js';
import { ACTION_SUGGESTIONS, actionLabel } from './actions.js';
import './audit.css';

type AuditPageData = paths['/api/audit']['get']['responses'][200]['content']['application/json'];
type AuditEntry = AuditPageData['items'][number];

const PAGE_SIZE = 50;
// The filters, as the API and the page's address name them; `from` and `to` are instants (the day's start, and the next day's).
const FILTERS = ['customer', 'kind', 'action', 'actor', 'person', 'from', 'to'] as const;
// The kind filter's choices ('' for both), worded by audit:kinds.*.
const KINDS = ['', 'read', 'write'] as const;

// The filters an address asks for ('' for those it leaves out).
const filtersIn = (params: URLSearchParams) => Object.fromEntries(FILTERS.map((f) => [f, params.get(f) ?? '']));

const pad = (n: number) => String(n).padStart(2, '0');
// A day in this browser's time zone (YYYY-MM-DD) and the instant it starts.
const dayOf = (t: Date) => `${t.getFullYear()}-${pad(t.getMonth() + 1)}-${pad(t.getDate())}`;
const startOf = (day: string, plusDays = 0) => {
  const t = new Date(`${day}T00:00:00`);
  t.setDate(t.getDate() + plusDays);
  return t.toISOString();
};

/**
 * The access audit: who changed or looked at whose data, and when, with filters by customer
 * (enterprise admins), kind, action, actor, person and days, paging, and a CSV of what the filters
 * keep. The filters live in the page's address, so a link (from a user's page, a customer's audit
 * trail) opens it filtered.
 */
export function AuditPage() {
  const { t } = useTranslation('audit');
  const user = useUser();
  const enterprise = isEnterpriseAdmin(user);
  const { search } = useLocation();
  const asked = filtersIn(search);
  const list = usePagedList<AuditEntry, AuditPageData>('/api/audit', PAGE_SIZE, { initialFilters: asked, typedFilters: ['action', 'actor', 'person'] });
  const customers = useResource<Page<Customer>>(enterprise ? '/api/customers?pageSize=500' : null);
  useTitle(t('title'));
  const filters = list.query.filters;
  const set = list.setFilter;

  // The address follows the filters (replacing the entry, so Back leaves the page), and the filters
  // an address this page did not write (the Audit link in the navigation, a link from a user's page).
  const address = withQuery('/audit', filters);
  const written = useRef(address);
  useEffect(() => {
    written.current = address;
    navigate(address, { replace: true });
  }, [address]);
  const here = withQuery('/audit', asked);
  const { setFilters } = list;
  useEffect(() => {
    if (here !== written.current) setFilters(filtersIn(new URLSearchParams(here.split('?')[1])));
  }, [here, setFilters]);

  const filtered = FILTERS.some((f) => filters[f]);
  const customerName = (id: string) => customers.data?.items.find((c) => c.id === id)?.profile.name;
  const page = list.data;

  const columns: Column<AuditEntry>[] = [
    { header: t('when'), cell: (e) => <time dateTime={e.at}>{formatDateTime(e.at)}</time>, className: 'nowrap' },
    { header: t('who'), cell: (e) => <code>{e.actor.label}</code> },
    {
      header: t('what'),
      cell: (e) => (
        <span className="two-line audit-action">
          <span>
            {actionLabel(e.action)} {e.kind === 'read' ? <span className="badge badge-read">{t('read')}</span> : null}
          </span>
          <code className="muted small">{e.action}</code>
        </span>
      ),
    },
    { header: t('about'), cell: (e) => <About entry={e} /> },
    ...(enterprise
      ? [
          {
            header: t('customer'),
            cell: (e: AuditEntry) => (e.customer ? <Link to={`/customers/${e.customer.id}`}>{e.customer.name || e.customer.code}</Link> : <span className="muted">{t('platform')}</span>),
          },
        ]
      : []),
    { header: t('fields'), cell: (e) => (e.fields.length ? <span className="audit-fields">{e.fields.join(', ')}</span> : <span className="muted">—</span>), secondary: true },
  ];

  return (
    <div className="page">
      <PageHeader title={t('title')} subtitle={t('subtitle')} />
      <section className="card" aria-label={t('entries')}>
        <ListToolbar label={t('entries')}>
          {enterprise ? (
            <FilterSelect
              name="customer"
              label={t('customer')}
              value={filters.customer ?? ''}
              onChange={(v) => set('customer', v)}
              options={[
                { value: '', label: t('allCustomers') },
                ...(filters.customer && !customerName(filters.customer) ? [{ value: filters.customer, label: filters.customer }] : []),
                ...(customers.data?.items ?? []).map((c) => ({ value: c.id, label: c.profile.name })),
              ]}
            />
          ) : null}
          <FilterSelect name="kind" label={t('kind')} value={filters.kind ?? ''} onChange={(v) => set('kind', v)} options={KINDS.map((k) => ({ value: k, label: t(`kinds.${k || 'all'}`) }))} />
          <FilterText name="action" label={t('action')} value={filters.action ?? ''} onChange={(v) => set('action', v)} placeholder={t('actionPlaceholder')} suggestions={ACTION_SUGGESTIONS} />
          <FilterText name="actor" label={t('who')} value={filters.actor ?? ''} onChange={(v) => set('actor', v)} placeholder={t('whoPlaceholder')} />
          <FilterText name="person" label={t('person')} value={filters.person ?? ''} onChange={(v) => set('person', v)} placeholder={t('personPlaceholder')} />
          <DayFilter name="from" label={t('from')} value={filters.from ? dayOf(new Date(filters.from)) : ''} onChange={(day) => set('from', day ? startOf(day) : '')} />
          {/* The last day shown is the one before the exclusive bound. */}
          <DayFilter name="to" label={t('to')} value={filters.to ? dayOf(new Date(Date.parse(filters.to) - 1)) : ''} onChange={(day) => set('to', day ? startOf(day, 1) : '')} />
          {filtered ? (
            <button type="button" className="btn btn-secondary toolbar-clear" onClick={() => list.setFilters(Object.fromEntries(FILTERS.map((f) => [f, ''])))}>
              {t('clearFilters')}
            </button>
          ) : null}
          {/* The same filters as the table: the file holds every entry the table would page through. */}
          <a className="btn btn-secondary toolbar-clear" href={withQuery('/api/audit.csv', filters)} download="audit.csv">
            {t('downloadCsv')}
          </a>
        </ListToolbar>
        {list.error ? <Banner kind="error">{list.error}</Banner> : null}
        {page && page.items.length === 0 ? <EmptyState title={filtered ? t('noMatch') : t('noneYet')}>{filtered ? t('noMatchBody') : t('noneYetBody')}</EmptyState> : null}
        {page && page.items.length > 0 ? (
          <>
            <DataTable caption={t('entriesCaption')} columns={columns} rows={page.items} rowKey={(e) => String(e.id)} loading={list.loading} />
            <Pager label={t('entries')} page={page.page} pageSize={PAGE_SIZE} total={page.total} onPage={list.setPage} />
          </>
        ) : null}
        {!page && !list.error ? <p className="loading">{t('loading')}</p> : null}
      </section>
    </div>
  );
}

/** What an entry is about: the person (as their account names them now), else the class, run or customer it names. */
function About({ entry }: { entry: AuditEntry }) {
  const { t } = useTranslation('audit');
  const customerId = entry.customer?.id;
  if (entry.person) {
    if (entry.person.name === null) return <span className="muted">{t('aboutGone', { id: entry.person.id.slice(0, 8) })}</span>;
    return customerId ? <Link to={`/customers/${customerId}/users/${entry.person.id}`}>{entry.person.name}</Link> : <span>{entry.person.name}</span>;
  }
  const { type, id } = entry.target;
  if (customerId && type === 'class') return <Link to={`/customers/${customerId}/classes/${id}`}>{entry.target.name ?? t('aboutClassGone')}</Link>;
  if (customerId && type === 'run') return <Link to={`/customers/${customerId}/roster/runs/${id}`}>{t('aboutRun')}</Link>;
  if (type === 'customer') return <span className="muted">{t('aboutCustomer')}</span>;
  if (type === 'platform') return <span className="muted">{t('aboutPlatform')}</span>;
  return (
    <span className="muted">
      {type} <code>{id}</code>
    </span>
  );
}

/** A labelled date input for a list filter. */
function DayFilter({ name, label, value, onChange }: { name: string; label: string; value: string; onChange: (day: string) => void }) {
  const id = `filter-${name}`;
  return (
    <div className="toolbar-field toolbar-day">
      <label htmlFor={id}>{label}</label>
      <input id={id} name={name} type="date" value={value} onChange={(e) => onChange(e.target.value)} />
    </div>
  );
}
