import type { Kysely } from 'kysely';
import { assertCustomerSettingsAccess, assertWholeCustomerAccess, isConsoleRole, isPlatformAdmin, type Actor } from '../accounts/policy.js';
import { AuditService } from '../audit/audit-service.js';
import type { Database } from '../db/schema.js';
import { uuidv7 } from '../db/uuid.js';
import { AppError, notFound, validationError } from '../errors.js';
import type { JobContext, JobQueue } from '../jobs/job-queue.js';
import { RunRepository } from '../rostering/runs/run-repository.js';
import { presentRun } from '../rostering/runs/run-service.js';
import type { RunView } from '../rostering/runs/run-view.js';
import { feedStatuses, staleFeedsPlatformWide } from '../rostering/scheduler-feeds.js';
import type { OutboundClient } from '../security/outbound.js';
import type { SecretBox } from '../security/secret-box.js';
import { nowIso } from '../time.js';
import type { Mailer } from './mailer.js';
import { digestMail, eventMail, type DigestContent } from './messages.js';
import { NotificationRepository, type DeliveryRow, type PreferenceRow } from './notification-repository.js';
import type { DeliveryStatus, DeliveryView, EventRun, NotificationEvent, NotificationEventType, NotificationPreferences, PreferencesView, WebhookEventType, WebhookView } from './notification-view.js';
import { newWebhookSecret, postWebhook } from './webhook-sender.js';

export const NOTIFY_EMAIL_JOB = 'notifications.email';
export const NOTIFY_WEBHOOK_JOB = 'notifications.webhook';
export const NOTIFY_STALE_JOB = 'notifications.stale';
export const NOTIFY_DIGEST_JOB = 'notifications.digest';

/** The hour (UTC) from which the day's digest is sent. */
export const DIGEST_HOUR_UTC = 6;

const DEFAULTS: NotificationPreferences = { runFailed: true, runHeld: true, feedStale: true, dailyDigest: true };

/** The payload of an e-mail job: the event and whom it is for (resolved to an address when sent). */
interface EmailPayload {
  customerId: string;
  userId: string;
  event: NotificationEvent;
}

/** The payload of one webhook try. */
interface WebhookPayload {
  customerId: string;
  deliveryId: string;
  attempt: number;
}

/** What the digest did. */
export interface DigestResult {
  day: string;
  sent: boolean;
  /** Why nothing was sent (e-mail off, already sent today, nobody to send to). */
  reason: string;
  recipients: number;
  failed: number;
  held: number;
  stale: number;
}

/** How notifications are sent. */
export interface NotificationOptions {
  publicUrl: string;
  /** Waits between webhook tries; their number plus one is the most tries. */
  retryDelaysMs: number[];
}

const secretContext = (customerId: string) => `customer:${customerId}:notification_webhook_secret`;

/**
 * Notifications: e-mail to customer admins when a sync fails, is held for approval or a feed goes
 * stale (each admin picks which), signed webhooks per customer with retries and a delivery log, and
 * the enterprise admins' daily digest. Everything is sent by jobs: a sync never waits on a mail
 * server or a webhook receiver, and never fails because of one.
 */
export class NotificationService {
  private readonly audit: AuditService;

  constructor(
    private readonly db: Kysely<Database>,
    private readonly secrets: SecretBox,
    private readonly jobs: JobQueue,
    private readonly mailer: Mailer,
    private readonly outbound: OutboundClient,
    private readonly opts: NotificationOptions,
  ) {
    this.audit = new AuditService(db);
  }

  private get repo(): NotificationRepository {
    return new NotificationRepository(this.db);
  }

  /** The run service's listener: a failed or held run becomes an event. */
  async runEnded(run: RunView): Promise<void> {
    const type: NotificationEventType | null = run.status === 'failed' ? 'run.failed' : run.status === 'awaiting_approval' ? 'run.held' : null;
    if (type) await this.publish(run.customerId, type, run);
  }

