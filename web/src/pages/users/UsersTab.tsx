import { useState } from 'react';
import { api, messageOf } from '../../api.js';
import { Banner } from '../../components/Banner.js';
import { DataTable, EmptyState, Pager, type Column } from '../../components/DataTable.js';
import { ConfirmDialog } from '../../components/Dialog.js';
import { FilterSelect, ListToolbar } from '../../components/ListToolbar.js';
import { StatusBadge } from '../../components/StatusBadge.js';
import { useSchools } from '../../hooks/useCustomer.js';
import { usePagedList } from '../../hooks/usePagedList.js';
import { ROLE_OPTIONS, roleLabel, sourceLabel } from '../../labels.js';
import { Link, navigate } from '../../router.js';
import type { DirectoryUser } from '../../types.js';

const PAGE_SIZE = 25;

// "deleted" users are soft-deleted by a roster sync and restorable for the retention period.
const STATUS_FILTERS = [
  { value: '', label: 'Active and disabled' },
  { value: 'status:active', label: 'Active' },
  { value: 'status:disabled', label: 'Disabled' },
  { value: 'status:deleted', label: 'Deleted' },
  { value: 'includeDeleted:true', label: 'All, including deleted' },
];

const displayName = (u: DirectoryUser) => `${u.givenName} ${u.familyName}`.trim() || u.login;

/** The Users tab: search, role, school and status filters, paging; deleted users can be restored. */
export function UsersTab({ customerId, rostered }: { customerId: string; rostered: boolean }) {
  const list = usePagedList<DirectoryUser>(`/api/customers/${encodeURIComponent(customerId)}/users`, PAGE_SIZE);
  const schools = useSchools(customerId);
  const [restoring, setRestoring] = useState<DirectoryUser | null>(null);
  const [busy, setBusy] = useState(false);
  const [notice, setNotice] = useState<{ kind: 'success' | 'error'; text: string } | null>(null);
  const statusChoice = list.query.filters.status ? `status:${list.query.filters.status}` : list.query.filters.includeDeleted ? 'includeDeleted:true' : '';
  const setStatus = (choice: string) => {
    const [key, value] = choice.split(':');
    list.setFilters({ status: key === 'status' ? (value ?? '') : '', includeDeleted: key === 'includeDeleted' ? 'true' : '' });
  };
  const filtered = Boolean(list.query.search || list.query.filters.role || list.query.filters.school || statusChoice);
  const userPath = (u: DirectoryUser) => `/customers/${customerId}/users/${u.id}`;

  const restore = async () => {
    if (!restoring) return;
    setBusy(true);
    try {
      await api.post(`/api/customers/${encodeURIComponent(customerId)}/users/${encodeURIComponent(restoring.id)}/restore`);
      setNotice({ kind: 'success', text: `${displayName(restoring)} was restored with their class enrollments.` });
      list.reload();
    } catch (err) {
      setNotice({ kind: 'error', text: messageOf(err) });
    } finally {
      setBusy(false);
      setRestoring(null);
    }
  };

  const columns: Column<DirectoryUser>[] = [
    {
      header: 'Name',
      cell: (u) => (
        <Link to={userPath(u)} className="row-link">
          {displayName(u)}
        </Link>
      ),
    },
    // What the person types to sign in (the roster username with the Suffix), not the bare roster username.
    { header: 'Login', cell: (u) => <code>{u.login}</code> },
    { header: 'Email', cell: (u) => u.email || '—', secondary: true },
    { header: 'Role', cell: (u) => roleLabel(u.role) },
    { header: 'Source', cell: (u) => sourceLabel(u.source), secondary: true },
    { header: 'Status', cell: (u) => <StatusBadge status={u.status} /> },
    {
      header: 'Actions',
      className: 'actions-cell',
      cell: (u) =>
        u.status === 'deleted' ? (
          <button type="button" className="btn btn-secondary btn-small" onClick={() => setRestoring(u)} aria-label={`Restore ${displayName(u)}`}>
            Restore
          </button>
        ) : null,
    },
  ];
  return (
    <div className="card">
      <ListToolbar label="Users" search={list.query.search} onSearch={list.setSearch} placeholder="Search by name, username, email or ID">
        <FilterSelect name="role" label="Role" value={list.query.filters.role ?? ''} onChange={(v) => list.setFilter('role', v)} options={[{ value: '', label: 'All roles' }, ...ROLE_OPTIONS]} />
        {schools.length ? (
          <FilterSelect
            name="school"
            label="School"
            value={list.query.filters.school ?? ''}
            onChange={(v) => list.setFilter('school', v)}
            options={[{ value: '', label: 'All schools' }, ...schools.map((s) => ({ value: s.sourcedId, label: s.name || s.sourcedId }))]}
          />
        ) : null}
        <FilterSelect name="status" label="Status" value={statusChoice} onChange={setStatus} options={STATUS_FILTERS} />
      </ListToolbar>
      {notice ? <Banner kind={notice.kind}>{notice.text}</Banner> : null}
      {list.error ? <Banner kind="error">{list.error}</Banner> : null}
      {list.data && list.data.items.length === 0 ? (
        filtered ? (
          <EmptyState title="No users match">Try another search or filter.</EmptyState>
        ) : (
          <EmptyState title="No users yet — they arrive with the first roster sync">
            {rostered
              ? 'Students, teachers and institute admins appear here once OneRoster data is synced or uploaded.'
              : 'Users appear here when they are added or first launch Lectern from the LMS.'}
          </EmptyState>
        )
      ) : null}
      {list.data && list.data.items.length > 0 ? (
        <>
          <DataTable caption="Users" columns={columns} rows={list.data.items} rowKey={(u) => u.id} onRowClick={(u) => navigate(userPath(u))} loading={list.loading} />
          <Pager label="Users" page={list.data.page} pageSize={PAGE_SIZE} total={list.data.total} onPage={list.setPage} />
        </>
      ) : null}
      {!list.data && !list.error ? <p className="loading">Loading users…</p> : null}
      <ConfirmDialog
        open={restoring !== null}
        title={`Restore ${restoring ? displayName(restoring) : 'user'}?`}
        confirmLabel="Restore user"
        busy={busy}
        onConfirm={() => void restore()}
        onCancel={() => setRestoring(null)}
      >
        <p>They can sign in again and get back the class enrollments that ended when they were deleted.</p>
      </ConfirmDialog>
    </div>
  );
}
