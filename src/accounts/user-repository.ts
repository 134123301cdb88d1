import { sql, type Kysely, type RawBuilder, type SqlBool } from 'kysely';
import type { Database, NewUser, Role, User, UserStatus } from '../db/schema.js';

/** Filters for a customer's user list. */
export interface UserListQuery {
  search?: string;
  role?: Role;
  status?: UserStatus;
  includeDeleted?: boolean;
  /** Only users with a role at this org (school). */
  schoolSourcedId?: string;
  /** Only users of one of these schools (an institute admin's scope); undefined for no limit. */
  withinSchools?: readonly string[];
  /** Only users actively enrolled in this class (its id). */
  classId?: string;
  limit: number;
  offset: number;
}

/**
 * User queries. Methods that read or change a customer's people take the customer id and filter
 * by it; the few platform-wide lookups (sign-in, enterprise admins) say so in their names.
 */
export class UserRepository {
  constructor(private readonly db: Kysely<Database>) {}

  /** Inserts a user. */
  async insert(user: NewUser): Promise<void> {
    await this.db.insertInto('users').values(user).execute();
  }

  /** A user of one customer by id. */
  findInCustomer(customerId: string, id: string): Promise<User | undefined> {
    return this.db.selectFrom('users').selectAll().where('customer_id', '=', customerId).where('id', '=', id).executeTakeFirst();
  }

  /** Platform-wide: a user by id, for resolving a session or token to its owner. */
  findByIdPlatformWide(id: string): Promise<User | undefined> {
    return this.db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
  }

  /** Platform-wide: the user whose login name is exactly `login` (stored lower-case). */
  findByLoginPlatformWide(login: string): Promise<User | undefined> {
    return this.db.selectFrom('users').selectAll().where('login', '=', login.toLowerCase()).executeTakeFirst();
  }

  /** Platform-wide: every not-deleted user with this email, for sign-in by email. */
  findByEmailPlatformWide(email: string): Promise<User[]> {
    return this.db.selectFrom('users').selectAll().where('email', '=', email.toLowerCase()).where('status', '!=', 'deleted').limit(2).execute();
  }

  /** Platform-wide: whether any enterprise admin exists yet (first start creates one if not). */
  async hasEnterpriseAdmin(): Promise<boolean> {
    const row = await this.db.selectFrom('users').select('id').where('role', '=', 'enterprise_admin').limit(1).executeTakeFirst();
    return row !== undefined;
  }

  /** Replaces a user's password hash (the user's own change): a password chosen here, which a sync bringing the same roster password keeps. */
  async setPasswordHash(id: string, hash: string, mustChange: boolean, at: string): Promise<void> {
    await this.db
      .updateTable('users')
      .set({ password_hash: hash, must_change_password: mustChange ? 1 : 0, password_set_here_at: at, updated_at: at })
      .where('id', '=', id)
      .execute();
  }

  /**
   * Sets the password of a customer's user in the console. password_digest (the roster's value) is
   * left as it is, so the next sync overrides this only when the roster's password changes; a roster
   * password still waiting to be hashed is dropped, or it would overwrite this one.
   */
  async setPasswordInCustomer(customerId: string, id: string, hash: string, mustChange: boolean, at: string): Promise<void> {
    await this.db
      .updateTable('users')
      .set({ password_hash: hash, must_change_password: mustChange ? 1 : 0, password_set_here_at: at, updated_at: at })
      .where('customer_id', '=', customerId)
      .where('id', '=', id)
      .execute();
    await this.db.deleteFrom('pending_passwords').where('customer_id', '=', customerId).where('user_id', '=', id).execute();
  }

  /** Moves the named users of a customer from status `from` to `to`; returns the ids that moved. */
  async setStatusInCustomer(customerId: string, ids: readonly string[], from: UserStatus, to: UserStatus, at: string): Promise<string[]> {
    if (!ids.length) return [];
    const rows = await this.db
      .updateTable('users')
      .set({ status: to, updated_at: at })
      .where('customer_id', '=', customerId)
      .where('id', 'in', [...ids])
      .where('status', '=', from)
      .returning('id')
      .execute();
    return rows.map((r) => r.id);
  }

  /** Of `ids`, those of a customer's users who belong to one of `schools` (by roster role or listed org). */
  async idsWithinSchools(customerId: string, ids: readonly string[], schools: readonly string[]): Promise<Set<string>> {
    if (!ids.length) return new Set();
    const rows = await this.db
      .selectFrom('users')
      .select('id')
      .where('customer_id', '=', customerId)
      .where('id', 'in', [...ids])
      .where(ofSchools(schools))
      .execute();
    return new Set(rows.map((r) => r.id));
  }

