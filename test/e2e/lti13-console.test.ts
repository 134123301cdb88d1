/*
 * The console's LTI 1.3 parts in real Chromium: an enterprise admin moves a customer to LTI 1.3,
 * registers its LMS by hand (a bad URL is refused next to its field), then copies the tool values and
 * mints a Dynamic Registration URL on the customer page.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { ADMIN_EMAIL, ADMIN_PASSWORD, seedCustomer } from '../helpers/app.js';
import { browserSkipReason, launchBrowser, newConsolePage, screenshot, signInToConsole, startConsoleServer, type ConsoleServer } from '../helpers/browser.js';

const fill = (page: Page, name: string, value: string) => page.locator(`[name="${name}"]`).fill(value);
/** The text of the error that the input's aria-describedby points at ('' when none). */
const fieldError = async (page: Page, name: string) => {
  const ids = ((await page.locator(`[name="${name}"]`).getAttribute('aria-describedby')) ?? '').split(' ').filter((id) => id.endsWith('-error'));
  const texts = await Promise.all(ids.map((id) => page.locator(`[id="${id}"]`).textContent()));
  return texts.join(' ');
};

describe('LTI 1.3 in the console, in Chromium', { skip: browserSkipReason() ?? false }, () => {
  let server: ConsoleServer;
  let browser: Browser;
  let page: Page;
  let customerId: string;

  before(async () => {
    server = await startConsoleServer();
    customerId = (await seedCustomer(server.ctx, { profile: { name: 'Lincoln USD', code: 'lincoln', timeZone: 'America/Chicago' }, rostering: { type: 'none' } })).id;
    browser = await launchBrowser();
    page = await newConsolePage(browser);
  });
  after(async () => {
    await browser?.close();
    await server?.close();
  });

  it('registers a platform by hand with inline errors, then shows the tool values to paste and a fresh registration URL', async () => {
    await signInToConsole(page, server.url, ADMIN_EMAIL, ADMIN_PASSWORD);
    await page.goto(`${server.url}/customers/${customerId}`);
    await page.getByRole('button', { name: 'Edit' }).click();
    assert.equal(await page.locator('[name="lti.platforms.0.issuer"]').count(), 0, 'no platform fields for LTI 1.1');
    await page.locator('[name="lti.version"]').selectOption('both');
    await fill(page, 'lti.platforms.0.issuer', 'https://lms.lincoln.example');
    await fill(page, 'lti.platforms.0.clientId', '10000000000042');
    await fill(page, 'lti.platforms.0.deploymentIds', '1:abc, 2:def');
    await fill(page, 'lti.platforms.0.authLoginUrl', 'ftp://lms.lincoln.example/auth');
    await fill(page, 'lti.platforms.0.authTokenUrl', 'https://lms.lincoln.example/login/oauth2/token');
    await fill(page, 'lti.platforms.0.jwksUrl', 'http://lms.lincoln.example/jwks'); // plain http to a host nobody allowed: the server says so
    await page.getByRole('button', { name: 'Save changes' }).click();
    assert.match(await fieldError(page, 'lti.platforms.0.authLoginUrl'), /https:\/\//);
    await screenshot(page, 'lti13-01-platform-errors');
    await fill(page, 'lti.platforms.0.authLoginUrl', 'https://lms.lincoln.example/api/lti/authorize_redirect');
    await page.getByRole('button', { name: 'Save changes' }).click();
    await page.locator('[name="lti.platforms.0.jwksUrl"][aria-invalid="true"]').waitFor();
    assert.match(await fieldError(page, 'lti.platforms.0.jwksUrl'), /LECTERN_OUTBOUND_ALLOW/);
    await fill(page, 'lti.platforms.0.jwksUrl', 'https://lms.lincoln.example/api/lti/security/jwks');
    await page.getByRole('button', { name: 'Save changes' }).click();
    await page.getByText('Changes saved.').waitFor();

    // The customer page: tool values with copy buttons, the platform, a registration URL on request.
    const value = (name: string) => page.locator(`[name="${name}"]`).inputValue();
    assert.equal(await value('lti.tool.loginUrl'), `${server.url}/lti/1.3/login`);
    assert.equal(await value('lti.tool.launchUrl'), `${server.url}/lti/1.3/launch`);
    assert.equal(await value('lti.tool.jwksUrl'), `${server.url}/lti/1.3/jwks`);
    await page.getByRole('button', { name: 'Copy Login URL' }).waitFor();
    await page.getByText('1:abc, 2:def').waitFor();
    assert.equal(await page.locator('[name="lti.tool.registrationUrl"]').count(), 0);
    await page.getByRole('button', { name: 'New registration URL' }).click();
    await page.locator('[name="lti.tool.registrationUrl"]').waitFor();
    assert.match(await value('lti.tool.registrationUrl'), new RegExp(`^${server.url.replace(/[.]/g, '\\.')}/lti/1\\.3/register/lincoln\\?token=[A-Za-z0-9_-]+$`));
    await screenshot(page, 'lti13-02-customer-page', { fullPage: true });
    const stored = await server.ctx.customers.get({ userId: null, role: 'operator', customerId: null, label: 'test' }, customerId);
    assert.equal(stored.lti.version, 'both');
    assert.deepEqual(stored.lti.platforms[0]!.deploymentIds, ['1:abc', '2:def']);
  });
});
