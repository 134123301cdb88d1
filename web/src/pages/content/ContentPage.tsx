import { Banner } from '../../components/Banner.js';
import { DataTable, EmptyState, Pager, type Column } from '../../components/DataTable.js';
import { PageHeader, useTitle } from '../../components/Layout.js';
import { ListToolbar } from '../../components/ListToolbar.js';
import { useCustomer } from '../../hooks/useCustomer.js';
import { usePagedList } from '../../hooks/usePagedList.js';
import { formatBytes, formatDate, plural } from '../../labels.js';
import { Link, navigate } from '../../router.js';
import { Cover } from './Cover.js';
import { useContentCrumbs } from './crumbs.js';
import { contentPaths, type BookListItem } from './model.js';

const PAGE_SIZE = 25;

/** Content: the customer's titles with covers, search and paging; links to upload and collections. */
export function ContentPage({ customerId }: { customerId: string }) {
  const customer = useCustomer(customerId);
  const paths = contentPaths(customerId);
  const crumbs = useContentCrumbs(customerId, customer).slice(0, -1);
  const list = usePagedList<BookListItem>(paths.api, PAGE_SIZE);
  useTitle('Content');
  const columns: Column<BookListItem>[] = [
    {
      header: 'Title',
      cell: (b) => (
        <span className="title-cell">
          <Cover customerId={customerId} book={b} />
          <Link to={paths.titlePage(b.id)} className="row-link">
            {b.title}
          </Link>
        </span>
      ),
    },
    { header: 'Author', cell: (b) => b.author || <span className="muted">—</span> },
    { header: 'Format', cell: (b) => b.format.toUpperCase() },
    { header: 'Size', cell: (b) => formatBytes(b.sizeBytes), secondary: true },
    { header: 'Assigned to', cell: (b) => (b.assignmentCount ? plural(b.assignmentCount, 'user or class', 'users or classes') : <span className="muted">Nobody yet</span>) },
    { header: 'Added', cell: (b) => formatDate(b.createdAt), secondary: true },
  ];
  return (
    <div className="page">
      <PageHeader
        crumbs={crumbs.length ? crumbs : undefined}
        title="Content"
        subtitle={customer ? `${customer.profile.name}: EPUB and PDF titles, collections, and who may read them.` : 'EPUB and PDF titles, collections, and who may read them.'}
        actions={
          <>
            <Link to={paths.collectionsPage} className="btn btn-secondary">
              Collections
            </Link>
            <Link to={paths.upload} className="btn btn-primary">
              Upload title
            </Link>
          </>
        }
      />
      <div className="card">
        <ListToolbar label="Titles" search={list.query.search} onSearch={list.setSearch} placeholder="Search by title or author" />
        {list.error ? <Banner kind="error">{list.error}</Banner> : null}
        {list.data && list.data.items.length === 0 ? (
          list.query.search ? (
            <EmptyState title="No titles match">Try another search.</EmptyState>
          ) : (
            <EmptyState title="No titles yet">
              <Link to={paths.upload}>Upload an EPUB or PDF</Link> to get started; title, author and cover are read from the file.
            </EmptyState>
          )
        ) : null}
        {list.data && list.data.items.length > 0 ? (
          <>
            <DataTable caption="Titles" columns={columns} rows={list.data.items} rowKey={(b) => b.id} onRowClick={(b) => navigate(paths.titlePage(b.id))} loading={list.loading} />
            <Pager label="Titles" page={list.data.page} pageSize={PAGE_SIZE} total={list.data.total} onPage={list.setPage} />
          </>
        ) : null}
        {!list.data && !list.error ? <p className="loading">Loading titles…</p> : null}
      </div>
    </div>
  );
}
