import type { Kysely } from 'kysely';

/**
 * LTI 1.1 beyond the nonces: the customer's policy for launching users nobody rostered, the
 * remembered link from an LMS user to a Lectern user, one-time tickets that carry a launch made
 * inside an LMS iframe to a top-level window, and Basic Outcomes (where to report a user's
 * progress, and every report made). Book and collection ids are not foreign keys: this migration
 * may run before the content tables exist (0006), and a deleted title simply stops being reported.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('customers')
    .addColumn('lti_unmatched_users', 'text', (c) => c.notNull().defaultTo('create'))
    .execute();
  // Every launch starts a session and every session start sweeps expired ones: keep that sweep an index range.
  await db.schema.createIndex('sessions_expires').on('sessions').column('expires_at').execute();

  // One LMS user (per consumer instance) → one Lectern user; used before any Match with rule.
  await db.schema
    .createTable('lti_user_links')
    .addColumn('customer_id', 'text', (c) => c.notNull().references('customers.id'))
    .addColumn('consumer_guid', 'text', (c) => c.notNull())
    .addColumn('lti_user_id', 'text', (c) => c.notNull())
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('last_launch_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('lti_user_links_pk', ['customer_id', 'consumer_guid', 'lti_user_id'])
    .execute();
  await db.schema.createIndex('lti_user_links_user').on('lti_user_links').column('user_id').execute();

  await db.schema
    .createTable('lti_launch_tickets')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('customer_id', 'text', (c) => c.notNull().references('customers.id'))
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('target', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('lti_outcome_bindings')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('customer_id', 'text', (c) => c.notNull().references('customers.id'))
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('consumer_guid', 'text', (c) => c.notNull())
    .addColumn('resource_link_id', 'text', (c) => c.notNull())
    .addColumn('target_type', 'text', (c) => c.notNull())
    .addColumn('target_id', 'text', (c) => c.notNull())
    .addColumn('service_url', 'text', (c) => c.notNull())
    .addColumn('result_sourcedid', 'text', (c) => c.notNull())
    .addColumn('consumer_key', 'text', (c) => c.notNull())
    .addColumn('reported_score', 'real')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addUniqueConstraint('lti_outcome_bindings_link', ['customer_id', 'user_id', 'consumer_guid', 'resource_link_id'])
    .execute();
  await db.schema.createIndex('lti_outcome_bindings_target').on('lti_outcome_bindings').columns(['customer_id', 'user_id', 'target_id']).execute();

  await db.schema
    .createTable('lti_outcome_calls')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('customer_id', 'text', (c) => c.notNull().references('customers.id'))
    .addColumn('binding_id', 'text', (c) => c.notNull().references('lti_outcome_bindings.id').onDelete('cascade'))
    .addColumn('score', 'real', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull())
    .addColumn('last_error', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('lti_outcome_calls_customer').on('lti_outcome_calls').columns(['customer_id', 'created_at']).execute();
  await db.schema.createIndex('lti_outcome_calls_binding').on('lti_outcome_calls').columns(['binding_id', 'created_at']).execute();
}
