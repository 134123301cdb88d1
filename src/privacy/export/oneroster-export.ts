/*
 * The customer's roster as a OneRoster 1.2 CSV bundle (roster/), and the roster records that cannot
 * be in it (outside-roster/), both written from the live tables in the column order of the reader's
 * own spec (rostering/oneroster/spec.ts), so `lectern roster validate` reads what this writes.
 *
 * roster/ is a bulk bundle another system (or another Lectern customer) can import: the active
 * orgs, sessions, courses and classes, every person who is not deleted and has the two names
 * OneRoster requires (console-made people too, named by their Lectern id when the roster never gave
 * them a sourcedId), their roles and their active enrollments. Three stand-ins keep it complete:
 * an org for the customer itself, where people without a school hold their role, and, only when a
 * Sync from LMS made classes with no course or term, one course and one school-year term for them.
 * Passwords are never written. outside-roster/ holds the rest with the same columns, each row's
 * status saying why: `tobedeleted` (deleted in Lectern, kept until the purge; dateLastModified is
 * when) or `active` (a person without a name, and what hangs on them).
 */
import crypto from 'node:crypto';
import { csvQuote } from '../../rostering/runs/issues-csv.js';
import { COMMON_COLUMNS, TABLES, manifestFiles, type EntityFile } from '../../rostering/oneroster/spec.js';
import { addCsvIfAny, type Cell } from './csv-chunks.js';
import type { ExportZip } from './export-zip.js';
import { parseList, parseObject, type ExportRepository, type MetadataTable, type RosterPart } from './export-repository.js';

/** The customer as the bundle names it. */
export interface RosterCustomer {
  id: string;
  code: string;
  name: string;
}

/** The roster folders and the files a bundle may hold, in the order they are written. */
export const ROSTER_DIR = 'roster';
export const OUTSIDE_DIR = 'outside-roster';
export const ROSTER_FILES = ['orgs', 'academicSessions', 'courses', 'classes', 'users', 'roles', 'enrollments'] as const satisfies readonly EntityFile[];
type RosterFile = (typeof ROSTER_FILES)[number];

const SPEC_TABLE = { orgs: 'orgs', academicSessions: 'academicSessions', courses: 'courses', classes: 'classes', users: 'users@1.2', roles: 'roles', enrollments: 'enrollments' } as const;
const METADATA_TABLE: Partial<Record<RosterFile, MetadataTable>> = {
  orgs: 'orgs',
  academicSessions: 'academic_sessions',
  courses: 'courses',
  classes: 'classes',
  users: 'users',
  enrollments: 'enrollments',
};

/** The columns of a roster file: OneRoster's, in spec order (passwords among them, always blank). */
export function rosterColumns(file: RosterFile): string[] {
  return [...COMMON_COLUMNS, ...TABLES[SPEC_TABLE[file]].map((c) => c.name)];
}

/** How Lectern's own roles are said as a 1.2 role (readers have none: they import as readers). */
const ROLE_OF: Record<string, string> = { customer_admin: 'districtAdministrator', institute_admin: 'siteAdministrator', teacher: 'teacher', student: 'student' };

type Values = Record<string, Cell>;

// A bulk file's rows leave status and dateLastModified blank (OneRoster: they are for delta files).
const BULK = { status: null, dateLastModified: null } as const;
type Row<F extends 'users' | 'roles' | 'enrollments'> = ReturnType<ExportRepository[F]> extends AsyncIterableIterator<infer R> ? R : never;

/** Writes roster/ and outside-roster/ into the zip from one read snapshot. */
export class OneRosterExport {
  private readonly customerOrg: string;
  private readonly lmsCourse: string;
  private readonly lmsTerm: string;
  private readonly metadata = new Map<RosterFile, string[]>();
  private activeOrgs = new Set<string>();
  private missing = { course: false, term: false };

