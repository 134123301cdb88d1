import { Readable } from 'node:stream';
import type { Kysely } from 'kysely';
import { AuditService, filtersUsed } from '../audit/audit-service.js';
import { notFound } from '../errors.js';
import { csvCell } from '../rostering/runs/issues-csv.js';
import { nowIso } from '../time.js';
import { AccessRepository } from '../accounts/access-repository.js';
import { assertCustomerAccess, requireAccess, type AccessRequest, type Actor } from '../accounts/policy.js';
import { UserRepository, type UserListQuery } from '../accounts/user-repository.js';
import type { ClassRow, Database, User } from '../db/schema.js';
import { ClassRepository, type ClassListQuery } from './class-repository.js';
import { DetailRepository } from './detail-repository.js';
import { schoolScope, visibleIds, visibleOnly } from './school-scope.js';
import type { ClassView, RestoredUser, UserView } from './views.js';

/** The people and classes of one customer: the Users and Class tabs. */
export class DirectoryService {
  constructor(private readonly db: Kysely<Database>) {}

  // The tenant wall and the check that every id of the request is a record of this customer, before any is loaded.
  private allow(actor: Actor, request: AccessRequest): Promise<void> {
    return requireAccess(new AccessRepository(this.db), actor, 'customer.console', request);
  }

  /** A page of the customer's users. */
  async listUsers(actor: Actor, customerId: string, q: UserListQuery): Promise<{ items: UserView[]; total: number }> {
    assertCustomerAccess(actor, customerId);
    const withinSchools = await schoolScope(this.db, actor, customerId);
    // A search looks for someone: it is logged (which filters, never the text). Browsing shows what a school directory does, and is not.
    if (q.search?.trim()) await this.logRead(actor, customerId, 'users.searched', 'customer', customerId, filtersOf(q));
    const { items, total } = await new UserRepository(this.db).listInCustomer(customerId, { ...q, withinSchools });
    return { items: items.map(presentUser), total };
  }

  /**
   * One user's page: roster data, roles at orgs, classes, how the account was matched to the roster
   * (rule, value, run) and every change roster runs made to it.
   */
  async userDetail(actor: Actor, customerId: string, userId: string) {
    await this.allow(actor, { customerId, user: userId });
    const users = new UserRepository(this.db);
    const user = await users.findInCustomer(customerId, userId);
    if (!user) throw notFound('User');
    // The entry is written while the page is read (on PostgreSQL, on a connection of its own); the answer waits for both.
    const [, page] = await Promise.all([this.logRead(actor, customerId, 'user.viewed', 'user', userId), this.userPage(actor, customerId, user)]);
    return page;
  }

  // Everything the user page shows of a loaded user.
  private async userPage(actor: Actor, customerId: string, user: User) {
    const users = new UserRepository(this.db);
    const detail = new DetailRepository(this.db);
    const matchRun = user.matched_run_id ? await detail.runDate(customerId, user.matched_run_id) : undefined;
    const parse = (v: string | null) => (v ? (JSON.parse(v) as string[]) : []);
    return {
      ...presentUser(user),
      middleName: user.middle_name ?? '',
      phone: user.phone,
      sms: user.sms ?? '',
      enabledUser: user.enabled_user === null ? null : user.enabled_user === 1,
      grades: parse(user.grades),
      userIds: parse(user.user_ids),
      agentSourcedIds: parse(user.agent_sourced_ids),
      passwordSet: user.password_hash !== null,
      passwordSource: passwordSourceOf(user),
      mustChangePassword: user.must_change_password === 1,
      schoolIds: await users.schoolsOf(customerId, user.id),
      missingFromRoster: user.status === 'deleted' ? await this.missingFromRoster(customerId, user) : null,
      createdAt: user.created_at,
      updatedAt: user.updated_at,
      deletedAt: user.deleted_at,
      match: user.match_rule
        ? {
            rule: user.match_rule,
            value: user.match_value,
            runId: user.matched_run_id,
            at: matchRun?.created_at ?? null,
            fileName: matchRun?.file_name ?? null,
            explanation: explainMatch(user.match_rule, user.match_value, user.source),
          }
        : null,
      roles: user.sourced_id ? await detail.rolesOf(customerId, user.sourced_id) : [],
      enrollments: user.sourced_id ? await this.enrollmentsShown(actor, customerId, user.sourced_id) : [],
      history: (await detail.historyOf(customerId, 'users', user.id, user.created_run_id)).map((h) => ({ ...h, fields: JSON.parse(h.fields) as Record<string, unknown[]> })),
    };
  }

