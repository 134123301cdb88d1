import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { operatorActor } from '../../../accounts/policy.js';
import { newUserRecord } from '../../../accounts/account-service.js';
import { UserRepository } from '../../../accounts/user-repository.js';
import { hashPassword } from '../../../security/passwords.js';
import { ADMIN_EMAIL, describeEachDialect, seedCustomer, startTestApp, type TestApp, type TestClient } from '../../../../test/helpers/app.js';
import { arraySource } from '../../../../test/helpers/array-source.js';
import { classRow, enrollmentRow, orgRow, userRow } from '../../../../test/helpers/roster-rows.js';
import { startSmtpServer, type ReceivedMail, type TestSmtpServer } from '../../../../test/helpers/smtp-server.js';
import { waitFor } from '../../../../test/helpers/wait.js';
import { startWebhookReceiver, verifySignature, type WebhookReceiver } from '../../../../test/helpers/webhook-receiver.js';
import { DELIVERIES_KEPT, NotificationRepository } from '../../../notifications/notification-repository.js';
import { uuidv7 } from '../../../db/uuid.js';
import type { DeliveryView, NotificationEvent, PreferencesView } from '../../../notifications/notification-view.js';
import type { RunView } from '../../../rostering/runs/run-view.js';

const PASSWORD = 'Notify-admin-42!';

