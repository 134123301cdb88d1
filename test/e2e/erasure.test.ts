/*
 * Erasure in real Chromium against the real server: a customer admin erases a student from the
 * student's page (the typed login, an inline error for a wrong one, the warning that previews and
 * held runs are discarded, the certificate shown with its downloads); the enterprise admin sets a
 * customer's offboarding period, disables it (the card says when it will be erased), erases it with
 * its code typed, and finds both certificates on the Erasures page, linked from the main navigation.
 * Screenshots: erasure-01-person-dialog, erasure-02-person-done, erasure-03-customer-card,
 * erasure-04-customer-dialog, erasure-05-certificates.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, Locator, Page } from 'playwright-core';
import { operatorActor } from '../../src/accounts/policy.js';
import { expectAccessible } from '../helpers/accessibility.js';
import { ADMIN_EMAIL, ADMIN_PASSWORD, seedCustomer } from '../helpers/app.js';
import { arraySource } from '../helpers/array-source.js';
import { browserSkipReason, launchBrowser, newConsolePage, screenshot, signInToConsole, startConsoleServer, type ConsoleServer } from '../helpers/browser.js';
import { orgRow, userRow } from '../helpers/roster-rows.js';

const visible = (l: Locator) => l.waitFor({ state: 'visible' });

describe('Erasure in Chromium', { skip: browserSkipReason() ?? false }, () => {
  let server: ConsoleServer;
  let browser: Browser;
  let page: Page;
  let customer: Awaited<ReturnType<typeof seedCustomer>>;
  let studentId = '';
  let studentLogin = '';

  before(async () => {
    server = await startConsoleServer();
    browser = await launchBrowser();
    customer = await seedCustomer(server.ctx, { profile: { name: 'Erasure USD', code: 'erasure-usd' }, rostering: { suffix: '@erasure', syncFrequency: 'manual' } });
    const run = await server.ctx.runs.create(operatorActor, customer.id, { trigger: 'cli', fileName: 'roster.zip', sizeBytes: 1, sha256: '', bundlePath: null, dryRun: false });
    const done = await server.ctx.runs.execute(
      run.runId,
      customer.id,
      arraySource([orgRow('org-1'), userRow('s1', { givenName: 'Ava', familyName: 'Archer', username: 'ava.archer' }), userRow('s2', { givenName: 'Ben', familyName: 'Baker' })]),
    );
    assert.match(done.status, /^succeeded/);
    const student = await server.ctx.db.kysely.selectFrom('users').select(['id', 'login']).where('customer_id', '=', customer.id).where('sourced_id', '=', 's1').executeTakeFirstOrThrow();
    studentId = student.id;
    studentLogin = student.login;
    page = await newConsolePage(browser);
  });

  after(async () => {
    await browser?.close();
    await server?.close();
  });

  it("a customer admin erases a student from the student's page, with the login typed", async () => {
    await signInToConsole(page, server.url, customer.adminEmail, customer.adminPassword);
    await page.goto(`${server.url}/customers/${customer.id}/users/${studentId}`);
    const card = page.getByRole('region', { name: 'Erase this person' });
    await visible(card);
    await card.getByRole('button', { name: 'Erase this person…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Erase Ava Archer?' });
    await visible(dialog.getByText(/previews waiting to be applied, runs held for approval and queued runs are discarded/));
    await dialog.getByLabel(`Type the login, ${studentLogin}, to confirm`).fill('ava');
    await dialog.getByRole('button', { name: 'Erase person' }).click();
    await visible(dialog.getByText(`Type the login, ${studentLogin}, exactly.`));
    await screenshot(page, 'erasure-01-person-dialog');
    await expectAccessible(page, 'erase person dialog with an error');

    await dialog.getByLabel(`Type the login, ${studentLogin}, to confirm`).fill(studentLogin);
    await dialog.getByRole('button', { name: 'Erase person' }).click();
    const done = page.getByRole('dialog', { name: 'Ava Archer was erased' });
    await visible(done.getByText('SHA-256 of the manifest'));
    const pdfHref = await done.getByRole('link', { name: 'Download certificate (PDF)' }).getAttribute('href');
    const pdf = await page.request.get(`${server.url}${pdfHref}`);
    assert.equal(pdf.status(), 200);
    assert.equal(pdf.headers()['content-type'], 'application/pdf');
    await screenshot(page, 'erasure-02-person-done');
    await expectAccessible(page, 'erase person done');
    await done.getByRole('button', { name: 'Back to users' }).click();
    await page.waitForURL(`${server.url}/customers/${customer.id}/users`);
    await visible(page.getByRole('link', { name: 'Ben Baker' }));
    assert.equal(await page.getByRole('link', { name: 'Ava Archer' }).count(), 0);
  });

  it('the customer admin finds the certificate, the export, the access log and the retention on Data and privacy', async () => {
    await page.getByRole('link', { name: 'Data and privacy' }).click();
    await page.waitForURL(`${server.url}/customers/${customer.id}/privacy`);
    await visible(page.getByRole('heading', { level: 1, name: 'Data and privacy' }));
    // Their own customer's certificates only, so no customer column and no kind filter.
    const certificates = page.getByRole('table', { name: 'Erasure certificates' });
    await visible(certificates);
    assert.deepEqual(await certificates.getByRole('columnheader').allTextContents(), ['Erased', 'What', 'Person', 'By', 'Records', 'SHA-256', 'Certificate']);
    assert.equal(await certificates.getByRole('row').count(), 2, 'a header and the one erasure');
    await visible(certificates.getByRole('row').nth(1).getByText(customer.adminEmail));
    assert.equal(await page.getByLabel('What was erased').count(), 0);
    const pdf = await page.request.get(`${server.url}${await certificates.getByRole('link', { name: /^PDF certificate/ }).getAttribute('href')}`);
    assert.equal(pdf.headers()['content-type'], 'application/pdf');
    await visible(page.getByRole('region', { name: 'Data export' }).getByRole('button', { name: 'Download export (.zip)' }));
    await visible(page.getByText(/everything of it is erased \d+ days later, with a certificate/));
    await screenshot(page, 'erasure-privacy-page', { docsName: 'privacy-page.png' });
    await expectAccessible(page, 'data and privacy page');
    await page.getByRole('link', { name: 'Open the access log' }).click();
    await page.waitForURL(new RegExp(`/audit\\?customer=${customer.id}`));
    await visible(page.getByRole('table', { name: 'Audit entries, newest first' }).getByText('Erased a person'));
  });

  it('the enterprise admin sets the offboarding period, disables, erases the customer, and finds the certificates', async () => {
    await page.context().clearCookies();
    await signInToConsole(page, server.url, ADMIN_EMAIL, ADMIN_PASSWORD);
    await page.goto(`${server.url}/customers/${customer.id}`);
    const card = page.getByRole('region', { name: 'Offboarding and erasure' });
    await visible(card.getByText(/When this customer is disabled, the daily purge erases it 30 days later/));
    await card.getByLabel('Offboarding period (days)').fill('0');
    await card.getByRole('button', { name: 'Save period' }).click();
    await visible(card.getByText('Enter a whole number of days from 1 to 3650, or leave it empty for the default.'));
    await card.getByLabel('Offboarding period (days)').fill('14');
    await card.getByRole('button', { name: 'Save period' }).click();
    await visible(card.getByText('Saved.'));

    await page.getByRole('button', { name: 'Disable', exact: true }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Disable customer' }).click();
    await visible(card.getByText(/the daily purge erases this customer after .* \(14 days after disabling\)/));
    await card.scrollIntoViewIfNeeded();
    await screenshot(page, 'erasure-03-customer-card');
    await expectAccessible(page, 'customer page with the offboarding card');

    await card.getByRole('button', { name: 'Erase customer…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Erase Erasure USD?' });
    await dialog.getByLabel("Type the customer's code, erasure-usd, to confirm").fill('Erasure USD');
    await dialog.getByRole('button', { name: 'Erase customer' }).click();
    await visible(dialog.getByText("Type the customer's code, erasure-usd, exactly."));
    await dialog.getByLabel("Type the customer's code, erasure-usd, to confirm").fill('erasure-usd');
    await screenshot(page, 'erasure-04-customer-dialog');
    await dialog.getByRole('button', { name: 'Erase customer' }).click();
    const done = page.getByRole('dialog', { name: 'Erasure USD was erased' });
    await visible(done.getByText('SHA-256 of the manifest'));
    await expectAccessible(page, 'erase customer done');
    await done.getByRole('button', { name: 'Go to erasure certificates' }).click();

    await page.waitForURL(`${server.url}/erasures`);
    const nav = page.getByRole('navigation', { name: 'Main' });
    assert.equal(await nav.getByRole('link', { name: 'Erasures' }).getAttribute('aria-current'), 'page');
    const table = page.getByRole('table', { name: 'Erasure certificates' });
    await visible(table.getByRole('row').filter({ hasText: 'Customer' }).filter({ hasText: 'erasure-usd' }));
    await visible(table.getByRole('row').filter({ hasText: 'Person' }).filter({ hasText: customer.adminEmail }));
    await page.getByLabel('What was erased').selectOption('customer');
    await visible(page.getByText('Showing 1–1 of 1', { exact: false }));
    await screenshot(page, 'erasure-05-certificates');
    await expectAccessible(page, 'erasures page');
    const json = await page.request.get(
      `${server.url}${await table
        .getByRole('link', { name: /^JSON certificate/ })
        .first()
        .getAttribute('href')}`,
    );
    assert.equal(json.status(), 200);
    assert.equal(((await json.json()) as { customer: { code: string } }).customer.code, 'erasure-usd');
  });
});