  /** The schools (org sourcedIds) a customer's user belongs to: their listed orgs and the orgs of their roster roles. */
  async schoolsOf(customerId: string, id: string): Promise<string[]> {
    const user = await this.db.selectFrom('users').select(['sourced_id', 'org_sourced_ids']).where('customer_id', '=', customerId).where('id', '=', id).executeTakeFirst();
    if (!user) return [];
    const listed = user.org_sourced_ids ? (JSON.parse(user.org_sourced_ids) as string[]) : [];
    const roles = user.sourced_id ? await this.db.selectFrom('user_roles').select('org_sourced_id').where('customer_id', '=', customerId).where('user_sourced_id', '=', user.sourced_id).execute() : [];
    return [...new Set([...listed, ...roles.map((r) => r.org_sourced_id)])];
  }

  /** Updates a customer's user. */
  async updateInCustomer(customerId: string, id: string, patch: Partial<Omit<User, 'id' | 'customer_id'>>): Promise<void> {
    await this.db.updateTable('users').set(patch).where('customer_id', '=', customerId).where('id', '=', id).execute();
  }

  /** One page of a customer's users, with the total that matches the filters. */
  async listInCustomer(customerId: string, q: UserListQuery): Promise<{ items: User[]; total: number }> {
    const base = this.filtered(customerId, q);
    const [items, total] = await Promise.all([
      base.selectAll().orderBy('family_name').orderBy('given_name').orderBy('id').limit(q.limit).offset(q.offset).execute(),
      base.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
    ]);
    return { items, total: Number(total.n) };
  }

  /** Every user that matches the filters (limit and offset ignored), a page at a time, in list order: for exports of any size. */
  async *streamInCustomer(customerId: string, q: Omit<UserListQuery, 'limit' | 'offset'>): AsyncGenerator<User> {
    const base = this.filtered(customerId, q);
    const size = 1000;
    for (let offset = 0; ; offset += size) {
      const page = await base.selectAll().orderBy('family_name').orderBy('given_name').orderBy('id').limit(size).offset(offset).execute();
      yield* page;
      if (page.length < size) return;
    }
  }

  // The Users list's filters, always within the customer.
  private filtered(customerId: string, q: Omit<UserListQuery, 'limit' | 'offset'>) {
    let base = this.db.selectFrom('users').where('customer_id', '=', customerId);
    if (q.role) base = base.where('role', '=', q.role);
    if (q.status) base = base.where('status', '=', q.status);
    else if (!q.includeDeleted) base = base.where('status', '!=', 'deleted');
    if (q.schoolSourcedId) {
      const school = q.schoolSourcedId;
      base = base.where((eb) =>
        eb.exists(
          eb
            .selectFrom('user_roles as r')
            .select('r.role')
            .whereRef('r.customer_id', '=', 'users.customer_id')
            .whereRef('r.user_sourced_id', '=', 'users.sourced_id')
            .where('r.org_sourced_id', '=', school),
        ),
      );
    }
    if (q.withinSchools) {
      const schools = q.withinSchools;
      base = base.where(ofSchools(schools));
    }
    if (q.classId) {
      const classId = q.classId;
      base = base.where((eb) =>
        eb.exists(
          eb
            .selectFrom('enrollments as e')
            .innerJoin('classes as c', (j) => j.onRef('c.customer_id', '=', 'e.customer_id').onRef('c.sourced_id', '=', 'e.class_sourced_id'))
            .select('e.role')
            .whereRef('e.customer_id', '=', 'users.customer_id')
            .whereRef('e.user_sourced_id', '=', 'users.sourced_id')
            .where('e.status', '=', 'active')
            .where('c.id', '=', classId),
        ),
      );
    }
    if (q.search) {
      const pattern = containsPattern(q.search);
      base = base.where((eb) => eb.or(['login', 'email', 'given_name', 'family_name', 'identifier', 'sourced_id'].map((col) => matches(col, pattern))));
    }
    return base;
  }
}

/**
 * Users of one of `schools`: a roster role at it, or it in their org list (JSON text, so matched as a
 * quoted string: both dialects, no JSON functions). No schools matches no one. `users` is the name
 * (or alias) the query gives the users table.
 */
export function ofSchools(schools: readonly string[], users = 'users'): RawBuilder<SqlBool> {
  if (!schools.length) return sql<SqlBool>`1 = 0`;
  const role = sql<SqlBool>`exists (select 1 from user_roles r where r.customer_id = ${sql.ref(`${users}.customer_id`)} and r.user_sourced_id = ${sql.ref(`${users}.sourced_id`)} and r.org_sourced_id in (${sql.join([...schools])}))`;
  const listed = schools.map((s) => sql<SqlBool>`${sql.ref(`${users}.org_sourced_ids`)} like ${`%${JSON.stringify(s).replace(/[\\%_]/g, (c) => `\\${c}`)}%`} escape '\\'`);
  return sql<SqlBool>`(${sql.join([role, ...listed], sql` or `)})`;
}

/** A case-insensitive LIKE pattern for "contains `text`", with wildcards in `text` taken literally. */
export function containsPattern(text: string): string {
  return `%${text.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/** `lower(column) LIKE pattern ESCAPE '\'`: SQLite has no default escape character, so name it. */
export function matches(column: string, pattern: string): RawBuilder<SqlBool> {
  return sql<SqlBool>`lower(${sql.ref(column)}) like ${pattern} escape '\\'`;
}
