/*
 * The end of a Dynamic Registration in Chromium: the LMS's registration dialog frames Lectern's
 * registration URL, Lectern registers and its page posts org.imsglobal.lti.close to the dialog.
 * Proves what a unit test cannot: the page's CSP admits its one script (by hash), the message
 * reaches the LMS window from inside the frame, and it is aimed at the LMS's origin only.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { operatorActor } from '../../src/accounts/policy.js';
import { seedCustomer } from '../helpers/app.js';
import { browserSkipReason, launchBrowser } from '../helpers/browser.js';
import { startListeningApp, type ListeningApp } from '../helpers/listening.js';
import { Lti13Platform } from '../helpers/lti13-platform.js';

type Posted = { origin: string; data: unknown }[];

describe('Dynamic Registration closes the LMS dialog, in Chromium', { skip: browserSkipReason() ?? false }, () => {
  let server: ListeningApp;
  let lms: Lti13Platform;
  let elsewhere: Lti13Platform;
  let browser: Browser;
  let page: Page;

  before(async () => {
    server = await startListeningApp('sqlite');
    lms = await Lti13Platform.start();
    elsewhere = await Lti13Platform.start();
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await lms?.close();
    await elsewhere?.close();
    await server?.close();
  });

  /** A fresh customer's one-time registration URL, as the console shows it. */
  const registrationUrl = async () => {
    const c = await seedCustomer(server.ctx, { lti: { version: '1.3' } as never });
    return (await server.ctx.customers.mintRegistrationUrl(operatorActor, c.id)).registrationUrl;
  };
  /** Opens `dialog`'s registration page framing `url` and waits until Lectern's page in the frame says it is registered. */
  const register = async (dialog: Lti13Platform, url: string) => {
    page = await browser.newPage();
    page.setDefaultTimeout(10_000);
    const blocked: string[] = [];
    page.on('console', (m) => {
      if (/Content Security Policy/i.test(m.text())) blocked.push(m.text());
    });
    await page.goto(`${dialog.origin}/lms/registration?url=${encodeURIComponent(url)}`);
    await page.frameLocator('iframe').getByRole('heading', { name: 'Lectern is registered' }).waitFor({ state: 'visible' });
    return blocked;
  };
  // Strings, not functions: this project's TypeScript has no DOM types.
  const posted = async () => (await page.evaluate('window.registrationMessages')) as Posted;
  const somethingPosted = () => page.waitForFunction('window.registrationMessages.length > 0');

  it('the LMS dialog receives org.imsglobal.lti.close from Lectern’s origin, and the CSP blocks nothing', async () => {
    const blocked = await register(lms, lms.registrationUrl(await registrationUrl()));
    await somethingPosted();
    assert.deepEqual(await posted(), [{ origin: server.url, data: { subject: 'org.imsglobal.lti.close' } }]);
    assert.deepEqual(blocked, []);
    assert.equal(lms.registrations.at(-1)?.status, 200);
    await page.close();
  });

  it('an LMS that opens the registration in a popup receives the message as its opener', async () => {
    page = await browser.newPage();
    page.setDefaultTimeout(10_000);
    await page.goto(`${lms.origin}/lms/registration?url=${encodeURIComponent('about:blank')}`);
    const url = lms.registrationUrl(await registrationUrl());
    const [popup] = await Promise.all([page.waitForEvent('popup'), page.evaluate(`void window.open(${JSON.stringify(url)}, 'registration', 'popup')`)]);
    await popup.getByRole('heading', { name: 'Lectern is registered' }).waitFor({ state: 'visible' });
    await somethingPosted();
    assert.deepEqual(await posted(), [{ origin: server.url, data: { subject: 'org.imsglobal.lti.close' } }]);
    await page.close();
  });

  it('a window on another origin than the registering LMS’s is not sent the message', async () => {
    // The dialog is served by another host, framing a registration with `lms`: the message is aimed at lms.origin.
    await register(elsewhere, lms.registrationUrl(await registrationUrl()));
    assert.equal(lms.registrations.at(-1)?.status, 200);
    // The frame's script has run by the time its heading shows; give a stray message time to arrive anyway.
    await page.waitForTimeout(300);
    assert.deepEqual(await posted(), []);
    await page.close();
  });
});
