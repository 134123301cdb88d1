/*
 * The console end to end, in real Chromium against the real server: an enterprise admin adds an
 * LTI 1.1 customer with OneRoster over SFTP, and the new customer admin signs in and lands on
 * Users. Screenshots of each step go to test-output/screenshots/.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, Locator, Page } from 'playwright-core';
import { operatorActor } from '../../src/accounts/policy.js';
import { ADMIN_EMAIL, ADMIN_PASSWORD, seedCustomer } from '../helpers/app.js';
import { browserSkipReason, launchBrowser, newConsolePage, screenshot, startConsoleServer, type ConsoleServer } from '../helpers/browser.js';
import { expectAccessible } from '../helpers/accessibility.js';
import { waitFor } from '../helpers/wait.js';

const NEW_ADMIN = { email: 'ada.park@lincoln.example', password: 'Lincoln-admin-42' };

/** Fills the input whose `name` is the dotted API path. */
const fill = (page: Page, name: string, value: string) => page.locator(`[name="${name}"]`).fill(value);
const visible = (l: Locator) => l.waitFor({ state: 'visible' });
const gone = (l: Locator) => l.waitFor({ state: 'detached' });
/** The options a radio group offers, by value. */
const radioValues = async (page: Page, name: string) => {
  const radios = await page.locator(`input[type="radio"][name="${name}"]`).all();
  return Promise.all(radios.map((r) => r.getAttribute('value')));
};
/** The text of the error that the input's aria-describedby points at ('' when none). */
const fieldError = async (page: Page, name: string) => {
  const ids = ((await page.locator(`[name="${name}"]`).getAttribute('aria-describedby')) ?? '').split(' ').filter((id) => id.endsWith('-error'));
  const texts = await Promise.all(ids.map((id) => page.locator(`[id="${id}"]`).textContent()));
  return texts.join(' ');
};
/** The name attribute of the focused control. */
const focusedName = async (page: Page) => ((await page.locator(':focus').count()) ? ((await page.locator(':focus').getAttribute('name')) ?? '') : '');

