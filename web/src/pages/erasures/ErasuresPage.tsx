import { Banner } from '../../components/Banner.js';
import { DataTable, EmptyState, Pager, type Column } from '../../components/DataTable.js';
import { PageHeader, useTitle } from '../../components/Layout.js';
import { FilterSelect, ListToolbar } from '../../components/ListToolbar.js';
import { usePagedList } from '../../hooks/usePagedList.js';
import { formatCount, formatDateTime } from '../../labels.js';
import { certificateUrls, recordTotal, type Certificate } from './model.js';

const PAGE_SIZE = 25;

const columns: Column<Certificate>[] = [
  { header: 'Erased', cell: (c) => <span className="nowrap">{formatDateTime(c.erasedAt)}</span> },
  { header: 'What', cell: (c) => (c.kind === 'customer' ? 'Customer' : 'Person') },
  {
    header: 'Customer',
    cell: (c) => (
      <>
        {c.customer.name} <code>{c.customer.code}</code>
      </>
    ),
  },
  { header: 'Person', cell: (c) => (c.personId ? <code title={c.personId}>{c.personId.slice(0, 8)}…</code> : <span className="muted">—</span>), secondary: true },
  { header: 'By', cell: (c) => (c.reason === 'offboarding' ? 'Offboarding (daily purge)' : c.actor), secondary: true },
  { header: 'Records', cell: (c) => formatCount(recordTotal(c)), className: 'num' },
  { header: 'SHA-256', cell: (c) => <code title={c.manifestSha256}>{c.manifestSha256.slice(0, 12)}…</code>, secondary: true },
  {
    header: 'Certificate',
    cell: (c) => {
      const urls = certificateUrls(c);
      return (
        <span className="nowrap">
          <a href={urls.pdf} download aria-label={`PDF certificate of the erasure of ${c.erasedAt}`}>
            PDF
          </a>
          {' · '}
          <a href={urls.json} download aria-label={`JSON certificate of the erasure of ${c.erasedAt}`}>
            JSON
          </a>
        </span>
      );
    },
  },
];

/**
 * The enterprise admin's erasure certificates: every customer and person erased, on request or by
 * offboarding, kept after what they name is gone; search by customer, filter by kind, download.
 */
export function ErasuresPage() {
  useTitle('Erasures');
  const list = usePagedList<Certificate>('/api/erasures', PAGE_SIZE, { initialFilters: { kind: '' } });
  const filtered = Boolean(list.query.search || list.query.filters.kind);
  return (
    <div className="page">
      <PageHeader title="Erasures" subtitle="Certificates of erased customers and people: what went, when, by whom, and the hash of the manifest that proves it." />
      <div className="card">
        <ListToolbar label="Erasure certificates" search={list.query.search} onSearch={list.setSearch} placeholder="Search by customer code or name, or an id">
          <FilterSelect
            name="kind"
            label="What was erased"
            value={list.query.filters.kind ?? ''}
            onChange={(v) => list.setFilter('kind', v)}
            options={[
              { value: '', label: 'Customers and people' },
              { value: 'customer', label: 'Customers' },
              { value: 'person', label: 'People' },
            ]}
          />
        </ListToolbar>
        {list.error ? <Banner kind="error">{list.error}</Banner> : null}
        {list.data && list.data.items.length === 0 ? (
          <EmptyState title={filtered ? 'No certificates match' : 'No erasures yet'}>
            {filtered ? 'Try another search or kind.' : 'Erasing a customer or a person, or the offboarding of a disabled customer, leaves its certificate here.'}
          </EmptyState>
        ) : null}
        {list.data && list.data.items.length > 0 ? (
          <>
            <DataTable caption="Erasure certificates" columns={columns} rows={list.data.items} rowKey={(c) => c.id} loading={list.loading} />
            <Pager label="Erasure certificates" page={list.data.page} pageSize={PAGE_SIZE} total={list.data.total} onPage={list.setPage} />
          </>
        ) : null}
        {!list.data && !list.error ? <p className="loading">Loading certificates…</p> : null}
      </div>
    </div>
  );
}