  /** Queues an event's e-mails (to the admins who want it) and its webhook delivery. */
  async publish(customerId: string, type: WebhookEventType, run: RunView | null, feed?: NotificationEvent['feed']): Promise<NotificationEvent | null> {
    const repo = this.repo;
    const customer = await repo.customerCode(customerId);
    if (!customer) return null;
    const event: NotificationEvent = { id: uuidv7(), type, occurredAt: nowIso(), customer: { id: customerId, code: customer.code }, run: run ? this.eventRun(run) : null, ...(feed ? { feed } : {}) };
    if (type !== 'webhook.test' && this.mailer.enabled) {
      for (const r of await repo.recipients(customerId, type)) {
        await this.jobs.enqueue(NOTIFY_EMAIL_JOB, { customerId, userId: r.id, event } satisfies EmailPayload, { maxAttempts: 5 });
      }
    }
    const hook = await repo.webhook(customerId);
    if (hook) await this.queueDelivery(customerId, hook.url, event);
    return event;
  }

  /** The job: one event's e-mail to one admin. Throws (the queue retries) when the mail server fails. */
  async sendEmail(payload: EmailPayload): Promise<void> {
    const repo = this.repo;
    const [to, customer] = await Promise.all([repo.findRecipient(payload.customerId, payload.userId), repo.customerCode(payload.customerId)]);
    // An admin removed or disabled since the event was queued gets nothing.
    if (!to || !customer) return;
    await this.mailer.send(eventMail(to.email, customer.name, payload.event));
  }

  /** The job: one try of a webhook delivery; schedules the next try itself, so it never throws for a failed try. */
  async deliverWebhook(payload: WebhookPayload, ctx: JobContext): Promise<void> {
    const repo = this.repo;
    const delivery = await repo.findDelivery(payload.customerId, payload.deliveryId);
    // A try already made (a retried job), or a delivery that has ended.
    if (!delivery || delivery.attempt >= payload.attempt || delivery.status === 'succeeded' || delivery.status === 'failed') return;
    const hook = await repo.webhook(payload.customerId);
    if (!hook) {
      await repo.updateDelivery(payload.customerId, delivery.id, {
        status: 'failed',
        attempt: payload.attempt,
        error: 'The webhook was removed before this delivery.',
        next_retry_at: null,
        updated_at: nowIso(),
      });
      return;
    }
    const secret = this.secrets.open(hook.secret_sealed, secretContext(payload.customerId));
    const result = await postWebhook(this.outbound, delivery.url, delivery.body, secret, ctx.signal);
    const maxTries = this.opts.retryDelaysMs.length + 1;
    const retry = !result.ok && !result.forbidden && payload.attempt < maxTries;
    const nextAt = retry ? new Date(Date.now() + this.opts.retryDelaysMs[payload.attempt - 1]!) : null;
    await repo.updateDelivery(payload.customerId, delivery.id, {
      status: result.ok ? 'succeeded' : retry ? 'retrying' : 'failed',
      attempt: payload.attempt,
      status_code: result.statusCode,
      duration_ms: result.durationMs,
      error: result.error,
      next_retry_at: nextAt?.toISOString() ?? null,
      updated_at: nowIso(),
    });
    if (nextAt) await this.enqueueTry({ customerId: payload.customerId, deliveryId: delivery.id, attempt: payload.attempt + 1 }, nextAt);
  }

  /** Announces each feed that went stale since the last check, once per stale spell. */
  async checkStaleFeeds(now = new Date()): Promise<number> {
    const repo = this.repo;
    const stale = await staleFeedsPlatformWide(this.db, now);
    await repo.clearStaleMarksPlatformWide(stale.map((s) => s.customerId));
    let announced = 0;
    for (const s of stale) {
      if (!(await repo.markStale(s.customerId, s.lastSuccessAt ?? '', nowIso()))) continue;
      const last = (await feedStatuses(this.db, [s.customerId])).get(s.customerId)?.lastRun;
      const run = last ? await this.lastRunView(s.customerId, last.runId) : null;
      await this.publish(s.customerId, 'feed.stale', run, { lastSuccessAt: s.lastSuccessAt });
      announced++;
    }
    return announced;
  }

