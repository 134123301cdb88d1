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
  const list = usePagedList<DirectoryClass>(`/api/customers/${encodeURIComponent(customerId)}/classes`, PAGE_SIZE);
  const schools = useSchools(customerId);
  const classPath = (c: DirectoryClass) => `/customers/${customerId}/classes/${c.id}`;
  const selection = useClassSelection();
  const columns: Column<DirectoryClass>[] = [
    selectionColumn(selection),
    {
      header: 'Title',
      cell: (c) => (
        <Link to={classPath(c)} className="row-link">
          {c.title}
        </Link>
      ),
    },
    { header: 'Class code', cell: (c) => c.classCode || '—' },
    { header: 'Type', cell: (c) => c.classType || '—', secondary: true },
    { header: 'School', cell: (c) => schools.find((s) => s.sourcedId === c.schoolSourcedId)?.name ?? (c.schoolSourcedId || '—'), secondary: true },
    { header: 'Sourced ID', cell: (c) => <code>{c.sourcedId}</code>, secondary: true },
    { header: 'Status', cell: (c) => <StatusBadge status={c.status} /> },
  ];
  return (
    <div className="card">
      <SyncButton customerId={customerId} onSynced={list.reload} />
      <ListToolbar label="Classes" search={list.query.search} onSearch={list.setSearch} placeholder="Search by title or class code" />
      {list.error ? <Banner kind="error">{list.error}</Banner> : null}
      <BulkAssignClasses customerId={customerId} selection={selection} />
      {list.data && list.data.items.length === 0 ? (
        list.query.search ? (
          <EmptyState title="No classes match">Try another search.</EmptyState>
        ) : (
          <EmptyState title="No classes yet — they arrive with the first roster sync">Classes and their enrollments come from the customer’s OneRoster data.</EmptyState>
        )
      ) : null}
      {list.data && list.data.items.length > 0 ? (
        <>
          <DataTable caption="Classes" columns={columns} rows={list.data.items} rowKey={(c) => c.id} onRowClick={(c) => navigate(classPath(c))} loading={list.loading} />
          <Pager label="Classes" page={list.data.page} pageSize={PAGE_SIZE} total={list.data.total} onPage={list.setPage} />
        </>
      ) : null}
      {!list.data && !list.error ? <p className="loading">Loading classes…</p> : null}
    </div>
  );
}
