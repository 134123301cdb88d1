import type { Kysely } from 'kysely';

/**
 * Sync from LMS after a teacher's launch (issue 14): the customer option `lti.syncRosterOnLaunch`
 * (0/1, off by default), and on each remembered LMS course the time a launch last queued a pull of
 * its members. A launch queues one only by a compare-and-set on that time, so two teachers opening
 * the course at once queue one pull, and a course is pulled this way at most once an hour.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('customers')
    .addColumn('lti_sync_roster_on_launch', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
  await db.schema.alterTable('lti13_contexts').addColumn('launch_sync_queued_at', 'text').execute();
}
