import type { Kysely } from 'kysely';
import type { Database, LtiPlatform } from '../db/schema.js';

/** A registration to store: the row without its bookkeeping. */
export type PlatformFields = Pick<LtiPlatform, 'issuer' | 'client_id' | 'deployment_ids' | 'auth_login_url' | 'auth_token_url' | 'jwks_url'>;

/**
 * A customer's LTI 1.3 platform registrations and Dynamic Registration tokens. Every method takes the
 * customer id and filters by it; the one lookup across customers (is this issuer's client already
 * registered? launches find their registration by it) says PlatformWide.
 */
export class PlatformRepository {
  constructor(private readonly db: Kysely<Database>) {}

  /** The customer's registrations, oldest first. */
  listForCustomer(customerId: string): Promise<LtiPlatform[]> {
    return this.db.selectFrom('lti_platforms').selectAll().where('customer_id', '=', customerId).orderBy('created_at').orderBy('id').execute();
  }

  /** The registrations of these customers (a page of the customer list). */
  listForCustomers(customerIds: string[]): Promise<LtiPlatform[]> {
    if (!customerIds.length) return Promise.resolve([]);
    return this.db.selectFrom('lti_platforms').selectAll().where('customer_id', 'in', customerIds).orderBy('created_at').orderBy('id').execute();
  }

  /** Which customer holds the registration of this issuer's client, if any: across customers, since the pair is unique platform-wide. */
  async customerOfPlatformWide(issuer: string, clientId: string): Promise<string | undefined> {
    const row = await this.db.selectFrom('lti_platforms').select('customer_id').where('issuer', '=', issuer).where('client_id', '=', clientId).executeTakeFirst();
    return row?.customer_id;
  }

  /** Adds a registration to the customer. */
  async insert(row: LtiPlatform): Promise<void> {
    await this.db.insertInto('lti_platforms').values(row).execute();
  }

  /** Changes one of the customer's registrations. */
  async update(customerId: string, id: string, fields: PlatformFields, updatedAt: string): Promise<void> {
    await this.db
      .updateTable('lti_platforms')
      .set({ ...fields, updated_at: updatedAt })
      .where('customer_id', '=', customerId)
      .where('id', '=', id)
      .execute();
  }

  /** Removes the customer's registrations with these ids (their login states go with them). */
  async delete(customerId: string, ids: string[]): Promise<void> {
    if (!ids.length) return;
    await this.db.deleteFrom('lti_platforms').where('customer_id', '=', customerId).where('id', 'in', ids).execute();
  }

  /** Stores a new Dynamic Registration token (its digest) and ends the customer's earlier unused ones: one live link at a time. */
  async replaceRegistrationToken(customerId: string, tokenHash: string, createdAt: string, expiresAt: string): Promise<void> {
    await this.db.deleteFrom('lti13_registration_tokens').where('customer_id', '=', customerId).where('used_at', 'is', null).execute();
    await this.db.insertInto('lti13_registration_tokens').values({ token_hash: tokenHash, customer_id: customerId, created_at: createdAt, expires_at: expiresAt, used_at: null }).execute();
  }

  /**
   * Spends the customer's registration token with this digest if it is unused and unexpired
   * (compare-and-set: of two requests with one token, one wins). True when this call spent it.
   */
  async useRegistrationToken(customerId: string, tokenHash: string, now: string): Promise<boolean> {
    const result = await this.db
      .updateTable('lti13_registration_tokens')
      .set({ used_at: now })
      .where('customer_id', '=', customerId)
      .where('token_hash', '=', tokenHash)
      .where('used_at', 'is', null)
      .where('expires_at', '>', now)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  /**
   * Gives back a token this process spent at `usedAt` (compare-and-set on that stamp) when the
   * registration it was spent for failed and stored nothing: the link works again until it expires.
   */
  async releaseRegistrationToken(customerId: string, tokenHash: string, usedAt: string): Promise<void> {
    await this.db.updateTable('lti13_registration_tokens').set({ used_at: null }).where('customer_id', '=', customerId).where('token_hash', '=', tokenHash).where('used_at', '=', usedAt).execute();
  }
}
