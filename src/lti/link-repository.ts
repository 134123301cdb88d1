import { sql, type Kysely } from 'kysely';
import type { Customer, Database, RosteringConfig, User } from '../db/schema.js';

/** A roster account column a Match with rule compares against. */
export type MatchColumn = 'sourced_id' | 'identifier' | 'login' | 'email';

/** A customer as an LTI launch needs it: its sealed secret, state, unmatched policy and matching settings. */
export interface ConsumerRow {
  id: string;
  status: 'active' | 'disabled';
  lti_version: Customer['lti_version'];
  lti_shared_secret_enc: string;
  lti_unmatched_users: 'create' | 'refuse';
  match_with: RosteringConfig['match_with'];
  suffix: string;
}

/**
 * Who launched: the consumer, LMS users remembered as Lectern users, rostered accounts, LTI-only
 * accounts and launch tickets. Every query names the customer, except the consumer lookup by key.
 */
export class LinkRepository {
  constructor(private readonly db: Kysely<Database>) {}

  /** Platform-wide: the customer whose LTI consumer key this is (the key is what a launch names). */
  findConsumerPlatformWide(consumerKey: string): Promise<ConsumerRow | undefined> {
    return this.db
      .selectFrom('customers as c')
      .innerJoin('rostering_configs as r', 'r.customer_id', 'c.id')
      .select(['c.id', 'c.status', 'c.lti_version', 'c.lti_shared_secret_enc', 'c.lti_unmatched_users', 'r.match_with', 'r.suffix'])
      .where('c.lti_consumer_key', '=', consumerKey)
      .executeTakeFirst();
  }

  /** The Lectern user an LMS user was linked to, if any. */
  async findLinkedUser(customerId: string, consumerGuid: string, ltiUserId: string): Promise<User | undefined> {
    return this.db
      .selectFrom('lti_user_links as l')
      .innerJoin('users as u', (j) => j.onRef('u.id', '=', 'l.user_id').onRef('u.customer_id', '=', 'l.customer_id'))
      .selectAll('u')
      .where('l.customer_id', '=', customerId)
      .where('l.consumer_guid', '=', consumerGuid)
      .where('l.lti_user_id', '=', ltiUserId)
      .executeTakeFirst();
  }

  /**
   * Links (or re-links) an LMS user to a Lectern user. With `onlyIfNew` an existing link stands and
   * false is returned, so two first launches racing each other end on one user.
   */
  async saveLink(customerId: string, consumerGuid: string, ltiUserId: string, userId: string, now: string, onlyIfNew = false): Promise<boolean> {
    const row = await this.db
      .insertInto('lti_user_links')
      .values({ customer_id: customerId, consumer_guid: consumerGuid, lti_user_id: ltiUserId, user_id: userId, created_at: now, last_launch_at: now })
      .onConflict((oc) => {
        const cols = oc.columns(['customer_id', 'consumer_guid', 'lti_user_id']);
        return onlyIfNew ? cols.doNothing() : cols.doUpdateSet({ user_id: userId, last_launch_at: now });
      })
      .returning('user_id')
      .executeTakeFirst();
    return row !== undefined;
  }

  /** Up to three of the customer's rostered accounts (linked to the roster by sourcedId) whose column equals `value`. */
  rosteredByColumn(customerId: string, column: MatchColumn, value: string): Promise<User[]> {
    return this.db.selectFrom('users').selectAll().where('customer_id', '=', customerId).where('sourced_id', 'is not', null).where(sql.ref(column), '=', value).limit(3).execute();
  }

  /**
   * Moves what an LTI-only user gathered to the rostered account that now stands for them: reading
   * progress and direct assignments the rostered account does not have yet, and outcome bindings.
   * The LTI-only account is then soft-deleted (purged with the customer's retention).
   */
  async mergeInto(customerId: string, fromUserId: string, toUserId: string, now: string): Promise<void> {
    await sql`update reading_progress set user_id = ${toUserId}
      where customer_id = ${customerId} and user_id = ${fromUserId}
        and not exists (select 1 from reading_progress p where p.user_id = ${toUserId} and p.book_id = reading_progress.book_id)`.execute(this.db);
    await sql`update assignments set target_id = ${toUserId}
      where customer_id = ${customerId} and target_type = 'user' and target_id = ${fromUserId}
        and not exists (select 1 from assignments a where a.customer_id = ${customerId} and a.target_type = 'user' and a.target_id = ${toUserId} and a.book_id = assignments.book_id)`.execute(this.db);
    await sql`update lti_outcome_bindings set user_id = ${toUserId}, updated_at = ${now}
      where customer_id = ${customerId} and user_id = ${fromUserId}
        and not exists (select 1 from lti_outcome_bindings b where b.customer_id = ${customerId} and b.user_id = ${toUserId}
          and b.consumer_guid = lti_outcome_bindings.consumer_guid and b.resource_link_id = lti_outcome_bindings.resource_link_id)`.execute(this.db);
    await this.db.deleteFrom('sessions').where('user_id', '=', fromUserId).execute();
    await this.db
      .updateTable('users')
      .set({ status: 'deleted', deleted_at: now, updated_at: now })
      .where('customer_id', '=', customerId)
      .where('id', '=', fromUserId)
      .where('source', '=', 'lti')
      .execute();
  }

  /** Removes an LTI-only account made by a launch that lost the race to link its person (nothing refers to it yet). */
  async discardLtiOnlyUser(customerId: string, userId: string): Promise<void> {
    await this.db.deleteFrom('users').where('customer_id', '=', customerId).where('id', '=', userId).where('source', '=', 'lti').execute();
  }

  /** Updates the name and role an LTI-only user's LMS sends. */
  async refreshLtiOnlyUser(customerId: string, userId: string, patch: Pick<User, 'given_name' | 'family_name' | 'role' | 'username' | 'metadata' | 'updated_at'>): Promise<void> {
    await this.db.updateTable('users').set(patch).where('customer_id', '=', customerId).where('id', '=', userId).where('source', '=', 'lti').execute();
  }

  /** Stores a launch ticket under the digest of its value. */
  async insertTicket(row: Database['lti_launch_tickets']): Promise<void> {
    await this.db.insertInto('lti_launch_tickets').values(row).execute();
  }

  /** Uses up a ticket: returns it once if it has not expired, and never again. Across customers: the ticket itself is the credential, and its row names the customer. */
  async takeTicketPlatformWide(id: string, now: string): Promise<Database['lti_launch_tickets'] | undefined> {
    const row = await this.db.deleteFrom('lti_launch_tickets').where('id', '=', id).returningAll().executeTakeFirst();
    return row && row.expires_at > now ? row : undefined;
  }

  /** Forgets expired tickets. */
  async deleteExpiredTickets(now: string): Promise<void> {
    await this.db.deleteFrom('lti_launch_tickets').where('expires_at', '<', now).execute();
  }
}
