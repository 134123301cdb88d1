import { useState } from 'react';
import { useTranslation } from 'react-i18next';
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
  const { t } = useTranslation('users');
  const customer = useCustomer(customerId);
  const crumbs = useCustomerCrumbs(customerId, customer, [{ to: `/customers/${customerId}/classes`, label: t('classesTitle') }]);
  const schools = useSchools(customerId);
  const klass = useResource<ClassDetail>(`/api/customers/${encodeURIComponent(customerId)}/classes/${encodeURIComponent(classId)}`);
  const c = klass.data;
  const [printing, setPrinting] = useState(false);
  useTitle(c?.title ?? t('class'));
  if (!c) {
    return (
      <div className="page">
        <PageHeader crumbs={crumbs} title={t('class')} />
        {klass.error ? <Banner kind="error">{klass.error}</Banner> : <p className="loading">{t('loadingClass')}</p>}
      </div>
    );
  }
  const school = schools.find((s) => s.sourcedId === c.schoolSourcedId);
  const columns: Column<ClassMember>[] = [
    {
      header: t('name'),
      cell: (m) => (
        <Link to={`/customers/${customerId}/users/${m.userId}`} className="row-link">
          {`${m.givenName} ${m.familyName}`.trim() || m.login}
        </Link>
      ),
    },
    { header: t('login'), cell: (m) => <code>{m.login}</code>, secondary: true },
    { header: t('role'), cell: (m) => roleLabel(m.role) },
    { header: t('dates'), cell: (m) => (m.beginDate || m.endDate ? `${m.beginDate ? formatDay(m.beginDate) : '…'} – ${m.endDate ? formatDay(m.endDate) : '…'}` : '—'), secondary: true },
  ];
  const people = (title: string, rows: ClassMember[], none: string) => (
    <SectionCard title={t('countTitle', { title, count: rows.length })}>
      {rows.length ? <DataTable caption={title} columns={columns} rows={rows} rowKey={(m) => `${m.userId}:${m.role}`} /> : <p className="muted">{none}</p>}
    </SectionCard>
  );
  return (
    <div className="page">
      <PageHeader
        crumbs={crumbs}
        title={
          <>
            {c.title} <StatusBadge status={c.status} label={t(`classStatus.${c.status}`)} />
          </>
        }
        subtitle={[c.classCode, school?.name, c.classType].filter(Boolean).join(' · ')}
        actions={
          c.status !== 'deleted' && c.students.length ? (
            <button type="button" className="btn btn-secondary" onClick={() => setPrinting(true)}>
              {t('printCards')}
            </button>
          ) : null
        }
      />
      <LoginCardsDialog customerId={customerId} target={{ classId: c.id }} label={c.title} open={printing} onClose={() => setPrinting(false)} />
      <LmsSyncButton customerId={customerId} classId={c.id} onSynced={klass.reload} />
      <div className="detail-grid">
        <SectionCard title={t('rosterData')}>
          <Facts
            items={[
              [t('sourcedId'), <code key="s">{c.sourcedId}</code>],
              [t('colTitle'), c.title],
              [t('classCode'), c.classCode],
              [t('type'), c.classType],
              [t('school'), school ? t('schoolWithId', { name: school.name, id: c.schoolSourcedId }) : c.schoolSourcedId],
              [t('course'), c.courseSourcedId ? <code key="c">{c.courseSourcedId}</code> : ''],
              [t('grades'), c.grades.join(', ')],
              [t('terms'), c.termSourcedIds.join(', ')],
              [t('periods'), c.periods.join(', ')],
              [t('location'), c.location],
            ]}
          />
        </SectionCard>
        <div className="stack">
          {people(t('teachers'), c.teachers, t('noTeacher'))}
          {c.others.length ? people(t('others'), c.others, '') : null}
        </div>
      </div>
      {people(t('students'), c.students, t('noStudent'))}
      {c.status === 'deleted' ? null : <AssignedTitles customerId={customerId} target={{ type: 'class', id: c.id }} />}
      <SectionCard title={t('history')}>
        <ChangeTimeline entries={c.history} customerId={customerId} noun="class" />
      </SectionCard>
    </div>
  );
}
