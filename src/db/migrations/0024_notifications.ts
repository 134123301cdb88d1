import type { Kysely } from 'kysely';

/**
 * Notifications (issue 15): who wants which e-mails, each customer's webhook (its signing secret
 * sealed), the webhook delivery log, which stale feeds were already announced, and which daily
 * digests were sent. Deliveries keep the exact body they sign, so every retry sends the same bytes.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('notification_preferences')
    .addColumn('user_id', 'text', (c) => c.primaryKey().references('users.id').onDelete('cascade'))
    // Null for an enterprise admin, whose preferences (the daily digest) are the platform's.
    .addColumn('customer_id', 'text', (c) => c.references('customers.id'))
    .addColumn('run_failed', 'integer', (c) => c.notNull())
    .addColumn('run_held', 'integer', (c) => c.notNull())
    .addColumn('feed_stale', 'integer', (c) => c.notNull())
    .addColumn('daily_digest', 'integer', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('notification_webhooks')
    .addColumn('customer_id', 'text', (c) => c.primaryKey().references('customers.id'))
    .addColumn('url', 'text', (c) => c.notNull())
    .addColumn('secret_sealed', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('notification_deliveries')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('customer_id', 'text', (c) => c.notNull().references('customers.id'))
    .addColumn('event_id', 'text', (c) => c.notNull())
    .addColumn('event_type', 'text', (c) => c.notNull())
    .addColumn('url', 'text', (c) => c.notNull())
    .addColumn('body', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('attempt', 'integer', (c) => c.notNull())
    .addColumn('status_code', 'integer')
    .addColumn('duration_ms', 'integer')
    .addColumn('error', 'text', (c) => c.notNull())
    .addColumn('next_retry_at', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  // The log lists a customer's newest deliveries; ids are time-ordered (uuidv7).
  await db.schema.createIndex('notification_deliveries_customer').on('notification_deliveries').columns(['customer_id', 'id']).execute();
  await db.schema
    .createTable('notification_stale_marks')
    .addColumn('customer_id', 'text', (c) => c.primaryKey().references('customers.id'))
    // The last success the stale feed was announced for ('' before any): a new stale spell after a success is announced again.
    .addColumn('last_success_at', 'text', (c) => c.notNull())
    .addColumn('notified_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('notification_digests')
    .addColumn('day', 'text', (c) => c.primaryKey())
    .addColumn('sent_at', 'text', (c) => c.notNull())
    .execute();
}
