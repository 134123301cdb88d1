import { sql, type Kysely, type RawBuilder, type SqlBool } from 'kysely';
import type { Database } from '../../db/schema.js';

/** Which part of a roster table: what goes into the OneRoster bundle, or everything else Lectern holds. */
export type RosterPart = 'roster' | 'outside';

/** The roster tables whose records carry a status of their own. */
export type StatusTable = 'orgs' | 'academic_sessions' | 'courses' | 'classes';

/** The tables whose records keep `metadata.*` extension columns. */
export type MetadataTable = StatusTable | 'users' | 'enrollments';

/** The Lectern roles a roster file can hold as a role at an org (others are readers: no role row). */
export const ROLE_BEARING = ['customer_admin', 'institute_admin', 'teacher', 'student'] as const;

// Rows fetched per round trip of a PostgreSQL cursor (SQLite iterates a row at a time).
const CURSOR_ROWS = 1000;

/*
 * A person OneRoster can hold: not deleted, and with the given and family name its users.csv
 * requires (an LMS may send neither). Written over a nullable join, so the negation is exact.
 */
const personInBundle = (u: string): RawBuilder<SqlBool> =>
  sql<SqlBool>`(coalesce(${sql.ref(`${u}.status`)}, 'deleted') <> 'deleted' and coalesce(${sql.ref(`${u}.given_name`)}, '') <> '' and coalesce(${sql.ref(`${u}.family_name`)}, '') <> '')`;

const inPart = (part: RosterPart, live: RawBuilder<SqlBool>): RawBuilder<SqlBool> => (part === 'roster' ? live : sql<SqlBool>`not (${live})`);

// The roster's orgs, sessions, courses and classes are the active ones; the others are deleted.
const activeIn = (part: RosterPart, table: StatusTable): RawBuilder<SqlBool> => inPart(part, sql<SqlBool>`${sql.ref(`${table}.status`)} = 'active'`);

const USER_COLUMNS = [
  'id',
  'sourced_id',
  'status',
  'role',
  'source',
  'login',
  'username',
  'email',
  'given_name',
  'family_name',
  'middle_name',
  'identifier',
  'phone',
  'sms',
  'enabled_user',
  'grades',
  'user_ids',
  'agent_sourced_ids',
  'org_sourced_ids',
  'metadata',
  'created_at',
  'updated_at',
  'deleted_at',
] as const;

/**
 * Everything of one customer that the export writes, each kind streamed from a database cursor
 * (pg-cursor; a SQLite statement iterator) so memory does not grow with the customer. Every method
 * filters by the customer id; people are named by their Lectern id and by the sourcedId the
 * export's users.csv gives them (`coalesce(sourced_id, id)`). Run inside one read snapshot
 * (snapshot.ts), one stream at a time: a stream holds the snapshot's one connection until it ends.
 */
export class ExportRepository {
  constructor(private readonly db: Kysely<Database>) {}

  /** The `metadata` keys the records of `table` carry (a roster's extension columns), in first-seen order. */
  async metadataKeys(customerId: string, table: MetadataTable): Promise<string[]> {
    const keys = new Set<string>();
    const rows = this.db.selectFrom(table).select('metadata').where('customer_id', '=', customerId).where('metadata', '<>', '{}').where('metadata', '<>', '').stream(CURSOR_ROWS);
    for await (const { metadata } of rows) for (const key of Object.keys(parseObject(metadata))) keys.add(key);
    return [...keys];
  }

  /** The sourcedIds of the customer's active orgs (a roster has a few hundred). */
  async activeOrgIds(customerId: string): Promise<Set<string>> {
    const rows = await this.db.selectFrom('orgs').select('sourced_id').where('customer_id', '=', customerId).where('status', '=', 'active').execute();
    return new Set(rows.map((r) => r.sourced_id));
  }

  /** Whether active classes lack a course or a term (classes a Sync from LMS made): the bundle needs a stand-in for each. */
  async classesMissing(customerId: string): Promise<{ course: boolean; term: boolean }> {
    const base = this.db.selectFrom('classes').select('id').where('customer_id', '=', customerId).where('status', '=', 'active');
    const [course, term] = await Promise.all([
      base
        .where((eb) => eb.or([eb('course_sourced_id', 'is', null), eb('course_sourced_id', '=', '')]))
        .limit(1)
        .executeTakeFirst(),
      base
        .where((eb) => eb.or([eb('term_sourced_ids', 'is', null), eb('term_sourced_ids', '=', '[]'), eb('term_sourced_ids', '=', '')]))
        .limit(1)
        .executeTakeFirst(),
    ]);
    return { course: course !== undefined, term: term !== undefined };
  }

