/*
 * The OneRoster CSV binding as data: which files a bundle may hold, their columns in spec order and
 * the vocabularies of their enumerations (reference: shared/reference/oneroster.md §1). Everything
 * else in this folder is driven by these tables, so a spec change is a change here only.
 */

/** The OneRoster versions a bundle may declare (a 1.2.1 bundle still says `1.2`). */
export const VERSIONS = ['1.1', '1.2'] as const;
export type Version = (typeof VERSIONS)[number];

/** How the manifest says a file is delivered. */
export const FILE_MODES = ['bulk', 'delta', 'absent'] as const;
export type FileMode = (typeof FILE_MODES)[number];

/** The roster files Lectern reads, in the order they are read: every reference points backwards. */
export const ENTITY_FILES = ['orgs', 'academicSessions', 'courses', 'classes', 'users', 'userProfiles', 'roles', 'enrollments', 'demographics'] as const;
export type EntityFile = (typeof ENTITY_FILES)[number];

/** Roster files that exist only from OneRoster 1.2 on. */
export const FILES_SINCE_1_2: ReadonlySet<string> = new Set<EntityFile>(['roles', 'userProfiles']);

/** Gradebook and resources files: recognised (so they are not "unknown") but not read. */
export const IGNORED_FILES = {
  '1.1': ['categories', 'classResources', 'courseResources', 'lineItems', 'resources', 'results'],
  '1.2': [
    'categories',
    'classResources',
    'courseResources',
    'lineItems',
    'resources',
    'results',
    'userResources',
    'scoreScales',
    'lineItemScoreScales',
    'resultScoreScales',
    'lineItemLearningObjectiveIds',
    'resultLearningObjectiveIds',
  ],
} as const satisfies Record<Version, readonly string[]>;

/** The `file.*` keys a manifest of each version declares (entity files plus ignored ones). */
export function manifestFiles(version: Version): string[] {
  const entities = ENTITY_FILES.filter((f) => version === '1.2' || !FILES_SINCE_1_2.has(f));
  return [...entities, ...IGNORED_FILES[version]];
}

export const STATUSES = ['active', 'tobedeleted'] as const;
export type Status = (typeof STATUSES)[number];

export const ORG_TYPES = ['department', 'school', 'district', 'local', 'state', 'national'] as const;
export const SESSION_TYPES = ['gradingPeriod', 'semester', 'schoolYear', 'term'] as const;
export const CLASS_TYPES = ['homeroom', 'scheduled'] as const;
export const ENROLLMENT_ROLES = ['administrator', 'proctor', 'student', 'teacher'] as const;
export const USER_ROLES_1_1 = ['administrator', 'aide', 'guardian', 'parent', 'proctor', 'relative', 'student', 'teacher'] as const;
export const ROLES_1_2 = [
  'aide',
  'counselor',
  'districtAdministrator',
  'guardian',
  'parent',
  'principal',
  'proctor',
  'relative',
  'siteAdministrator',
  'student',
  'systemAdministrator',
  'teacher',
] as const;
export const ROLE_TYPES = ['primary', 'secondary'] as const;
export const SEX_1_1 = ['male', 'female'] as const;
export const SEX_1_2 = ['male', 'female', 'unspecified', 'other'] as const;

/** CEDS "Entry Grade Level" codes, the conventional grade vocabulary of both versions. */
export const GRADES: ReadonlySet<string> = new Set(['IT', 'PR', 'PK', 'TK', 'KG', '01', '02', '03', '04', '05', '06', '07', '08', '09', '10', '11', '12', '13', 'PS', 'UG', 'Other']);

/**
 * How a cell is read. `refs`, `texts` and `grades` are comma-separated lists inside one cell;
 * `userIds` is a list of `{type:id}` items.
 */
export type ColumnType = 'text' | 'texts' | 'ref' | 'refs' | 'enum' | 'boolean' | 'date' | 'year' | 'grades' | 'userIds';

/** One spec column after the three every file starts with (sourcedId, status, dateLastModified). */
export interface ColumnSpec {
  readonly name: string;
  readonly type: ColumnType;
  readonly required: boolean;
  /** Enumerations: the permitted tokens. */
  readonly values?: readonly string[];
  /** Enumerations: whether 1.2's `ext:` extension tokens are accepted (only in a 1.2 bundle). */
  readonly ext?: boolean;
  /** References: the file whose sourcedIds this column holds. */
  readonly target?: EntityFile;
  /** References: the org or session type the target should have (checked as a warning). */
  readonly targetType?: 'school' | 'schoolYear';
}

const text = <N extends string>(name: N, required = false) => ({ name, type: 'text', required }) as const;
const texts = <N extends string>(name: N) => ({ name, type: 'texts', required: false }) as const;
const grades = <N extends string>(name: N) => ({ name, type: 'grades', required: false }) as const;
const date = <N extends string, R extends boolean = false>(name: N, required?: R) => ({ name, type: 'date', required: (required ?? false) as R }) as const;
const bool = <N extends string, R extends boolean = false>(name: N, required?: R) => ({ name, type: 'boolean', required: (required ?? false) as R }) as const;
const oneOf = <N extends string, V extends readonly string[], R extends boolean>(name: N, values: V, required: R, ext = false) => ({ name, type: 'enum', values, required, ext }) as const;
const ref = <N extends string, T extends EntityFile, R extends boolean>(name: N, target: T, required: R, targetType?: 'school' | 'schoolYear') =>
  ({ name, type: 'ref', target, required, ...(targetType ? { targetType } : {}) }) as const;
const refs = <N extends string, T extends EntityFile, R extends boolean>(name: N, target: T, required: R) => ({ name, type: 'refs', target, required }) as const;

