import type { Kysely } from 'kysely';

/**
 * Login cards (issue 15): the QR sign-in tokens printed on a card. Only the SHA-256 of a token is
 * kept, so the table yields nothing to sign in with; a token is deleted when it is used.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('sign_in_tokens')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('customer_id', 'text', (c) => c.notNull().references('customers.id'))
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('created_by', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('sign_in_tokens_user').on('sign_in_tokens').columns(['customer_id', 'user_id']).execute();
  await db.schema.createIndex('sign_in_tokens_expires').on('sign_in_tokens').column('expires_at').execute();
}
