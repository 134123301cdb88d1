/*
 * Notifications end to end, in real Chromium against the real server with a real SMTP server and a
 * real webhook receiver: a customer admin opens Notifications from Users, turns one e-mail event
 * off, adds a webhook (an empty and a malformed URL first: inline messages), copies the secret shown
 * once, sends a test event and sees it delivered in the log, then one the receiver refuses, which
 * the log shows retrying. A failed sync then reaches the admin by e-mail and the receiver signed.
 * Without SMTP the page says e-mail is off. The enterprise admin turns the daily digest off on Account.
 * Screenshot: notifications.png.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { operatorActor } from '../../src/accounts/policy.js';
import { expectAccessible } from '../helpers/accessibility.js';
import { ADMIN_EMAIL, ADMIN_PASSWORD, seedCustomer } from '../helpers/app.js';
import { arraySource } from '../helpers/array-source.js';
import { browserSkipReason, launchBrowser, newConsolePage, screenshot, signInToConsole, startConsoleServer, type ConsoleServer } from '../helpers/browser.js';
import { startSmtpServer, type TestSmtpServer } from '../helpers/smtp-server.js';
import { waitFor } from '../helpers/wait.js';
import { startWebhookReceiver, verifySignature, type WebhookReceiver } from '../helpers/webhook-receiver.js';

describe('Notifications in Chromium', { skip: browserSkipReason() ?? false }, () => {
  let server: ConsoleServer;
  let smtp: TestSmtpServer;
  let hooks: WebhookReceiver;
  let browser: Browser;
  let page: Page;
  let customer: Awaited<ReturnType<typeof seedCustomer>>;

  before(async () => {
    smtp = await startSmtpServer();
    hooks = await startWebhookReceiver();
    server = await startConsoleServer({ LECTERN_SMTP_URL: smtp.url, LECTERN_MAIL_FROM: 'Lectern <lectern@lectern.test>' });
    await server.ctx.jobs.start({ concurrency: 2 });
    customer = await seedCustomer(server.ctx, { profile: { name: 'Lincoln USD', code: 'lincoln', timeZone: 'America/Chicago' } });
    browser = await launchBrowser();
    page = await newConsolePage(browser);
  });
  after(async () => {
    await browser?.close();
    await server?.close();
    await smtp?.close();
    await hooks?.close();
  });

  let secret = '';
  it('sets e-mail preferences, adds a webhook, sends a test event and reads the delivery log', async () => {
    const base = `/customers/${customer.id}`;
    await signInToConsole(page, server.url, customer.adminEmail, customer.adminPassword, `${server.url}${base}/users`);
    await page.getByRole('link', { name: 'Notifications' }).click();
    await page.waitForURL(`${server.url}${base}/notifications`);
    await page.getByRole('heading', { name: 'Notifications', level: 1 }).waitFor();

    // E-mail: all three on by default; the admin keeps failures and stale feeds only.
    const held = page.getByLabel('A roster sync waits for approval');
    assert.equal(await held.isChecked(), true);
    assert.equal(await page.getByText('E-mail is off').count(), 0, 'SMTP is configured');
    await page.getByText(`Sent to ${customer.adminEmail}`).waitFor();
    await held.uncheck();
    await page.getByRole('button', { name: 'Save preferences' }).click();
    await page.getByText('Preferences saved.').waitFor();
    await page.reload();
    await page.getByLabel('A roster sync fails').waitFor();
    assert.equal(await page.getByLabel('A roster sync waits for approval').isChecked(), false);
    assert.equal(await page.getByLabel('A roster sync fails').isChecked(), true);

    // The webhook: an empty URL and a malformed one get messages at the field, nothing is saved.
    const url = page.getByLabel('Endpoint URL');
    await page.getByRole('button', { name: 'Add webhook' }).click();
    await page.getByText('Enter the URL Lectern should post events to.').waitFor();
    assert.equal(await url.getAttribute('aria-invalid'), 'true');
    await url.fill('not a url');
    await page.getByRole('button', { name: 'Add webhook' }).click();
    await page.getByText('Enter a full URL, such as https://example.org/path.').waitFor();
    assert.deepEqual((await server.ctx.notifications.getWebhook(operatorActor, customer.id)) ?? null, null);
    await url.fill(hooks.url);
    await page.getByRole('button', { name: 'Add webhook' }).click();
    await page.getByText('Copy the signing secret now').waitFor();
    secret = await page.getByLabel('Signing secret', { exact: true }).inputValue();
    assert.match(secret, /^whsec_/);

    // A test event, delivered: the log follows it without a reload.
    await page.getByRole('button', { name: 'Send test event' }).click();
    await page.getByText('Test event queued').waitFor();
    const log = page.getByRole('table', { name: /Webhook deliveries/ });
    await log.getByRole('row').filter({ hasText: 'Delivered' }).first().waitFor({ timeout: 15_000 });
    const delivered = log.getByRole('row').filter({ hasText: 'Delivered' }).first();
    assert.match(await delivered.innerText(), /Test event[\s\S]*200[\s\S]*1/);
    assert.ok(verifySignature(hooks.received[0]!.signature, hooks.received[0]!.body, secret), 'the receiver verifies the first delivery with the secret shown');

    // One the receiver refuses: the log shows the try, its status code and when the next one is.
    hooks.answers.push(503);
    await page.getByRole('button', { name: 'Send test event' }).click();
    await log.getByRole('row').filter({ hasText: 'Retrying' }).first().waitFor({ timeout: 15_000 });
    assert.match(await log.getByRole('row').filter({ hasText: 'Retrying' }).first().innerText(), /503[\s\S]*Next try/);
    await page.getByRole('button', { name: 'Done' }).click();
    await screenshot(page, 'notifications-01-page', { fullPage: true, docsName: 'notifications.png' });
    await expectAccessible(page, 'notifications with webhook and delivery log');

    // The status filter keeps one kind.
    await page.getByRole('radio', { name: 'Retrying' }).check();
    await waitFor(async () => (await log.getByRole('row').filter({ hasText: 'Delivered' }).count()) === 0, 'the filter to hide delivered rows');
    assert.equal(await log.getByRole('row').filter({ hasText: 'Retrying' }).count(), 1);
  });

  it('a failed sync reaches the admin by e-mail and the webhook, signed', async () => {
    const queued = await server.ctx.runs.create(operatorActor, customer.id, { trigger: 'sftp', fileName: 'roster.zip', sizeBytes: 1, sha256: '', bundlePath: null, dryRun: false });
    const failed = await server.ctx.runs.execute(queued.runId, customer.id, arraySource([], { unusable: true }));
    const mail = await waitFor(() => smtp.mails.find((m) => m.text.includes(failed.runId)), 'the failure e-mail');
    assert.deepEqual(mail.to, [customer.adminEmail]);
    assert.match(mail.subject, /Roster sync failed for Lincoln USD/);
    assert.ok(mail.text.includes(`${server.url}/customers/${customer.id}/roster/runs/${failed.runId}`));
    const hook = await waitFor(() => hooks.received.find((h) => h.body.includes(failed.runId)), 'the run.failed webhook');
    assert.ok(verifySignature(hook.signature, hook.body, secret));
    // The run's link in the mail opens the run in the console.
    await page.goto(`${server.url}/customers/${customer.id}/roster/runs/${failed.runId}`);
    await page
      .getByText(/failed/i)
      .first()
      .waitFor();
  });

  it('says e-mail is off where the operator has not set up SMTP', async () => {
    const bare = await startConsoleServer();
    try {
      const c = await seedCustomer(bare.ctx);
      const p = await newConsolePage(browser);
      await signInToConsole(p, bare.url, c.adminEmail, c.adminPassword);
      await p.goto(`${bare.url}/customers/${c.id}/notifications`);
      await p.getByText('E-mail is off').waitFor();
      await p.getByText(/has not set up e-mail \(LECTERN_SMTP_URL\)/).waitFor();
      await p.close();
    } finally {
      await bare.close();
    }
  });

  it('the enterprise admin chooses the daily digest on Account', async () => {
    const root = await newConsolePage(browser);
    await signInToConsole(root, server.url, ADMIN_EMAIL, ADMIN_PASSWORD);
    await root.goto(`${server.url}/account`);
    const digest = root.getByLabel('Send me the daily digest of all customers');
    assert.equal(await digest.isChecked(), true);
    assert.equal(await root.getByLabel('A roster sync fails').count(), 0, 'the per-customer events are for customer admins');
    await digest.uncheck();
    await root.getByRole('button', { name: 'Save preferences' }).click();
    await root.getByText('Preferences saved.').waitFor();
    const result = await server.ctx.notifications.sendDigest({ force: true });
    assert.equal(result.sent, false);
    assert.match(result.reason, /No enterprise admin wants the digest/);
    await root.close();
  });
});
