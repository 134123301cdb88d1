import type { Kysely } from 'kysely';

/**
 * LTI 1.3 Assignment and Grade Services 2.0: an outcome binding may be an AGS one, so that 1.3
 * customers' scores use the queue, retries, call records and grade report of LTI 1.1 Basic Outcomes.
 * Existing rows are 1.1 ('1.1' by default, the new columns null). A 1.3 binding names its platform
 * registration (deleting the registration deletes its bindings and their calls), the person's `sub`,
 * the scopes the launch's AGS claim granted (a JSON array), and the line item: from the claim, or
 * null until the job creates one in the claim's line item container (`lineitems_url`).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('lti_outcome_bindings')
    .addColumn('lti_version', 'text', (c) => c.notNull().defaultTo('1.1'))
    .execute();
  await db.schema
    .alterTable('lti_outcome_bindings')
    .addColumn('platform_id', 'text', (c) => c.references('lti_platforms.id').onDelete('cascade'))
    .execute();
  for (const column of ['line_item_url', 'lineitems_url', 'lti_user_id', 'ags_scopes']) {
    await db.schema.alterTable('lti_outcome_bindings').addColumn(column, 'text').execute();
  }
  // A registration's removal cascades to its bindings: found by this index, not a scan.
  await db.schema.createIndex('lti_outcome_bindings_platform').on('lti_outcome_bindings').column('platform_id').execute();
}
