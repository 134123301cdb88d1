import { Banner } from '../../components/Banner.js';
import { DataTable, EmptyState, Pager, type Column } from '../../components/DataTable.js';
import { FilterSelect, ListToolbar } from '../../components/ListToolbar.js';
import { StatusBadge } from '../../components/StatusBadge.js';
import { usePagedList } from '../../hooks/usePagedList.js';
import { ROLE_OPTIONS, roleLabel, sourceLabel } from '../../labels.js';
import type { DirectoryUser } from '../../types.js';

const PAGE_SIZE = 25;

const columns: Column<DirectoryUser>[] = [
  { header: 'Name', cell: (u) => <strong>{`${u.givenName} ${u.familyName}`.trim() || u.login}</strong> },
  { header: 'Username', cell: (u) => u.username || u.login },
  { header: 'Email', cell: (u) => u.email || '—', secondary: true },
  { header: 'Role', cell: (u) => roleLabel(u.role) },
  { header: 'Source', cell: (u) => sourceLabel(u.source), secondary: true },
  { header: 'Status', cell: (u) => <StatusBadge status={u.status} /> },
];

// "deleted" users are soft-deleted by a roster sync and restorable for the retention period.
const STATUS_FILTERS = [
  { value: '', label: 'Active and disabled' },
  { value: 'status:active', label: 'Active' },
  { value: 'status:disabled', label: 'Disabled' },
  { value: 'status:deleted', label: 'Deleted' },
  { value: 'includeDeleted:true', label: 'All, including deleted' },
];

/** The Users tab: search, role and status filters, paging. */
export function UsersTab({ customerId, rostered }: { customerId: string; rostered: boolean }) {
  const list = usePagedList<DirectoryUser>(`/api/customers/${encodeURIComponent(customerId)}/users`, PAGE_SIZE);
  const statusChoice = list.query.filters.status ? `status:${list.query.filters.status}` : list.query.filters.includeDeleted ? 'includeDeleted:true' : '';
  const setStatus = (choice: string) => {
    const [key, value] = choice.split(':');
    list.setFilter('status', key === 'status' ? (value ?? '') : '');
    list.setFilter('includeDeleted', key === 'includeDeleted' ? 'true' : '');
  };
  const filtered = Boolean(list.query.search || list.query.filters.role || statusChoice);
  return (
    <div className="card">
      <ListToolbar label="Users" search={list.query.search} onSearch={list.setSearch} placeholder="Search by name, username, email or ID">
        <FilterSelect name="role" label="Role" value={list.query.filters.role ?? ''} onChange={(v) => list.setFilter('role', v)} options={[{ value: '', label: 'All roles' }, ...ROLE_OPTIONS]} />
        <FilterSelect name="status" label="Status" value={statusChoice} onChange={setStatus} options={STATUS_FILTERS} />
      </ListToolbar>
      {list.error ? <Banner kind="error">{list.error}</Banner> : null}
      {list.data && list.data.items.length === 0 ? (
        filtered ? (
          <EmptyState title="No users match">Try another search or filter.</EmptyState>
        ) : (
          <EmptyState title="No users yet — they arrive with the first roster sync">
            {rostered ? 'Students, teachers and institute admins appear here once OneRoster data is synced or uploaded.' : 'Users appear here when they are added or first launch Lectern from the LMS.'}
          </EmptyState>
        )
      ) : null}
      {list.data && list.data.items.length > 0 ? (
        <>
          <DataTable caption="Users" columns={columns} rows={list.data.items} rowKey={(u) => u.id} loading={list.loading} />
          <Pager label="Users" page={list.data.page} pageSize={PAGE_SIZE} total={list.data.total} onPage={list.setPage} />
        </>
      ) : null}
      {!list.data && !list.error ? <p className="loading">Loading users…</p> : null}
    </div>
  );
}
