import { Trans, useTranslation } from 'react-i18next';
import { Banner } from '../../components/Banner.js';
import { DataTable, EmptyState, Pager, type Column } from '../../components/DataTable.js';
import { PageHeader, useTitle } from '../../components/Layout.js';
import { ListToolbar } from '../../components/ListToolbar.js';
import { useCustomer } from '../../hooks/useCustomer.js';
import { usePagedList } from '../../hooks/usePagedList.js';
import { formatBytes, formatDate } from '../../labels.js';
import { Link, navigate } from '../../router.js';
import { Cover } from './Cover.js';
import { useContentCrumbs } from './crumbs.js';
import { contentPaths, type BookListItem } from './model.js';

const PAGE_SIZE = 25;

/** Content: the customer's titles with covers, search and paging; links to upload and collections. */
export function ContentPage({ customerId }: { customerId: string }) {
  const { t } = useTranslation('content');
  const customer = useCustomer(customerId);
  const paths = contentPaths(customerId);
  const crumbs = useContentCrumbs(customerId, customer).slice(0, -1);
  const list = usePagedList<BookListItem>(paths.api, PAGE_SIZE);
  useTitle(t('title'));
  const columns: Column<BookListItem>[] = [
    {
      header: t('colTitle'),
      cell: (b) => (
        <span className="title-cell">
          <Cover customerId={customerId} book={b} />
          <Link to={paths.titlePage(b.id)} className="row-link">
            {b.title}
          </Link>
        </span>
      ),
    },
    { header: t('author'), cell: (b) => b.author || <span className="muted">—</span> },
    { header: t('format'), cell: (b) => b.format.toUpperCase() },
    { header: t('size'), cell: (b) => formatBytes(b.sizeBytes), secondary: true },
    { header: t('assignedTo'), cell: (b) => (b.assignmentCount ? t('assignedCount', { count: b.assignmentCount }) : <span className="muted">{t('nobodyYet')}</span>) },
    { header: t('added'), cell: (b) => formatDate(b.createdAt), secondary: true },
  ];
  return (
    <div className="page">
      <PageHeader
        crumbs={crumbs.length ? crumbs : undefined}
        title={t('title')}
        subtitle={customer ? t('subtitleNamed', { name: customer.profile.name }) : t('subtitle')}
        actions={
          <>
            <Link to={paths.collectionsPage} className="btn btn-secondary">
              {t('collections')}
            </Link>
            <Link to={paths.upload} className="btn btn-primary">
              {t('uploadTitle')}
            </Link>
          </>
        }
      />
      <div className="card">
        <ListToolbar label={t('titles')} search={list.query.search} onSearch={list.setSearch} placeholder={t('searchPlaceholder')} />
        {list.error ? <Banner kind="error">{list.error}</Banner> : null}
        {list.data && list.data.items.length === 0 ? (
          list.query.search ? (
            <EmptyState title={t('noMatch')}>{t('noMatchBody')}</EmptyState>
          ) : (
            <EmptyState title={t('noneYet')}>
              <Trans i18nKey="noneYetBody" t={t} components={{ 1: <Link to={paths.upload} /> }} />
            </EmptyState>
          )
        ) : null}
        {list.data && list.data.items.length > 0 ? (
          <>
            <DataTable caption={t('titles')} columns={columns} rows={list.data.items} rowKey={(b) => b.id} onRowClick={(b) => navigate(paths.titlePage(b.id))} loading={list.loading} />
            <Pager label={t('titles')} page={list.data.page} pageSize={PAGE_SIZE} total={list.data.total} onPage={list.setPage} />
          </>
        ) : null}
        {!list.data && !list.error ? <p className="loading">{t('loading')}</p> : null}
      </div>
    </div>
  );
}
