import type { Kysely, Selectable } from 'kysely';
import type { Database, NotificationDeliveriesTable, NotificationPreferencesTable } from '../db/schema.js';
import type { NotificationEventType } from './notification-view.js';

export type PreferenceRow = Selectable<NotificationPreferencesTable>;
export type DeliveryRow = Selectable<NotificationDeliveriesTable>;

/** How many deliveries the log keeps per customer. */
export const DELIVERIES_KEPT = 100;

const COLUMN: Record<NotificationEventType, 'run_failed' | 'run_held' | 'feed_stale'> = { 'run.failed': 'run_failed', 'run.held': 'run_held', 'feed.stale': 'feed_stale' };

/**
 * Notification queries. Customer data is always filtered by the customer id passed in; the few
 * platform-wide ones (the enterprise admins' digest and preferences) say so in their names.
 */
export class NotificationRepository {
  constructor(private readonly db: Kysely<Database>) {}

  /** A customer admin's preferences (undefined: never saved, the defaults apply). */
  preferences(customerId: string, userId: string): Promise<PreferenceRow | undefined> {
    return this.db.selectFrom('notification_preferences').selectAll().where('customer_id', '=', customerId).where('user_id', '=', userId).executeTakeFirst();
  }

  /** An enterprise admin's preferences. Platform-wide: they belong to no customer. */
  preferencesPlatformWide(userId: string): Promise<PreferenceRow | undefined> {
    return this.db.selectFrom('notification_preferences').selectAll().where('customer_id', 'is', null).where('user_id', '=', userId).executeTakeFirst();
  }

  /** Saves a user's preferences (one row per user). */
  async savePreferences(row: PreferenceRow): Promise<void> {
    const { user_id: _user, ...changes } = row;
    await this.db
      .insertInto('notification_preferences')
      .values(row)
      .onConflict((oc) => oc.column('user_id').doUpdateSet(changes))
      .execute();
  }

  /** The customer's active admins with an e-mail address who want `type` (no saved choice: they do); not institute admins: runs and feeds are the whole customer's. */
  async recipients(customerId: string, type: NotificationEventType): Promise<{ id: string; email: string }[]> {
    const column = COLUMN[type];
    return this.db
      .selectFrom('users as u')
      .leftJoin('notification_preferences as p', (j) => j.onRef('p.user_id', '=', 'u.id').on('p.customer_id', '=', customerId))
      .select(['u.id', 'u.email'])
      .where('u.customer_id', '=', customerId)
      .where('u.role', '=', 'customer_admin')
      .where('u.status', '=', 'active')
      .where('u.email', '<>', '')
      .where((eb) => eb.or([eb(`p.${column}`, 'is', null), eb(`p.${column}`, '=', 1)]))
      .orderBy('u.email')
      .execute();
  }

  /** One user of the customer who may still receive e-mail (active, with an address). */
  findRecipient(customerId: string, userId: string): Promise<{ email: string } | undefined> {
    return this.db.selectFrom('users').select('email').where('customer_id', '=', customerId).where('id', '=', userId).where('status', '=', 'active').where('email', '<>', '').executeTakeFirst();
  }

  /** An enterprise admin's address. Platform-wide: they belong to no customer. */
  adminEmailPlatformWide(userId: string): Promise<{ email: string } | undefined> {
    return this.db.selectFrom('users').select('email').where('id', '=', userId).where('role', '=', 'enterprise_admin').where('customer_id', 'is', null).executeTakeFirst();
  }

  /** The active enterprise admins who want the daily digest. Platform-wide. */
  digestRecipientsPlatformWide(): Promise<{ id: string; email: string }[]> {
    return this.db
      .selectFrom('users as u')
      .leftJoin('notification_preferences as p', 'p.user_id', 'u.id')
      .select(['u.id', 'u.email'])
      .where('u.role', '=', 'enterprise_admin')
      .where('u.status', '=', 'active')
      .where('u.email', '<>', '')
      .where((eb) => eb.or([eb('p.daily_digest', 'is', null), eb('p.daily_digest', '=', 1)]))
      .orderBy('u.email')
      .execute();
  }

  /** The customer's webhook. */
  webhook(customerId: string) {
    return this.db.selectFrom('notification_webhooks').selectAll().where('customer_id', '=', customerId).executeTakeFirst();
  }

  /** Creates or replaces the customer's webhook. */
  async saveWebhook(customerId: string, url: string, secretSealed: string, now: string): Promise<void> {
    await this.db
      .insertInto('notification_webhooks')
      .values({ customer_id: customerId, url, secret_sealed: secretSealed, created_at: now, updated_at: now })
      .onConflict((oc) => oc.column('customer_id').doUpdateSet({ url, secret_sealed: secretSealed, updated_at: now }))
      .execute();
  }

  /** Changes the URL only (the secret stays). */
  async updateWebhookUrl(customerId: string, url: string, now: string): Promise<void> {
    await this.db.updateTable('notification_webhooks').set({ url, updated_at: now }).where('customer_id', '=', customerId).execute();
  }

  /** Removes the customer's webhook; true when there was one. */
  async deleteWebhook(customerId: string): Promise<boolean> {
    const r = await this.db.deleteFrom('notification_webhooks').where('customer_id', '=', customerId).executeTakeFirst();
    return Number(r.numDeletedRows) > 0;
  }

