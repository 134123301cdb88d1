import { useState } from 'react';
import { Banner } from '../../components/Banner.js';
import { DataTable, type Column } from '../../components/DataTable.js';
import { Facts, SectionCard } from '../../components/Facts.js';
import { PageHeader, useTitle } from '../../components/Layout.js';
import { StatusBadge } from '../../components/StatusBadge.js';
import { useCustomer, useCustomerCrumbs, useSchools } from '../../hooks/useCustomer.js';
import { useResource } from '../../hooks/useResource.js';
import { formatDay, roleLabel } from '../../labels.js';
import { Link } from '../../router.js';
import type { ClassDetail, ClassMember } from '../../types.js';
import { ChangeTimeline } from '../roster/ChangeTimeline.js';
import { AssignedTitles } from './AssignedTitles.js';
import { LmsSyncButton } from './LmsSyncButton.js';
import { LoginCardsDialog } from './LoginCardsDialog.js';

/** One class: its roster data, teachers and students (linking to their pages), and its history. */
export function ClassPage({ customerId, classId }: { customerId: string; classId: string }) {
  const customer = useCustomer(customerId);
  const crumbs = useCustomerCrumbs(customerId, customer, [{ to: `/customers/${customerId}/classes`, label: 'Classes' }]);
  const schools = useSchools(customerId);
  const klass = useResource<ClassDetail>(`/api/customers/${encodeURIComponent(customerId)}/classes/${encodeURIComponent(classId)}`);
  const c = klass.data;
  const [printing, setPrinting] = useState(false);
  useTitle(c?.title ?? 'Class');
  if (!c) {
    return (
      <div className="page">
        <PageHeader crumbs={crumbs} title="Class" />
        {klass.error ? <Banner kind="error">{klass.error}</Banner> : <p className="loading">Loading class…</p>}
      </div>
    );
  }
  const school = schools.find((s) => s.sourcedId === c.schoolSourcedId);
  const columns: Column<ClassMember>[] = [
    {
      header: 'Name',
      cell: (m) => (
        <Link to={`/customers/${customerId}/users/${m.userId}`} className="row-link">
          {`${m.givenName} ${m.familyName}`.trim() || m.login}
        </Link>
      ),
    },
    { header: 'Login', cell: (m) => <code>{m.login}</code>, secondary: true },
    { header: 'Role', cell: (m) => roleLabel(m.role) },
    { header: 'Dates', cell: (m) => (m.beginDate || m.endDate ? `${m.beginDate ? formatDay(m.beginDate) : '…'} – ${m.endDate ? formatDay(m.endDate) : '…'}` : '—'), secondary: true },
  ];
  const people = (title: string, rows: ClassMember[], none: string) => (
    <SectionCard title={`${title} (${rows.length})`}>
      {rows.length ? <DataTable caption={title} columns={columns} rows={rows} rowKey={(m) => `${m.userId}:${m.role}`} /> : <p className="muted">{none}</p>}
    </SectionCard>
  );
  return (
    <div className="page">
      <PageHeader
        crumbs={crumbs}
        title={
          <>
            {c.title} <StatusBadge status={c.status} />
          </>
        }
        subtitle={[c.classCode, school?.name, c.classType].filter(Boolean).join(' · ')}
        actions={
          c.status !== 'deleted' && c.students.length ? (
            <button type="button" className="btn btn-secondary" onClick={() => setPrinting(true)}>
              Print login cards
            </button>
          ) : null
        }
      />
      <LoginCardsDialog customerId={customerId} target={{ classId: c.id }} label={c.title} open={printing} onClose={() => setPrinting(false)} />
      <LmsSyncButton customerId={customerId} classId={c.id} onSynced={klass.reload} />
      <div className="detail-grid">
        <SectionCard title="Roster data">
          <Facts
            items={[
              ['Sourced ID', <code key="s">{c.sourcedId}</code>],
              ['Title', c.title],
              ['Class code', c.classCode],
              ['Type', c.classType],
              ['School', school ? `${school.name} (${c.schoolSourcedId})` : c.schoolSourcedId],
              ['Course', c.courseSourcedId ? <code key="c">{c.courseSourcedId}</code> : ''],
              ['Grades', c.grades.join(', ')],
              ['Terms', c.termSourcedIds.join(', ')],
              ['Periods', c.periods.join(', ')],
              ['Location', c.location],
            ]}
          />
        </SectionCard>
        <div className="stack">
          {people('Teachers', c.teachers, 'No teacher is enrolled.')}
          {c.others.length ? people('Others', c.others, '') : null}
        </div>
      </div>
      {people('Students', c.students, 'No student is enrolled.')}
      {c.status === 'deleted' ? null : <AssignedTitles customerId={customerId} target={{ type: 'class', id: c.id }} />}
      <SectionCard title="Change history">
        <ChangeTimeline entries={c.history} customerId={customerId} noun="class" />
      </SectionCard>
    </div>
  );
}