  /**
   * Sends the enterprise admins' digest of every customer's last 24 hours: failed syncs, syncs
   * waiting for approval, stale feeds. Once a day (a claim on the day), unless `now` forces it.
   */
  async sendDigest(opts: { at?: Date; force?: boolean } = {}): Promise<DigestResult> {
    const at = opts.at ?? new Date();
    const day = at.toISOString().slice(0, 10);
    const repo = this.repo;
    const since = new Date(at.getTime() - 24 * 3600_000).toISOString();
    const [failed, held, stale] = await Promise.all([repo.failedRunsPlatformWide(since), repo.heldRunsPlatformWide(), staleFeedsPlatformWide(this.db, at)]);
    const staleCustomers = await repo.customersPlatformWide(stale.map((s) => s.customerId));
    const result: DigestResult = { day, sent: false, reason: '', recipients: 0, failed: failed.length, held: held.length, stale: stale.length };
    if (!this.mailer.enabled) return { ...result, reason: 'E-mail is not configured (LECTERN_SMTP_URL).' };
    const recipients = await repo.digestRecipientsPlatformWide();
    if (!recipients.length) return { ...result, reason: 'No enterprise admin wants the digest.' };
    if (!opts.force && !(await repo.claimDigestPlatformWide(day, nowIso()))) return { ...result, reason: `The digest of ${day} was sent already.` };
    const content: DigestContent = {
      day,
      failed: failed.map((f) => ({
        customer: `${f.name} (${f.code})`,
        runId: f.id,
        trigger: f.trigger,
        error: f.error_message || f.error_code || 'failed',
        finishedAt: f.finished_at,
        url: this.runUrl(f.customer_id, f.id),
      })),
      held: held.map((h) => ({ customer: `${h.name} (${h.code})`, runId: h.id, since: h.created_at, url: this.runUrl(h.customer_id, h.id) })),
      stale: staleCustomers.map((c) => ({ customer: `${c.name} (${c.code})`, lastSuccessAt: stale.find((s) => s.customerId === c.id)?.lastSuccessAt ?? null })),
    };
    try {
      for (const r of recipients) await this.mailer.send(digestMail(r.email, content));
    } catch (err) {
      // The day is given back, so the job's retry (or tomorrow's operator) sends it.
      if (!opts.force) await repo.releaseDigestPlatformWide(day);
      throw err;
    }
    return { ...result, sent: true, recipients: recipients.length };
  }

  /**
   * Queues what is due at `now`: a stale-feed check, and from DIGEST_HOUR_UTC the day's digest (one
   * waiting job per key, so every process may call this).
   */
  async queueDue(now = new Date()): Promise<void> {
    await this.jobs.enqueue(NOTIFY_STALE_JOB, {}, { jobKey: 'notifications:stale', maxAttempts: 1 });
    if (now.getUTCHours() >= DIGEST_HOUR_UTC) await this.jobs.enqueue(NOTIFY_DIGEST_JOB, {}, { jobKey: `notifications:digest:${now.toISOString().slice(0, 10)}`, maxAttempts: 3 });
  }

  /** The signed-in admin's e-mail choices, and whether e-mail is on. */
  async getPreferences(actor: Actor): Promise<PreferencesView> {
    const { userId, scope } = this.preferenceOwner(actor);
    const row = scope === 'platform' ? await this.repo.preferencesPlatformWide(userId) : await this.repo.preferences(actor.customerId!, userId);
    return { preferences: row ? presentPreferences(row) : { ...DEFAULTS }, email: { enabled: this.mailer.enabled, address: await this.addressOf(actor) }, scope };
  }

  /** Saves the signed-in admin's choices (fields left out keep their value). */
  async savePreferences(actor: Actor, input: Partial<NotificationPreferences>): Promise<PreferencesView> {
    const current = (await this.getPreferences(actor)).preferences;
    const next = { ...current, ...input };
    const { userId, scope } = this.preferenceOwner(actor);
    await this.db.transaction().execute(async (trx) => {
      await new NotificationRepository(trx).savePreferences({
        user_id: userId,
        customer_id: scope === 'platform' ? null : actor.customerId,
        run_failed: next.runFailed ? 1 : 0,
        run_held: next.runHeld ? 1 : 0,
        feed_stale: next.feedStale ? 1 : 0,
        daily_digest: next.dailyDigest ? 1 : 0,
        updated_at: nowIso(),
      });
      await new AuditService(trx).record(actor, { customerId: actor.customerId, action: 'notification_preferences.update', targetType: 'user', targetId: userId, fields: Object.keys(input) });
    });
    return this.getPreferences(actor);
  }

