import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';

type SignInToken = Database['sign_in_tokens'];

/** QR sign-in tokens of login cards, stored by digest. Every method names the customer except `take`, whose token is the credential. */
export class SignInTokenRepository {
  constructor(private readonly db: Kysely<Database>) {}

  /** Stores tokens (by digest) for users of one customer. */
  async insertMany(customerId: string, rows: Omit<SignInToken, 'customer_id'>[]): Promise<void> {
    // Chunks keep each statement under SQLite's bound-parameter limit.
    for (let i = 0; i < rows.length; i += 500) {
      await this.db
        .insertInto('sign_in_tokens')
        .values(rows.slice(i, i + 500).map((r) => ({ ...r, customer_id: customerId })))
        .execute();
    }
  }

  /** Forgets the unused tokens of some users: a newly printed card replaces the one before. */
  async deleteForUsers(customerId: string, userIds: readonly string[]): Promise<void> {
    for (let i = 0; i < userIds.length; i += 500) {
      await this.db
        .deleteFrom('sign_in_tokens')
        .where('customer_id', '=', customerId)
        .where('user_id', 'in', userIds.slice(i, i + 500))
        .execute();
    }
  }

  /** Uses up a token: returns it once (expired or not, for the caller to judge) and never again. */
  takePlatformWide(id: string): Promise<SignInToken | undefined> {
    return this.db.deleteFrom('sign_in_tokens').where('id', '=', id).returningAll().executeTakeFirst();
  }

  /** Forgets expired tokens, platform-wide (housekeeping on redemption). */
  async deleteExpiredPlatformWide(now: string): Promise<void> {
    await this.db.deleteFrom('sign_in_tokens').where('expires_at', '<', now).execute();
  }
}
