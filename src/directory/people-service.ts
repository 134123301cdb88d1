import type { Kysely } from 'kysely';
import { EMAIL_RE, newUserRecord } from '../accounts/account-service.js';
import { AccessRepository } from '../accounts/access-repository.js';
import { requireAccess, type Actor } from '../accounts/policy.js';
import { SessionRepository } from '../accounts/session-repository.js';
import { UserRepository } from '../accounts/user-repository.js';
import { AuditService } from '../audit/audit-service.js';
import type { Database, User } from '../db/schema.js';
import { AppError, notFound, validationError, type FieldIssue } from '../errors.js';
import { hashPassword, passwordProblem } from '../security/passwords.js';
import { readablePassword } from '../security/tokens.js';
import { nowIso } from '../time.js';
import { DetailRepository } from './detail-repository.js';
import { presentUser } from './directory-service.js';
import { schoolScope } from './school-scope.js';
import type { UserView } from './views.js';

/** The roles an admin may add by hand. */
export const MANUAL_ROLES = ['teacher', 'student', 'institute_admin'] as const;
export type ManualRole = (typeof MANUAL_ROLES)[number];

/** A person added by hand in the console. */
export interface NewPerson {
  role: ManualRole;
  givenName: string;
  familyName: string;
  email?: string;
  login: string;
  /** Omitted: Lectern makes a readable one-time password and answers it once. */
  password?: string;
  mustChangePassword?: boolean;
  /** Org sourcedIds of the schools the person belongs to (an institute admin's scope). */
  schoolIds?: string[];
  grade?: string;
}

/** The fields of a manual user an admin may edit. */
export type PersonEdit = Partial<Pick<NewPerson, 'givenName' | 'familyName' | 'email' | 'login' | 'schoolIds' | 'grade'>>;

/** What bulk actions do to a selection of users. */
export type BulkAction = 'disable' | 'enable' | 'reset-password';

/** A password Lectern made, shown once to the admin who asked for it and never stored in clear. */
export interface IssuedPassword {
  userId: string;
  login: string;
  password: string;
}

const LOGIN_RE = /^[a-z0-9][a-z0-9._@+-]{1,99}$/;
const BULK_MAX = 500;

/**
 * The Users tab's actions on people: add and edit manual users, set or reset passwords, disable and
 * enable, and the same on a selection. Every id is checked against the customer and, for an
 * institute admin, against their schools, on the loaded records before anything changes.
 */
export class PeopleService {
  constructor(private readonly db: Kysely<Database>) {}

  /** Adds a teacher, student or institute admin by hand: a manual account, which syncs never delete. */
  async createUser(actor: Actor, customerId: string, input: NewPerson): Promise<{ user: UserView; password: string | null }> {
    await requireAccess(new AccessRepository(this.db), actor, 'customer.console', { customerId });
    const schoolIds = [...new Set(input.schoolIds ?? [])];
    await this.assertSchools(actor, customerId, schoolIds);
    if (actor.role === 'institute_admin' && input.role === 'institute_admin') throw new AppError('FORBIDDEN', 'Only customer administrators can add institute administrators.');
    const fields: FieldIssue[] = [...this.checkPerson(input), ...this.checkSchools(actor, input.role, schoolIds)];
    const generated = input.password === undefined || input.password === '' ? readablePassword() : null;
    const password = generated ?? input.password ?? '';
    if (!generated) {
      const problem = passwordProblem(password, { login: input.login, email: input.email ?? '' });
      if (problem) fields.push({ field: 'password', message: problem });
    }
    const login = input.login.trim().toLowerCase();
    if (!fields.some((f) => f.field === 'login') && (await new UserRepository(this.db).findByLoginPlatformWide(login))) {
      fields.push({ field: 'login', message: 'An account with this login already exists.', code: 'duplicate' });
    }
    if (fields.length) throw validationError(fields);
    const user = newUserRecord({
      role: input.role,
      customerId,
      login,
      email: (input.email ?? '').trim(),
      givenName: input.givenName.trim(),
      familyName: input.familyName.trim(),
      phone: '',
      passwordHash: await hashPassword(password),
      // A password made for someone else is for their first sign-in only.
      mustChangePassword: generated !== null || (input.mustChangePassword ?? true),
      source: 'manual',
    });
    user.org_sourced_ids = schoolIds.length ? JSON.stringify(schoolIds) : null;
    user.grades = input.grade?.trim() ? JSON.stringify([input.grade.trim()]) : null;
    user.password_set_here_at = user.created_at;
    await this.db.transaction().execute(async (trx) => {
      await new UserRepository(trx).insert(user);
      await new AuditService(trx).record(actor, {
        customerId,
        action: 'user.created',
        targetType: 'user',
        targetId: user.id,
        fields: ['role', 'givenName', 'familyName', 'email', 'login', 'password', ...(schoolIds.length ? ['schoolIds'] : []), ...(user.grades ? ['grade'] : [])],
      });
    });
    return { user: presentUser(user), password: generated };
  }