  /** The customer's webhook, or null. */
  async getWebhook(actor: Actor, customerId: string): Promise<WebhookView | null> {
    assertWholeCustomerAccess(actor, customerId, 'notifications');
    await this.assertCustomer(customerId);
    const hook = await this.repo.webhook(customerId);
    return hook ? { url: hook.url, createdAt: hook.created_at, updatedAt: hook.updated_at } : null;
  }

  /**
   * Adds the customer's webhook or changes its URL. A new webhook, or `rotateSecret`, makes a new
   * signing secret, returned this once and stored sealed.
   */
  async saveWebhook(actor: Actor, customerId: string, input: { url: string; rotateSecret?: boolean }): Promise<{ webhook: WebhookView; secret: string | null }> {
    assertCustomerSettingsAccess(actor, customerId);
    await this.assertCustomer(customerId);
    const url = checkWebhookUrl(input.url);
    let secret: string | null = null;
    await this.db.transaction().execute(async (trx) => {
      const repo = new NotificationRepository(trx);
      const existing = await repo.webhook(customerId);
      const now = nowIso();
      if (!existing || input.rotateSecret) {
        secret = newWebhookSecret();
        await repo.saveWebhook(customerId, url, this.secrets.seal(secret, secretContext(customerId)), now);
      } else {
        await repo.updateWebhookUrl(customerId, url, now);
      }
      const fields = existing ? [...(existing.url !== url ? ['url'] : []), ...(secret ? ['secret'] : [])] : ['url', 'secret'];
      await new AuditService(trx).record(actor, { customerId, action: existing ? 'notification_webhook.update' : 'notification_webhook.create', targetType: 'customer', targetId: customerId, fields });
    });
    return { webhook: (await this.getWebhook(actor, customerId))!, secret };
  }

  /** Removes the customer's webhook; deliveries still waiting end as failed when their turn comes. */
  async deleteWebhook(actor: Actor, customerId: string): Promise<void> {
    assertCustomerSettingsAccess(actor, customerId);
    await this.assertCustomer(customerId);
    await this.db.transaction().execute(async (trx) => {
      if (!(await new NotificationRepository(trx).deleteWebhook(customerId))) throw notFound('Webhook');
      await new AuditService(trx).record(actor, { customerId, action: 'notification_webhook.delete', targetType: 'customer', targetId: customerId, fields: [] });
    });
  }

  /** Queues a `webhook.test` event to the customer's webhook; its delivery shows in the log. */
  async sendTestEvent(actor: Actor, customerId: string): Promise<DeliveryView> {
    assertCustomerSettingsAccess(actor, customerId);
    await this.assertCustomer(customerId);
    const repo = this.repo;
    const hook = await repo.webhook(customerId);
    if (!hook) throw new AppError('CONFLICT', 'Add a webhook URL before sending a test event.');
    const customer = (await repo.customerCode(customerId))!;
    const event: NotificationEvent = { id: uuidv7(), type: 'webhook.test', occurredAt: nowIso(), customer: { id: customerId, code: customer.code }, run: null };
    const delivery = await this.queueDelivery(customerId, hook.url, event);
    await this.audit.record(actor, { customerId, action: 'notification_webhook.test', targetType: 'customer', targetId: customerId, fields: [] });
    return presentDelivery(delivery);
  }

  /** A page of the customer's delivery log (the last 100 are kept), newest first. */
  async listDeliveries(actor: Actor, customerId: string, q: { status?: DeliveryStatus; limit: number; offset: number }): Promise<{ items: DeliveryView[]; total: number }> {
    assertWholeCustomerAccess(actor, customerId, 'notifications');
    await this.assertCustomer(customerId);
    const { items, total } = await this.repo.listDeliveries(customerId, q);
    return { items: items.map(presentDelivery), total };
  }

  /** Whether e-mail is configured. */
  get emailEnabled(): boolean {
    return this.mailer.enabled;
  }

  private async queueDelivery(customerId: string, url: string, event: NotificationEvent): Promise<DeliveryRow> {
    const now = nowIso();
    const row: DeliveryRow = {
      id: uuidv7(),
      customer_id: customerId,
      event_id: event.id,
      event_type: event.type,
      url,
      body: JSON.stringify(event),
      status: 'pending',
      attempt: 0,
      status_code: null,
      duration_ms: null,
      error: '',
      next_retry_at: null,
      created_at: now,
      updated_at: now,
    };
    await this.repo.insertDelivery(row);
    await this.enqueueTry({ customerId, deliveryId: row.id, attempt: 1 });
    return row;
  }

