/*
 * The Class tab's sync button in real Chromium against the real server, job queue and a real
 * OpenSSH sftp-server: an SFTP customer's admin presses "Sync from SFTP", watches the run wait and
 * work, reads the outcome, sees the classes arrive and opens the report; an API customer's button
 * says "Sync with OneRoster – API"; a ZIP Upload customer has none; the Customers list shows each
 * customer's last sync and flags a stale feed. Screenshots: sync-*.png.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser, Locator } from 'playwright-core';
import { expectAccessible } from '../helpers/accessibility.js';
import { ADMIN_EMAIL, ADMIN_PASSWORD, seedCustomer } from '../helpers/app.js';
import { browserSkipReason, launchBrowser, newConsolePage, screenshot, signInToConsole, startConsoleServer, type ConsoleServer } from '../helpers/browser.js';
import { district11, zipBuffer } from '../helpers/bundles.js';
import { sftpSkipReason, startSftpServer, type TestSftpServer } from '../helpers/sftp-server.js';

const visible = (l: Locator, timeout?: number) => l.waitFor({ state: 'visible', ...(timeout ? { timeout } : {}) });

describe('Sync button on the Class tab in Chromium', { skip: browserSkipReason() ?? sftpSkipReason() ?? false }, () => {
  let server: ConsoleServer;
  let sftp: TestSftpServer;
  let browser: Browser;

  before(async () => {
    server = await startConsoleServer();
    sftp = await startSftpServer();
    fs.mkdirSync(path.join(sftp.root, 'exports'));
    fs.writeFileSync(path.join(sftp.root, 'exports', 'roster.zip'), await zipBuffer(district11()));
    browser = await launchBrowser();
  });

  after(async () => {
    await browser?.close();
    await sftp?.close();
    await server?.close();
  });

  it('pulls from SFTP with live progress, shows the outcome and the new classes, and links to the report', async () => {
    const customer = await seedCustomer(server.ctx, {
      profile: { name: 'Lincoln USD', timeZone: 'America/Chicago' },
      rostering: {
        syncFrequency: 'manual',
        matchWith: 'sourcedId',
        suffix: '@lincoln-sync',
        sftp: { host: sftp.host, port: sftp.port, username: sftp.username, password: sftp.password, path: path.join(sftp.root, 'exports'), fileName: 'roster.zip' },
      },
    });
    const page = await newConsolePage(browser);
    await signInToConsole(page, server.url, customer.adminEmail, customer.adminPassword);
    await page.goto(`${server.url}/customers/${customer.id}/classes`);
    await visible(page.getByText('No classes yet'));
    const button = page.getByRole('button', { name: 'Sync from SFTP' });
    await visible(button);
    await screenshot(page, 'sync-01-class-tab');
    await expectAccessible(page, 'sync-01-class-tab');

    // The job queue is not started yet: the run is recorded at once and waits, and the panel says so.
    await button.click();
    const panel = page.getByRole('region', { name: 'Roster sync' });
    await visible(panel.getByRole('progressbar', { name: /^Waiting to start/ }));
    assert.ok(await button.isDisabled(), 'one sync at a time from this panel');
    await screenshot(page, 'sync-02-waiting');
    await server.ctx.jobs.start({ concurrency: 1 });

    // The SFTP settle wait, then the import: the outcome replaces the progress bar.
    await visible(panel.getByText('Users: 4 created, 0 updated, 0 deleted.'), 30_000);
    await visible(panel.getByText('Succeeded', { exact: true }));
    await visible(page.getByRole('link', { name: 'Algebra P1' }), 5000);
    await screenshot(page, 'sync-03-done', { docsName: 'sync-button.png' });
    await expectAccessible(page, 'sync-03-done');

    // Pressing it again once the run is over starts a new pull: the file has not changed.
    assert.ok(await button.isEnabled());
    await button.click();
    await visible(panel.getByText('The source has not changed since the last sync: nothing to do.'), 30_000);

    await panel.getByRole('link', { name: 'View the run report' }).click();
    await page.waitForURL(new RegExp(`/customers/${customer.id}/roster/runs/[^/]+$`));
    await visible(page.getByRole('heading', { name: /roster\.zip/, level: 1 }));
    await visible(page.getByText(`SFTP · ${customer.adminEmail}`, { exact: true }));
    await page.close();
  });

  it('follows a sync already under way, labels API customers’ button, hides it for ZIP Upload, and flags stale feeds in the Customers list', async () => {
    const api = await seedCustomer(server.ctx, {
      profile: { name: 'Api District' },
      rostering: {
        syncType: 'api',
        syncFrequency: 'auto',
        period: 'daily',
        suffix: '@api-sync',
        authorization: 'oauth1-hmac-sha256',
        consumerKey: 'key',
        secretKey: 'Api-secret-1',
        url: 'https://sis.example/ims/oneroster/v1p1',
      },
    });
    const zip = await seedCustomer(server.ctx, { profile: { name: 'Zip District' }, rostering: { syncType: 'zip', syncFrequency: 'manual', suffix: '@zip-sync' } });
    // The API district was added four days ago and has never synced: two daily periods have passed.
    await server.ctx.db.kysely
      .updateTable('customers')
      .set({ created_at: new Date(Date.now() - 4 * 86_400_000).toISOString() })
      .where('id', '=', api.id)
      .execute();
    // A sync of the API district is already queued (say, by its schedule) when its admin presses the button.
    const queued = await server.ctx.runs.create({ userId: null, role: 'operator', customerId: null, label: 'Auto schedule' }, api.id, {
      trigger: 'api',
      fileName: 'sis.example',
      sizeBytes: 0,
      sha256: '',
      bundlePath: null,
      dryRun: false,
    });

    const page = await newConsolePage(browser);
    await signInToConsole(page, server.url, ADMIN_EMAIL, ADMIN_PASSWORD);
    await page.goto(`${server.url}/customers/${api.id}/classes`);
    await page.getByRole('button', { name: 'Sync with OneRoster – API' }).click();
    const panel = page.getByRole('region', { name: 'Roster sync' });
    await visible(panel.getByText('A sync of this customer was already under way; here is its progress.'));
    assert.equal(await panel.getByRole('link', { name: 'Follow it on its own page' }).getAttribute('href'), `/customers/${api.id}/roster/runs/${queued.runId}`);
    await server.ctx.runs.fail(queued.runId, 'SOURCE_UNREACHABLE', 'The SIS did not answer.');
    await visible(panel.getByText('The sync failed and changed nothing: The SIS did not answer.'), 10_000);
    await screenshot(page, 'sync-04-api-failed');
    await expectAccessible(page, 'sync-04-api-failed');

    await page.goto(`${server.url}/customers/${zip.id}/classes`);
    await visible(page.getByRole('search', { name: 'Classes' }));
    assert.equal(await page.getByRole('region', { name: 'Roster sync' }).count(), 0, 'no pull for ZIP Upload customers');
    assert.equal(await page.getByRole('button', { name: /^Sync/ }).count(), 0);

    await page.goto(`${server.url}/customers`);
    const row = (name: string) => page.getByRole('row').filter({ has: page.getByRole('link', { name, exact: true }) });
    await visible(row('Api District').getByText('Stale feed'));
    await visible(row('Api District').getByText('Failed'));
    await visible(row('Lincoln USD').getByText('Succeeded'));
    assert.equal(await row('Lincoln USD').getByText('Stale feed').count(), 0);
    assert.equal(await row('Zip District').getByText('Stale feed').count(), 0);
    await screenshot(page, 'sync-05-customers', { docsName: 'customers-last-sync.png' });
    await expectAccessible(page, 'sync-05-customers');
    await page.close();
  });
});
