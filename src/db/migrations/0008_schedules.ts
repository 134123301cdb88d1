import type { Kysely } from 'kysely';

/**
 * The Auto scheduler's claim table: one row per scheduled customer with the next slot it is due
 * at. A scheduler takes a slot by moving `next_run_at` on with a compare-and-set UPDATE in the same
 * transaction that queues the pull, so any number of schedulers queue each slot exactly once.
 * `basis` ("period@time zone") is what the slot was computed from; a change of either re-plans it.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('roster_schedules')
    .addColumn('customer_id', 'text', (c) => c.primaryKey().references('customers.id'))
    .addColumn('next_run_at', 'text', (c) => c.notNull())
    .addColumn('basis', 'text', (c) => c.notNull())
    .addColumn('last_claimed_at', 'text')
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('roster_schedules_due').on('roster_schedules').column('next_run_at').execute();
}