  constructor(
    private readonly repo: ExportRepository,
    private readonly zip: ExportZip,
    private readonly customer: RosterCustomer,
    private readonly now: Date,
  ) {
    this.customerOrg = `lectern-customer-${customer.code}`;
    this.lmsCourse = `lectern-lms-course-${customer.code}`;
    this.lmsTerm = `lectern-lms-term-${customer.code}`;
  }

  /** roster/: the bundle, then its manifest (which declares absent every file with no row). */
  async writeBundle(): Promise<void> {
    const id = this.customer.id;
    for (const [file, table] of Object.entries(METADATA_TABLE) as [RosterFile, MetadataTable][]) this.metadata.set(file, await this.repo.metadataKeys(id, table));
    this.activeOrgs = await this.repo.activeOrgIds(id);
    this.activeOrgs.add(this.customerOrg);
    this.missing = await this.repo.classesMissing(id);
    const written = new Set<EntityFile>();
    for (const file of ROSTER_FILES) if (await this.file(file, 'roster')) written.add(file);
    const lines = [
      ['propertyName', 'value'],
      ['manifest.version', '1.0'],
      ['oneroster.version', '1.2'],
      ...manifestFiles('1.2').map((f) => [`file.${f}`, written.has(f as EntityFile) ? 'bulk' : 'absent']),
      ['source.systemName', 'Lectern'],
      ['source.systemCode', this.customer.code],
    ];
    await this.zip.add(`${ROSTER_DIR}/manifest.csv`, [lines.map((l) => l.map(csvQuote).join(',')).join('\r\n') + '\r\n']);
  }

  /** outside-roster/: what Lectern holds of the roster beyond the bundle; a file with no row is left out. */
  async writeOutside(): Promise<void> {
    for (const file of ROSTER_FILES) await this.file(file, 'outside');
  }

  private async file(file: RosterFile, part: RosterPart): Promise<boolean> {
    const keys = this.metadata.get(file) ?? [];
    const columns = metadataColumns(keys);
    const header = [...rosterColumns(file), ...columns.map((c) => c.column)];
    const cells = (values: Values) => header.map((h) => values[h] ?? null);
    const path = `${part === 'roster' ? ROSTER_DIR : OUTSIDE_DIR}/${file}.csv`;
    const id = this.customer.id;
    const add = <R>(rows: AsyncIterator<R>, values: (row: R) => Values) => addCsvIfAny(this.zip, path, { header, rows, cells: (r) => cells(values(r)), quote: csvQuote });
    const meta = (text: string | null) => metadataCells(parseObject(text), columns);
    const lifecycle = (r: { status: string; deleted_at: string | null; updated_at: string }) =>
      part === 'roster' ? BULK : { status: r.status === 'active' ? 'active' : 'tobedeleted', dateLastModified: r.deleted_at ?? r.updated_at };
    let entry;
    switch (file) {
      case 'orgs':
        entry = await add(this.withStandIns(part, this.repo.orgs(id, part), [this.customerOrgRow()]), (o) => ({
          sourcedId: o.sourced_id,
          ...lifecycle(o),
          name: o.name,
          type: o.type,
          identifier: o.identifier,
          parentSourcedId: o.parent_sourced_id,
          ...meta(o.metadata),
        }));
        break;
      case 'academicSessions':
        entry = await add(this.withStandIns(part, this.repo.academicSessions(id, part), this.missing.term ? [this.lmsTermRow()] : []), (s) => ({
          sourcedId: s.sourced_id,
          ...lifecycle(s),
          title: s.title,
          type: s.type,
          startDate: s.start_date,
          endDate: s.end_date,
          parentSourcedId: s.parent_sourced_id,
          schoolYear: s.school_year,
          ...meta(s.metadata),
        }));
        break;
      case 'courses':
        entry = await add(this.withStandIns(part, this.repo.courses(id, part), this.missing.course ? [this.lmsCourseRow()] : []), (c) => ({
          sourcedId: c.sourced_id,
          ...lifecycle(c),
          schoolYearSourcedId: c.school_year_sourced_id,
          title: c.title,
          courseCode: c.course_code,
          grades: joined(c.grades),
          orgSourcedId: c.org_sourced_id,
          subjects: joined(c.subjects),
          ...meta(c.metadata),
        }));
        break;
      case 'classes': {
        const roster = part === 'roster';
        entry = await add(this.repo.classes(id, part), (c) => ({
          sourcedId: c.sourced_id,
          ...lifecycle(c),
          title: c.title,
          grades: joined(c.grades),
          courseSourcedId: c.course_sourced_id || (roster ? this.lmsCourse : ''),
          classCode: c.class_code,
          classType: c.class_type,
          location: c.location,
          schoolSourcedId: c.school_sourced_id || (roster ? this.customerOrg : ''),
          termSourcedIds: parseList(c.term_sourced_ids).join(',') || (roster ? this.lmsTerm : ''),
          subjects: joined(c.subjects),
          periods: joined(c.periods),
          ...meta(c.metadata),
        }));
        break;
      }
      case 'users':
        entry = await add(this.repo.users(id, part), (u) => ({ ...this.userValues(u, part), ...meta(u.metadata) }));
        break;
      case 'roles':
        entry = await add(this.roles(part), (r) => r);
        break;
      case 'enrollments': {
        const roster = part === 'roster';
        entry = await add(this.repo.enrollments(id, part), (e) => ({
          sourcedId: e.sourced_id,
          ...lifecycle(e),
          classSourcedId: e.class_sourced_id,
          schoolSourcedId: e.school_sourced_id || (roster ? this.customerOrg : ''),
          userSourcedId: e.user_sourced_id,
          role: e.role,
          primary: e.is_primary ? 'true' : 'false',
          beginDate: e.begin_date,
          endDate: e.end_date,
          ...meta(e.metadata),
        }));
        break;
      }
    }
    return entry !== null;
  }

