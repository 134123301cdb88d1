import type { Kysely } from 'kysely';

/**
 * "Did anything change this customer's people or enrollments since the last applied run?" is asked
 * before every run (the same-file check): these indexes answer it without scanning the customer.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.createIndex('users_customer_updated').on('users').columns(['customer_id', 'updated_at']).execute();
  await db.schema.createIndex('enrollments_customer_updated').on('enrollments').columns(['customer_id', 'updated_at']).execute();
}
