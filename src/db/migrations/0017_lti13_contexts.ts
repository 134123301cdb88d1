import type { Kysely } from 'kysely';

/**
 * LTI 1.3 contexts (LMS courses) that launched Lectern, with the Names and Role Provisioning
 * Services 2.0 memberships URL their launches carried. A context is one class of its customer's
 * roster: `class_sourced_id` is derived from the issuer and context id (never a OneRoster id), so the
 * class a pull of its members creates is found again by it. The URL is remembered from the latest
 * launch, since a platform may move its service endpoints; it is only ever called through the
 * guarded outbound client.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('lti13_contexts')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('customer_id', 'text', (c) => c.notNull().references('customers.id'))
    .addColumn('platform_id', 'text', (c) => c.notNull().references('lti_platforms.id').onDelete('cascade'))
    .addColumn('context_id', 'text', (c) => c.notNull())
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('memberships_url', 'text', (c) => c.notNull())
    .addColumn('class_sourced_id', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    // A context id is unique within its platform (LTI Core 1.3 §5.4.1): one row per LMS course.
    .addUniqueConstraint('lti13_contexts_platform_context', ['platform_id', 'context_id'])
    .execute();
  // The Class page and the on-demand sync find a class's context by its sourcedId.
  await db.schema.createIndex('lti13_contexts_customer_class').on('lti13_contexts').columns(['customer_id', 'class_sourced_id']).execute();
}
