/*
 * The customer data export in real Chromium against the real server: an enterprise admin opens a
 * customer, downloads the export (on a throttled network, so its progress shows and a download can
 * be cancelled), finds it in the audit trail, and sees an export that fails part-way end as an error,
 * never a saved file. axe on each state. Screenshots: export-card, export-progress (README), export-failed.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { Readable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import type { Browser, CDPSession, Locator, Page } from 'playwright-core';
import { operatorActor } from '../../src/accounts/policy.js';
import { zipSource } from '../../src/rostering/runs/zip-source.js';
import { expectAccessible } from '../helpers/accessibility.js';
import { ADMIN_EMAIL, ADMIN_PASSWORD, seedCustomer } from '../helpers/app.js';
import { epub3 } from '../helpers/books.js';
import { browserSkipReason, launchBrowser, newConsolePage, screenshot, signInToConsole, startConsoleServer, type ConsoleServer } from '../helpers/browser.js';
import { district11, writeBundle } from '../helpers/bundles.js';
import { csvRows, hideTitleFile, readZip } from '../privacy/export-fixtures.js';

const visible = (l: Locator, timeout?: number) => l.waitFor({ state: 'visible', ...(timeout ? { timeout } : {}) });

describe('Customer data export in Chromium', { skip: browserSkipReason() ?? false }, () => {
  let server: ConsoleServer;
  let browser: Browser;
  let page: Page;
  let cdp: CDPSession;
  let customer: Awaited<ReturnType<typeof seedCustomer>>;
  let fileKey: string;

  // Bytes a second the page may download (-1: as fast as it can).
  const throttle = (bytesPerSecond: number) => cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 0, downloadThroughput: bytesPerSecond, uploadThroughput: -1 });
  const card = () => page.getByRole('region', { name: 'Data export' });

  before(async () => {
    server = await startConsoleServer();
    browser = await launchBrowser();
    customer = await seedCustomer(server.ctx, { profile: { name: 'Lincoln USD', code: 'lincoln-usd' }, rostering: { suffix: '@lincoln-export', syncType: 'zip', syncFrequency: 'manual' } });
    const bundle = await writeBundle(district11());
    const run = await server.ctx.runs.create(operatorActor, customer.id, { trigger: 'cli', fileName: 'district.zip', sizeBytes: 1, sha256: '', bundlePath: bundle, dryRun: false });
    await server.ctx.runs.execute(run.runId, customer.id, zipSource(bundle));
    // A title with many chapters: a zip of some size, which a throttled download takes seconds to fetch.
    const chapters = Array.from({ length: 60 }, (_, i) => `Chapter ${i + 1}`);
    const book = await server.ctx.content.upload(operatorActor, customer.id, Readable.from([await epub3({ title: 'Moby-Dick', chapters })]), 'moby-dick.epub');
    fileKey = (await server.ctx.db.kysely.selectFrom('books').select('file_key').where('id', '=', book.id).executeTakeFirstOrThrow()).file_key;
    page = await newConsolePage(browser);
    cdp = await page.context().newCDPSession(page);
    await cdp.send('Network.enable');
    await signInToConsole(page, server.url, ADMIN_EMAIL, ADMIN_PASSWORD);
  });

  after(async () => {
    await browser?.close();
    await server?.close();
  });

  it('downloads the export with its progress shown, and the access log records both attempts', async () => {
    await page.goto(`${server.url}/customers/${customer.id}`);
    await visible(card().getByText('Passwords are never included'));
    await screenshot(page, 'export-card');
    await expectAccessible(page, 'customer page with the export card');

    // Slowly: the progress shows, and Cancel stops the download without saving anything.
    await throttle(8 * 1024);
    await card().getByRole('button', { name: 'Download export (.zip)' }).click();
    const progress = card().getByRole('progressbar', { name: 'Exporting and downloading' });
    await visible(progress);
    await visible(card().getByText(/^[1-9]\d* KB received$/));
    await screenshot(page, 'export-progress', { docsName: 'export-progress.png' });
    await expectAccessible(page, 'export downloading');
    await card().getByRole('button', { name: 'Cancel' }).click();
    await progress.waitFor({ state: 'detached' });
    await visible(card().getByRole('button', { name: 'Download export (.zip)' }));
    assert.equal(await card().getByRole('alert').count(), 0, 'a cancelled download is not an error');

    await throttle(-1);
    const [download] = await Promise.all([page.waitForEvent('download'), card().getByRole('button', { name: 'Download export (.zip)' }).click()]);
    assert.match(download.suggestedFilename(), /^lectern-lincoln-usd-export-\d{8}T\d{6}Z\.zip$/);
    const files = await readZip(fs.readFileSync(await download.path()));
    assert.deepEqual(
      csvRows(files, 'roster/users.csv')
        .map((u) => u.sourcedId ?? '')
        .filter((id) => id.startsWith('u-')),
      ['u-p', 'u-s1', 'u-s2', 'u-t'],
    );
    assert.ok([...files.keys()].some((name) => name.startsWith('titles/') && name.endsWith('.epub')));
    await visible(card().getByText(/^Downloaded lectern-lincoln-usd-export-.*\.zip \(\d+ KB\)\.$/));
    // Both attempts are in the access log, as reads: the cancelled one too read the customer's data.
    await page.getByRole('region', { name: 'Audit trail' }).getByRole('link', { name: 'All entries, reads included' }).click();
    const entries = page.getByRole('table', { name: 'Audit entries, newest first' });
    await visible(entries.getByRole('row').filter({ hasText: "Exported the customer's data" }).nth(1));
    assert.equal(await entries.getByRole('row').filter({ hasText: "Exported the customer's data" }).filter({ hasText: 'Read' }).count(), 2);
    await page.goBack();
  });

  it('shows an export that failed part-way as an error, and saves nothing', async () => {
    const restore = hideTitleFile(server.ctx, customer.id, fileKey);
    try {
      let saved = false;
      page.on('download', () => (saved = true));
      await card().getByRole('button', { name: 'Download export (.zip)' }).click();
      const alert = card().getByRole('alert');
      await visible(alert);
      assert.match((await alert.textContent()) ?? '', /The export did not finish.*ended before the export was complete, so nothing was saved/);
      assert.equal(saved, false);
      await screenshot(page, 'export-failed');
      await expectAccessible(page, 'export failed');
    } finally {
      restore();
    }
  });
});
