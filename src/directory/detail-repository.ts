import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';

/** Queries behind the user and class pages; every one names the customer. */
export class DetailRepository {
  constructor(private readonly db: Kysely<Database>) {}

  /** The orgs a user holds a role at, with their names. */
  rolesOf(customerId: string, userSourcedId: string) {
    return this.db
      .selectFrom('user_roles as r')
      .leftJoin('orgs as o', (j) => j.onRef('o.customer_id', '=', 'r.customer_id').onRef('o.sourced_id', '=', 'r.org_sourced_id'))
      .select(['r.org_sourced_id as orgSourcedId', 'o.name as orgName', 'o.type as orgType', 'r.role', 'r.role_type as roleType'])
      .where('r.customer_id', '=', customerId)
      .where('r.user_sourced_id', '=', userSourcedId)
      .orderBy('r.role_type')
      .execute();
  }

  /** A user's enrollments with their classes. */
  enrollmentsOf(customerId: string, userSourcedId: string) {
    return this.db
      .selectFrom('enrollments as e')
      .leftJoin('classes as c', (j) => j.onRef('c.customer_id', '=', 'e.customer_id').onRef('c.sourced_id', '=', 'e.class_sourced_id'))
      .select([
        'e.sourced_id as sourcedId',
        'e.role',
        'e.status',
        'e.begin_date as beginDate',
        'e.end_date as endDate',
        'c.id as classId',
        'c.title as classTitle',
        'e.class_sourced_id as classSourcedId',
      ])
      .where('e.customer_id', '=', customerId)
      .where('e.user_sourced_id', '=', userSourcedId)
      .orderBy('c.title')
      .execute();
  }

  /**
   * Every change applied roster runs made to one record, newest first. Its create is the run named
   * by the record's created_run_id (creates are not rows of roster_run_changes).
   */
  async historyOf(customerId: string, entity: string, targetId: string, createdRunId: string | null) {
    const runs = this.db.selectFrom('roster_runs as run').where('run.customer_id', '=', customerId).where('run.dry_run', '=', 0).where('run.status', 'in', ['succeeded', 'succeeded_with_warnings']);
    const [changes, created] = await Promise.all([
      runs
        .innerJoin('roster_run_changes as ch', 'ch.run_id', 'run.id')
        .select(['run.id as runId', 'run.created_at as at', 'run.trigger', 'run.file_name as fileName', 'run.status as runStatus', 'ch.action', 'ch.fields', 'ch.reason'])
        .where('ch.entity', '=', entity)
        .where('ch.target_id', '=', targetId)
        .orderBy('run.created_at', 'desc')
        .limit(200)
        .execute(),
      createdRunId
        ? runs.select(['run.id as runId', 'run.created_at as at', 'run.trigger', 'run.file_name as fileName', 'run.status as runStatus']).where('run.id', '=', createdRunId).execute()
        : Promise.resolve([]),
    ]);
    return [...changes, ...created.map((r) => ({ ...r, action: 'create' as const, fields: '{}', reason: '' }))].slice(0, 200);
  }

  /** When a run happened (for "matched by … in the run of …"). */
  runDate(customerId: string, runId: string) {
    return this.db.selectFrom('roster_runs').select(['created_at', 'file_name']).where('customer_id', '=', customerId).where('id', '=', runId).executeTakeFirst();
  }

  /** A class of the customer. */
  findClass(customerId: string, classId: string) {
    return this.db.selectFrom('classes').selectAll().where('customer_id', '=', customerId).where('id', '=', classId).executeTakeFirst();
  }

  /** The people enrolled in a class, teachers first. */
  membersOf(customerId: string, classSourcedId: string) {
    return this.db
      .selectFrom('enrollments as e')
      .innerJoin('users as u', (j) => j.onRef('u.customer_id', '=', 'e.customer_id').onRef('u.sourced_id', '=', 'e.user_sourced_id'))
      .select(['u.id as userId', 'u.given_name as givenName', 'u.family_name as familyName', 'u.login', 'e.role', 'e.status', 'e.begin_date as beginDate', 'e.end_date as endDate'])
      .where('e.customer_id', '=', customerId)
      .where('e.class_sourced_id', '=', classSourcedId)
      .where('e.status', '=', 'active')
      .orderBy('e.role', 'desc')
      .orderBy('u.family_name')
      .execute();
  }

  /** The customer's schools (orgs of type school), for filters. */
  schools(customerId: string) {
    return this.db
      .selectFrom('orgs')
      .select(['sourced_id as sourcedId', 'name', 'identifier'])
      .where('customer_id', '=', customerId)
      .where('type', '=', 'school')
      .where('status', '=', 'active')
      .orderBy('name')
      .execute();
  }

  /** Of `ids`, the sourcedIds of the customer's active orgs. */
  async activeOrgIds(customerId: string, ids: readonly string[]): Promise<Set<string>> {
    if (!ids.length) return new Set();
    const rows = await this.db
      .selectFrom('orgs')
      .select('sourced_id')
      .where('customer_id', '=', customerId)
      .where('status', '=', 'active')
      .where('sourced_id', 'in', [...ids])
      .execute();
    return new Set(rows.map((o) => o.sourced_id));
  }

  /** The latest applied run that deleted a user (their roster no longer lists them), if a run did. */
  deletingRun(customerId: string, userId: string) {
    return this.db
      .selectFrom('roster_run_changes as ch')
      .innerJoin('roster_runs as run', 'run.id', 'ch.run_id')
      .select(['run.id as runId', 'run.created_at as at', 'run.file_name as fileName'])
      .where('run.customer_id', '=', customerId)
      .where('ch.entity', '=', 'users')
      .where('ch.action', '=', 'delete')
      .where('ch.target_id', '=', userId)
      .where('run.dry_run', '=', 0)
      .where('run.status', 'in', ['succeeded', 'succeeded_with_warnings'])
      .orderBy('run.created_at', 'desc')
      .limit(1)
      .executeTakeFirst();
  }

  /** Restores a soft-deleted user and the enrollments that ended with them. */
  async restoreUser(customerId: string, userId: string, now: string): Promise<boolean> {
    const user = await this.db
      .selectFrom('users')
      .select(['sourced_id', 'deleted_at'])
      .where('customer_id', '=', customerId)
      .where('id', '=', userId)
      .where('status', '=', 'deleted')
      .executeTakeFirst();
    if (!user) return false;
    await this.db.updateTable('users').set({ status: 'active', deleted_at: null, updated_at: now }).where('customer_id', '=', customerId).where('id', '=', userId).execute();
    if (user.sourced_id && user.deleted_at) {
      await this.db
        .updateTable('enrollments')
        .set({ status: 'active', deleted_at: null, updated_at: now })
        .where('customer_id', '=', customerId)
        .where('user_sourced_id', '=', user.sourced_id)
        .where('status', '=', 'deleted')
        .where('deleted_at', '=', user.deleted_at)
        .execute();
    }
    return true;
  }
}
