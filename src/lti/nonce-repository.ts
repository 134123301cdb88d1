import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';

/** Single-use LTI nonces, per consumer key. */
export class NonceRepository {
  constructor(private readonly db: Kysely<Database>) {}

  /**
   * Records a nonce; false when it was already used and has not expired. One statement, so two
   * servers receiving the same replayed launch cannot both accept it.
   */
  async claim(consumerKey: string, nonce: string, expiresAt: string, now: string): Promise<boolean> {
    const row = await this.db
      .insertInto('lti_nonces')
      .values({ consumer_key: consumerKey, nonce, expires_at: expiresAt })
      .onConflict((oc) => oc.columns(['consumer_key', 'nonce']).doUpdateSet({ expires_at: expiresAt }).where('lti_nonces.expires_at', '<', now))
      .returning('nonce')
      .executeTakeFirst();
    return row !== undefined;
  }

  /** Forgets nonces whose timestamps are now outside the window anyway. */
  async deleteExpired(now: string): Promise<number> {
    const res = await this.db.deleteFrom('lti_nonces').where('expires_at', '<', now).executeTakeFirst();
    return Number(res.numDeletedRows);
  }
}
