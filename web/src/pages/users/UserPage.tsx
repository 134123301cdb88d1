import { useState } from 'react';
import { Trans, useTranslation } from 'react-i18next';
import { api, messageOf } from '../../api.js';
import { Banner } from '../../components/Banner.js';
import { DataTable, type Column } from '../../components/DataTable.js';
import { ConfirmDialog } from '../../components/Dialog.js';
import { Facts, SectionCard } from '../../components/Facts.js';
import { PageHeader, useTitle } from '../../components/Layout.js';
import { StatusBadge } from '../../components/StatusBadge.js';
import { useCustomer, useCustomerCrumbs } from '../../hooks/useCustomer.js';
import { useResource } from '../../hooks/useResource.js';
import { MATCH_WITH_OPTIONS, formatDateTime, formatDay, labelOf, roleLabel, sourceLabel } from '../../labels.js';
import { Link } from '../../router.js';
import { actsForWholeCustomer, mayActOnPerson, useUser } from '../../session.js';
import type { UserDetail } from '../../types.js';
import { AuditLink } from '../audit/AuditLink.js';
import { ChangeTimeline } from '../roster/ChangeTimeline.js';
import { AssignedTitles } from './AssignedTitles.js';
import { ErasePersonDialog } from './ErasePersonDialog.js';
import { InstituteAdminInfo } from './InstituteAdminInfo.js';
import { IssuedPasswordsDialog, type IssuedPassword } from './IssuedPasswords.js';
import { PasswordBadge } from './PasswordBadge.js';
import { PasswordDialog, ROSTER_PASSWORD_RULE } from './PasswordDialog.js';
import { UserFormDialog } from './UserFormDialog.js';
import { RestoreWarning } from './UsersTab.js';
import './people.css';

type Enrollment = UserDetail['enrollments'][number];
type OrgRole = UserDetail['roles'][number];

const list = (values: string[]) => (values.length ? values.join(', ') : '');

