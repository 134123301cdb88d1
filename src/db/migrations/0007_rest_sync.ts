import type { Kysely } from 'kysely';

/**
 * What a customer's OneRoster REST pulls remember between runs: when the last successful pull
 * started (the next incremental pull asks for changes since then, minus an overlap) and when the
 * last successful full pull started (a full reconcile is due a week later).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('rest_sync_states')
    .addColumn('customer_id', 'text', (c) => c.primaryKey().references('customers.id'))
    .addColumn('last_pull_at', 'text', (c) => c.notNull())
    .addColumn('last_full_at', 'text', (c) => c.notNull())
    .addColumn('last_run_id', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
}