  // Each try is its own job, due when the backoff says; a try whose process died is made once more.
  private enqueueTry(payload: WebhookPayload, runAt?: Date): Promise<void> {
    return this.jobs.enqueue(NOTIFY_WEBHOOK_JOB, payload, { maxAttempts: 2, runAt });
  }

  private eventRun(run: RunView): EventRun {
    return {
      id: run.runId,
      status: run.status,
      trigger: run.trigger,
      dryRun: run.dryRun,
      createdAt: run.createdAt,
      finishedAt: run.finishedAt,
      counts: run.counts as unknown as EventRun['counts'],
      issueCounts: run.issueCounts,
      error: run.error,
      holdReason: run.holdReason,
      url: this.runUrl(run.customerId, run.runId),
    };
  }

  private runUrl(customerId: string, runId: string): string {
    return `${this.opts.publicUrl}/customers/${encodeURIComponent(customerId)}/roster/runs/${encodeURIComponent(runId)}`;
  }

  private async lastRunView(customerId: string, runId: string): Promise<RunView | null> {
    const run = await new RunRepository(this.db).find(customerId, runId);
    return run ? presentRun(run) : null;
  }

  // Customer admins choose the events of their customer (its roster feed: not an institute admin's, see recipients); platform admins the digest.
  private preferenceOwner(actor: Actor): { userId: string; scope: 'customer' | 'platform' } {
    if (!isConsoleRole(actor) || !actor.userId) throw new AppError('FORBIDDEN', 'Notification preferences are for signed-in administrators.');
    if (isPlatformAdmin(actor)) return { userId: actor.userId, scope: 'platform' };
    if (!actor.customerId) throw new AppError('FORBIDDEN', 'Notification preferences are for signed-in administrators.');
    assertWholeCustomerAccess(actor, actor.customerId, 'notifications');
    return { userId: actor.userId, scope: 'customer' };
  }

  private async addressOf(actor: Actor): Promise<string> {
    const row = isPlatformAdmin(actor) ? await this.repo.adminEmailPlatformWide(actor.userId!) : await this.repo.findRecipient(actor.customerId!, actor.userId!);
    return row?.email ?? '';
  }

  private async assertCustomer(customerId: string): Promise<void> {
    if (!(await this.repo.customerCode(customerId))) throw notFound('Customer');
  }
}

/** Registers the notification jobs on a queue. */
export function registerNotificationJobs(jobs: JobQueue, service: NotificationService): void {
  jobs.register(NOTIFY_EMAIL_JOB, (payload) => service.sendEmail(payload as EmailPayload));
  jobs.register(NOTIFY_WEBHOOK_JOB, (payload, ctx) => service.deliverWebhook(payload as WebhookPayload, ctx));
  jobs.register(NOTIFY_STALE_JOB, async () => {
    await service.checkStaleFeeds();
  });
  jobs.register(NOTIFY_DIGEST_JOB, async () => {
    await service.sendDigest();
  });
}

function checkWebhookUrl(text: string): string {
  const url = text.trim();
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw validationError([{ field: 'url', message: 'Enter a full URL, such as https://example.org/path.', code: 'INVALID_URL' }]);
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') throw validationError([{ field: 'url', message: 'The URL must start with https://.', code: 'INVALID_URL' }]);
  if (parsed.username || parsed.password)
    throw validationError([{ field: 'url', message: 'Leave user names and passwords out of the URL: the signature authenticates Lectern.', code: 'INVALID_URL' }]);
  return parsed.toString();
}

function presentPreferences(r: PreferenceRow): NotificationPreferences {
  return { runFailed: r.run_failed === 1, runHeld: r.run_held === 1, feedStale: r.feed_stale === 1, dailyDigest: r.daily_digest === 1 };
}

function presentDelivery(r: DeliveryRow): DeliveryView {
  return {
    id: r.id,
    eventId: r.event_id,
    eventType: r.event_type,
    url: r.url,
    status: r.status,
    attempt: r.attempt,
    statusCode: r.status_code,
    durationMs: r.duration_ms,
    error: r.error,
    nextRetryAt: r.next_retry_at,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}