  // The bundle's stand-ins go first in their file (outside-roster/ has none).
  private async *withStandIns<R, S>(part: RosterPart, rows: AsyncIterableIterator<R>, standIns: S[]): AsyncGenerator<R | S> {
    if (part === 'roster') yield* standIns;
    yield* rows;
  }

  private userValues(u: Row<'users'>, part: RosterPart): Values {
    const orgs = parseList(u.org_sourced_ids);
    return {
      sourcedId: u.sourced_id ?? u.id,
      ...(part === 'roster' ? BULK : { status: u.status === 'deleted' ? 'tobedeleted' : 'active', dateLastModified: u.deleted_at ?? u.updated_at }),
      // Disabled in the console, or by the roster: the account exists, sign-in is refused.
      enabledUser: u.status === 'disabled' || u.enabled_user === 0 ? 'false' : 'true',
      username: u.username || u.login,
      userIds: parseList(u.user_ids).join(','),
      givenName: u.given_name,
      familyName: u.family_name,
      middleName: u.middle_name,
      identifier: u.identifier,
      email: u.email,
      sms: u.sms,
      phone: u.phone,
      agentSourcedIds: parseList(u.agent_sourced_ids).join(','),
      grades: parseList(u.grades).join(','),
      password: '',
      primaryOrgSourcedId: (part === 'roster' ? orgs.find((o) => this.activeOrgs.has(o)) : orgs[0]) ?? '',
    };
  }

