import type { ExpressionBuilder, Kysely } from 'kysely';
import type { Database } from '../db/schema.js';

/**
 * The queries of Sync from LMS after a teacher's launch (sync-on-launch.ts): whether a remembered
 * course is due a pull, and the compare-and-set that claims it. Every method takes the customer id
 * and filters by it.
 */
export class LaunchSyncRepository {
  constructor(private readonly db: Kysely<Database>) {}

  /**
   * Whether the customer has `lti.syncRosterOnLaunch` on and this course was not queued since
   * `cutoff`: a read that lets a launch skip the write in the common case.
   */
  async isDue(customerId: string, contextRowId: string, cutoff: string): Promise<boolean> {
    const row = await this.db
      .selectFrom('lti13_contexts')
      .select('id')
      .where(due(customerId, contextRowId, cutoff))
      .executeTakeFirst();
    return row !== undefined;
  }

  /**
   * Marks the course queued at `now` if it is still due (see isDue); true when this call did. Of two
   * launches racing, the second finds the time already moved on and gets false.
   */
  async claim(customerId: string, contextRowId: string, now: string, cutoff: string): Promise<boolean> {
    const result = await this.db
      .updateTable('lti13_contexts')
      .set({ launch_sync_queued_at: now })
      .where(due(customerId, contextRowId, cutoff))
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  /** Whether the customer still has the option on (it may be turned off between a launch and its pull). */
  async optionOn(customerId: string): Promise<boolean> {
    const row = await this.db.selectFrom('customers').select('lti_sync_roster_on_launch').where('id', '=', customerId).executeTakeFirst();
    return row?.lti_sync_roster_on_launch === 1;
  }
}

// One condition for the read and the compare-and-set, so the two never disagree: the customer's
// course, the option on, and no launch queued a pull since `cutoff`.
function due(customerId: string, contextRowId: string, cutoff: string) {
  return (eb: ExpressionBuilder<Database, 'lti13_contexts'>) =>
    eb.and([
      eb('lti13_contexts.customer_id', '=', customerId),
      eb('lti13_contexts.id', '=', contextRowId),
      eb.or([eb('lti13_contexts.launch_sync_queued_at', 'is', null), eb('lti13_contexts.launch_sync_queued_at', '<=', cutoff)]),
      eb.exists(eb.selectFrom('customers as c').select('c.id').whereRef('c.id', '=', 'lti13_contexts.customer_id').where('c.lti_sync_roster_on_launch', '=', 1)),
    ]);
}
