import type { Kysely } from 'kysely';
import type { Database, Lti13Context, LtiPlatform, User } from '../db/schema.js';
import { ROSTER_ROLES } from '../rostering/sync/matching.js';

/** A context with what a pull of its members needs of its platform registration. */
export interface ContextWithPlatform extends Lti13Context {
  issuer: string;
  client_id: string;
  auth_token_url: string;
}

/** One live enrollment of a context's class, as the pull compares it with the LMS's members. */
export interface ClassEnrollment {
  sourced_id: string;
  user_sourced_id: string;
}

/** A rostered account a member may be (see MembershipSource): its sourcedId, status and role. */
export type RosterAccount = Pick<User, 'id' | 'status' | 'role' | 'source'> & { sourced_id: string };

/**
 * LTI 1.3 contexts (LMS courses) of a customer, and what a pull of a context's memberships reads
 * of the live roster. Every method takes the customer id and filters by it.
 */
export class ContextRepository {
  constructor(private readonly db: Kysely<Database>) {}

  /**
   * Records a context, or refreshes its title and memberships URL (a platform may move its
   * services); returns its id. One row per (platform, context id): two launches racing agree.
   */
  async upsert(row: Omit<Lti13Context, 'id' | 'created_at' | 'updated_at'> & { id: string; now: string }): Promise<string> {
    const { now, ...fields } = row;
    const saved = await this.db
      .insertInto('lti13_contexts')
      .values({ ...fields, created_at: now, updated_at: now })
      .onConflict((oc) => oc.columns(['platform_id', 'context_id']).doUpdateSet({ title: fields.title, memberships_url: fields.memberships_url, updated_at: now }))
      .returning('id')
      .executeTakeFirstOrThrow();
    return saved.id;
  }

  /** The customer's course of this platform and context id, as a launch names it, if known. */
  findLaunched(customerId: string, platformId: string, contextId: string): Promise<Pick<Lti13Context, 'id' | 'title' | 'memberships_url'> | undefined> {
    return this.db
      .selectFrom('lti13_contexts')
      .select(['id', 'title', 'memberships_url'])
      .where('customer_id', '=', customerId)
      .where('platform_id', '=', platformId)
      .where('context_id', '=', contextId)
      .executeTakeFirst();
  }

  /** The customer's platform registration with this id, if it is the customer's. */
  findPlatform(customerId: string, platformId: string): Promise<Pick<LtiPlatform, 'id' | 'issuer'> | undefined> {
    return this.db.selectFrom('lti_platforms').select(['id', 'issuer']).where('customer_id', '=', customerId).where('id', '=', platformId).executeTakeFirst();
  }

  /** One of the customer's contexts by its id. */
  find(customerId: string, contextRowId: string): Promise<ContextWithPlatform | undefined> {
    return this.select(customerId).where('x.id', '=', contextRowId).executeTakeFirst();
  }

  /** The context whose class is this class of the customer (by the class's id), if the class came from an LMS. */
  findByClass(customerId: string, classId: string): Promise<ContextWithPlatform | undefined> {
    return this.select(customerId)
      .innerJoin('classes as k', (j) => j.onRef('k.sourced_id', '=', 'x.class_sourced_id').onRef('k.customer_id', '=', 'x.customer_id'))
      .where('k.id', '=', classId)
      .executeTakeFirst();
  }

  /** The id of the customer's class with this sourcedId, if it exists yet. */
  async classIdOf(customerId: string, classSourcedId: string): Promise<string | null> {
    const row = await this.db.selectFrom('classes').select('id').where('customer_id', '=', customerId).where('sourced_id', '=', classSourcedId).executeTakeFirst();
    return row?.id ?? null;
  }

  /** The live enrollments of the customer's class with this sourcedId. */
  activeEnrollments(customerId: string, classSourcedId: string): Promise<ClassEnrollment[]> {
    return this.db
      .selectFrom('enrollments')
      .select(['sourced_id', 'user_sourced_id'])
      .where('customer_id', '=', customerId)
      .where('class_sourced_id', '=', classSourcedId)
      .where('status', '=', 'active')
      .execute();
  }

  /** The customer's accounts with these sourcedIds (any status). */
  async accountsBySourcedId(customerId: string, sourcedIds: readonly string[]): Promise<RosterAccount[]> {
    if (!sourcedIds.length) return [];
    const rows = await this.db
      .selectFrom('users')
      .select(['id', 'sourced_id', 'status', 'role', 'source'])
      .where('customer_id', '=', customerId)
      .where('sourced_id', 'in', [...sourcedIds])
      .execute();
    return rows.flatMap((r) => (r.sourced_id === null ? [] : [{ ...r, sourced_id: r.sourced_id }]));
  }

  /**
   * Whether an account the roster does not own (an administrator, a manual or LTI-only user, an
   * enterprise admin) holds this identifier or email: a roster row with that value is refused by the
   * sync planner (match.protected_account), so a pull must not enrol the person either.
   */
  async protectedHolder(customerId: string, column: 'identifier' | 'email', value: string): Promise<boolean> {
    const row = await this.db
      .selectFrom('users')
      .select('id')
      .where((w) => w.or([w('customer_id', '=', customerId), w('customer_id', 'is', null)]))
      .where(column, '=', value)
      .where('status', '!=', 'deleted')
      .where((w) => w.not(w.and([w('customer_id', '=', customerId), w('source', '=', 'roster'), w('role', 'in', [...ROSTER_ROLES])])))
      .limit(1)
      .executeTakeFirst();
    return row !== undefined;
  }

  /** Whether another run of the customer is queued or running (one sync of a customer at a time). */
  async activeRun(customerId: string): Promise<{ id: string; status: string } | undefined> {
    return this.db.selectFrom('roster_runs').select(['id', 'status']).where('customer_id', '=', customerId).where('status', 'in', ['queued', 'running']).orderBy('created_at').executeTakeFirst();
  }

  private select(customerId: string) {
    return this.db
      .selectFrom('lti13_contexts as x')
      .innerJoin('lti_platforms as p', (j) => j.onRef('p.id', '=', 'x.platform_id').onRef('p.customer_id', '=', 'x.customer_id'))
      .selectAll('x')
      .select(['p.issuer', 'p.client_id', 'p.auth_token_url'])
      .where('x.customer_id', '=', customerId);
  }
}