  /** Orgs of the part (the roster: the active ones), by sourcedId. */
  orgs(customerId: string, part: RosterPart) {
    return this.db.selectFrom('orgs').selectAll().where('customer_id', '=', customerId).where(activeIn(part, 'orgs')).orderBy('sourced_id').stream(CURSOR_ROWS);
  }

  /** Academic sessions of the part, by sourcedId. */
  academicSessions(customerId: string, part: RosterPart) {
    return this.db.selectFrom('academic_sessions').selectAll().where('customer_id', '=', customerId).where(activeIn(part, 'academic_sessions')).orderBy('sourced_id').stream(CURSOR_ROWS);
  }

  /** Courses of the part, by sourcedId. */
  courses(customerId: string, part: RosterPart) {
    return this.db.selectFrom('courses').selectAll().where('customer_id', '=', customerId).where(activeIn(part, 'courses')).orderBy('sourced_id').stream(CURSOR_ROWS);
  }

  /** Classes of the part, by sourcedId. */
  classes(customerId: string, part: RosterPart) {
    return this.db.selectFrom('classes').selectAll().where('customer_id', '=', customerId).where(activeIn(part, 'classes')).orderBy('sourced_id').stream(CURSOR_ROWS);
  }

  /** The people of the part (the roster: those not deleted and with both names), by sourcedId. */
  users(customerId: string, part: RosterPart) {
    return this.db
      .selectFrom('users as u')
      .select(USER_COLUMNS.map((c) => `u.${c}` as const))
      .where('u.customer_id', '=', customerId)
      .where(inPart(part, personInBundle('u')))
      .orderBy('u.sourced_id')
      .orderBy('u.id')
      .stream(CURSOR_ROWS);
  }

  /**
   * Roles at orgs of the part: the roster's are those of its people at active orgs, each with the
   * org's type (a 1.1 `administrator` becomes a district or site administrator in 1.2).
   */
  roles(customerId: string, part: RosterPart) {
    const live = sql<SqlBool>`(${personInBundle('u')} and coalesce(o.status, 'deleted') = 'active')`;
    return this.db
      .selectFrom('user_roles as r')
      .leftJoin('users as u', (j) => j.onRef('u.customer_id', '=', 'r.customer_id').onRef('u.sourced_id', '=', 'r.user_sourced_id'))
      .leftJoin('orgs as o', (j) => j.onRef('o.customer_id', '=', 'r.customer_id').onRef('o.sourced_id', '=', 'r.org_sourced_id'))
      .select([
        'r.user_sourced_id',
        'r.org_sourced_id',
        'r.role',
        'r.role_type',
        'r.begin_date',
        'r.end_date',
        'o.type as org_type',
        'u.status as user_status',
        'u.deleted_at as user_deleted_at',
        'o.status as org_status',
        'o.deleted_at as org_deleted_at',
      ])
      .where('r.customer_id', '=', customerId)
      .where(inPart(part, live))
      .orderBy('r.user_sourced_id')
      .orderBy('r.org_sourced_id')
      .orderBy('r.role')
      .stream(CURSOR_ROWS);
  }

  /**
   * The bundle's people with a role Lectern gave them (console-made people, the customer admin,
   * LMS members) but no role row at an active org: OneRoster 1.2 says a role only in roles.csv.
   */
  peopleWithoutRoles(customerId: string) {
    return this.db
      .selectFrom('users as u')
      .select(['u.id', 'u.sourced_id', 'u.role', 'u.org_sourced_ids'])
      .where('u.customer_id', '=', customerId)
      .where(personInBundle('u'))
      .where('u.role', 'in', ROLE_BEARING)
      .where(({ not, exists, selectFrom }) =>
        not(
          exists(
            selectFrom('user_roles as r')
              .innerJoin('orgs as o', (j) => j.onRef('o.customer_id', '=', 'r.customer_id').onRef('o.sourced_id', '=', 'r.org_sourced_id'))
              .select('r.role')
              .whereRef('r.customer_id', '=', 'u.customer_id')
              .whereRef('r.user_sourced_id', '=', 'u.sourced_id')
              .where('o.status', '=', 'active'),
          ),
        ),
      )
      .orderBy('u.sourced_id')
      .orderBy('u.id')
      .stream(CURSOR_ROWS);
  }

  /** Enrollments of the part: the roster's are the active ones of its people. */
  enrollments(customerId: string, part: RosterPart) {
    const live = sql<SqlBool>`(e.status = 'active' and ${personInBundle('u')})`;
    return this.db
      .selectFrom('enrollments as e')
      .leftJoin('users as u', (j) => j.onRef('u.customer_id', '=', 'e.customer_id').onRef('u.sourced_id', '=', 'e.user_sourced_id'))
      .selectAll('e')
      .where('e.customer_id', '=', customerId)
      .where(inPart(part, live))
      .orderBy('e.sourced_id')
      .stream(CURSOR_ROWS);
  }

