import type { AnyRow } from '../../src/rostering/sync/engine.js';
import type { ClassRow, EnrollmentRow, OrgRow, UserRow } from '../../src/rostering/sync/snapshot.js';

let line = 1;
const base = (sourcedId: string) => ({ sourcedId, line: ++line, status: 'active' as const, metadata: {} });

/** A school org row. */
export function orgRow(sourcedId: string, o: Partial<OrgRow> = {}): AnyRow {
  return { entity: 'orgs', row: { ...base(sourcedId), name: `School ${sourcedId}`, type: 'school', identifier: '', parentSourcedId: null, ...o } };
}

/** A student (by default) user row at school `org-1`. */
export function userRow(sourcedId: string, o: Partial<UserRow> = {}): AnyRow {
  return {
    entity: 'users',
    row: {
      ...base(sourcedId),
      username: `user.${sourcedId}`,
      identifier: `ID-${sourcedId}`,
      email: `${sourcedId}@school.example`,
      givenName: 'Given',
      familyName: `Family ${sourcedId}`,
      middleName: '',
      role: 'student',
      enabledUser: true,
      grades: ['05'],
      userIds: [],
      agentSourcedIds: [],
      orgSourcedIds: ['org-1'],
      phone: '',
      sms: '',
      password: null,
      roles: [{ orgSourcedId: 'org-1', role: o.role ?? 'student', roleType: 'primary', beginDate: null, endDate: null }],
      ...o,
    },
  };
}

/** A scheduled class row at school `org-1`. */
export function classRow(sourcedId: string, o: Partial<ClassRow> = {}): AnyRow {
  return {
    entity: 'classes',
    row: {
      ...base(sourcedId),
      title: `Class ${sourcedId}`,
      classCode: sourcedId.toUpperCase(),
      classType: 'scheduled',
      schoolSourcedId: 'org-1',
      courseSourcedId: 'course-1',
      grades: ['05'],
      location: '',
      termSourcedIds: ['term-1'],
      subjects: [],
      periods: [],
      ...o,
    },
  };
}

/** A student enrollment row. */
export function enrollmentRow(sourcedId: string, classSourcedId: string, userSourcedId: string, o: Partial<EnrollmentRow> = {}): AnyRow {
  return {
    entity: 'enrollments',
    row: { ...base(sourcedId), classSourcedId, userSourcedId, schoolSourcedId: 'org-1', role: 'student', primary: false, beginDate: null, endDate: null, ...o },
  };
}
