import { useState } from 'react';
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
const matchRunText = (m: NonNullable<UserDetail['match']>) => `${m.fileName ?? 'Roster run'}${m.at ? `, ${formatDateTime(m.at)}` : ''}`;

/** One user: roster data, roles at schools, classes, how the account was matched, and its history. */
export function UserPage({ customerId, userId }: { customerId: string; userId: string }) {
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
  const name = u ? `${u.givenName} ${u.familyName}`.trim() || u.login : 'User';
  useTitle(name);

  if (!u) {
    return (
      <div className="page">
        <PageHeader crumbs={crumbs} title="User" />
        {user.error ? <Banner kind="error">{user.error}</Banner> : <p className="loading">Loading user…</p>}
      </div>
    );
  }

  const base = `/api/customers/${encodeURIComponent(customerId)}/users/${encodeURIComponent(userId)}`;
  const restore = async () => {
    setBusy(true);
    try {
      const res = await api.post<{ warning: string | null }>(`${base}/restore${keepAsManual ? '?keepAsManual=true' : ''}`);
      setNotice(res.warning ? { kind: 'warning', text: res.warning } : { kind: 'success', text: `${name} was restored with their class enrollments${keepAsManual ? ', as a manual account' : ''}.` });
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
      setNotice({ kind: 'success', text: action === 'disable' ? `${name} was disabled: they cannot sign in or launch, and their sessions ended.` : `${name} was enabled.` });
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
      header: 'Class',
      cell: (e) =>
        e.classId ? (
          <Link to={`/customers/${customerId}/classes/${e.classId}`} className="row-link">
            {e.classTitle ?? e.classSourcedId}
          </Link>
        ) : (
          <code>{e.classSourcedId}</code>
        ),
    },
    { header: 'Role', cell: (e) => roleLabel(e.role) },
    { header: 'Dates', cell: (e) => (e.beginDate || e.endDate ? `${e.beginDate ? formatDay(e.beginDate) : '…'} – ${e.endDate ? formatDay(e.endDate) : '…'}` : '—'), secondary: true },
    { header: 'Status', cell: (e) => <StatusBadge status={e.status} /> },
  ];
  const roleColumns: Column<OrgRole>[] = [
    { header: 'School or org', cell: (r) => r.orgName ?? <code>{r.orgSourcedId}</code> },
    { header: 'Type', cell: (r) => r.orgType ?? '—', secondary: true },
    { header: 'Role', cell: (r) => roleLabel(r.role) },
    { header: 'Kind', cell: (r) => (r.roleType === 'primary' ? 'Primary' : r.roleType || '—'), secondary: true },
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
        subtitle={
          <>
            {roleLabel(u.role)} · signs in as <code>{u.login}</code> · {sourceLabel(u.source)}
          </>
        }
        actions={
          u.status === 'deleted' ? (
            <button type="button" className="btn btn-primary" onClick={() => setConfirm(true)}>
              Restore user
            </button>
          ) : (
            <>
              {editable ? (
                <button type="button" className="btn btn-secondary" onClick={() => setDialog('edit')}>
                  Edit
                </button>
              ) : null}
              {mayAct ? (
                <button type="button" className="btn btn-secondary" onClick={() => setDialog('password')}>
                  Set password
                </button>
              ) : null}
              <AuditLink customerId={customerId} person={userId} />
              {!mayAct ? null : u.status === 'disabled' ? (
                <button type="button" className="btn btn-primary" onClick={() => void setStatus('enable')} disabled={busy}>
                  Enable
                </button>
              ) : (
                <button type="button" className="btn btn-danger" onClick={() => setDialog('disable')}>
                  Disable
                </button>
              )}
            </>
          )
        }
      />
      {notice ? <Banner kind={notice.kind}>{notice.text}</Banner> : null}
      {u.status === 'deleted' ? (
        <Banner kind="warning" title="Deleted by a roster sync">
          {`This account was deleted on ${formatDateTime(u.deletedAt)}: it cannot sign in and is hidden from lists. Restore it to bring it back with its enrollments.`}
        </Banner>
      ) : null}
      <div className="detail-grid">
        <SectionCard title="Roster data">
          <Facts
            items={[
              ['Sourced ID', u.sourcedId ? <code key="s">{u.sourcedId}</code> : ''],
              ['Given name', u.givenName],
              ['Middle name', u.middleName],
              ['Family name', u.familyName],
              ['Username', u.username],
              ['Login', <code key="l">{u.login}</code>],
              ['Email', u.email],
              ['Identifier', u.identifier],
              ['Role', roleLabel(u.role)],
              ['Grades', list(u.grades)],
              ['Other IDs', list(u.userIds)],
              ['Agents', list(u.agentSourcedIds)],
              ['Phone', u.phone ?? ''],
              ['SMS', u.sms],
              ['Enabled in SIS', u.enabledUser === null ? '' : u.enabledUser ? 'Yes' : 'No'],
              [
                'Password',
                <span key="p">
                  <PasswordBadge source={u.passwordSource} />
                  {u.mustChangePassword ? ' · must change at next sign-in' : ''}
                </span>,
              ],
              ['Added', formatDateTime(u.createdAt)],
              ['Last changed', formatDateTime(u.updatedAt)],
            ]}
          />
        </SectionCard>
        <div className="stack">
          {u.source === 'roster' && u.passwordSource === 'here' ? <Banner kind="info">{ROSTER_PASSWORD_RULE}</Banner> : null}
          {u.role === 'institute_admin' ? <InstituteAdminInfo /> : null}
          <section className="card match-box" aria-labelledby="match-title">
            <header className="card-header">
              <h2 id="match-title">How this account was matched</h2>
            </header>
            {u.match ? (
              <>
                <p className="match-explanation">{u.match.explanation}</p>
                <Facts
                  items={[
                    ['Rule', u.match.rule === 'created' ? 'No match: created' : `Match with ${labelOf(MATCH_WITH_OPTIONS, u.match.rule)}`],
                    ['Value', u.match.value ? <code key="v">{u.match.value}</code> : ''],
                    [
                      'Run',
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
              <p className="muted">
                {u.source === 'roster' ? 'No match was recorded for this account.' : `Not linked to the roster: ${sourceLabel(u.source).toLowerCase()}. Roster syncs never delete it.`}
              </p>
            )}
          </section>
          <SectionCard title="Roles at schools">
            {u.roles.length ? (
              <DataTable caption="Roles at schools" columns={roleColumns} rows={u.roles} rowKey={(r) => `${r.orgSourcedId}:${r.role}`} />
            ) : (
              <p className="muted">No roles at schools.</p>
            )}
          </SectionCard>
        </div>
      </div>
      <SectionCard title="Classes">
        {u.enrollments.length ? <DataTable caption="Classes" columns={classColumns} rows={u.enrollments} rowKey={(e) => e.sourcedId} /> : <p className="muted">Not enrolled in any class.</p>}
      </SectionCard>
      {u.status === 'deleted' ? null : <AssignedTitles customerId={customerId} target={{ type: 'user', id: u.id }} />}
      <SectionCard title="Change history">
        <ChangeTimeline entries={u.history} customerId={customerId} noun="user" />
      </SectionCard>
      <ErasePersonDialog customerId={customerId} user={u} />
      <ConfirmDialog open={confirm} title={`Restore ${name}?`} confirmLabel="Restore user" busy={busy} onConfirm={() => void restore()} onCancel={() => setConfirm(false)}>
        <p>They can sign in again and get back the class enrollments that ended when they were deleted.</p>
        {u.missingFromRoster ? <RestoreWarning keepAsManual={keepAsManual} onKeepAsManual={setKeepAsManual} /> : null}
      </ConfirmDialog>
      <ConfirmDialog open={dialog === 'disable'} title={`Disable ${name}?`} confirmLabel="Disable user" danger busy={busy} onConfirm={() => void setStatus('disable')} onCancel={() => setDialog(null)}>
        <p>They cannot sign in or launch from the LMS until enabled again, and their open sessions end now. A roster sync does not enable them again.</p>
      </ConfirmDialog>
      <PasswordDialog
        customerId={customerId}
        user={dialog === 'password' ? u : null}
        onClose={() => setDialog(null)}
        onDone={(password) => {
          if (password) setIssued([password]);
          setNotice({ kind: 'success', text: `The password of ${name} was set; their sessions ended.` });
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
            setNotice({ kind: 'success', text: 'Saved.' });
            user.reload();
          }}
        />
      ) : null}
      <IssuedPasswordsDialog passwords={issued} onClose={() => setIssued([])} />
    </div>
  );
}
