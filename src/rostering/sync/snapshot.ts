/*
 * The normalised roster every source produces (ZIP and SFTP through the CSV reader, the REST pull
 * through its JSON mapper): one engine then stages, matches, plans and applies it.
 */

/** The entity types a sync reconciles, in dependency order. */
export const ENTITY_TYPES = ['orgs', 'academicSessions', 'courses', 'classes', 'users', 'enrollments'] as const;
export type EntityType = (typeof ENTITY_TYPES)[number];

/** How a source delivered one entity type: a full snapshot, changes only, or nothing. */
export type FileMode = 'bulk' | 'delta' | 'absent';

/** What every incoming row carries besides its fields. */
export interface RowBase {
  sourcedId: string;
  /** Physical line in its file (1 = header), or the record's position in a REST collection. */
  line: number;
  /** `error` rows are present (never deleted for being absent) but not applied. */
  status: 'active' | 'tobedeleted' | 'error';
  metadata: Record<string, string>;
}

export interface OrgRow extends RowBase {
  name: string;
  type: string;
  identifier: string;
  parentSourcedId: string | null;
}

export interface AcademicSessionRow extends RowBase {
  title: string;
  type: string;
  startDate: string;
  endDate: string;
  parentSourcedId: string | null;
  schoolYear: string;
}

export interface CourseRow extends RowBase {
  title: string;
  courseCode: string;
  grades: string[];
  orgSourcedId: string;
  schoolYearSourcedId: string | null;
  subjects: string[];
}

export interface ClassRow extends RowBase {
  title: string;
  classCode: string;
  classType: string;
  schoolSourcedId: string;
  courseSourcedId: string;
  grades: string[];
  location: string;
  termSourcedIds: string[];
  subjects: string[];
  periods: string[];
}

/** A user's role at one org (1.1: the users.csv role at each of its orgs; 1.2: roles.csv). */
export interface UserRoleRow {
  orgSourcedId: string;
  role: string;
  roleType: 'primary' | 'secondary';
  beginDate: string | null;
  endDate: string | null;
}

export interface UserRow extends RowBase {
  username: string;
  identifier: string;
  email: string;
  givenName: string;
  familyName: string;
  middleName: string;
  /** The primary role (1.1 `role`; 1.2: the primary role of the user's roles). */
  role: string;
  enabledUser: boolean;
  grades: string[];
  userIds: string[];
  agentSourcedIds: string[];
  orgSourcedIds: string[];
  phone: string;
  sms: string;
  /** Reader password from the roster, in clear only until the engine digests it; never stored. */
  password: string | null;
  roles: UserRoleRow[];
}

/** The user fields a source without them leaves empty (an error row, an LMS member), fresh each call. */
export function blankUserFields(): Pick<UserRow, 'middleName' | 'grades' | 'userIds' | 'agentSourcedIds' | 'orgSourcedIds' | 'phone' | 'sms' | 'password' | 'roles'> {
  return { middleName: '', grades: [], userIds: [], agentSourcedIds: [], orgSourcedIds: [], phone: '', sms: '', password: null, roles: [] };
}

export interface EnrollmentRow extends RowBase {
  classSourcedId: string;
  userSourcedId: string;
  schoolSourcedId: string;
  role: string;
  primary: boolean;
  beginDate: string | null;
  endDate: string | null;
}

/** A 1.2 roles.csv row: a user's role at an org, delivered apart from the user. */
export interface RoleRow extends UserRoleRow {
  sourcedId: string;
  line: number;
  userSourcedId: string;
}

/** The row type of each entity type. */
export interface RowOf {
  orgs: OrgRow;
  academicSessions: AcademicSessionRow;
  courses: CourseRow;
  classes: ClassRow;
  users: UserRow;
  enrollments: EnrollmentRow;
}