// The run that matched a user: its file and when.
/** One user: roster data, roles at schools, classes, how the account was matched, and its history. */
export function UserPage({ customerId, userId }: { customerId: string; userId: string }) {
  const { t } = useTranslation(['userPage', 'users']);
  const matchRunText = (m: NonNullable<UserDetail['match']>) => `${m.fileName ?? t('match.rosterRun')}${m.at ? `, ${formatDateTime(m.at)}` : ''}`;
  const customer = useCustomer(customerId);
  const crumbs = useCustomerCrumbs(customerId, customer);
  // Roster runs are the whole customer's: an institute admin reads which run matched, without a link to it.
  const me = useUser();
  const linksRuns = actsForWholeCustomer(me);
  const user = useResource<UserDetail>(`/api/customers/${encodeURIComponent(customerId)}/users/${encodeURIComponent(userId)}`);
  const [confirm, setConfirm] = useState(false);
  const [busy, setBusy] = useState(false);
  const [notice, setNotice] = useState<{ kind: 'success' | 'error' | 'warning'; text: string } | null>(null);
  const [keepAsManual, setKeepAsManual] = useState(false);
  const [dialog, setDialog] = useState<'password' | 'edit' | 'disable' | null>(null);
  const [issued, setIssued] = useState<IssuedPassword[]>([]);
  const u = user.data;
  const name = u ? `${u.givenName} ${u.familyName}`.trim() || u.login : t('user');
  useTitle(name);

  if (!u) {
    return (
      <div className="page">
        <PageHeader crumbs={crumbs} title={t('user')} />
        {user.error ? <Banner kind="error">{user.error}</Banner> : <p className="loading">{t('loading')}</p>}
      </div>
    );
  }

  const base = `/api/customers/${encodeURIComponent(customerId)}/users/${encodeURIComponent(userId)}`;
  const restore = async () => {
    setBusy(true);
    try {
      const res = await api.post<{ warning: string | null }>(`${base}/restore${keepAsManual ? '?keepAsManual=true' : ''}`);
      setNotice(res.warning ? { kind: 'warning', text: res.warning } : { kind: 'success', text: keepAsManual ? t('users:list.restoredManual', { name }) : t('users:list.restored', { name }) });
      user.reload();
    } catch (err) {
      setNotice({ kind: 'error', text: messageOf(err) });
    } finally {
      setBusy(false);
      setConfirm(false);
      setKeepAsManual(false);
    }
  };

  const setStatus = async (action: 'disable' | 'enable') => {
    setBusy(true);
    try {
      await api.post(`${base}/${action}`);
      setNotice({ kind: 'success', text: action === 'disable' ? t('disabled', { name }) : t('users:list.enabledOne', { name }) });
      user.reload();
    } catch (err) {
      setNotice({ kind: 'error', text: messageOf(err) });
    } finally {
      setBusy(false);
      setDialog(null);
    }
  };
  // What the server would refuse is not offered: one's own account, and an institute admin's acts on administrators.
  const mayAct = mayActOnPerson(me, u);
  const editable = mayAct && u.source === 'manual' && ['teacher', 'student', 'institute_admin'].includes(u.role);

  const classColumns: Column<Enrollment>[] = [
    {
      header: t('users:class'),
      cell: (e) =>
        e.classId ? (
          <Link to={`/customers/${customerId}/classes/${e.classId}`} className="row-link">
            {e.classTitle ?? e.classSourcedId}
          </Link>
        ) : (
          <code>{e.classSourcedId}</code>
        ),
    },
    { header: t('users:role'), cell: (e) => roleLabel(e.role) },
    { header: t('users:dates'), cell: (e) => (e.beginDate || e.endDate ? `${e.beginDate ? formatDay(e.beginDate) : '…'} – ${e.endDate ? formatDay(e.endDate) : '…'}` : '—'), secondary: true },
    { header: t('users:status'), cell: (e) => <StatusBadge status={e.status} /> },
  ];
  const roleColumns: Column<OrgRole>[] = [
    { header: t('schoolOrOrg'), cell: (r) => r.orgName ?? <code>{r.orgSourcedId}</code> },
    { header: t('users:type'), cell: (r) => r.orgType ?? '—', secondary: true },
    { header: t('users:role'), cell: (r) => roleLabel(r.role) },
    { header: t('roleKind'), cell: (r) => (r.roleType === 'primary' ? t('primary') : r.roleType || '—'), secondary: true },
  ];

  return (
    <div className="page">
      <PageHeader
        crumbs={crumbs}
        title={
          <>
            {name} <StatusBadge status={u.status} />
          </>
        }
        subtitle={<Trans t={t} i18nKey="subtitle" values={{ role: roleLabel(u.role), login: u.login, source: sourceLabel(u.source) }} components={{ 1: <code /> }} />}
        actions={
          u.status === 'deleted' ? (
            <button type="button" className="btn btn-primary" onClick={() => setConfirm(true)}>
              {t('users:list.restoreUser')}
            </button>
          ) : (
            <>
              {editable ? (
                <button type="button" className="btn btn-secondary" onClick={() => setDialog('edit')}>
                  {t('edit')}
                </button>
              ) : null}
              {mayAct ? (
                <button type="button" className="btn btn-secondary" onClick={() => setDialog('password')}>
                  {t('users:password.submit')}
                </button>
              ) : null}
              <AuditLink customerId={customerId} person={userId} />
              {!mayAct ? null : u.status === 'disabled' ? (
                <button type="button" className="btn btn-primary" onClick={() => void setStatus('enable')} disabled={busy}>
                  {t('users:bulk.enable.button')}
                </button>
              ) : (
                <button type="button" className="btn btn-danger" onClick={() => setDialog('disable')}>
                  {t('users:bulk.disable.button')}
                </button>
              )}
            </>
          )
        }
      />
      {notice ? <Banner kind={notice.kind}>{notice.text}</Banner> : null}
      {u.status === 'deleted' ? (
        <Banner kind="warning" title={t('deletedTitle')}>
          {t('deletedBody', { when: formatDateTime(u.deletedAt) })}
        </Banner>
      ) : null}
      <div className="detail-grid">
        <SectionCard title={t('users:rosterData')}>
          <Facts
            items={[
              [t('users:sourcedId'), u.sourcedId ? <code key="s">{u.sourcedId}</code> : ''],
              [t('users:form.givenName'), u.givenName],
              [t('middleName'), u.middleName],
              [t('users:form.familyName'), u.familyName],
              [t('username'), u.username],
              [t('users:login'), <code key="l">{u.login}</code>],
              [t('users:email'), u.email],
              [t('identifier'), u.identifier],
              [t('users:role'), roleLabel(u.role)],
              [t('users:grades'), list(u.grades)],
              [t('otherIds'), list(u.userIds)],
              [t('agents'), list(u.agentSourcedIds)],
              [t('phone'), u.phone ?? ''],
              ['SMS', u.sms],
              [t('enabledInSis'), u.enabledUser === null ? '' : u.enabledUser ? t('ui:yes') : t('ui:no')],
              [
                t('users:list.password'),
                <span key="p">
                  <PasswordBadge source={u.passwordSource} />
                  {u.mustChangePassword ? ` · ${t('mustChange')}` : ''}
                </span>,
              ],
              [t('added'), formatDateTime(u.createdAt)],
              [t('lastChanged'), formatDateTime(u.updatedAt)],
            ]}
          />
        </SectionCard>
        <div className="stack">
          {u.source === 'roster' && u.passwordSource === 'here' ? <Banner kind="info">{ROSTER_PASSWORD_RULE}</Banner> : null}
          {u.role === 'institute_admin' ? <InstituteAdminInfo /> : null}
          <section className="card match-box" aria-labelledby="match-title">
            <header className="card-header">
              <h2 id="match-title">{t('match.title')}</h2>
            </header>
            {u.match ? (
              <>
                <p className="match-explanation">{u.match.explanation}</p>
                <Facts
                  items={[
                    [t('match.rule'), u.match.rule === 'created' ? t('match.created') : t('match.with', { field: labelOf(MATCH_WITH_OPTIONS, u.match.rule) })],
                    [t('match.value'), u.match.value ? <code key="v">{u.match.value}</code> : ''],
                    [
                      t('match.run'),
                      u.match.runId && linksRuns ? (
                        <Link key="r" to={`/customers/${customerId}/roster/runs/${u.match.runId}`}>
                          {matchRunText(u.match)}
                        </Link>
                      ) : u.match.runId ? (
                        matchRunText(u.match)
                      ) : (
                        ''
                      ),
                    ],
                  ]}
                />
              </>
            ) : (
              <p className="muted">{u.source === 'roster' ? t('match.none') : t('match.notRostered', { source: sourceLabel(u.source).toLocaleLowerCase() })}</p>
            )}
          </section>
          <SectionCard title={t('roles')}>
            {u.roles.length ? <DataTable caption={t('roles')} columns={roleColumns} rows={u.roles} rowKey={(r) => `${r.orgSourcedId}:${r.role}`} /> : <p className="muted">{t('noRoles')}</p>}
          </SectionCard>
        </div>
      </div>
      <SectionCard title={t('users:classesTitle')}>
        {u.enrollments.length ? <DataTable caption={t('users:classesTitle')} columns={classColumns} rows={u.enrollments} rowKey={(e) => e.sourcedId} /> : <p className="muted">{t('noClasses')}</p>}
      </SectionCard>
      {u.status === 'deleted' ? null : <AssignedTitles customerId={customerId} target={{ type: 'user', id: u.id }} />}
      <SectionCard title={t('users:history')}>
        <ChangeTimeline entries={u.history} customerId={customerId} noun="user" />
      </SectionCard>
      <ErasePersonDialog customerId={customerId} user={u} />
      <ConfirmDialog
        open={confirm}
        title={t('users:list.restoreQ', { name })}
        confirmLabel={t('users:list.restoreUser')}
        busy={busy}
        onConfirm={() => void restore()}
        onCancel={() => setConfirm(false)}
      >
        <p>{t('users:list.restoreBody')}</p>
        {u.missingFromRoster ? <RestoreWarning keepAsManual={keepAsManual} onKeepAsManual={setKeepAsManual} /> : null}
      </ConfirmDialog>
      <ConfirmDialog
        open={dialog === 'disable'}
        title={t('disableQ', { name })}
        confirmLabel={t('disableUser')}
        danger
        busy={busy}
        onConfirm={() => void setStatus('disable')}
        onCancel={() => setDialog(null)}
      >
        <p>{t('disableBody')}</p>
      </ConfirmDialog>
      <PasswordDialog
        customerId={customerId}
        user={dialog === 'password' ? u : null}
        onClose={() => setDialog(null)}
        onDone={(password) => {
          if (password) setIssued([password]);
          setNotice({ kind: 'success', text: t('users:list.passwordSet', { name }) });
          user.reload();
        }}
      />
      {editable ? (
        <UserFormDialog
          key={u.updatedAt}
          customerId={customerId}
          open={dialog === 'edit'}
          editing={u}
          onClose={() => setDialog(null)}
          onSaved={() => {
            setNotice({ kind: 'success', text: t('ui:saved') });
            user.reload();
          }}
        />
      ) : null}
      <IssuedPasswordsDialog passwords={issued} onClose={() => setIssued([])} />
    </div>
  );
}
