import type { Kysely } from 'kysely';

/**
 * LTI 1.3 Deep Linking 2.0: a verified LtiDeepLinkingRequest waiting for the teacher's choice in the
 * title picker. The picker runs inside the LMS's iframe, where third-party cookies are blocked, so
 * the request is kept here under the SHA-256 of a random single-purpose token that the picker page
 * carries in its form; the row holds what the response must honour (return URL, `data` to echo,
 * accept_multiple, accept_types, accept_lineitem, deployment) and is taken once, within the hour.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('lti13_deep_link_requests')
    .addColumn('token_hash', 'text', (c) => c.primaryKey())
    .addColumn('customer_id', 'text', (c) => c.notNull().references('customers.id'))
    .addColumn('platform_id', 'text', (c) => c.notNull().references('lti_platforms.id').onDelete('cascade'))
    .addColumn('deployment_id', 'text', (c) => c.notNull())
    .addColumn('return_url', 'text', (c) => c.notNull())
    // Opaque to Lectern, echoed exactly; null when the request had none.
    .addColumn('data', 'text')
    .addColumn('accept_multiple', 'integer', (c) => c.notNull())
    // A JSON array of text.
    .addColumn('accept_types', 'text', (c) => c.notNull())
    .addColumn('accept_lineitem', 'integer', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('lti13_deep_link_requests_expires').on('lti13_deep_link_requests').column('expires_at').execute();
}
