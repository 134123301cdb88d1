/*
 * The customer form in Chromium against the real server: fields revealed after a failed submit stay
 * calm until touched or submitted again (bug 5), the Suffix shows the login it makes (bug 2), and Test
 * connection tries a real SFTP server (the test helper's, running OpenSSH's sftp-server) step by step,
 * fails on a wrong password, succeeds, and pins the host key, which Add then stores.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser, Locator, Page } from 'playwright-core';
import { expectAccessible } from '../helpers/accessibility.js';
import { ADMIN_EMAIL, ADMIN_PASSWORD, seedCustomer } from '../helpers/app.js';
import { browserSkipReason, launchBrowser, newConsolePage, screenshot, signInToConsole, startConsoleServer, type ConsoleServer } from '../helpers/browser.js';
import { startOneRosterProvider } from '../helpers/oneroster-provider.js';
import { userRow } from '../helpers/roster-rows.js';
import { sftpSkipReason, startSftpServer, type TestSftpServer } from '../helpers/sftp-server.js';
import { waitFor } from '../helpers/wait.js';
import { importRoster, schoolRoster } from '../lti/lti-server.js';

const fill = (page: Page, name: string, value: string) => page.locator(`[name="${name}"]`).fill(value);
const visible = (l: Locator) => l.waitFor({ state: 'visible' });
/** The text of the error that the input's aria-describedby points at ('' when none). */
const fieldError = async (page: Page, name: string) => {
  const ids = ((await page.locator(`[name="${name}"]`).first().getAttribute('aria-describedby')) ?? '').split(' ').filter((id) => id.endsWith('-error'));
  const texts = await Promise.all(ids.map((id) => page.locator(`[id="${id}"]`).textContent()));
  return texts.join(' ');
};

