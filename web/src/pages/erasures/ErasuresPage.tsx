import { useTranslation } from 'react-i18next';
import { Banner } from '../../components/Banner.js';
import { DataTable, EmptyState, Pager, type Column } from '../../components/DataTable.js';
import { PageHeader, useTitle } from '../../components/Layout.js';
import { FilterSelect, ListToolbar } from '../../components/ListToolbar.js';
import { usePagedList } from '../../hooks/usePagedList.js';
import { formatCount, formatDateTime } from '../../labels.js';
import { certificateUrls, recordTotal, type Certificate } from './model.js';

const PAGE_SIZE = 25;

function useColumns(showCustomer: boolean): Column<Certificate>[] {
  const { t } = useTranslation('erasure');
  const columns: Column<Certificate>[] = [
    { header: t('list.erased'), cell: (c) => <span className="nowrap">{formatDateTime(c.erasedAt)}</span> },
    { header: t('list.what'), cell: (c) => (c.kind === 'customer' ? t('list.customer') : t('list.person')) },
    {
      header: t('list.customer'),
      cell: (c) => (
        <>
          {c.customer.name} <code>{c.customer.code}</code>
        </>
      ),
    },
    { header: t('list.person'), cell: (c) => (c.personId ? <code title={c.personId}>{c.personId.slice(0, 8)}…</code> : <span className="muted">—</span>), secondary: true },
    { header: t('list.by'), cell: (c) => (c.reason === 'offboarding' ? t('list.offboarding') : c.actor), secondary: true },
    { header: t('list.records'), cell: (c) => formatCount(recordTotal(c)), className: 'num' },
    { header: 'SHA-256', cell: (c) => <code title={c.manifestSha256}>{c.manifestSha256.slice(0, 12)}…</code>, secondary: true },
    {
      header: t('list.certificate'),
      cell: (c) => {
        const urls = certificateUrls(c);
        const when = formatDateTime(c.erasedAt);
        return (
          <span className="nowrap">
            <a href={urls.pdf} download aria-label={t('list.pdfLabel', { when })}>
              PDF
            </a>
            {' · '}
            <a href={urls.json} download aria-label={t('list.jsonLabel', { when })}>
              JSON
            </a>
          </span>
        );
      },
    },
  ];
  // A customer's own admins see only their customer's certificates: its column would say nothing.
  return showCustomer ? columns : columns.filter((_, i) => i !== 2);
}

/**
 * The enterprise admin's erasure certificates: every customer and person erased, on request or by
 * offboarding, kept after what they name is gone; search by customer, filter by kind, download.
 */
export function ErasuresPage() {
  const { t } = useTranslation('erasure');
  useTitle(t('list.title'));
  return (
    <div className="page">
      <PageHeader title={t('list.title')} subtitle={t('list.subtitle')} />
      <div className="card">
        <CertificateList showCustomer />
      </div>
    </div>
  );
}

/**
 * Erasure certificates as the API lists them to the actor (every customer's for the enterprise
 * admin, their own customer's for its admins), searchable, paged, with downloads; `showCustomer`
 * adds the customer's column and the kind filter, which only the enterprise admin needs.
 */
export function CertificateList({ showCustomer }: { showCustomer: boolean }) {
  const { t } = useTranslation('erasure');
  const columns = useColumns(showCustomer);
  const list = usePagedList<Certificate>('/api/erasures', PAGE_SIZE, { initialFilters: { kind: '' } });
  const filtered = Boolean(list.query.search || list.query.filters.kind);
  return (
    <>
      <ListToolbar label={t('list.certificates')} search={list.query.search} onSearch={list.setSearch} placeholder={showCustomer ? t('list.searchPlaceholder') : t('list.searchPlaceholderOwn')}>
        {showCustomer ? (
          <FilterSelect
            name="kind"
            label={t('list.kind')}
            value={list.query.filters.kind ?? ''}
            onChange={(v) => list.setFilter('kind', v)}
            options={[
              { value: '', label: t('list.kinds.all') },
              { value: 'customer', label: t('list.kinds.customer') },
              { value: 'person', label: t('list.kinds.person') },
            ]}
          />
        ) : null}
      </ListToolbar>
      {list.error ? <Banner kind="error">{list.error}</Banner> : null}
      {list.data && list.data.items.length === 0 ? (
        <EmptyState title={filtered ? t('list.noMatch') : t('list.noneYet')}>{filtered ? t('list.noMatchBody') : showCustomer ? t('list.noneYetBody') : t('list.noneYetBodyOwn')}</EmptyState>
      ) : null}
      {list.data && list.data.items.length > 0 ? (
        <>
          <DataTable caption={t('list.certificates')} columns={columns} rows={list.data.items} rowKey={(c) => c.id} loading={list.loading} />
          <Pager label={t('list.certificates')} page={list.data.page} pageSize={PAGE_SIZE} total={list.data.total} onPage={list.setPage} />
        </>
      ) : null}
      {!list.data && !list.error ? <p className="loading">{t('list.loading')}</p> : null}
    </>
  );
}
