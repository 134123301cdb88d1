import type { Kysely } from 'kysely';

/**
 * The login throttle claims attempts in one conditional upsert (a fixed window per key, no separate
 * lock-out time), and remembers the addresses each account signed in from, so a lock-out caused from
 * elsewhere does not shut a person out where they usually sign in.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('login_throttle').dropColumn('locked_until').execute();
  await db.schema.createIndex('login_throttle_window').on('login_throttle').column('window_started_at').execute();
  await db.schema
    .createTable('login_addresses')
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('ip', 'text', (c) => c.notNull())
    .addColumn('last_success_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('login_addresses_pk', ['user_id', 'ip'])
    .execute();
  await db.schema.createIndex('login_addresses_last_success').on('login_addresses').column('last_success_at').execute();
}
