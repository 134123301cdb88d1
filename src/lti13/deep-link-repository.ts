import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';

/** A deep linking request as stored: its token's digest, what the response must honour, and its expiry. */
export type DeepLinkRequestRow = Database['lti13_deep_link_requests'];

/** A stored request with the registration it came through (the response's iss and aud). */
export interface DeepLinkRequestWithPlatform extends DeepLinkRequestRow {
  issuer: string;
  client_id: string;
}

/**
 * Deep linking requests waiting for the teacher's choice (lti13_deep_link_requests). A request is
 * looked up by its token's digest only: the token is the credential, and the row names the customer
 * whose titles the picker may show, so the lookup is platform-wide by design (as a login state's).
 */
export class DeepLinkRepository {
  constructor(private readonly db: Kysely<Database>) {}

  /** Stores a new request. */
  async insert(row: DeepLinkRequestRow): Promise<void> {
    await this.db.insertInto('lti13_deep_link_requests').values(row).execute();
  }

  /** The live request with this digest, without using it up (the picker's searches); undefined when unknown or expired. */
  findPlatformWide(tokenHash: string, now: string): Promise<DeepLinkRequestWithPlatform | undefined> {
    return this.db
      .selectFrom('lti13_deep_link_requests as d')
      .innerJoin('lti_platforms as p', (j) => j.onRef('p.id', '=', 'd.platform_id').onRef('p.customer_id', '=', 'd.customer_id'))
      .selectAll('d')
      .select(['p.issuer', 'p.client_id'])
      .where('d.token_hash', '=', tokenHash)
      .where('d.expires_at', '>', now)
      .executeTakeFirst();
  }

  /**
   * Uses up the request with this digest: one delete that reports whether it removed a live row, so
   * of two submits of one picker exactly one answers the LMS.
   */
  async takePlatformWide(tokenHash: string, now: string): Promise<boolean> {
    const row = await this.db.deleteFrom('lti13_deep_link_requests').where('token_hash', '=', tokenHash).returning('expires_at').executeTakeFirst();
    return row !== undefined && row.expires_at > now;
  }

  /** Forgets requests nobody finished. */
  async deleteExpired(now: string): Promise<void> {
    await this.db.deleteFrom('lti13_deep_link_requests').where('expires_at', '<', now).execute();
  }
}
