import { sql, type Kysely } from 'kysely';
import type { ApiToken, Database, Session } from '../db/schema.js';

/** Sign-in state: server-side sessions, personal API tokens and the login throttle. */
export class SessionRepository {
  constructor(private readonly db: Kysely<Database>) {}

  /** Stores a session under the digest of its cookie value. */
  async insertSession(session: Session): Promise<void> {
    await this.db.insertInto('sessions').values(session).execute();
  }

  /** A live session by the digest of its cookie value. */
  findSession(id: string, now: string): Promise<Session | undefined> {
    return this.db.selectFrom('sessions').selectAll().where('id', '=', id).where('expires_at', '>', now).executeTakeFirst();
  }

  /** Slides a session's expiry forward. */
  async touchSession(id: string, now: string, expiresAt: string): Promise<void> {
    await this.db.updateTable('sessions').set({ last_seen_at: now, expires_at: expiresAt }).where('id', '=', id).execute();
  }

  /** Ends one session. */
  async deleteSession(id: string): Promise<void> {
    await this.db.deleteFrom('sessions').where('id', '=', id).execute();
  }

  /** Ends every session of a user except, optionally, one (after a password change). */
  async deleteSessionsOfUser(userId: string, exceptId?: string): Promise<void> {
    let q = this.db.deleteFrom('sessions').where('user_id', '=', userId);
    if (exceptId) q = q.where('id', '!=', exceptId);
    await q.execute();
  }

  /** Ends every session of every user of a customer (when it is disabled). */
  async deleteSessionsOfCustomer(customerId: string): Promise<void> {
    await this.db
      .deleteFrom('sessions')
      .where('user_id', 'in', (eb) => eb.selectFrom('users').select('id').where('customer_id', '=', customerId))
      .execute();
  }

  /** Removes expired sessions. */
  async deleteExpiredSessions(now: string): Promise<void> {
    await this.db.deleteFrom('sessions').where('expires_at', '<=', now).execute();
  }

  /** Stores a new API token (its digest only). */
  async insertToken(token: ApiToken): Promise<void> {
    await this.db.insertInto('api_tokens').values(token).execute();
  }

  /** A usable token by digest: not revoked, not expired. */
  findActiveToken(digest: string, now: string): Promise<ApiToken | undefined> {
    return this.db
      .selectFrom('api_tokens')
      .selectAll()
      .where('token_hash', '=', digest)
      .where('revoked_at', 'is', null)
      .where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', now)]))
      .executeTakeFirst();
  }

  /** Records that a token was just used. */
  async markTokenUsed(id: string, now: string): Promise<void> {
    await this.db.updateTable('api_tokens').set({ last_used_at: now }).where('id', '=', id).execute();
  }

  /** A user's tokens, newest first. */
  listTokensOfUser(userId: string): Promise<ApiToken[]> {
    return this.db.selectFrom('api_tokens').selectAll().where('user_id', '=', userId).orderBy('created_at', 'desc').execute();
  }

  /** Revokes every live token of a user (after a password change). */
  async revokeTokensOfUser(userId: string, now: string): Promise<void> {
    await this.db.updateTable('api_tokens').set({ revoked_at: now }).where('user_id', '=', userId).where('revoked_at', 'is', null).execute();
  }

  /** Revokes one of a user's tokens; false when the user has no such token. */
  async revokeToken(userId: string, id: string, now: string): Promise<boolean> {
    const res = await this.db.updateTable('api_tokens').set({ revoked_at: now }).where('user_id', '=', userId).where('id', '=', id).where('revoked_at', 'is', null).executeTakeFirst();
    return Number(res.numUpdatedRows) > 0;
  }

  /**
   * Claims one sign-in attempt on a throttle key, in one conditional upsert so that concurrent
   * attempts from any number of processes cannot all slip past the check: it starts a new window
   * when there is none or the last one began at or before `expiredBefore`, counts the attempt when
   * fewer than `limit` are counted in the current one, and otherwise changes nothing. True when claimed.
   */
  async claimAttempt(key: string, limit: number, now: string, expiredBefore: string): Promise<boolean> {
    const expired = sql<boolean>`login_throttle.window_started_at <= ${expiredBefore}`;
    const row = await this.db
      .insertInto('login_throttle')
      .values({ key, failures: 1, window_started_at: now })
      .onConflict((oc) =>
        oc
          .column('key')
          .doUpdateSet({
            failures: sql<number>`case when ${expired} then 1 else login_throttle.failures + 1 end`,
            window_started_at: sql<string>`case when ${expired} then ${now} else login_throttle.window_started_at end`,
          })
          .where((eb) => eb.or([expired, eb('login_throttle.failures', '<', limit)])),
      )
      .returning('key')
      .executeTakeFirst();
    return row !== undefined;
  }

  /** Gives back one claimed attempt (it turned out not to be a wrong password). */
  async releaseAttempt(key: string): Promise<void> {
    await this.db
      .updateTable('login_throttle')
      .set((eb) => ({ failures: eb('failures', '-', 1) }))
      .where('key', '=', key)
      .where('failures', '>', 0)
      .execute();
  }

  /** When a throttle key's current window began, if it has one. */
  async throttleWindowStart(key: string): Promise<string | undefined> {
    const row = await this.db.selectFrom('login_throttle').select('window_started_at').where('key', '=', key).executeTakeFirst();
    return row?.window_started_at;
  }

  /** Forgets a key's attempts after a successful sign-in. */
  async clearThrottle(key: string): Promise<void> {
    await this.db.deleteFrom('login_throttle').where('key', '=', key).execute();
  }

  /** Whether the user signed in successfully from this address at or after `since`. */
  async isKnownAddress(userId: string, ip: string, since: string): Promise<boolean> {
    const row = await this.db.selectFrom('login_addresses').select('ip').where('user_id', '=', userId).where('ip', '=', ip).where('last_success_at', '>=', since).executeTakeFirst();
    return row !== undefined;
  }

  /** Records a successful sign-in of the user from this address. */
  async rememberAddress(userId: string, ip: string, now: string): Promise<void> {
    await this.db
      .insertInto('login_addresses')
      .values({ user_id: userId, ip, last_success_at: now })
      .onConflict((oc) => oc.columns(['user_id', 'ip']).doUpdateSet({ last_success_at: now }))
      .execute();
  }

  /** Drops throttle windows that began before `windowsBefore` and addresses last used before `addressesBefore`. */
  async sweepSignInState(windowsBefore: string, addressesBefore: string): Promise<void> {
    await this.db.deleteFrom('login_throttle').where('window_started_at', '<', windowsBefore).execute();
    await this.db.deleteFrom('login_addresses').where('last_success_at', '<', addressesBefore).execute();
  }
}
