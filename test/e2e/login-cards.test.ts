/*
 * Login cards and the users export in real Chromium against the real server: a customer admin opens
 * a class, prints first-use password cards (reading the warning first), and a student signs in to
 * the reader with the card's username and password, must choose their own, and reaches the
 * bookshelf; a QR card's code opens the bookshelf once; the Users tab's Export CSV downloads the
 * filtered list. Screenshot: login-cards.png.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { after, before, describe, it } from 'node:test';
import type { Browser, Locator, Page } from 'playwright-core';
import { operatorActor } from '../../src/accounts/policy.js';
import { zipSource } from '../../src/rostering/runs/zip-source.js';
import { expectAccessible } from '../helpers/accessibility.js';
import { seedCustomer } from '../helpers/app.js';
import { browserSkipReason, launchBrowser, newConsolePage, screenshot, signInToConsole, startConsoleServer, type ConsoleServer } from '../helpers/browser.js';
import { district11, writeBundle } from '../helpers/bundles.js';
import { cardPasswordOf, readPdf } from '../helpers/pdf-text.js';

const visible = (l: Locator, timeout?: number) => l.waitFor({ state: 'visible', ...(timeout ? { timeout } : {}) });

describe('Login cards and the users export in Chromium', { skip: browserSkipReason() ?? false }, () => {
  let server: ConsoleServer;
  let browser: Browser;
  let customer: Awaited<ReturnType<typeof seedCustomer>>;
  let classId: string;

  // Clicks `trigger` and returns the bytes of the file the browser saves.
  const downloaded = async (page: Page, trigger: Locator) => {
    const [file] = await Promise.all([page.waitForEvent('download'), trigger.click()]);
    return { name: file.suggestedFilename(), bytes: fs.readFileSync(await file.path()) };
  };

  before(async () => {
    server = await startConsoleServer();
    browser = await launchBrowser();
    customer = await seedCustomer(server.ctx, { profile: { name: 'Lincoln USD', timeZone: 'America/Chicago' }, rostering: { suffix: '@lincoln-cards', syncFrequency: 'manual' } });
    const bundle = await writeBundle(district11());
    const run = await server.ctx.runs.create(operatorActor, customer.id, { trigger: 'cli', fileName: 'r.zip', sizeBytes: 1, sha256: '', bundlePath: bundle, dryRun: false });
    await server.ctx.runs.execute(run.runId, customer.id, zipSource(bundle));
    classId = (await server.ctx.db.kysely.selectFrom('classes').select('id').where('customer_id', '=', customer.id).executeTakeFirstOrThrow()).id;
  });

  after(async () => {
    await browser?.close();
    await server?.close();
  });

  it("prints a class's first-use password cards, and a student signs in with one and chooses their own password", async () => {
    const page = await newConsolePage(browser);
    await signInToConsole(page, server.url, customer.adminEmail, customer.adminPassword);
    await page.goto(`${server.url}/customers/${customer.id}/classes/${classId}`);
    await page.getByRole('button', { name: 'Print login cards' }).click();
    const dialog = page.getByRole('dialog', { name: 'Print login cards: Algebra P1' });
    await visible(dialog.getByText('One card for each of 2 people (the active students of the class)'));
    await dialog.getByLabel(/^First-use password/).check();
    await visible(dialog.getByText('This replaces their current passwords'));
    await dialog.getByLabel('A4').check();
    await screenshot(page, 'login-cards-dialog', { docsName: 'login-cards.png' });
    await expectAccessible(page, 'login cards dialog');

    const pdf = await downloaded(page, dialog.getByRole('button', { name: 'Download 2 cards (PDF)' }));
    assert.equal(pdf.name, 'login-cards-algebra-p1.pdf');
    assert.equal(pdf.bytes.subarray(0, 5).toString('latin1'), '%PDF-');
    await visible(dialog.getByText('Downloaded 2 login cards.', { exact: false }));
    const { text } = await readPdf(pdf.bytes);
    assert.ok(text.includes('sone@lincoln-cards') && text.includes('stwo@lincoln-cards'), text);
    const password = cardPasswordOf(text, 'sone@lincoln-cards');

    // The student, on another device: the reader's sign-in, then their own password, then the bookshelf.
    const student = await browser.newContext({ viewport: { width: 1024, height: 768 } }).then((c) => c.newPage());
    student.setDefaultTimeout(10_000);
    await student.goto(`${server.url}/reader`);
    await student.waitForURL(/\/reader\/login/);
    await student.getByLabel('Username').fill('sone@lincoln-cards');
    await student.getByLabel('Password', { exact: true }).fill(password);
    await student.getByRole('button', { name: 'Sign in' }).click();
    await visible(student.getByRole('heading', { name: 'Choose a new password' }));
    await student.getByLabel('Current password').fill(password);
    await student.getByLabel('New password', { exact: true }).fill('Reading-is-fun-42');
    await student.getByLabel('New password again').fill('Reading-is-fun-42');
    await student.getByRole('button', { name: 'Save and continue' }).click();
    await student.waitForURL(`${server.url}/reader`);
    await student.context().close();
    await page.close();
  });

  it("opens the bookshelf from a QR card's code once; a second scan is refused", async () => {
    const page = await newConsolePage(browser);
    await signInToConsole(page, server.url, customer.adminEmail, customer.adminPassword);
    await page.goto(`${server.url}/customers/${customer.id}/classes/${classId}`);
    await page.getByRole('button', { name: 'Print login cards' }).click();
    const dialog = page.getByRole('dialog', { name: 'Print login cards: Algebra P1' });
    await visible(dialog.getByText('One card for each of 2 people', { exact: false }));
    const { links } = await readPdf((await downloaded(page, dialog.getByRole('button', { name: 'Download 2 cards (PDF)' }))).bytes);
    assert.equal(links.length, 2);
    const qr = new URL(links[0]!);
    const url = `${server.url}${qr.pathname}${qr.hash}`;

    const phone = await browser.newContext({ viewport: { width: 390, height: 844 } }).then((c) => c.newPage());
    phone.setDefaultTimeout(10_000);
    await phone.goto(url);
    await phone.waitForURL(`${server.url}/reader`);
    const again = await browser.newContext().then((c) => c.newPage());
    await again.goto(url);
    await visible(again.getByText('This sign-in card has expired or was already used.', { exact: false }));
    await expectAccessible(again, 'reader QR card page');
    assert.ok(!again.url().includes('#'), 'the token is wiped from the address bar');
    await phone.context().close();
    await again.context().close();
    await page.close();
  });

  it("exports the Users tab's filtered list as CSV", async () => {
    const page = await newConsolePage(browser);
    await signInToConsole(page, server.url, customer.adminEmail, customer.adminPassword);
    await page.goto(`${server.url}/customers/${customer.id}/users`);
    await page.getByLabel('Role').selectOption('student');
    await visible(page.getByRole('link', { name: 'Sue Two' }));
    const csv = await downloaded(page, page.getByRole('link', { name: 'Export CSV' }));
    assert.equal(csv.name, 'users.csv');
    const rows = csv.bytes.toString('utf8').trimEnd().split('\r\n');
    assert.equal(rows[0], 'id,sourcedId,login,username,email,identifier,givenName,familyName,role,source,status');
    assert.deepEqual(
      rows
        .slice(1)
        .map((r) => r.split(',')[2])
        .sort(),
      ['sone@lincoln-cards', 'stwo@lincoln-cards'],
    );
    await page.close();
  });
});