  // A person's classes; an institute admin sees those of their schools (their student may sit in another school's class).
  private async enrollmentsShown(actor: Actor, customerId: string, userSourcedId: string) {
    const all = await new DetailRepository(this.db).enrollmentsOf(customerId, userSourcedId);
    if (!(await schoolScope(this.db, actor, customerId))) return all;
    const visible = await visibleIds(
      this.db,
      actor,
      customerId,
      'class',
      all.flatMap((e) => (e.classId ? [e.classId] : [])),
    );
    return all.filter((e) => e.classId !== null && visible.has(e.classId));
  }

  /** One class's page: roster data and the people enrolled, teachers first. */
  async classDetail(actor: Actor, customerId: string, classId: string) {
    await this.allow(actor, { customerId, class: classId });
    const detail = new DetailRepository(this.db);
    const c = await detail.findClass(customerId, classId);
    if (!c) throw notFound('Class');
    // A class of the actor's schools may have someone of another school in it (a teacher of two schools): an institute admin sees their schools' people only.
    const members = await visibleOnly(this.db, actor, customerId, 'user', await detail.membersOf(customerId, c.sourced_id), (m) => m.userId);
    await this.logRead(actor, customerId, 'class.roster_viewed', 'class', classId, [`members:${members.length}`]);
    const parse = (v: string | null) => (v ? (JSON.parse(v) as string[]) : []);
    return {
      ...presentClass(c),
      courseSourcedId: c.course_sourced_id,
      grades: parse(c.grades),
      location: c.location ?? '',
      termSourcedIds: parse(c.term_sourced_ids),
      periods: parse(c.periods),
      teachers: members.filter((m) => m.role === 'teacher'),
      students: members.filter((m) => m.role === 'student'),
      others: members.filter((m) => m.role !== 'teacher' && m.role !== 'student'),
      history: (await detail.historyOf(customerId, 'classes', c.id, c.created_run_id)).map((h) => ({ ...h, fields: JSON.parse(h.fields) as Record<string, unknown[]> })),
    };
  }

  /** The customer's schools, for the school filter (an institute admin's own schools only). */
  async schools(actor: Actor, customerId: string) {
    assertCustomerAccess(actor, customerId);
    const all = await new DetailRepository(this.db).schools(customerId);
    const scope = await schoolScope(this.db, actor, customerId);
    return scope ? all.filter((s) => scope.includes(s.sourcedId)) : all;
  }

  /**
   * Restores a user a roster sync deleted (within the retention period), with the enrollments that
   * ended with them. A roster user is still missing from the roster that deleted them, so the next
   * sync deletes them again: the answer says so, unless `keepAsManual` made the account a manual
   * (protected) one that syncs never delete.
   */
  async restoreUser(actor: Actor, customerId: string, userId: string, opts: { keepAsManual?: boolean } = {}): Promise<RestoredUser> {
    await this.allow(actor, { customerId, user: userId });
    const before = await new UserRepository(this.db).findInCustomer(customerId, userId);
    const missing = before && before.status === 'deleted' ? await this.missingFromRoster(customerId, before) : null;
    const restored = await this.db.transaction().execute(async (trx) => {
      const ok = await new DetailRepository(trx).restoreUser(customerId, userId, nowIso());
      if (ok && opts.keepAsManual) await new UserRepository(trx).updateInCustomer(customerId, userId, { source: 'manual' });
      if (ok) await new AuditService(trx).record(actor, { customerId, action: 'user.restored', targetType: 'user', targetId: userId, fields: opts.keepAsManual ? ['status', 'source'] : ['status'] });
      return ok;
    });
    const user = await new UserRepository(this.db).findInCustomer(customerId, userId);
    if (!user) throw notFound('User');
    if (!restored && user.status !== 'active') throw notFound('Deleted user');
    const stillMissing = restored && user.source === 'roster' ? missing : null;
    return {
      ...presentUser(user),
      missingFromRoster: stillMissing,
      warning: stillMissing
        ? `This person is still missing from the roster that deleted them (${stillMissing.fileName || 'a sync'}): the next sync deletes them again unless the school adds them back. Keep them as a manual account to protect them from sync deletes.`
        : null,
    };
  }

