import type { Kysely } from 'kysely';

/**
 * The plan tab names its records (issue 15, bug 8): a create of a preview or a discarded hold is
 * copied to `roster_run_changes` when its stage is cleared, and with the stage goes the only copy of
 * the record's name. `name` keeps it ('' for rows written before, and for changes of live records,
 * which are named from the records themselves).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('roster_run_changes')
    .addColumn('name', 'text', (c) => c.notNull().defaultTo(''))
    .execute();
}
