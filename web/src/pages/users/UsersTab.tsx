import { useState } from 'react';
import { api, messageOf, withQuery } from '../../api.js';
import { Banner } from '../../components/Banner.js';
import { DataTable, EmptyState, Pager, type Column } from '../../components/DataTable.js';
import { ConfirmDialog } from '../../components/Dialog.js';
import { CheckboxField } from '../../components/fields.js';
import { FilterSelect, ListToolbar } from '../../components/ListToolbar.js';
import { StatusBadge } from '../../components/StatusBadge.js';
import { useSchools } from '../../hooks/useCustomer.js';
import { usePagedList } from '../../hooks/usePagedList.js';
import { ROLE_OPTIONS, roleLabel, sourceLabel } from '../../labels.js';
import { Link, navigate } from '../../router.js';
import { useUser } from '../../session.js';
import type { DirectoryUser } from '../../types.js';
import { IssuedPasswordsDialog, type IssuedPassword } from './IssuedPasswords.js';
import { PasswordBadge } from './PasswordBadge.js';
import { PasswordDialog } from './PasswordDialog.js';
import { LoginCardsDialog } from './LoginCardsDialog.js';
import { UserFormDialog } from './UserFormDialog.js';
import './people.css';

const PAGE_SIZE = 25;

// "deleted" users are soft-deleted by a roster sync and restorable for the retention period.
const STATUS_FILTERS = [
  { value: '', label: 'Active and disabled' },
  { value: 'status:active', label: 'Active' },
  { value: 'status:disabled', label: 'Disabled' },
  { value: 'status:deleted', label: 'Deleted' },
  { value: 'includeDeleted:true', label: 'All, including deleted' },
];

type BulkAction = 'disable' | 'enable' | 'reset-password';
const BULK_LABELS: Record<BulkAction, { button: string; title: (n: number) => string; body: string }> = {
  disable: { button: 'Disable', title: (n) => `Disable ${n} ${n === 1 ? 'user' : 'users'}?`, body: 'They cannot sign in or launch from the LMS until enabled again, and their open sessions end now.' },
  enable: { button: 'Enable', title: (n) => `Enable ${n} ${n === 1 ? 'user' : 'users'}?`, body: 'They can sign in again with their current passwords.' },
  'reset-password': {
    button: 'Reset passwords',
    title: (n) => `Reset ${n} ${n === 1 ? 'password' : 'passwords'}?`,
    body: 'Each gets a new one-time password, shown once, that must be changed at the next sign-in. Their open sessions end.',
  },
};

/** A user's name as lists show it. */
export const displayName = (u: DirectoryUser) => `${u.givenName} ${u.familyName}`.trim() || u.login;

/**
 * The Users tab: search, role, school and status filters, paging; add a user; per-row password,
 * disable and enable; bulk actions on a selection of the page, login cards for it included; deleted
 * users can be restored.
 */