  /** Every account of the customer, whatever its status (people.csv), with where its password came from. */
  accounts(customerId: string) {
    return this.db
      .selectFrom('users')
      .select([...USER_COLUMNS, 'must_change_password', 'match_rule', 'password_hash', 'password_digest', 'password_set_here_at'])
      .where('customer_id', '=', customerId)
      .orderBy('created_at')
      .orderBy('id')
      .stream(CURSOR_ROWS);
  }

  /** The addresses each person last signed in from (kept for the sign-in throttle). */
  signInAddresses(customerId: string) {
    return this.db
      .selectFrom('login_addresses as a')
      .innerJoin('users as u', 'u.id', 'a.user_id')
      .select(['a.user_id', 'u.sourced_id', 'a.ip', 'a.last_success_at'])
      .where('u.customer_id', '=', customerId)
      .orderBy('a.user_id')
      .orderBy('a.ip')
      .stream(CURSOR_ROWS);
  }

  /** Readers' own reading settings. */
  readerSettings(customerId: string) {
    return this.db
      .selectFrom('reader_settings as s')
      .innerJoin('users as u', (j) => j.onRef('u.id', '=', 's.user_id').onRef('u.customer_id', '=', 's.customer_id'))
      .select(['s.user_id', 'u.sourced_id', 's.font', 's.font_size', 's.line_spacing', 's.theme', 's.language', 's.updated_at'])
      .where('s.customer_id', '=', customerId)
      .orderBy('s.user_id')
      .stream(CURSOR_ROWS);
  }

  /** The titles the customer uploaded (deleted ones too, until the purge removes them and their files). */
  titles(customerId: string) {
    return this.db
      .selectFrom('books')
      .select(['id', 'title', 'author', 'format', 'file_key', 'size_bytes', 'sha256', 'created_by', 'created_at', 'updated_at', 'deleted_at'])
      .where('customer_id', '=', customerId)
      .orderBy('created_at')
      .orderBy('id')
      .stream(CURSOR_ROWS);
  }

  /** The customer's collections, one row per title in each (in the collection's order; a row with no title for an empty one). */
  collectionTitles(customerId: string) {
    return this.db
      .selectFrom('collections as c')
      .leftJoin('collection_books as cb', 'cb.collection_id', 'c.id')
      .select(['c.id', 'c.name', 'c.description', 'c.created_at', 'c.updated_at', 'cb.book_id', 'cb.position'])
      .where('c.customer_id', '=', customerId)
      .orderBy('c.name')
      .orderBy('c.id')
      .orderBy('cb.position')
      .stream(CURSOR_ROWS);
  }

  /** Who was given which title: people and classes, each with the id the export's roster gives them. */
  assignments(customerId: string) {
    return this.db
      .selectFrom('assignments as a')
      .innerJoin('books as b', (j) => j.onRef('b.id', '=', 'a.book_id').onRef('b.customer_id', '=', 'a.customer_id'))
      .leftJoin('users as u', (j) => j.onRef('u.id', '=', 'a.target_id').onRef('u.customer_id', '=', 'a.customer_id').on('a.target_type', '=', 'user'))
      .leftJoin('classes as c', (j) => j.onRef('c.id', '=', 'a.target_id').onRef('c.customer_id', '=', 'a.customer_id').on('a.target_type', '=', 'class'))
      .select(['a.id', 'a.book_id', 'b.title', 'a.target_type', 'a.target_id', 'u.sourced_id as user_sourced_id', 'c.sourced_id as class_sourced_id', 'a.assigned_by', 'a.created_at'])
      .where('a.customer_id', '=', customerId)
      .orderBy('a.created_at')
      .orderBy('a.id')
      .stream(CURSOR_ROWS);
  }

  /** Where each reader is in each title. */
  readingProgress(customerId: string) {
    return this.db
      .selectFrom('reading_progress as p')
      .innerJoin('users as u', (j) => j.onRef('u.id', '=', 'p.user_id').onRef('u.customer_id', '=', 'p.customer_id'))
      .leftJoin('books as b', (j) => j.onRef('b.id', '=', 'p.book_id').onRef('b.customer_id', '=', 'p.customer_id'))
      .select(['p.user_id', 'u.sourced_id', 'p.book_id', 'b.title', 'p.progress', 'p.position', 'p.updated_at'])
      .where('p.customer_id', '=', customerId)
      .orderBy('p.user_id')
      .orderBy('p.book_id')
      .stream(CURSOR_ROWS);
  }