describeEachDialect('notifications: e-mail, webhooks, preferences, digest', (dialect) => {
  let t: TestApp;
  let smtp: TestSmtpServer;
  let hooks: WebhookReceiver;
  let customer: Awaited<ReturnType<typeof seedCustomer>>;
  let admin: TestClient;
  let second: { id: string; email: string };

  before(async () => {
    smtp = await startSmtpServer();
    hooks = await startWebhookReceiver();
    // Short waits between webhook tries: the schedule's shape, in milliseconds instead of minutes.
    t = await startTestApp(dialect, { smtpUrl: smtp.url, mailFrom: 'Lectern <lectern@lectern.test>', webhookRetryDelaysMs: [100, 200, 300, 400] });
    await t.ctx.jobs.start({ concurrency: 2 });
    customer = await seedCustomer(t.ctx);
    admin = await t.client().login(customer.adminEmail, customer.adminPassword);
    // A second customer admin, who turns "held for approval" off.
    const email = `second-${customer.code}@lincoln.example`;
    const user = newUserRecord({
      role: 'customer_admin',
      customerId: customer.id,
      login: email,
      email,
      givenName: 'Sam',
      familyName: 'Second',
      phone: '',
      passwordHash: await hashPassword(PASSWORD),
      mustChangePassword: false,
      source: 'manual',
    });
    await new UserRepository(t.ctx.db.kysely).insert(user);
    second = { id: user.id, email };
    const c2 = await t.client().login(email, PASSWORD);
    const saved = await c2.request<PreferencesView>('PUT', '/api/notifications/preferences', { runHeld: false });
    assert.equal(saved.status, 200, JSON.stringify(saved.body));
  });
  after(async () => {
    await t.close();
    await smtp.close();
    await hooks.close();
  });

  const ids = Array.from({ length: 20 }, (_, i) => `n${i}`);
  const roster = (users: string[]) => [orgRow('org-1'), classRow('c1'), ...users.map((u) => userRow(u)), ...users.map((u) => enrollmentRow(`e-${u}`, 'c1', u))];
  const run = async (rows: ReturnType<typeof roster>, opts: { unusable?: boolean } = {}): Promise<RunView> => {
    const queued = await t.ctx.runs.create(operatorActor, customer.id, { trigger: 'upload', fileName: 'roster.zip', sizeBytes: 10, sha256: '', bundlePath: null, dryRun: false });
    return t.ctx.runs.execute(queued.runId, customer.id, arraySource(rows, opts));
  };
  const mailsAbout = (runId: string) => smtp.mails.filter((m) => m.text.includes(runId));
  const noPersonalData = (m: ReceivedMail) => {
    for (const u of ids) assert.ok(!m.raw.includes(`${u}@school.example`) && !m.raw.includes(`Family ${u}`), `no roster person in: ${m.subject}`);
  };

  it('shows each admin their choices (all on until changed) and whether e-mail is configured; readers may not', async () => {
    const mine = await admin.get<PreferencesView>('/api/notifications/preferences');
    assert.equal(mine.status, 200);
    assert.deepEqual(mine.body, { preferences: { runFailed: true, runHeld: true, feedStale: true, dailyDigest: true }, email: { enabled: true, address: customer.adminEmail }, scope: 'customer' });
    const root = await (await t.asAdmin()).get<PreferencesView>('/api/notifications/preferences');
    assert.equal(root.body.scope, 'platform');
    assert.equal(root.body.email.address, ADMIN_EMAIL);
    const bad = await admin.request('PUT', '/api/notifications/preferences', { runFailed: 'yes' });
    assert.equal(bad.status, 400);
    assert.equal((await t.client().get('/api/notifications/preferences')).status, 401);
  });

  it('e-mails a failed sync to every admin who wants it, with counts, the run id and a link, and nothing about people', async () => {
    await run(roster(ids));
    const failed = await run(roster(ids), { unusable: true });
    assert.equal(failed.status, 'failed');
    const mails = await waitFor(() => (mailsAbout(failed.runId).length === 2 ? mailsAbout(failed.runId) : null), 'two failure e-mails');
    assert.deepEqual(mails.flatMap((m) => m.to).sort(), [customer.adminEmail, second.email].sort());
    for (const m of mails) {
      assert.equal(m.from, 'lectern@lectern.test');
      assert.match(m.subject, /\[Lectern\] Roster sync failed for Lincoln USD/);
      assert.match(m.text, /from an uploaded roster file failed; nothing was applied/);
      assert.match(m.text, /BUNDLE_UNUSABLE/);
      assert.ok(m.text.includes(`http://lectern.test/customers/${customer.id}/roster/runs/${failed.runId}`), m.text);
      assert.ok(m.html.includes(`href="http://lectern.test/customers/${customer.id}/roster/runs/${failed.runId}"`), m.html);
      noPersonalData(m);
    }
  });

  it('e-mails a held sync only to the admins who kept "held for approval" on', async () => {
    const held = await run(roster(ids.slice(0, 10)));
    assert.equal(held.status, 'awaiting_approval');
    const [mail] = await waitFor(() => (mailsAbout(held.runId).length ? mailsAbout(held.runId) : null), 'a held e-mail');
    assert.deepEqual(mail!.to, [customer.adminEmail]);
    assert.match(mail!.subject, /waiting for approval/);
    assert.match(mail!.text, /10 of 20 users/);
    noPersonalData(mail!);
    // Give a second admin's mail the time to arrive, were it (wrongly) sent.
    await new Promise((r) => setTimeout(r, 1500));
    assert.equal(mailsAbout(held.runId).length, 1);
    await t.ctx.runs.discard(operatorActor, customer.id, held.runId);
  });

  it('announces a stale feed once per stale spell', async () => {
    const stale = await seedCustomer(t.ctx, { rostering: { period: 'daily' } });
    const before = smtp.mails.length;
    // Added three days ago and never synced: two daily periods have passed.
    await t.ctx.db.kysely
      .updateTable('customers')
      .set({ created_at: new Date(Date.now() - 3 * 86400_000).toISOString() })
      .where('id', '=', stale.id)
      .execute();
    assert.ok((await t.ctx.notifications.checkStaleFeeds()) >= 1);
    const mail = await waitFor(() => smtp.mails.slice(before).find((m) => m.to.includes(stale.adminEmail)), 'a stale e-mail');
    assert.match(mail.subject, /Roster feed of .* is stale/);
    assert.match(mail.text, /no successful roster sync for two of its sync periods \(none yet\)/);
    assert.equal(await t.ctx.notifications.checkStaleFeeds(), 0, 'the same spell is not announced twice');
  });

  let secret = '';
  it('adds a webhook: the secret is shown once and stored sealed; bad URLs get a field message', async () => {
    const bad = await admin.request<{ error: { code: string; fields: { field: string }[] } }>('PUT', `/api/customers/${customer.id}/notifications/webhook`, { url: 'not a url' });
    assert.equal(bad.status, 400);
    assert.deepEqual(
      bad.body.error.fields.map((f) => f.field),
      ['url'],
    );
    for (const [url, message] of [
      ['ftp://files.example/hook', /must start with https/],
      ['https://user:pw@hooks.example/x', /Leave user names and passwords out/],
    ] as const) {
      const refused = await admin.request<{ error: { fields: { field: string; message: string }[] } }>('PUT', `/api/customers/${customer.id}/notifications/webhook`, { url });
      assert.equal(refused.status, 400);
      assert.equal(refused.body.error.fields[0]?.field, 'url');
      assert.match(refused.body.error.fields[0]!.message, message);
    }
    const created = await admin.request<{ webhook: { url: string }; secret: string }>('PUT', `/api/customers/${customer.id}/notifications/webhook`, { url: hooks.url });
    assert.equal(created.status, 200, JSON.stringify(created.body));
    assert.match(created.body.secret, /^whsec_[\w-]{43}$/);
    secret = created.body.secret;
    const shown = await admin.get<{ webhook: Record<string, unknown> }>(`/api/customers/${customer.id}/notifications/webhook`);
    assert.deepEqual(Object.keys(shown.body.webhook).sort(), ['createdAt', 'updatedAt', 'url']);
    assert.ok(!JSON.stringify(shown.body).includes(secret));
    const row = await t.ctx.db.kysely.selectFrom('notification_webhooks').selectAll().where('customer_id', '=', customer.id).executeTakeFirstOrThrow();
    assert.ok(!row.secret_sealed.includes(secret) && row.secret_sealed.startsWith('v1.'));
    const same = await admin.request<{ secret: string | null }>('PUT', `/api/customers/${customer.id}/notifications/webhook`, { url: hooks.url });
    assert.equal(same.body.secret, null, 'changing the URL keeps the secret, unshown');
    const audit = await t.ctx.db.kysely.selectFrom('audit_log').select('action').where('customer_id', '=', customer.id).where('action', 'like', 'notification_webhook.%').execute();
    assert.deepEqual(
      audit.map((a) => a.action),
      ['notification_webhook.create', 'notification_webhook.update'],
    );
  });

  it('sends a signed test event, retries after two 500s, and logs every try', async () => {
    hooks.answers.push(500, 500);
    const start = hooks.received.length;
    const queued = await admin.post<DeliveryView>(`/api/customers/${customer.id}/notifications/webhook/test`);
    assert.equal(queued.status, 202, JSON.stringify(queued.body));
    const log = await waitFor(
      async () => {
        const page = await admin.get<{ items: DeliveryView[] }>(`/api/customers/${customer.id}/notifications/deliveries`);
        const d = page.body.items.find((i) => i.id === queued.body.id);
        return d?.status === 'succeeded' ? d : null;
      },
      'the test delivery to succeed',
      15_000,
    );
    assert.equal(log.attempt, 3);
    assert.equal(log.statusCode, 200);
    assert.equal(log.nextRetryAt, null);
    assert.equal(typeof log.durationMs, 'number');
    const tries = hooks.received.slice(start);
    assert.equal(tries.length, 3);
    assert.ok(tries[1]!.at - tries[0]!.at >= 100 && tries[2]!.at - tries[1]!.at >= 200, 'backoff between tries');
    for (const h of tries) assert.ok(verifySignature(h.signature, h.body, secret), `signature ${h.signature} verifies`);
    assert.ok(!verifySignature(tries[0]!.signature, tries[0]!.body.replace('webhook.test', 'run.failed'), secret), 'a changed body does not verify');
    const event = JSON.parse(tries[0]!.body) as NotificationEvent;
    assert.equal(event.type, 'webhook.test');
    assert.deepEqual(event.customer, { id: customer.id, code: customer.code });
    assert.equal(tries[0]!.body, tries[2]!.body, 'every try sends the same event');
  });

  it('posts a failed sync to the webhook with its run', async () => {
    const start = hooks.received.length;
    const failed = await run(roster(ids), { unusable: true });
    const hook = await waitFor(() => hooks.received.slice(start).find((h) => h.body.includes(failed.runId)), 'the run.failed webhook');
    const event = JSON.parse(hook.body) as NotificationEvent;
    assert.equal(event.type, 'run.failed');
    assert.equal(event.run?.id, failed.runId);
    assert.equal(event.run?.status, 'failed');
    assert.equal(event.run?.error?.code, 'BUNDLE_UNUSABLE');
    assert.ok(!hook.body.includes('@school.example'));
  });

  it('refuses private addresses the operator has not allowed: failed at once, never retried', async () => {
    const other = await seedCustomer(t.ctx);
    const c = await t.client().login(other.adminEmail, other.adminPassword);
    assert.equal((await c.request('PUT', `/api/customers/${other.id}/notifications/webhook`, { url: 'http://10.1.2.3/hook' })).status, 200);
    const queued = await c.post<DeliveryView>(`/api/customers/${other.id}/notifications/webhook/test`);
    const d = await waitFor(
      async () => (await c.get<{ items: DeliveryView[] }>(`/api/customers/${other.id}/notifications/deliveries`)).body.items.find((i) => i.id === queued.body.id && i.status === 'failed'),
      'the refused delivery',
    );
    assert.equal(d.attempt, 1);
    assert.match(d.error, /^Not sent/);
    const failedOnly = await c.get<{ items: DeliveryView[] }>(`/api/customers/${other.id}/notifications/deliveries?status=failed`);
    assert.deepEqual(
      failedOnly.body.items.map((i) => i.id),
      [d.id],
    );
    assert.equal((await c.get<{ total: number }>(`/api/customers/${other.id}/notifications/deliveries?status=succeeded`)).body.total, 0);
    // Another customer's admin sees none of it.
    assert.equal((await admin.get(`/api/customers/${other.id}/notifications/deliveries`)).status, 404);
  });

  it('keeps the last 100 deliveries of a customer, dropping the oldest', async () => {
    const other = await seedCustomer(t.ctx);
    const repo = new NotificationRepository(t.ctx.db.kysely);
    const made: string[] = [];
    for (let i = 0; i < DELIVERIES_KEPT + 5; i++) {
      const id = uuidv7();
      made.push(id);
      const now = new Date().toISOString();
      await repo.insertDelivery({
        id,
        customer_id: other.id,
        event_id: id,
        event_type: 'webhook.test',
        url: 'https://x.example/',
        body: '{}',
        status: 'succeeded',
        attempt: 1,
        status_code: 200,
        duration_ms: 1,
        error: '',
        next_retry_at: null,
        created_at: now,
        updated_at: now,
      });
    }
    const { items, total } = await repo.listDeliveries(other.id, { limit: 500, offset: 0 });
    assert.equal(total, DELIVERIES_KEPT);
    assert.deepEqual(items.map((d) => d.id).reverse(), made.slice(5));
    assert.ok((await repo.listDeliveries(customer.id, { limit: 500, offset: 0 })).total > 0, "another customer's log is untouched");
  });

  it("sends the enterprise admins a daily digest of every customer's failures, once a day unless forced", async () => {
    const before = smtp.mails.length;
    const first = await t.ctx.notifications.sendDigest();
    assert.equal(first.sent, true, first.reason);
    assert.ok(first.failed >= 2 && first.stale >= 1);
    const again = await t.ctx.notifications.sendDigest();
    assert.equal(again.sent, false);
    assert.match(again.reason, /sent already/);
    const forced = await t.ctx.notifications.sendDigest({ force: true });
    assert.equal(forced.sent, true);
    const digests = smtp.mails.slice(before);
    assert.equal(digests.length, 2);
    for (const m of digests) {
      assert.deepEqual(m.to, [ADMIN_EMAIL]);
      assert.match(m.subject, /Daily digest .*: \d+ failed, \d+ waiting, \d+ stale/);
      assert.match(m.text, new RegExp(`Failed syncs in the last 24 hours[\\s\\S]*${customer.created.profile.name.replace(/[()]/g, '.')} \\(${customer.code}\\)`));
      assert.match(m.text, /Stale feeds \(\d+\)/);
      noPersonalData(m);
    }
    // An enterprise admin who turns the digest off gets none.
    const root = await t.asAdmin();
    await root.request('PUT', '/api/notifications/preferences', { dailyDigest: false });
    const off = await t.ctx.notifications.sendDigest({ force: true });
    assert.equal(off.sent, false);
    assert.match(off.reason, /No enterprise admin/);
  });

  it('removes the webhook', async () => {
    assert.equal((await admin.delete(`/api/customers/${customer.id}/notifications/webhook`)).status, 204);
    assert.deepEqual((await admin.get(`/api/customers/${customer.id}/notifications/webhook`)).body, { webhook: null });
    assert.equal((await admin.post(`/api/customers/${customer.id}/notifications/webhook/test`)).status, 409);
  });
});

describeEachDialect('notifications without SMTP', (dialect) => {
  let t: TestApp;
  before(async () => {
    t = await startTestApp(dialect);
  });
  after(() => t.close());

  it('says e-mail is off, queues no e-mail, and sends no digest', async () => {
    const c = await seedCustomer(t.ctx);
    const admin = await t.client().login(c.adminEmail, c.adminPassword);
    const prefs = await admin.get<PreferencesView>('/api/notifications/preferences');
    assert.equal(prefs.body.email.enabled, false);
    const queued = await t.ctx.runs.create(operatorActor, c.id, { trigger: 'upload', fileName: 'r.zip', sizeBytes: 1, sha256: '', bundlePath: null, dryRun: false });
    await t.ctx.runs.execute(queued.runId, c.id, arraySource([], { unusable: true }));
    const jobs = await t.ctx.db.kysely.selectFrom('jobs').select('name').where('name', 'like', 'notifications.%').execute();
    assert.deepEqual(jobs, []);
    const digest = await t.ctx.notifications.sendDigest({ force: true });
    assert.equal(digest.sent, false);
    assert.match(digest.reason, /not configured/);
  });
});