export function UsersTab({ customerId, rostered }: { customerId: string; rostered: boolean }) {
  const list = usePagedList<DirectoryUser>(`/api/customers/${encodeURIComponent(customerId)}/users`, PAGE_SIZE);
  const schools = useSchools(customerId);
  const me = useUser();
  const [restoring, setRestoring] = useState<DirectoryUser | null>(null);
  const [keepAsManual, setKeepAsManual] = useState(false);
  const [busy, setBusy] = useState(false);
  const [notice, setNotice] = useState<{ kind: 'success' | 'error' | 'warning'; text: string } | null>(null);
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [bulk, setBulk] = useState<BulkAction | null>(null);
  const [cardsFor, setCardsFor] = useState<string[] | null>(null);
  const [adding, setAdding] = useState(false);
  const [passwordFor, setPasswordFor] = useState<DirectoryUser | null>(null);
  const [issued, setIssued] = useState<IssuedPassword[]>([]);
  const statusChoice = list.query.filters.status ? `status:${list.query.filters.status}` : list.query.filters.includeDeleted ? 'includeDeleted:true' : '';
  const setStatus = (choice: string) => {
    const [key, value] = choice.split(':');
    list.setFilters({ status: key === 'status' ? (value ?? '') : '', includeDeleted: key === 'includeDeleted' ? 'true' : '' });
  };
  const filtered = Boolean(list.query.search || list.query.filters.role || list.query.filters.school || statusChoice);
  const userPath = (u: DirectoryUser) => `/customers/${customerId}/users/${u.id}`;
  const base = `/api/customers/${encodeURIComponent(customerId)}/users`;
  const rows = list.data?.items ?? [];
  // Selection is of the page shown: changing page, search or filters starts a new one. Your own
  // account is changed on your account page, so it has no checkbox or actions here.
  const actionable = (u: DirectoryUser) => u.status !== 'deleted' && u.id !== me.id;
  const selectable = rows.filter(actionable);
  const chosen = selectable.filter((u) => selected.has(u.id));
  const allChosen = selectable.length > 0 && chosen.length === selectable.length;
  const toggle = (id: string, on: boolean) =>
    setSelected((old) => {
      const next = new Set(old);
      if (on) next.add(id);
      else next.delete(id);
      return next;
    });

  const done = (kind: 'success' | 'error' | 'warning', text: string) => {
    setNotice({ kind, text });
    list.reload();
  };

  const restore = async () => {
    if (!restoring) return;
    setBusy(true);
    try {
      const res = await api.post<DirectoryUser & { warning: string | null }>(`${base}/${encodeURIComponent(restoring.id)}/restore${keepAsManual ? '?keepAsManual=true' : ''}`);
      done(res.warning ? 'warning' : 'success', res.warning ?? `${displayName(restoring)} was restored with their class enrollments${keepAsManual ? ', as a manual account' : ''}.`);
    } catch (err) {
      setNotice({ kind: 'error', text: messageOf(err) });
    } finally {
      setBusy(false);
      setRestoring(null);
      setKeepAsManual(false);
    }
  };

  const setOne = async (u: DirectoryUser, action: 'disable' | 'enable') => {
    try {
      await api.post(`${base}/${encodeURIComponent(u.id)}/${action}`);
      done('success', `${displayName(u)} was ${action === 'disable' ? 'disabled: their sessions ended' : 'enabled'}.`);
    } catch (err) {
      setNotice({ kind: 'error', text: messageOf(err) });
    }
  };

  const runBulk = async () => {
    if (!bulk) return;
    setBusy(true);
    try {
      const res = await api.post<{ changed: string[]; passwords: IssuedPassword[] }>(`${base}/bulk`, { action: bulk, userIds: chosen.map((u) => u.id) });
      if (res.passwords.length) setIssued(res.passwords);
      const n = res.changed.length;
      done('success', `${n} ${n === 1 ? 'user' : 'users'} ${{ disable: 'disabled', enable: 'enabled', 'reset-password': 'got a new password' }[bulk]}.`);
      setSelected(new Set());
    } catch (err) {
      setNotice({ kind: 'error', text: messageOf(err) });
    } finally {
      setBusy(false);
      setBulk(null);
    }
  };

  const columns: Column<DirectoryUser>[] = [
    {
      header: 'Select',
      className: 'select-cell',
      headerCell: (
        <input
          type="checkbox"
          aria-label="Select all users on this page"
          checked={allChosen}
          disabled={!selectable.length}
          onChange={(e) => setSelected(new Set(e.target.checked ? selectable.map((u) => u.id) : []))}
        />
      ),
      cell: (u) => (!actionable(u) ? null : <input type="checkbox" aria-label={`Select ${displayName(u)}`} checked={selected.has(u.id)} onChange={(e) => toggle(u.id, e.target.checked)} />),
    },
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
    { header: 'Password', cell: (u) => <PasswordBadge source={u.passwordSource} />, secondary: true },
    { header: 'Status', cell: (u) => <StatusBadge status={u.status} /> },
    {
      header: 'Actions',
      className: 'actions-cell',
      cell: (u) =>
        u.status === 'deleted' ? (
          <button type="button" className="btn btn-secondary btn-small" onClick={() => setRestoring(u)} aria-label={`Restore ${displayName(u)}`}>
            Restore
          </button>
        ) : !actionable(u) ? null : (
          <div className="row-actions">
            <button type="button" className="btn btn-secondary btn-small" onClick={() => setPasswordFor(u)} aria-label={`Set a password for ${displayName(u)}`}>
              Password
            </button>
            <button
              type="button"
              className="btn btn-secondary btn-small"
              onClick={() => void setOne(u, u.status === 'disabled' ? 'enable' : 'disable')}
              aria-label={`${u.status === 'disabled' ? 'Enable' : 'Disable'} ${displayName(u)}`}
            >
              {u.status === 'disabled' ? 'Enable' : 'Disable'}
            </button>
          </div>
        ),
    },
  ];
  return (
    <div className="card">
      <div className="people-actions">
        <button type="button" className="btn btn-primary" onClick={() => setAdding(true)}>
          + Add user
        </button>
      </div>
      <ListToolbar
        label="Users"
        search={list.query.search}
        onSearch={(s) => {
          setSelected(new Set());
          list.setSearch(s);
        }}
        placeholder="Search by name, username, email or ID"
      >
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
        {/* The same filters as the list: the file holds every user the list would page through. */}
        <a
          className="btn btn-secondary"
          href={withQuery(`/api/customers/${encodeURIComponent(customerId)}/users.csv`, {
            search: list.query.search,
            role: list.query.filters.role,
            school: list.query.filters.school,
            status: list.query.filters.status,
            includeDeleted: list.query.filters.includeDeleted,
          })}
          download="users.csv"
        >
          Export CSV
        </a>
      </ListToolbar>
      {notice ? <Banner kind={notice.kind}>{notice.text}</Banner> : null}
      {list.error ? <Banner kind="error">{list.error}</Banner> : null}
      {chosen.length ? (
        <div className="bulk-bar" role="region" aria-label="Actions on the selected users">
          <span className="bulk-count" aria-live="polite">
            {chosen.length} selected
          </span>
          {(Object.keys(BULK_LABELS) as BulkAction[]).map((a) => (
            <button key={a} type="button" className="btn btn-secondary btn-small" onClick={() => setBulk(a)}>
              {BULK_LABELS[a].button}
            </button>
          ))}
          <button type="button" className="btn btn-secondary btn-small" onClick={() => setCardsFor(chosen.map((u) => u.id))}>
            Login cards
          </button>
          <button type="button" className="btn btn-secondary btn-small" onClick={() => setSelected(new Set())}>
            Clear selection
          </button>
        </div>
      ) : null}
      {list.data && list.data.items.length === 0 ? (
        filtered ? (
          <EmptyState title="No users match">Try another search or filter.</EmptyState>
        ) : (
          <EmptyState title="No users yet — they arrive with the first roster sync">
            {rostered
              ? 'Students, teachers and institute admins appear here once OneRoster data is synced or uploaded, or when you add them.'
              : 'Users appear here when they are added or first launch Lectern from the LMS.'}
          </EmptyState>
        )
      ) : null}
      {list.data && list.data.items.length > 0 ? (
        <>
          <DataTable caption="Users" columns={columns} rows={list.data.items} rowKey={(u) => u.id} onRowClick={(u) => navigate(userPath(u))} loading={list.loading} />
          <Pager
            label="Users"
            page={list.data.page}
            pageSize={PAGE_SIZE}
            total={list.data.total}
            onPage={(p) => {
              setSelected(new Set());
              list.setPage(p);
            }}
          />
        </>
      ) : null}
      {!list.data && !list.error ? <p className="loading">Loading users…</p> : null}
      <ConfirmDialog
        open={restoring !== null}
        title={`Restore ${restoring ? displayName(restoring) : 'user'}?`}
        confirmLabel="Restore user"
        busy={busy}
        onConfirm={() => void restore()}
        onCancel={() => {
          setRestoring(null);
          setKeepAsManual(false);
        }}
      >
        <p>They can sign in again and get back the class enrollments that ended when they were deleted.</p>
        {restoring?.source === 'roster' ? <RestoreWarning keepAsManual={keepAsManual} onKeepAsManual={setKeepAsManual} /> : null}
      </ConfirmDialog>
      <ConfirmDialog
        open={bulk !== null}
        title={bulk ? BULK_LABELS[bulk].title(chosen.length) : ''}
        confirmLabel={bulk ? BULK_LABELS[bulk].button : ''}
        danger={bulk === 'disable'}
        busy={busy}
        onConfirm={() => void runBulk()}
        onCancel={() => setBulk(null)}
      >
        <p>{bulk ? BULK_LABELS[bulk].body : ''}</p>
      </ConfirmDialog>
      <UserFormDialog
        customerId={customerId}
        open={adding}
        onClose={() => setAdding(false)}
        onSaved={(u, password) => {
          if (password) setIssued([password]);
          done('success', `${displayName(u)} was added as a manual account: roster syncs never delete it.`);
        }}
      />
      <PasswordDialog
        customerId={customerId}
        user={passwordFor}
        onClose={() => setPasswordFor(null)}
        onDone={(password) => {
          if (password) setIssued([password]);
          done('success', `The password of ${passwordFor ? displayName(passwordFor) : 'the user'} was set; their sessions ended.`);
        }}
      />
      <IssuedPasswordsDialog passwords={issued} onClose={() => setIssued([])} />
      <LoginCardsDialog
        customerId={customerId}
        target={{ userIds: cardsFor ?? [] }}
        label={`${cardsFor?.length ?? 0} selected ${cardsFor?.length === 1 ? 'user' : 'users'}`}
        open={cardsFor !== null}
        onClose={() => setCardsFor(null)}
      />
    </div>
  );
}

/** Bug 7: a roster user is still missing from the roster that deleted them; say what the next sync does, and offer to protect them. */
export function RestoreWarning({ keepAsManual, onKeepAsManual }: { keepAsManual: boolean; onKeepAsManual: (keep: boolean) => void }) {
  return (
    <>
      <Banner kind="warning" title="Still missing from the roster">
        The last roster sync left this person out. Unless the school adds them back, the next sync deletes them again.
      </Banner>
      <CheckboxField name="keepAsManual" label="Keep as a manual (protected) account: roster syncs never delete it" checked={keepAsManual} onChange={onKeepAsManual} />
    </>
  );
}