  /** The LMS identities Lectern remembers: an LMS (instance GUID or issuer) and its user id, to a person. */
  ltiLinks(customerId: string) {
    return this.db
      .selectFrom('lti_user_links as l')
      .innerJoin('users as u', (j) => j.onRef('u.id', '=', 'l.user_id').onRef('u.customer_id', '=', 'l.customer_id'))
      .select(['l.consumer_guid', 'l.lti_user_id', 'l.user_id', 'u.sourced_id', 'l.created_at', 'l.last_launch_at'])
      .where('l.customer_id', '=', customerId)
      .orderBy('l.consumer_guid')
      .orderBy('l.lti_user_id')
      .stream(CURSOR_ROWS);
  }

  /** Where a person's progress is reported to an LMS gradebook (LTI 1.1 Basic Outcomes, LTI 1.3 AGS). */
  gradeLinks(customerId: string) {
    return this.db
      .selectFrom('lti_outcome_bindings as b')
      .innerJoin('users as u', (j) => j.onRef('u.id', '=', 'b.user_id').onRef('u.customer_id', '=', 'b.customer_id'))
      .select([
        'b.id',
        'b.lti_version',
        'b.user_id',
        'u.sourced_id',
        'b.consumer_guid',
        'b.resource_link_id',
        'b.target_type',
        'b.target_id',
        'b.service_url',
        'b.result_sourcedid',
        'b.consumer_key',
        'b.lti_user_id',
        'b.line_item_url',
        'b.lineitems_url',
        'b.reported_score',
        'b.created_at',
        'b.updated_at',
      ])
      .where('b.customer_id', '=', customerId)
      .orderBy('b.created_at')
      .orderBy('b.id')
      .stream(CURSOR_ROWS);
  }

  /** Every score report to an LMS and how sending it went. */
  outcomeCalls(customerId: string) {
    return this.db
      .selectFrom('lti_outcome_calls as c')
      .innerJoin('lti_outcome_bindings as b', (j) => j.onRef('b.id', '=', 'c.binding_id').onRef('b.customer_id', '=', 'c.customer_id'))
      .innerJoin('users as u', (j) => j.onRef('u.id', '=', 'b.user_id').onRef('u.customer_id', '=', 'b.customer_id'))
      .select([
        'c.id',
        'c.binding_id',
        'b.lti_version',
        'b.user_id',
        'u.sourced_id',
        'b.target_type',
        'b.target_id',
        'c.score',
        'c.status',
        'c.attempts',
        'c.last_error',
        'c.created_at',
        'c.updated_at',
      ])
      .where('c.customer_id', '=', customerId)
      .orderBy('c.created_at')
      .orderBy('c.id')
      .stream(CURSOR_ROWS);
  }

  /** The customer's roster runs: what arrived, from where, and how it went. */
  rosterRuns(customerId: string) {
    return this.db
      .selectFrom('roster_runs')
      .select(['id', 'created_at', 'trigger', 'actor_label', 'file_name', 'size_bytes', 'sha256', 'dry_run', 'status', 'counts', 'error_code', 'error_message', 'started_at', 'finished_at'])
      .where('customer_id', '=', customerId)
      .orderBy('created_at')
      .orderBy('id')
      .stream(CURSOR_ROWS);
  }

  /** What each roster run changed in a record: updates with old and new values, restores and deletes. */
  rosterChanges(customerId: string) {
    return this.db
      .selectFrom('roster_run_changes as c')
      .innerJoin('roster_runs as r', 'r.id', 'c.run_id')
      .select(['c.run_id', 'c.entity', 'c.action', 'c.sourced_id', 'c.target_id', 'c.name', 'c.fields', 'c.reason'])
      .where('r.customer_id', '=', customerId)
      .orderBy('r.created_at')
      .orderBy('c.run_id')
      .orderBy('c.entity')
      .orderBy('c.sourced_id')
      .stream(CURSOR_ROWS);
  }

  /** The customer's audit log, oldest first. */
  auditLog(customerId: string) {
    return this.db
      .selectFrom('audit_log')
      .select(['id', 'at', 'actor_user_id', 'actor_label', 'action', 'target_type', 'target_id', 'fields'])
      .where('customer_id', '=', customerId)
      .orderBy('id')
      .stream(CURSOR_ROWS);
  }
}

/** A JSON object column ('{}' when blank or not an object). */
export function parseObject(text: string | null): Record<string, unknown> {
  if (!text) return {};
  try {
    const value: unknown = JSON.parse(text);
    return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

/** A JSON list column as strings ([] when blank or not a list). */
export function parseList(text: string | null): string[] {
  if (!text) return [];
  try {
    const value: unknown = JSON.parse(text);
    return Array.isArray(value) ? value.map(String) : [];
  } catch {
    return [];
  }
}