  // The roster's role rows, then (in the bundle) one for each person whose Lectern role has none.
  private async *roles(part: RosterPart): AsyncGenerator<Values> {
    const id = this.customer.id;
    for await (const r of this.repo.roles(id, part)) {
      // 1.1 has one `administrator`; 1.2 says at which level.
      const role = r.role === 'administrator' ? (r.org_type === 'district' ? 'districtAdministrator' : 'siteAdministrator') : r.role;
      const deleted = r.user_status === 'deleted' || r.org_status !== 'active';
      yield {
        ...roleValues(r.user_sourced_id, r.org_sourced_id, role, r.role_type, r.begin_date, r.end_date),
        ...(part === 'roster' ? BULK : { status: deleted ? 'tobedeleted' : 'active', dateLastModified: deleted ? (r.user_deleted_at ?? r.org_deleted_at) : null }),
      };
    }
    if (part !== 'roster') return;
    for await (const u of this.repo.peopleWithoutRoles(id)) {
      const schools = parseList(u.org_sourced_ids).filter((o) => this.activeOrgs.has(o));
      const orgs = schools.length ? schools : [this.customerOrg];
      for (const [i, org] of orgs.entries()) yield roleValues(u.sourced_id ?? u.id, org, ROLE_OF[u.role] ?? 'aide', i === 0 ? 'primary' : 'secondary', null, null);
    }
  }

  private customerOrgRow() {
    return {
      sourced_id: this.customerOrg,
      name: this.customer.name,
      type: 'district',
      identifier: this.customer.code,
      parent_sourced_id: null,
      metadata: '{}',
      status: 'active',
      deleted_at: null,
      updated_at: '',
    };
  }

  private lmsTermRow() {
    // The school year of the export (July to June), named by the year it ends, as OneRoster does.
    const year = this.now.getUTCMonth() >= 6 ? this.now.getUTCFullYear() + 1 : this.now.getUTCFullYear();
    return {
      sourced_id: this.lmsTerm,
      title: `Classes from an LMS (no term of their own), ${year - 1}-${year}`,
      type: 'schoolYear',
      start_date: `${year - 1}-07-01`,
      end_date: `${year}-06-30`,
      parent_sourced_id: null,
      school_year: String(year),
      metadata: '{}',
      status: 'active',
      deleted_at: null,
      updated_at: '',
    };
  }

  private lmsCourseRow() {
    return {
      sourced_id: this.lmsCourse,
      school_year_sourced_id: this.missing.term ? this.lmsTerm : null,
      title: 'Classes from an LMS (no course of their own)',
      course_code: '',
      grades: '[]',
      org_sourced_id: this.customerOrg,
      subjects: '[]',
      metadata: '{}',
      status: 'active',
      deleted_at: null,
      updated_at: '',
    };
  }
}

// A role row; its sourcedId is made from what identifies it (roles.csv needs one; Lectern keeps none).
function roleValues(user: string, org: string, role: string, roleType: string, begin: string | null, end: string | null): Values {
  const sourcedId = `role-${crypto.createHash('sha256').update(`${user}\u0000${org}\u0000${role}`).digest('hex').slice(0, 24)}`;
  return { sourcedId, userSourcedId: user, roleType, role, beginDate: begin, endDate: end, orgSourcedId: org };
}

function joined(list: string | null): string {
  return parseList(list).join(',');
}

// One extension column per metadata key: a roster's `metadata.x` keeps its name, Lectern's own keys
// (an LMS's `lti`) get the prefix; two keys that would share a column share it.
function metadataColumns(keys: readonly string[]): { column: string; keys: string[] }[] {
  const byColumn = new Map<string, string[]>();
  for (const key of keys) {
    const column = key.startsWith('metadata.') ? key : `metadata.${key}`;
    byColumn.set(column, [...(byColumn.get(column) ?? []), key]);
  }
  return [...byColumn].map(([column, keys]) => ({ column, keys }));
}

function metadataCells(metadata: Record<string, unknown>, columns: { column: string; keys: string[] }[]): Values {
  const values: Values = {};
  for (const { column, keys } of columns) {
    const value = keys.map((k) => metadata[k]).find((v) => v !== undefined && v !== null);
    if (value !== undefined) values[column] = typeof value === 'string' ? value : JSON.stringify(value);
  }
  return values;
}