const ORG_COLUMNS = [text('name', true), oneOf('type', ORG_TYPES, true, true), text('identifier'), ref('parentSourcedId', 'orgs', false)] as const;

const SESSION_COLUMNS = [
  text('title', true),
  oneOf('type', SESSION_TYPES, true, true),
  date('startDate', true),
  date('endDate', true),
  ref('parentSourcedId', 'academicSessions', false),
  { name: 'schoolYear', type: 'year', required: true },
] as const;

const COURSE_COLUMNS = [
  ref('schoolYearSourcedId', 'academicSessions', false, 'schoolYear'),
  text('title', true),
  text('courseCode'),
  grades('grades'),
  ref('orgSourcedId', 'orgs', true),
  texts('subjects'),
  texts('subjectCodes'),
] as const;

const CLASS_COLUMNS = [
  text('title', true),
  grades('grades'),
  ref('courseSourcedId', 'courses', true),
  text('classCode'),
  oneOf('classType', CLASS_TYPES, true, true),
  text('location'),
  ref('schoolSourcedId', 'orgs', true, 'school'),
  refs('termSourcedIds', 'academicSessions', true),
  texts('subjects'),
  texts('subjectCodes'),
  texts('periods'),
] as const;

const USER_COLUMNS_1_1 = [
  bool('enabledUser', true),
  refs('orgSourcedIds', 'orgs', true),
  oneOf('role', USER_ROLES_1_1, true),
  text('username', true),
  { name: 'userIds', type: 'userIds', required: false },
  text('givenName', true),
  text('familyName', true),
  text('middleName'),
  text('identifier'),
  text('email'),
  text('sms'),
  text('phone'),
  refs('agentSourcedIds', 'users', false),
  grades('grades'),
  text('password'),
] as const;

// 1.2.1 columns; the original 1.2 had `resourceSourcedIds` between grades and password.
const USER_COLUMNS_1_2 = [
  bool('enabledUser', true),
  text('username', true),
  { name: 'userIds', type: 'userIds', required: false },
  text('givenName', true),
  text('familyName', true),
  text('middleName'),
  text('identifier'),
  text('email'),
  text('sms'),
  text('phone'),
  refs('agentSourcedIds', 'users', false),
  grades('grades'),
  text('password'),
  text('userMasterIdentifier'),
  text('preferredGivenName'),
  text('preferredMiddleName'),
  text('preferredFamilyName'),
  ref('primaryOrgSourcedId', 'orgs', false),
  text('pronouns'),
] as const;

const USER_PROFILE_COLUMNS = [
  ref('userSourcedId', 'users', true),
  text('profileType', true),
  text('vendorId', true),
  text('applicationId'),
  text('description'),
  text('credentialType', true),
  text('username', true),
  text('password'),
] as const;

const ROLE_COLUMNS = [
  ref('userSourcedId', 'users', true),
  oneOf('roleType', ROLE_TYPES, true),
  oneOf('role', ROLES_1_2, true, true),
  date('beginDate'),
  date('endDate'),
  ref('orgSourcedId', 'orgs', true),
  ref('userProfileSourcedId', 'userProfiles', false),
] as const;

const ENROLLMENT_COLUMNS = [
  ref('classSourcedId', 'classes', true),
  ref('schoolSourcedId', 'orgs', true, 'school'),
  ref('userSourcedId', 'users', true),
  oneOf('role', ENROLLMENT_ROLES, true, true),
  bool('primary'),
  date('beginDate'),
  date('endDate'),
] as const;

const demographicColumns = <S extends readonly string[]>(sex: S) =>
  [
    date('birthDate'),
    oneOf('sex', sex, false),
    bool('americanIndianOrAlaskaNative'),
    bool('asian'),
    bool('blackOrAfricanAmerican'),
    bool('nativeHawaiianOrOtherPacificIslander'),
    bool('white'),
    bool('demographicRaceTwoOrMoreRaces'),
    bool('hispanicOrLatinoEthnicity'),
    text('countryOfBirthCode'),
    text('stateOfBirthAbbreviation'),
    text('cityOfBirth'),
    text('publicSchoolResidenceStatus'),
  ] as const;

/** The columns of every roster file, per version (`users@1.2.0` is 1.2 before the 1.2.1 fix). */
export const TABLES = {
  orgs: ORG_COLUMNS,
  academicSessions: SESSION_COLUMNS,
  courses: COURSE_COLUMNS,
  classes: CLASS_COLUMNS,
  'users@1.1': USER_COLUMNS_1_1,
  'users@1.2': USER_COLUMNS_1_2,
  'users@1.2.0': [...USER_COLUMNS_1_2.slice(0, 12), texts('resourceSourcedIds'), ...USER_COLUMNS_1_2.slice(12)],
  userProfiles: USER_PROFILE_COLUMNS,
  roles: ROLE_COLUMNS,
  enrollments: ENROLLMENT_COLUMNS,
  'demographics@1.1': demographicColumns(SEX_1_1),
  'demographics@1.2': demographicColumns(SEX_1_2),
} as const satisfies Record<string, readonly ColumnSpec[]>;
export type TableName = keyof typeof TABLES;

/** The three columns every file starts with. */
export const COMMON_COLUMNS = ['sourcedId', 'status', 'dateLastModified'] as const;

/**
 * The table a file is read with. `users.csv` of 1.2 comes in two shapes (with and without the
 * `resourceSourcedIds` column 1.2.1 removed); the header tells which.
 */
export function tableFor(file: EntityFile, version: Version, header: readonly string[]): TableName {
  if (file === 'users') {
    if (version === '1.1') return 'users@1.1';
    return header.includes('resourceSourcedIds') ? 'users@1.2.0' : 'users@1.2';
  }
  if (file === 'demographics') return version === '1.1' ? 'demographics@1.1' : 'demographics@1.2';
  return file;
}