describe('the customer form in Chromium', { skip: browserSkipReason() ?? sftpSkipReason() ?? false }, () => {
  let server: ConsoleServer;
  let sftp: TestSftpServer;
  let browser: Browser;
  let page: Page;

  before(async () => {
    server = await startConsoleServer();
    sftp = await startSftpServer();
    fs.mkdirSync(path.join(sftp.root, 'uploads'));
    fs.writeFileSync(path.join(sftp.root, 'uploads', 'roster.zip'), 'PK');
    browser = await launchBrowser();
    page = await newConsolePage(browser);
  });
  after(async () => {
    await browser?.close();
    await sftp?.close();
    await server?.close();
  });

  it('reveals fields calmly after a failed Add, previews the login, tests the SFTP connection and pins its host key', async () => {
    await signInToConsole(page, server.url, ADMIN_EMAIL, ADMIN_PASSWORD);
    await page.goto(`${server.url}/customers/new`);
    await visible(page.getByRole('heading', { name: 'Add customer' }));

    // Bug 5: Add with nothing filled marks the fields on screen…
    await page.getByRole('button', { name: 'Add', exact: true }).click();
    await visible(page.locator('.error-summary[role="alert"]'));
    assert.match(await fieldError(page, 'profile.name'), /This field is required/);
    // …but choosing OneRoster and SFTP afterwards reveals their fields without a red mark.
    await page.getByRole('radio', { name: 'OneRoster' }).check();
    await page.getByRole('radio', { name: 'SFTP' }).check();
    const host = page.locator('[name="rostering.sftp.host"]');
    await visible(host);
    assert.equal(await fieldError(page, 'rostering.sftp.host'), '', 'a revealed field is not red before it is touched');
    assert.equal(await host.getAttribute('aria-invalid'), null);
    assert.equal(await fieldError(page, 'rostering.matchWith'), '');
    // Touched and left empty, it says what it needs; the next submit marks the other revealed fields.
    await host.focus();
    await host.blur();
    assert.match(await fieldError(page, 'rostering.sftp.host'), /This field is required/);
    assert.equal(await fieldError(page, 'rostering.sftp.username'), '');
    await page.getByRole('button', { name: 'Add', exact: true }).click();
    await waitFor(async () => /This field is required/.test(await fieldError(page, 'rostering.sftp.username')), 'the next submit marks revealed fields');

    // Bug 2: the Suffix shows the exact login it makes, live, and gets its "@".
    await fill(page, 'rostering.suffix', 'Lincoln');
    const preview = page.getByTestId('suffix-preview');
    await waitFor(async () => /Login: jdoe → jdoe@lincoln/.test((await preview.textContent()) ?? ''), 'the live login preview');
    assert.match((await preview.textContent()) ?? '', /The “@” is added for you/);
    await page.locator('[name="rostering.suffix"]').blur();
    assert.equal(await page.locator('[name="rostering.suffix"]').inputValue(), '@lincoln');
    await fill(page, 'rostering.suffix', 'lincoln@usd');
    await page.locator('[name="rostering.suffix"]').blur();
    assert.match(await fieldError(page, 'rostering.suffix'), /one @ followed by letters, digits/);
    await fill(page, 'rostering.suffix', '@lincoln');

    // Test connection: a wrong password fails at sign-in, after the host key was shown.
    await fill(page, 'profile.name', 'Lincoln USD');
    await fill(page, 'profile.code', 'lincoln');
    await fill(page, 'administrator.firstName', 'Ada');
    await fill(page, 'administrator.lastName', 'Park');
    await fill(page, 'administrator.email', 'ada.park@lincoln.example');
    await fill(page, 'administrator.password', 'Lincoln-admin-42');
    await fill(page, 'address.line1', '1 Main St');
    await fill(page, 'address.city', 'Lincoln');
    await fill(page, 'address.country', 'US');
    await page.getByLabel('Match with').selectOption({ label: 'Username' });
    await page.getByRole('radio', { name: 'Manual' }).check();
    await fill(page, 'rostering.sftp.host', sftp.host);
    await fill(page, 'rostering.sftp.port', String(sftp.port));
    await fill(page, 'rostering.sftp.username', sftp.username);
    await fill(page, 'rostering.sftp.password', 'not-the-password');
    await fill(page, 'rostering.sftp.path', path.join(sftp.root, 'uploads'));
    await fill(page, 'rostering.sftp.fileName', 'Roster.zip');
    const test = page.getByTestId('connection-test');
    await test.getByRole('button', { name: 'Test connection' }).click();
    const report = test.getByRole('region', { name: /Connection/ });
    await visible(report.getByRole('heading', { name: 'Connection failed: Sign in' }));
    await visible(report.locator('.check-failed', { hasText: 'refused the username and password' }));
    assert.deepEqual(await report.locator('.check-step .visually-hidden').allTextContents(), ['passed: ', 'passed: ', 'passed: ', 'failed: ', 'not tried: ', 'not tried: ']);

    // The right password: File name is not there, and the nearest name is offered.
    await fill(page, 'rostering.sftp.password', sftp.password);
    await test.getByRole('button', { name: 'Test connection' }).click();
    await visible(report.getByRole('heading', { name: 'Connection failed: Find File name' }));
    await test.getByRole('button', { name: 'Use roster.zip' }).click();
    assert.equal(await page.locator('[name="rostering.sftp.fileName"]').inputValue(), 'roster.zip');

    // Now every step passes; the host key is shown to be pinned.
    await test.getByRole('button', { name: 'Test connection' }).click();
    await visible(report.getByRole('heading', { name: 'Connection works' }));
    assert.equal(await test.getByTestId('host-key-fingerprint').textContent(), sftp.fingerprint);
    // The host key and its Pin button in view, clear of the sticky Add bar.
    await page.evaluate("document.querySelector('.host-key').scrollIntoView({ block: 'end' }); window.scrollBy(0, 90);");
    await screenshot(page, 'customer-form-test-connection', { docsName: 'test-connection.png' });
    await expectAccessible(page, 'customer form with test-connection report and suffix preview');
    await test.getByRole('button', { name: 'Pin this host key' }).click();
    assert.equal(await page.locator('[name="rostering.sftp.hostKeyFingerprint"]').inputValue(), sftp.fingerprint);
    await visible(test.getByText('Pinned in the form'));

    // Add stores the pinned key with the customer (nothing was stored by the tests).
    assert.equal((await server.ctx.db.kysely.selectFrom('customers').select('id').where('code', '=', 'lincoln').execute()).length, 0);
    await page.getByLabel('I accept the Privacy Policy and Terms of Service').check();
    await page.getByRole('button', { name: 'Add', exact: true }).click();
    const dialog = page.getByRole('dialog', { name: 'Lincoln USD was added' });
    await visible(dialog);
    const stored = await server.ctx.db.kysely
      .selectFrom('customers as c')
      .innerJoin('rostering_configs as r', 'r.customer_id', 'c.id')
      .select(['c.id', 'r.sftp_host_key_fingerprint', 'r.suffix'])
      .where('c.code', '=', 'lincoln')
      .executeTakeFirstOrThrow();
    assert.deepEqual([stored.sftp_host_key_fingerprint, stored.suffix], [sftp.fingerprint, '@lincoln']);

    // The Users list shows the login a roster sync gave (username + Suffix), and Edit previews it from a real user.
    await importRoster(server.ctx, stored.id, schoolRoster([userRow('stu-1', { username: 'ajones', givenName: 'Amy', familyName: 'Jones' })]));
    await page.goto(`${server.url}/customers/${stored.id}/users`);
    await visible(page.getByRole('columnheader', { name: 'Login' }));
    await visible(page.getByRole('row', { name: /Amy Jones/ }).getByText('ajones@lincoln', { exact: true }));
    await page.goto(`${server.url}/customers/${stored.id}`);
    await page.getByRole('button', { name: 'Edit', exact: true }).click();
    await waitFor(async () => /Login: ajones → ajones@lincoln/.test((await page.getByTestId('suffix-preview').textContent()) ?? ''), 'the preview from a rostered user');
    // Edit tests with the stored password (left blank) against the pinned key.
    await page.getByTestId('connection-test').getByRole('button', { name: 'Test connection' }).click();
    await visible(page.getByTestId('connection-test').getByRole('heading', { name: 'Connection works' }));
  });

  it('on Edit, tests a OneRoster API with the stored secret, and says where a wrong one fails', async () => {
    const provider = await startOneRosterProvider({ auth: { kind: 'oauth2', clientId: 'springfield', clientSecret: 'api-secret' } });
    try {
      for (const name of ['Springfield High', 'Springfield Middle', 'Evergreen Elementary']) provider.put('orgs', { sourcedId: name, name, type: 'school' });
      // The factory's body has no OAuth 2 fields; the API accepts them.
      const oauth2 = { tokenUrl: provider.tokenUrl };
      const { id } = await seedCustomer(server.ctx, {
        profile: { name: 'Springfield SD', code: 'springfield', timeZone: 'America/Chicago' },
        rostering: {
          syncType: 'api',
          syncFrequency: 'manual',
          authorization: 'oauth2-client-credentials',
          url: provider.url,
          ...oauth2,
          consumerKey: 'springfield',
          secretKey: 'api-secret',
        },
      });
      await page.goto(`${server.url}/customers/${id}`);
      await page.getByRole('button', { name: 'Edit', exact: true }).click();
      const test = page.getByTestId('connection-test');
      await test.getByRole('button', { name: 'Test connection' }).click();
      await visible(test.getByRole('heading', { name: 'Connection works' }));
      await visible(test.getByText('3 orgs, such as Springfield High, Springfield Middle, Evergreen Elementary.'));
      await fill(page, 'rostering.secretKey', 'not-the-secret');
      await test.getByRole('button', { name: 'Test connection' }).click();
      await visible(test.getByRole('heading', { name: 'Connection failed: Fetch an OAuth 2 token' }));
      await visible(test.locator('.check-failed', { hasText: 'refused the client credentials (HTTP 401)' }));
    } finally {
      await provider.close();
    }
  });
});