  /** Edits a manual user's names, email, login, schools and grade; a roster's people are the roster's to change. */
  async updateUser(actor: Actor, customerId: string, userId: string, edit: PersonEdit): Promise<UserView> {
    const user = await this.loadTarget(actor, customerId, userId);
    // Named schools first: another customer's answers as unknown, whatever else is wrong.
    if (edit.schoolIds) await this.assertSchools(actor, customerId, edit.schoolIds);
    if (user.source !== 'manual' || !(MANUAL_ROLES as readonly string[]).includes(user.role)) {
      throw new AppError('ROSTER_MANAGED');
    }
    const merged: NewPerson = {
      role: user.role as ManualRole,
      givenName: edit.givenName ?? user.given_name,
      familyName: edit.familyName ?? user.family_name,
      email: edit.email ?? user.email,
      login: edit.login ?? user.login,
    };
    const schoolIds = edit.schoolIds ? [...new Set(edit.schoolIds)] : undefined;
    const fields = [...this.checkPerson(merged), ...(schoolIds ? this.checkSchools(actor, merged.role, schoolIds) : [])];
    const login = merged.login.trim().toLowerCase();
    if (login !== user.login && !fields.some((f) => f.field === 'login')) {
      const taken = await new UserRepository(this.db).findByLoginPlatformWide(login);
      if (taken) fields.push({ field: 'login', message: 'An account with this login already exists.', code: 'duplicate' });
    }
    if (fields.length) throw validationError(fields);
    const patch: Partial<User> = {
      given_name: merged.givenName.trim(),
      family_name: merged.familyName.trim(),
      email: (merged.email ?? '').trim().toLowerCase(),
      login,
      updated_at: nowIso(),
    };
    if (schoolIds) patch.org_sourced_ids = schoolIds.length ? JSON.stringify(schoolIds) : null;
    if (edit.grade !== undefined) patch.grades = edit.grade.trim() ? JSON.stringify([edit.grade.trim()]) : null;
    const changed = Object.keys(edit).filter((k) => edit[k as keyof PersonEdit] !== undefined);
    await this.db.transaction().execute(async (trx) => {
      await new UserRepository(trx).updateInCustomer(customerId, userId, patch);
      await new AuditService(trx).record(actor, { customerId, action: 'user.updated', targetType: 'user', targetId: userId, fields: changed });
    });
    return presentUser({ ...user, ...patch });
  }

  /**
   * Sets a user's password here, or makes a readable one (answered once) when none is given. It wins
   * over the roster's until the roster brings a different password for the person (see README "People").
   * Sessions and API tokens of the user end: a reset is usually for an account someone else may know.
   */
  async setPassword(actor: Actor, customerId: string, userId: string, input: { password?: string; mustChangePassword: boolean }): Promise<{ password: string | null }> {
    const user = await this.loadTarget(actor, customerId, userId);
    if (user.status === 'deleted') throw new AppError('CONFLICT', 'Restore this account before setting its password.');
    const generated = input.password ? null : readablePassword();
    const password = input.password || generated!;
    const problem = generated ? null : passwordProblem(password, { login: user.login, email: user.email });
    if (problem) throw validationError([{ field: 'password', message: problem }]);
    const hash = await hashPassword(password);
    await this.db.transaction().execute(async (trx) => {
      await this.applyPassword(trx, actor, customerId, user.id, hash, input.mustChangePassword || generated !== null);
    });
    return { password: generated };
  }

  /** Disables or enables users; disabling ends their sessions and API tokens at once. Returns the ids that changed. */
  async setStatus(actor: Actor, customerId: string, userIds: readonly string[], status: 'active' | 'disabled'): Promise<string[]> {
    const ids = await this.loadTargets(actor, customerId, userIds);
    const now = nowIso();
    return this.db.transaction().execute(async (trx) => {
      const moved = await new UserRepository(trx).setStatusInCustomer(customerId, ids, status === 'disabled' ? 'active' : 'disabled', status, now);
      const sessions = new SessionRepository(trx);
      const audit = new AuditService(trx);
      for (const id of moved) {
        if (status === 'disabled') {
          await sessions.deleteSessionsOfUser(id);
          await sessions.revokeTokensOfUser(id, now);
        }
        await audit.record(actor, { customerId, action: status === 'disabled' ? 'user.disabled' : 'user.enabled', targetType: 'user', targetId: id, fields: ['status'] });
      }
      return moved;
    });
  }

