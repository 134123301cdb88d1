import type { Kysely } from 'kysely';

/**
 * LTI 1.3 logins that keep their state in the platform's storage (LTI Client Side postMessages,
 * `lti_storage_target`): inside an LMS iframe a state cookie would be third-party and blocked, so the
 * login page asks the platform's storage frame to keep the state, and the launch page reads it back.
 * `storage_target` is the frame name the platform gave at login (null: an ordinary login, one post);
 * `storage_marker_hash` is the SHA-256 of the one-time marker the launch's check page must send back,
 * set once by the platform's form post (null until then).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('lti13_login_states').addColumn('storage_target', 'text').execute();
  await db.schema.alterTable('lti13_login_states').addColumn('storage_marker_hash', 'text').execute();
}
