import { sql, type Kysely } from 'kysely';

/**
 * Access audit (issue 16): reads of student data are logged beside the writes. `kind` says which
 * (every entry before this one was a write); `subject_user_id` is the person an entry is about, so
 * "who saw or changed Jo's record" is one indexed filter (entries naming a user as their target
 * already are about that user). `at` gets its own index for the daily retention purge.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('audit_log')
    .addColumn('kind', 'text', (c) => c.notNull().defaultTo('write'))
    .execute();
  await db.schema.alterTable('audit_log').addColumn('subject_user_id', 'text').execute();
  await sql`update audit_log set subject_user_id = target_id where target_type = 'user'`.execute(db);
  await db.schema.createIndex('audit_log_subject').on('audit_log').columns(['subject_user_id', 'id']).execute();
  await db.schema.createIndex('audit_log_at').on('audit_log').column('at').execute();
}