  /** One action on a selection of users: all of it or none of it. */
  async bulk(actor: Actor, customerId: string, action: BulkAction, userIds: readonly string[]): Promise<{ changed: string[]; passwords: IssuedPassword[] }> {
    if (userIds.length > BULK_MAX) throw validationError([{ field: 'userIds', message: `Select at most ${BULK_MAX} users at a time.` }]);
    if (action !== 'reset-password') return { changed: await this.setStatus(actor, customerId, userIds, action === 'disable' ? 'disabled' : 'active'), passwords: [] };
    const ids = await this.loadTargets(actor, customerId, userIds);
    const users = (await Promise.all(ids.map((id) => new UserRepository(this.db).findInCustomer(customerId, id)))).filter((u): u is User => u !== undefined && u.status !== 'deleted');
    // Hashed before the transaction: argon2 is slow, and a write transaction should not wait on it.
    const issued: { user: User; password: string; hash: string }[] = [];
    for (const user of users) {
      const password = readablePassword();
      issued.push({ user, password, hash: await hashPassword(password) });
    }
    await this.db.transaction().execute(async (trx) => {
      for (const i of issued) await this.applyPassword(trx, actor, customerId, i.user.id, i.hash, true);
    });
    return { changed: issued.map((i) => i.user.id), passwords: issued.map((i) => ({ userId: i.user.id, login: i.user.login, password: i.password })) };
  }

  private async applyPassword(trx: Kysely<Database>, actor: Actor, customerId: string, userId: string, hash: string, mustChange: boolean): Promise<void> {
    const now = nowIso();
    await new UserRepository(trx).setPasswordInCustomer(customerId, userId, hash, mustChange, now);
    const sessions = new SessionRepository(trx);
    await sessions.deleteSessionsOfUser(userId);
    await sessions.revokeTokensOfUser(userId, now);
    await new AuditService(trx).record(actor, {
      customerId,
      action: 'user.password_set',
      targetType: 'user',
      targetId: userId,
      fields: mustChange ? ['password', 'mustChangePassword'] : ['password'],
    });
  }

  // One user the actor may act on: of the customer, within an institute admin's schools, not the actor.
  private async loadTarget(actor: Actor, customerId: string, userId: string): Promise<User> {
    await this.loadTargets(actor, customerId, [userId]);
    const user = await new UserRepository(this.db).findInCustomer(customerId, userId);
    if (!user) throw notFound('User');
    return user;
  }

  private async loadTargets(actor: Actor, customerId: string, userIds: readonly string[]): Promise<string[]> {
    const ids = [...new Set(userIds)];
    if (!ids.length) throw validationError([{ field: 'userIds', message: 'Select at least one user.' }]);
    await requireAccess(new AccessRepository(this.db), actor, 'customer.console', { customerId, user: ids });
    if (actor.userId && ids.includes(actor.userId)) throw new AppError('FORBIDDEN', 'You cannot do this to your own account; use your account page.');
    if (actor.role === 'institute_admin') {
      const users = new UserRepository(this.db);
      for (const id of ids) {
        const role = (await users.findInCustomer(customerId, id))?.role;
        if (role === 'customer_admin' || role === 'institute_admin') throw new AppError('FORBIDDEN', 'Institute administrators act on teachers and students only.');
      }
    }
    return ids;
  }

  // Every school named must be one of the customer's orgs, and an institute admin's own; checked before anything else, so another customer's org answers like an unknown one.
  private async assertSchools(actor: Actor, customerId: string, schoolIds: readonly string[]): Promise<void> {
    if (!schoolIds.length) return;
    const known = await new DetailRepository(this.db).activeOrgIds(customerId, schoolIds);
    const scope = await schoolScope(this.db, actor, customerId);
    const unknown = schoolIds.filter((s) => !known.has(s) || (scope && !scope.includes(s)));
    if (unknown.length) throw validationError(unknown.map(() => ({ field: 'schoolIds', message: 'School not found.', code: 'NOT_FOUND' })));
  }

  private checkSchools(actor: Actor, role: ManualRole, schoolIds: readonly string[]): FieldIssue[] {
    if (role === 'institute_admin' && !schoolIds.length) return [{ field: 'schoolIds', message: 'Choose at least one school this institute admin looks after.' }];
    if (actor.role === 'institute_admin' && !schoolIds.length) return [{ field: 'schoolIds', message: 'Choose one of your schools.' }];
    return [];
  }

  private checkPerson(p: NewPerson): FieldIssue[] {
    const fields: FieldIssue[] = [];
    if (!p.givenName.trim()) fields.push({ field: 'givenName', message: 'Enter a given name.' });
    if (!p.familyName.trim()) fields.push({ field: 'familyName', message: 'Enter a family name.' });
    const email = (p.email ?? '').trim().toLowerCase();
    if (email && !EMAIL_RE.test(email)) fields.push({ field: 'email', message: 'Enter a valid email address, or leave it empty.' });
    if (!LOGIN_RE.test(p.login.trim().toLowerCase())) fields.push({ field: 'login', message: 'Use 2–100 letters, digits and . _ @ + - (starting with a letter or digit).' });
    return fields;
  }
}
