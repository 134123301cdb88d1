import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { client, messageOf, unwrap, withQuery } from '../../api.js';
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
import { mayActOnPerson, useUser } from '../../session.js';
import type { DirectoryUser } from '../../types.js';
import { IssuedPasswordsDialog, type IssuedPassword } from './IssuedPasswords.js';
import { PasswordBadge } from './PasswordBadge.js';
import { PasswordDialog } from './PasswordDialog.js';
import { LoginCardsDialog } from './LoginCardsDialog.js';
import { UserFormDialog } from './UserFormDialog.js';
import './people.css';

const PAGE_SIZE = 25;

// The bulk actions, in the order of their buttons; their words are `users:bulk.<action>.*`.
const BULK_ACTIONS = ['disable', 'enable', 'reset-password'] as const;
type BulkAction = (typeof BULK_ACTIONS)[number];

/** A user's name as lists show it. */
export const displayName = (u: Pick<DirectoryUser, 'givenName' | 'familyName' | 'login'>) => `${u.givenName} ${u.familyName}`.trim() || u.login;

/**
 * The Users tab: search, role, school and status filters, paging; add a user; per-row password,
 * disable and enable; bulk actions on a selection of the page, login cards for it included; deleted
 * users can be restored.
 */
export function UsersTab({ customerId, rostered }: { customerId: string; rostered: boolean }) {
  const { t } = useTranslation('users');
  // "deleted" users are soft-deleted by a roster sync and restorable for the retention period.
  const statusFilters = [
    { value: '', label: t('list.activeAndDisabled') },
    { value: 'status:active', label: t('labels:status.active') },
    { value: 'status:disabled', label: t('labels:status.disabled') },
    { value: 'status:deleted', label: t('labels:status.deleted') },
    { value: 'includeDeleted:true', label: t('list.includingDeleted') },
  ];
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
  const rows = list.data?.items ?? [];
  // Selection is of the page shown: changing page, search or filters starts a new one. Your own
  // account is changed on your account page, so it has no checkbox or actions here.
  const actionable = (u: DirectoryUser) => u.status !== 'deleted' && mayActOnPerson(me, u);
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
      const res = await unwrap(
        client.POST('/api/customers/{id}/users/{userId}/restore', { params: { path: { id: customerId, userId: restoring.id }, query: keepAsManual ? { keepAsManual: true } : {} } }),
      );
      done(res.warning ? 'warning' : 'success', res.warning ?? t(keepAsManual ? 'list.restoredManual' : 'list.restored', { name: displayName(restoring) }));
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
      const path = { params: { path: { id: customerId, userId: u.id } } };
      await unwrap(action === 'disable' ? client.POST('/api/customers/{id}/users/{userId}/disable', path) : client.POST('/api/customers/{id}/users/{userId}/enable', path));
      done('success', t(action === 'disable' ? 'list.disabledOne' : 'list.enabledOne', { name: displayName(u) }));
    } catch (err) {
      setNotice({ kind: 'error', text: messageOf(err) });
    }
  };

  const runBulk = async () => {
    if (!bulk) return;
    setBusy(true);
    try {
      const res = await unwrap(client.POST('/api/customers/{id}/users/bulk', { params: { path: { id: customerId } }, body: { action: bulk, userIds: chosen.map((u) => u.id) } }));
      if (res.passwords.length) setIssued(res.passwords);
      done('success', t(`bulk.${bulk}.done`, { count: res.changed.length }));
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
      header: t('list.select'),
      className: 'select-cell',
      headerCell: (
        <input
          type="checkbox"
          aria-label={t('list.selectAll')}
          checked={allChosen}
          disabled={!selectable.length}
          onChange={(e) => setSelected(new Set(e.target.checked ? selectable.map((u) => u.id) : []))}
        />
      ),
      cell: (u) =>
        !actionable(u) ? null : <input type="checkbox" aria-label={t('list.selectNamed', { name: displayName(u) })} checked={selected.has(u.id)} onChange={(e) => toggle(u.id, e.target.checked)} />,
    },
    {
      header: t('name'),
      cell: (u) => (
        <Link to={userPath(u)} className="row-link">
          {displayName(u)}
        </Link>
      ),
    },
    // What the person types to sign in (the roster username with the Suffix), not the bare roster username.
    { header: t('login'), cell: (u) => <code>{u.login}</code> },
    { header: t('email'), cell: (u) => u.email || '—', secondary: true },
    { header: t('role'), cell: (u) => roleLabel(u.role) },
    { header: t('list.source'), cell: (u) => sourceLabel(u.source), secondary: true },
    { header: t('list.password'), cell: (u) => <PasswordBadge source={u.passwordSource} />, secondary: true },
    { header: t('status'), cell: (u) => <StatusBadge status={u.status} /> },
    {
      header: t('ui:actions'),
      className: 'actions-cell',
      cell: (u) =>
        u.status === 'deleted' ? (
          <button type="button" className="btn btn-secondary btn-small" onClick={() => setRestoring(u)} aria-label={t('list.restoreNamed', { name: displayName(u) })}>
            {t('list.restore')}
          </button>
        ) : !actionable(u) ? null : (
          <div className="row-actions">
            <button type="button" className="btn btn-secondary btn-small" onClick={() => setPasswordFor(u)} aria-label={t('list.setPasswordFor', { name: displayName(u) })}>
              {t('list.password')}
            </button>
            <button
              type="button"
              className="btn btn-secondary btn-small"
              onClick={() => void setOne(u, u.status === 'disabled' ? 'enable' : 'disable')}
              aria-label={t(u.status === 'disabled' ? 'list.enableNamed' : 'list.disableNamed', { name: displayName(u) })}
            >
              {u.status === 'disabled' ? t('bulk.enable.button') : t('bulk.disable.button')}
            </button>
          </div>
        ),
    },
  ];
  return (
    <div className="card">
      <div className="people-actions">
        <button type="button" className="btn btn-primary" onClick={() => setAdding(true)}>
          {t('list.addUser')}
        </button>
      </div>
      <ListToolbar
        label={t('usersTitle')}
        search={list.query.search}
        onSearch={(s) => {
          setSelected(new Set());
          list.setSearch(s);
        }}
        placeholder={t('list.searchPlaceholder')}
      >
        <FilterSelect
          name="role"
          label={t('role')}
          value={list.query.filters.role ?? ''}
          onChange={(v) => list.setFilter('role', v)}
          options={[{ value: '', label: t('list.allRoles') }, ...ROLE_OPTIONS]}
        />
        {schools.length ? (
          <FilterSelect
            name="school"
            label={t('school')}
            value={list.query.filters.school ?? ''}
            onChange={(v) => list.setFilter('school', v)}
            options={[{ value: '', label: t('list.allSchools') }, ...schools.map((s) => ({ value: s.sourcedId, label: s.name || s.sourcedId }))]}
          />
        ) : null}
        <FilterSelect name="status" label={t('status')} value={statusChoice} onChange={setStatus} options={statusFilters} />
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
          {t('list.exportCsv')}
        </a>
      </ListToolbar>
      {notice ? <Banner kind={notice.kind}>{notice.text}</Banner> : null}
      {list.error ? <Banner kind="error">{list.error}</Banner> : null}
      {chosen.length ? (
        <div className="bulk-bar" role="region" aria-label={t('list.bulkRegion')}>
          <span className="bulk-count" aria-live="polite">
            {t('list.selected', { count: chosen.length })}
          </span>
          {BULK_ACTIONS.map((a) => (
            <button key={a} type="button" className="btn btn-secondary btn-small" onClick={() => setBulk(a)}>
              {t(`bulk.${a}.button`)}
            </button>
          ))}
          <button type="button" className="btn btn-secondary btn-small" onClick={() => setCardsFor(chosen.map((u) => u.id))}>
            {t('list.loginCards')}
          </button>
          <button type="button" className="btn btn-secondary btn-small" onClick={() => setSelected(new Set())}>
            {t('list.clearSelection')}
          </button>
        </div>
      ) : null}
      {list.data && list.data.items.length === 0 ? (
        filtered ? (
          <EmptyState title={t('list.noMatch')}>{t('list.noMatchBody')}</EmptyState>
        ) : (
          <EmptyState title={t('list.noneYet')}>{rostered ? t('list.noneYetRostered') : t('list.noneYetLti')}</EmptyState>
        )
      ) : null}
      {list.data && list.data.items.length > 0 ? (
        <>
          <DataTable caption={t('usersTitle')} columns={columns} rows={list.data.items} rowKey={(u) => u.id} onRowClick={(u) => navigate(userPath(u))} loading={list.loading} />
          <Pager
            label={t('usersTitle')}
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
      {!list.data && !list.error ? <p className="loading">{t('list.loading')}</p> : null}
      <ConfirmDialog
        open={restoring !== null}
        title={t('list.restoreQ', { name: restoring ? displayName(restoring) : '' })}
        confirmLabel={t('list.restoreUser')}
        busy={busy}
        onConfirm={() => void restore()}
        onCancel={() => {
          setRestoring(null);
          setKeepAsManual(false);
        }}
      >
        <p>{t('list.restoreBody')}</p>
        {restoring?.source === 'roster' ? <RestoreWarning keepAsManual={keepAsManual} onKeepAsManual={setKeepAsManual} /> : null}
      </ConfirmDialog>
      <ConfirmDialog
        open={bulk !== null}
        title={bulk ? t(`bulk.${bulk}.title`, { count: chosen.length }) : ''}
        confirmLabel={bulk ? t(`bulk.${bulk}.button`) : ''}
        danger={bulk === 'disable'}
        busy={busy}
        onConfirm={() => void runBulk()}
        onCancel={() => setBulk(null)}
      >
        <p>{bulk ? t(`bulk.${bulk}.body`) : ''}</p>
      </ConfirmDialog>
      <UserFormDialog
        customerId={customerId}
        open={adding}
        onClose={() => setAdding(false)}
        onSaved={(u, password) => {
          if (password) setIssued([password]);
          done('success', t('list.added', { name: displayName(u) }));
        }}
      />
      <PasswordDialog
        customerId={customerId}
        user={passwordFor}
        onClose={() => setPasswordFor(null)}
        onDone={(password) => {
          if (password) setIssued([password]);
          if (passwordFor) done('success', t('list.passwordSet', { name: displayName(passwordFor) }));
        }}
      />
      <IssuedPasswordsDialog passwords={issued} onClose={() => setIssued([])} />
      <LoginCardsDialog
        customerId={customerId}
        target={{ userIds: cardsFor ?? [] }}
        label={t('list.selectedUsers', { count: cardsFor?.length ?? 0 })}
        open={cardsFor !== null}
        onClose={() => setCardsFor(null)}
      />
    </div>
  );
}

/** Bug 7: a roster user is still missing from the roster that deleted them; say what the next sync does, and offer to protect them. */
export function RestoreWarning({ keepAsManual, onKeepAsManual }: { keepAsManual: boolean; onKeepAsManual: (keep: boolean) => void }) {
  const { t } = useTranslation('users');
  return (
    <>
      <Banner kind="warning" title={t('list.missingTitle')}>
        {t('list.missingBody')}
      </Banner>
      <CheckboxField name="keepAsManual" label={t('list.keepAsManual')} checked={keepAsManual} onChange={onKeepAsManual} />
    </>
  );
}
