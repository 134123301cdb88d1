import type { Kysely } from 'kysely';
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

  /** Revokes one of a user's tokens; false when the user has no such token. */
  async revokeToken(userId: string, id: string, now: string): Promise<boolean> {
    const res = await this.db
      .updateTable('api_tokens')
      .set({ revoked_at: now })
      .where('user_id', '=', userId)
      .where('id', '=', id)
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
    return Number(res.numUpdatedRows) > 0;
  }

  /** The throttle row for a key (a login name or an IP address). */
  findThrottle(key: string): Promise<Database['login_throttle'] | undefined> {
    return this.db.selectFrom('login_throttle').selectAll().where('key', '=', key).executeTakeFirst();
  }

  /** Writes a throttle row. */
  async saveThrottle(row: Database['login_throttle']): Promise<void> {
    await this.db
      .insertInto('login_throttle')
      .values(row)
      .onConflict((oc) => oc.column('key').doUpdateSet({ failures: row.failures, window_started_at: row.window_started_at, locked_until: row.locked_until }))
      .execute();
  }

  /** Forgets a key's failures after a successful sign-in. */
  async clearThrottle(key: string): Promise<void> {
    await this.db.deleteFrom('login_throttle').where('key', '=', key).execute();
  }
}
