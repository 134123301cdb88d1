import { useTranslation } from 'react-i18next';
import { Banner } from '../../components/Banner.js';
import { DataTable, EmptyState, Pager, type Column } from '../../components/DataTable.js';
import { ListToolbar } from '../../components/ListToolbar.js';
import { StatusBadge } from '../../components/StatusBadge.js';
import { useSchools } from '../../hooks/useCustomer.js';
import { usePagedList } from '../../hooks/usePagedList.js';
import { Link, navigate } from '../../router.js';
import type { DirectoryClass } from '../../types.js';
import { SyncButton } from './SyncButton.js';
import { BulkAssignClasses, selectionColumn, useClassSelection } from './BulkAssignClasses.js';

const PAGE_SIZE = 25;

/** The Class tab: search and paging; rows open the class page. */
export function ClassesTab({ customerId }: { customerId: string }) {
  const { t } = useTranslation('users');
  const list = usePagedList<DirectoryClass>(`/api/customers/${encodeURIComponent(customerId)}/classes`, PAGE_SIZE);
  const schools = useSchools(customerId);
  const classPath = (c: DirectoryClass) => `/customers/${customerId}/classes/${c.id}`;
  const selection = useClassSelection();
  const columns: Column<DirectoryClass>[] = [
    selectionColumn(selection, t),
    {
      header: t('colTitle'),
      cell: (c) => (
        <Link to={classPath(c)} className="row-link">
          {c.title}
        </Link>
      ),
    },
    { header: t('classCode'), cell: (c) => c.classCode || '—' },
    { header: t('type'), cell: (c) => c.classType || '—', secondary: true },
    { header: t('school'), cell: (c) => schools.find((s) => s.sourcedId === c.schoolSourcedId)?.name ?? (c.schoolSourcedId || '—'), secondary: true },
    { header: t('sourcedId'), cell: (c) => <code>{c.sourcedId}</code>, secondary: true },
    { header: t('status'), cell: (c) => <StatusBadge status={c.status} label={t(`classStatus.${c.status}`)} /> },
  ];
  return (
    <div className="card">
      <SyncButton customerId={customerId} onSynced={list.reload} />
      <ListToolbar label={t('classesTitle')} search={list.query.search} onSearch={list.setSearch} placeholder={t('searchClasses')} />
      {list.error ? <Banner kind="error">{list.error}</Banner> : null}
      <BulkAssignClasses customerId={customerId} selection={selection} />
      {list.data && list.data.items.length === 0 ? (
        list.query.search ? (
          <EmptyState title={t('noClassMatch')}>{t('tryAnother')}</EmptyState>
        ) : (
          <EmptyState title={t('noClassesYet')}>{t('noClassesBody')}</EmptyState>
        )
      ) : null}
      {list.data && list.data.items.length > 0 ? (
        <>
          <DataTable caption={t('classesTitle')} columns={columns} rows={list.data.items} rowKey={(c) => c.id} onRowClick={(c) => navigate(classPath(c))} loading={list.loading} />
          <Pager label={t('classesTitle')} page={list.data.page} pageSize={PAGE_SIZE} total={list.data.total} onPage={list.setPage} />
        </>
      ) : null}
      {!list.data && !list.error ? <p className="loading">{t('loadingClasses')}</p> : null}
    </div>
  );
}