describe('console in Chromium', { skip: browserSkipReason() ?? false }, () => {
  let server: ConsoleServer;
  let browser: Browser;
  let page: Page;

  before(async () => {
    server = await startConsoleServer();
    // A few existing customers, so the list looks like a working platform and codes can clash.
    await seedCustomer(server.ctx, { profile: { name: 'Riverside Unified', code: 'riverside', timeZone: 'America/Los_Angeles' } });
    await seedCustomer(server.ctx, { profile: { name: 'Maple Grove Academy', code: 'maple-grove', timeZone: 'America/New_York' }, rostering: { syncType: 'zip', syncFrequency: 'manual' } });
    const harbor = await seedCustomer(server.ctx, { profile: { name: 'Harbor City Schools', code: 'harbor-city', timeZone: 'Europe/London' }, rostering: { type: 'none' } });
    await server.ctx.customers.update(operatorActor, harbor.id, { status: 'disabled' });
    browser = await launchBrowser();
    page = await newConsolePage(browser);
  });

  after(async () => {
    await browser?.close();
    await server?.close();
  });

  it('an enterprise admin adds a OneRoster SFTP customer and its admin lands on Users', async () => {
    // Sign in as the enterprise admin.
    await page.goto(`${server.url}/`);
    await page.waitForURL(/\/login/);
    await visible(page.getByRole('heading', { name: 'Sign in' }));
    await screenshot(page, '01-login');
    await expectAccessible(page, 'sign-in');
    await page.getByLabel('Login or email').fill(ADMIN_EMAIL);
    await page.getByLabel('Password', { exact: true }).fill('not-the-password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await visible(page.getByRole('alert').filter({ hasText: 'The login or password is not correct.' }));
    await page.getByLabel('Password', { exact: true }).fill(ADMIN_PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();

    // Customers list.
    await page.waitForURL(`${server.url}/customers`);
    await visible(page.getByRole('heading', { name: 'Customers', level: 1 }));
    await visible(page.getByRole('link', { name: 'Riverside Unified' }));
    assert.equal(await page.getByRole('row').count(), 4, 'header row plus three customers');
    await screenshot(page, '02-customers', { docsName: 'customers.png' });
    await expectAccessible(page, 'customers list');

    // + Add Customer: Profile, Administrator, Address.
    await page.getByRole('link', { name: '+ Add Customer' }).click();
    await page.waitForURL(`${server.url}/customers/new`);
    await visible(page.getByRole('heading', { name: 'Add customer' }));
    await fill(page, 'profile.name', 'Lincoln USD');
    await fill(page, 'profile.code', 'riverside'); // taken: the server must say so, next to the field
    await page.locator('[name="profile.timeZone"]').selectOption('America/Chicago');
    await fill(page, 'administrator.firstName', 'Ada');
    await fill(page, 'administrator.lastName', 'Park');
    await fill(page, 'administrator.email', NEW_ADMIN.email);
    await fill(page, 'administrator.phone', '+1 402 555 0100');
    await fill(page, 'administrator.password', NEW_ADMIN.password);
    await fill(page, 'address.line1', '1 Main St');
    await fill(page, 'address.city', 'Lincoln');
    await fill(page, 'address.region', 'NE');
    await fill(page, 'address.postalCode', '68508');
    await fill(page, 'address.country', 'us');
    assert.equal(await page.locator('[name="address.country"]').inputValue(), 'US', 'country code is upper-cased');
    assert.deepEqual(await page.locator('[name="lti.version"] option').allTextContents(), ['LTI 1.1', 'LTI 1.3', 'LTI 1.1 and 1.3 (moving to 1.3)']);

    // OneRoster reveals its settings.
    assert.equal(await page.getByRole('radio', { name: 'ZIP Upload' }).count(), 0, 'no sync settings before OneRoster is chosen');
    await page.getByRole('radio', { name: 'OneRoster' }).check();
    await visible(page.getByRole('group', { name: 'Sync Type' }));

    // ZIP Upload: the Auto frequency disappears, Manual is chosen, Client Partner ID is required.
    await page.getByRole('radio', { name: 'Auto' }).check();
    await page.getByRole('radio', { name: 'ZIP Upload' }).check();
    await gone(page.getByRole('radio', { name: 'Auto' }));
    assert.deepEqual(await radioValues(page, 'rostering.syncFrequency'), ['manual']);
    assert.ok(await page.getByRole('radio', { name: 'Manual' }).isChecked(), 'Manual is selected for ZIP Upload');
    assert.equal(await page.locator('[name="rostering.period"]').count(), 0, 'no Period for a manual sync');
    assert.equal(await page.locator('[name="rostering.clientPartnerId"]').getAttribute('aria-required'), 'true');
    assert.equal(await page.locator('[name="rostering.sftp.host"]').count(), 0);

    // SFTP: its fields appear, Port prefilled with 22, and Auto is offered again.
    await page.getByRole('radio', { name: 'SFTP' }).check();
    for (const label of ['Host Name', 'Port', 'Username', 'Password', 'Path', 'File name']) {
      await visible(page.getByRole('group', { name: 'SFTP server' }).getByRole('textbox', { name: label, exact: true }));
    }
    assert.equal(await page.locator('[name="rostering.sftp.port"]').inputValue(), '22');
    assert.deepEqual(await radioValues(page, 'rostering.syncFrequency'), ['auto', 'manual']);

    // Identifier, Auto, Weekly: the next run appears in the customer's time zone.
    await page.getByLabel('Match with').selectOption({ label: 'Identifier' });
    await page.getByRole('radio', { name: 'Auto' }).check();
    const period = page.getByLabel('Period');
    await visible(period);
    assert.deepEqual(await period.locator('option:not([value=""])').allTextContents(), ['Hourly', 'Every 6 hours', 'Every 12 hours', 'Daily', 'Weekly', 'Monthly']);
    await period.selectOption({ label: 'Weekly' });
    const nextRun = page.getByTestId('next-run');
    await waitFor(async () => /^Next run: Sunday, .+ 2:00\sAM \(America\/Chicago\)$/.test((await nextRun.textContent()) ?? ''), 'the weekly next-run time');

    await fill(page, 'rostering.suffix', '@lincoln');
    await fill(page, 'rostering.clientPartnerId', 'LIN-001');
    await fill(page, 'rostering.sftp.username', 'roster');
    await fill(page, 'rostering.sftp.password', 'sftp-Secret-42');
    await fill(page, 'rostering.sftp.path', '/uploads');
    await fill(page, 'rostering.sftp.fileName', 'roster.zip');
    await page.locator(':focus').blur();
    await screenshot(page, '03-add-customer-sftp', { fullPage: true });

    // Add without a host and without accepting the terms: inline errors, a summary, focus on the first.
    await page.getByRole('button', { name: 'Add', exact: true }).click();
    const summary = page.locator('.error-summary[role="alert"]');
    await visible(summary);
    assert.match(await fieldError(page, 'rostering.sftp.host'), /This field is required/);
    assert.match(await fieldError(page, 'acceptTerms'), /Accept the Privacy Policy and Terms of Service/);
    assert.equal(await page.locator('[name="rostering.sftp.host"]').getAttribute('aria-invalid'), 'true');
    await waitFor(async () => (await focusedName(page)) === 'rostering.sftp.host', 'focus on the first invalid field');
    await screenshot(page, '04-field-error');
    await expectAccessible(page, 'add customer with field errors');

    // Fix both; now the server rejects the taken code, and the form shows that next to Code.
    await page.locator('[name="rostering.sftp.host"]').fill('sftp.lincoln.example');
    assert.equal(await fieldError(page, 'rostering.sftp.host'), '', 'the error clears once the field is fixed');
    await page.getByLabel('I accept the Privacy Policy and Terms of Service').check();
    await page.getByRole('button', { name: 'Add', exact: true }).click();
    await waitFor(async () => /Another customer already uses this code/.test(await fieldError(page, 'profile.code')), 'the server error on Code');
    await waitFor(async () => (await focusedName(page)) === 'profile.code', 'focus on Code');
    await page.locator('[name="profile.code"]').fill('lincoln');
    await page.locator(':focus').blur();
    await screenshot(page, '03b-add-customer-complete', { fullPage: true, docsName: 'add-customer.png' });

    // Add: the LTI credentials are shown once.
    await page.getByRole('button', { name: 'Add', exact: true }).click();
    const dialog = page.getByRole('dialog', { name: 'Lincoln USD was added' });
    await visible(dialog);
    const consumerKey = await dialog.getByRole('textbox', { name: 'Consumer key', exact: true }).inputValue();
    const sharedSecret = await dialog.getByRole('textbox', { name: 'Shared secret', exact: true }).inputValue();
    assert.match(consumerKey, /^lincoln-[0-9a-f]{8}$/);
    assert.ok(sharedSecret.length >= 24, 'a long random shared secret');
    assert.equal(await dialog.getByRole('textbox', { name: 'Launch URL', exact: true }).inputValue(), `${server.url}/lti/launch`);
    await visible(dialog.getByText('Store the shared secret now'));
    await visible(dialog.getByRole('button', { name: 'Copy Shared secret' }));
    await screenshot(page, '05-lti-secret');
    await expectAccessible(page, 'LTI secret dialog');

    // Closing goes to the customer page, which (even after a reload) never shows the secret again.
    await dialog.getByRole('button', { name: /go to the customer/ }).click();
    await page.waitForURL(/\/customers\/[0-9a-f-]{36}$/);
    await visible(page.getByRole('heading', { name: /Lincoln USD/, level: 1 }));
    await visible(page.getByText(consumerKey));
    await page.reload();
    await visible(page.getByRole('heading', { name: /Lincoln USD/, level: 1 }));
    await visible(page.getByRole('region', { name: 'LTI 1.1' }).getByText('Set', { exact: true }));
    assert.ok(!(await page.content()).includes(sharedSecret), 'the shared secret is not shown again');
    await expectAccessible(page, 'customer page');
    const customerUrl = page.url();

    // Sign out.
    await page.getByRole('button', { name: /Enterprise Admin|root/i }).click();
    await page.getByRole('menuitem', { name: 'Sign out' }).click();
    await page.waitForURL(/\/login/);

    // The new customer admin signs in with the Administrator details, must first replace the
    // password the enterprise admin typed, and then lands on Users.
    await page.getByLabel('Login or email').fill(NEW_ADMIN.email);
    await page.getByLabel('Password', { exact: true }).fill(NEW_ADMIN.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await visible(page.getByRole('heading', { name: 'Choose a new password' }));
    await page.getByLabel('Current password').fill(NEW_ADMIN.password);
    await page.getByLabel('New password', { exact: true }).fill('password12');
    await page.getByLabel('New password again').fill('password12');
    await page.getByRole('button', { name: 'Save and continue' }).click();
    await visible(page.getByText('This password is one of the most common or breached passwords.', { exact: false }));
    await screenshot(page, '06a-customer-admin-chooses-password');
    await expectAccessible(page, 'change password with an error');
    await page.getByLabel('New password', { exact: true }).fill('Ada-chose-this-77');
    await page.getByLabel('New password again').fill('Ada-chose-this-77');
    await page.getByRole('button', { name: 'Save and continue' }).click();
    await page.waitForURL(`${customerUrl}/users`);
    await visible(page.getByRole('heading', { name: 'Users', level: 1 }));
    const usersTab = page.getByRole('tab', { name: 'Users' });
    await visible(usersTab);
    await visible(page.getByRole('tab', { name: 'Class' }));
    assert.equal(await usersTab.getAttribute('aria-selected'), 'true');
    await visible(page.getByRole('cell', { name: 'Ada Park' }));
    assert.equal(await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Customers' }).count(), 0, 'no Customers tab for a customer admin');
    await screenshot(page, '06-customer-admin-users');
    await expectAccessible(page, 'users tab');

    await page.getByRole('tab', { name: 'Class' }).click();
    await page.waitForURL(`${customerUrl}/classes`);
    await visible(page.getByText('No classes yet — they arrive with the first roster sync'));
    await screenshot(page, '07-customer-admin-classes');
    await expectAccessible(page, 'classes tab');
  });
});
