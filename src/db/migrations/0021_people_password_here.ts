import type { Kysely } from 'kysely';

/**
 * People (issue 15): when an administrator last set a user's password in the console. While it is
 * set, the password in force is the one set here, not the roster's; the sync's password hasher
 * clears it when a changed roster password takes over again. The roster's value stays fingerprinted
 * in password_digest, so a sync that brings the same roster password leaves the override alone.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('users').addColumn('password_set_here_at', 'text').execute();
}
