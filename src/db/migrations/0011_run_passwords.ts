import type { Kysely } from 'kysely';

/**
 * How many roster passwords a run queued for hashing, so its page can show them being set up
 * (pending ones are counted by run in pending_passwords).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('roster_runs')
    .addColumn('passwords_queued', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
  await db.schema.createIndex('pending_passwords_run').on('pending_passwords').column('run_id').execute();
}