  // The run that deleted a roster user, when that is how they were deleted: they are missing from its roster.
  private async missingFromRoster(customerId: string, user: User): Promise<RestoredUser['missingFromRoster']> {
    if (user.source !== 'roster') return null;
    return (await new DetailRepository(this.db).deletingRun(customerId, user.id)) ?? null;
  }

  /**
   * Every user that matches the Users list's filters, as CSV with a header row, streamed a page at a
   * time. The columns are the list's; there is no password column, and a cell a spreadsheet would
   * run as a formula is quoted (issues-csv.ts).
   */
  async usersCsv(actor: Actor, customerId: string, q: Omit<UserListQuery, 'limit' | 'offset'>): Promise<Readable> {
    await this.allow(actor, { customerId, ...(q.classId ? { class: q.classId } : {}) });
    const withinSchools = await schoolScope(this.db, actor, customerId);
    await this.logRead(actor, customerId, 'users.exported', q.classId ? 'class' : 'customer', q.classId ?? customerId, filtersOf(q));
    const rows = new UserRepository(this.db).streamInCustomer(customerId, { ...q, withinSchools });
    async function* lines() {
      yield `${USER_CSV_COLUMNS.join(',')}\r\n`;
      for await (const u of rows) {
        const view = presentUser(u);
        yield `${USER_CSV_COLUMNS.map((c) => csvCell(view[c])).join(',')}\r\n`;
      }
    }
    return Readable.from(lines());
  }

  // One entry in the audit log for a read of people's data (audit-service.ts), after the access checks passed.
  private logRead(actor: Actor, customerId: string, action: string, targetType: string, targetId: string, fields: string[] = []): Promise<void> {
    return new AuditService(this.db).recordRead(actor, { customerId, action, targetType, targetId, fields });
  }

  /** A page of the customer's classes. */
  async listClasses(actor: Actor, customerId: string, q: ClassListQuery): Promise<{ items: ClassView[]; total: number }> {
    assertCustomerAccess(actor, customerId);
    const withinSchools = await schoolScope(this.db, actor, customerId);
    const { items, total } = await new ClassRepository(this.db).listInCustomer(customerId, { ...q, withinSchools });
    return { items: items.map(presentClass), total };
  }
}

// The Users list's filters a read used, by name: which of search, role, status, school, class.
function filtersOf(q: Omit<UserListQuery, 'limit' | 'offset'>): string[] {
  return filtersUsed({ search: q.search?.trim(), role: q.role, status: q.status, includeDeleted: q.includeDeleted, school: q.schoolSourcedId, classId: q.classId });
}

const USER_CSV_COLUMNS = ['id', 'sourcedId', 'login', 'username', 'email', 'identifier', 'givenName', 'familyName', 'role', 'source', 'status'] as const satisfies readonly (keyof UserView)[];

// How a person reads a match: "Matched by email jo@lincoln.org" or "Created by the roster".
function explainMatch(rule: string, value: string | null, source: string): string {
  if (rule === 'created') return 'Created by a roster sync: no existing account matched.';
  if (rule === 'sourcedId' && source === 'roster') return 'Linked by its OneRoster sourcedId.';
  return `Linked to an existing ${source === 'roster' ? 'roster' : source} account whose ${rule === 'username' ? 'login name' : rule} is "${value ?? ''}"; from then on by sourcedId.`;
}

/** Where the password in force came from: set here in Lectern (by an admin or the user), the roster, or none yet. */
export function passwordSourceOf(u: Pick<User, 'password_hash' | 'password_set_here_at' | 'password_digest'>): 'here' | 'roster' | 'none' {
  if (u.password_hash === null) return 'none';
  return u.password_set_here_at !== null || u.password_digest === null ? 'here' : 'roster';
}

/** Shapes a user row for lists. */
export function presentUser(u: User): UserView {
  return {
    id: u.id,
    sourcedId: u.sourced_id,
    username: u.username,
    login: u.login,
    email: u.email,
    identifier: u.identifier,
    givenName: u.given_name,
    familyName: u.family_name,
    role: u.role,
    source: u.source,
    status: u.status,
    passwordSource: passwordSourceOf(u),
  };
}

function presentClass(c: ClassRow): ClassView {
  return {
    id: c.id,
    sourcedId: c.sourced_id,
    title: c.title,
    classCode: c.class_code,
    classType: c.class_type,
    schoolSourcedId: c.school_sourced_id,
    status: c.status,
  };
}
