import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';

/** A login in flight as stored: the state's digest, the nonce, the platform it was sent to and the URL it targets. */
export type LoginStateRow = Database['lti13_login_states'];

/**
 * The OIDC logins in flight (lti13_login_states). A state is looked up by its digest only: the
 * state itself is the credential, and its row names the platform (so the customer), so the lookup
 * is platform-wide by design, as a launch ticket's is.
 */
export class LoginStateRepository {
  constructor(private readonly db: Kysely<Database>) {}

  /** Stores a new login state. */
  async insert(row: LoginStateRow): Promise<void> {
    await this.db.insertInto('lti13_login_states').values(row).execute();
  }

  /**
   * Uses up the state with this digest: one delete that returns the row, so of two posts of one
   * state exactly one gets it (single use without a read-then-write race). Expired rows are
   * deleted too but not returned.
   */
  async takePlatformWide(stateHash: string, now: string): Promise<LoginStateRow | undefined> {
    const row = await this.db.deleteFrom('lti13_login_states').where('state_hash', '=', stateHash).returningAll().executeTakeFirst();
    return row && row.expires_at > now ? row : undefined;
  }

  /** The unexpired ordinary login (no storage target) with this digest, read without using it. */
  findUnboundPlatformWide(stateHash: string, now: string): Promise<LoginStateRow | undefined> {
    return this.db.selectFrom('lti13_login_states').selectAll().where('state_hash', '=', stateHash).where('storage_target', 'is', null).where('expires_at', '>', now).executeTakeFirst();
  }

  /**
   * Uses up the state with this digest if it is an ordinary login (no storage target), as
   * takePlatformWide does; a login kept in platform storage stays for its two posts (storage-target.ts).
   */
  async takeUnboundPlatformWide(stateHash: string, now: string): Promise<LoginStateRow | undefined> {
    const row = await this.db.deleteFrom('lti13_login_states').where('state_hash', '=', stateHash).where('storage_target', 'is', null).returningAll().executeTakeFirst();
    return row && row.expires_at > now ? row : undefined;
  }

  /**
   * Sets the one-time marker of a storage login that has none yet, by compare-and-set: of two posts
   * of one state exactly one gets the row. Undefined when unknown, expired, not a storage login or
   * already marked.
   */
  async markPlatformWide(stateHash: string, markerHash: string, now: string): Promise<LoginStateRow | undefined> {
    return this.db
      .updateTable('lti13_login_states')
      .set({ storage_marker_hash: markerHash })
      .where('state_hash', '=', stateHash)
      .where('storage_target', 'is not', null)
      .where('storage_marker_hash', 'is', null)
      .where('expires_at', '>', now)
      .returningAll()
      .executeTakeFirst();
  }

  /** Forgets logins that were never completed. */
  async deleteExpired(now: string): Promise<void> {
    await this.db.deleteFrom('lti13_login_states').where('expires_at', '<', now).execute();
  }
}