  /** Records a delivery and drops the customer's oldest beyond DELIVERIES_KEPT. */
  async insertDelivery(row: DeliveryRow): Promise<void> {
    await this.db.insertInto('notification_deliveries').values(row).execute();
    const keep = this.db.selectFrom('notification_deliveries').select('id').where('customer_id', '=', row.customer_id).orderBy('id', 'desc').limit(DELIVERIES_KEPT);
    await this.db.deleteFrom('notification_deliveries').where('customer_id', '=', row.customer_id).where('id', 'not in', keep).execute();
  }

  /** One delivery of the customer. */
  findDelivery(customerId: string, id: string): Promise<DeliveryRow | undefined> {
    return this.db.selectFrom('notification_deliveries').selectAll().where('customer_id', '=', customerId).where('id', '=', id).executeTakeFirst();
  }

  /** Records how a try went. */
  async updateDelivery(customerId: string, id: string, patch: Partial<Omit<DeliveryRow, 'id' | 'customer_id'>>): Promise<void> {
    await this.db.updateTable('notification_deliveries').set(patch).where('customer_id', '=', customerId).where('id', '=', id).execute();
  }

  /** A page of the customer's deliveries, newest first, optionally of one status. */
  async listDeliveries(customerId: string, q: { status?: DeliveryRow['status']; limit: number; offset: number }): Promise<{ items: DeliveryRow[]; total: number }> {
    const { limit, offset } = q;
    let base = this.db.selectFrom('notification_deliveries').where('customer_id', '=', customerId);
    if (q.status) base = base.where('status', '=', q.status);
    const [items, count] = await Promise.all([
      base.selectAll().orderBy('id', 'desc').limit(limit).offset(offset).execute(),
      base.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
    ]);
    return { items, total: Number(count.n) };
  }

  /** The customer's code, for event bodies. */
  customerCode(customerId: string): Promise<{ code: string; name: string } | undefined> {
    return this.db.selectFrom('customers').select(['code', 'name']).where('id', '=', customerId).executeTakeFirst();
  }

  /**
   * Marks a stale feed as announced for its last success; true only for the first caller (a new
   * stale spell, or a later one after a success, is announced once however many processes check).
   */
  async markStale(customerId: string, lastSuccessAt: string, now: string): Promise<boolean> {
    const r = await this.db
      .insertInto('notification_stale_marks')
      .values({ customer_id: customerId, last_success_at: lastSuccessAt, notified_at: now })
      .onConflict((oc) => oc.column('customer_id').doUpdateSet({ last_success_at: lastSuccessAt, notified_at: now }).where('notification_stale_marks.last_success_at', '<>', lastSuccessAt))
      .executeTakeFirst();
    return Number(r.numInsertedOrUpdatedRows ?? 0) > 0;
  }

  /** Forgets the marks of feeds that are no longer stale. Platform-wide sweep. */
  async clearStaleMarksPlatformWide(staleCustomerIds: string[]): Promise<void> {
    let q = this.db.deleteFrom('notification_stale_marks');
    if (staleCustomerIds.length) q = q.where('customer_id', 'not in', staleCustomerIds);
    await q.execute();
  }

  /** Claims the digest of a day; false when it was already sent. Platform-wide. */
  async claimDigestPlatformWide(day: string, now: string): Promise<boolean> {
    const r = await this.db
      .insertInto('notification_digests')
      .values({ day, sent_at: now })
      .onConflict((oc) => oc.column('day').doNothing())
      .executeTakeFirst();
    return Number(r.numInsertedOrUpdatedRows ?? 0) > 0;
  }

  /** Gives a claimed day back when its digest could not be sent. Platform-wide. */
  async releaseDigestPlatformWide(day: string): Promise<void> {
    await this.db.deleteFrom('notification_digests').where('day', '=', day).execute();
  }

  /** Failed runs (previews included) of every customer since `since`, newest first. Platform-wide, for the digest. */
  failedRunsPlatformWide(since: string) {
    return this.db
      .selectFrom('roster_runs as r')
      .innerJoin('customers as c', 'c.id', 'r.customer_id')
      .select(['r.id', 'r.customer_id', 'c.code', 'c.name', 'r.trigger', 'r.error_code', 'r.error_message', 'r.finished_at'])
      .where('r.status', '=', 'failed')
      .where('r.finished_at', '>=', since)
      .orderBy('c.name')
      .orderBy('r.finished_at', 'desc')
      .execute();
  }

  /** Runs waiting for approval, of every customer. Platform-wide, for the digest. */
  heldRunsPlatformWide() {
    return this.db
      .selectFrom('roster_runs as r')
      .innerJoin('customers as c', 'c.id', 'r.customer_id')
      .select(['r.id', 'r.customer_id', 'c.code', 'c.name', 'r.created_at'])
      .where('r.status', '=', 'awaiting_approval')
      .orderBy('c.name')
      .execute();
  }

  /** Names and codes of customers by id. Platform-wide, for the digest. */
  customersPlatformWide(ids: string[]) {
    if (!ids.length) return Promise.resolve([]);
    return this.db.selectFrom('customers').select(['id', 'code', 'name']).where('id', 'in', ids).orderBy('name').execute();
  }
}
