/*
 * The launch in real Chromium, from an LMS on another site (http://localhost:<port> posting to
 * http://127.0.0.1:<port>): the SameSite=Lax session cookie set on the 303 of a cross-site form
 * post is kept and sent on the top-level GET that follows; inside an LMS iframe, where a
 * third-party frame cannot keep that cookie, the framed page's button opens Lectern signed in.
 * With the built reader: a launch with custom_bookid lands a student of the class in the title, and
 * a student outside the class goes back to the LMS with the reason.
 */
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { operatorActor } from '../../src/accounts/policy.js';
import { browserSkipReason, launchBrowser, screenshot, startConsoleServer, type ConsoleServer } from '../helpers/browser.js';
import { setUpSchool, type School } from '../reader/school.js';
import { launchParams, signLaunch } from '../helpers/lti.js';
import { importRoster, ltiCustomer, schoolRoster, startLtiServer, type LtiServer } from './lti-server.js';
import { userRow } from '../helpers/roster-rows.js';

const escapeAttr = (s: string) => s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');

/**
 * A test LMS on another site (http://localhost:<port>): `/top/<student>` and `/framed/<student>`
 * serve a page whose form, signed at that moment, posts itself to the launch URL, at top level or
 * into an iframe; `/return` shows the lti_errormsg a refused launch brings back.
 */
async function startLms(launchUrl: string, consumer: { key: string; secret: string }, paramsFor: (student: string) => Record<string, string>): Promise<{ url: string; close(): Promise<void> }> {
  const server = http.createServer((req, res) => {
    const [, mode = '', student = ''] = (req.url ?? '').split('?')[0]!.split('/');
    if (mode === 'return') {
      const message = new URL(req.url ?? '', 'http://lms').searchParams.get('lti_errormsg') ?? '';
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(`<!doctype html><html><body><h1>Back in the course</h1><p role="alert">${escapeAttr(message)}</p></body></html>`);
      return;
    }
    const framed = mode === 'framed';
    const lmsOrigin = `http://${req.headers.host}`;
    const params = launchParams({ ...paramsFor(student), launch_presentation_return_url: `${lmsOrigin}/return` });
    const pairs = signLaunch({ url: launchUrl, key: consumer.key, secret: consumer.secret, params });
    const inputs = pairs.map(([n, v]) => `<input type="hidden" name="${escapeAttr(n)}" value="${escapeAttr(v)}">`).join('');
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(`<!doctype html><html><body>
      <form id="f" method="post" action="${launchUrl}" ${framed ? 'target="tool"' : ''}>${inputs}</form>
      ${framed ? '<iframe name="tool" title="Lectern" width="800" height="400"></iframe>' : ''}
      <script>document.getElementById('f').submit()</script></body></html>`);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://localhost:${(server.address() as AddressInfo).port}`, close: () => new Promise((r) => server.close(() => r())) };
}

describe('LTI launch in Chromium', { skip: browserSkipReason() ?? false }, () => {
  let s: LtiServer;
  let lms: Awaited<ReturnType<typeof startLms>>;
  let lmsUrl: string;
  let browser: Browser;
  let adaId: string;

  before(async () => {
    s = await startLtiServer('sqlite');
    const c = await ltiCustomer(s.ctx, { rostering: { matchWith: 'identifier', suffix: '@lincoln' } });
    await importRoster(s.ctx, c.id, schoolRoster([userRow('stu-ada', { username: 'ada', identifier: 'S-1001' })]));
    adaId = (await s.ctx.db.kysely.selectFrom('users').select('id').where('sourced_id', '=', 'stu-ada').executeTakeFirstOrThrow()).id;
    lms = await startLms(s.launchUrl, c, () => ({ user_id: 'lms-ada', lis_person_sourcedid: 'S-1001' }));
    lmsUrl = lms.url;
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await lms?.close();
    await s?.close();
  });

  /** The signed-in user as the page's own origin sees it. */
  const whoAmI = (page: Page) => page.evaluate(async () => (await fetch('/api/auth/session')).json() as Promise<{ user?: { id: string } }>);

  it('a top-level launch from another site: the cookie set on the 303 is sent on the GET that follows', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    const landing = page.waitForRequest((r) => r.url() === `${s.url}/reader`);
    await page.goto(`${lmsUrl}/top/ada`);
    const request = await landing;
    assert.match((await request.allHeaders()).cookie ?? '', /lectern_session=/);
    const post = request.redirectedFrom();
    assert.equal(post?.method(), 'POST');
    const postResponse = await post!.response();
    assert.equal(postResponse?.status(), 303);
    assert.match((await postResponse!.allHeaders())['set-cookie'] ?? '', /SameSite=Lax/i);
    await page.waitForURL(`${s.url}/reader`);
    assert.equal((await whoAmI(page)).user?.id, adaId);
    await context.close();
  });

  it('inside an LMS iframe: the framed page shows, and its button opens Lectern in a new window, signed in', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${lmsUrl}/framed/ada`);
    const frame = page.frameLocator('iframe[name="tool"]');
    const link = frame.getByRole('button', { name: 'Open Lectern in a new window' });
    await link.waitFor({ state: 'visible', timeout: 10_000 });
    const [popup] = await Promise.all([context.waitForEvent('page'), link.click()]);
    await popup.waitForURL(`${s.url}/reader`);
    assert.equal((await whoAmI(popup)).user?.id, adaId);
    await context.close();
  });
});

describe('LTI launch into an assigned title in Chromium (the built reader)', { skip: browserSkipReason() ?? false }, () => {
  let server: ConsoleServer;
  let school: School;
  let lms: Awaited<ReturnType<typeof startLms>>;
  let browser: Browser;

  before(async () => {
    server = await startConsoleServer();
    await server.ctx.jobs.start({ concurrency: 1 });
    school = await setUpSchool(server.ctx, server.app, '@lincoln');
    await server.ctx.customers.update(operatorActor, school.customerId, { rostering: { matchWith: 'username' } });
    const credentials = await server.ctx.customers.rotateLtiSecret(operatorActor, school.customerId);
    // Every launch of this LMS link opens the Algebra class's title.
    lms = await startLms(credentials.launchUrl, { key: credentials.consumerKey, secret: credentials.sharedSecret }, (student) => ({
      user_id: `lms-${student}`,
      ext_user_username: student,
      custom_bookid: school.books.algebra.id,
    }));
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await lms?.close();
    await server?.close();
  });

  it('lands a student of the class straight in the title, and returns a student outside it to the LMS with a message', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    page.setDefaultTimeout(30_000);
    await page.goto(`${lms.url}/top/sam.one`);
    await page.waitForURL(`${server.url}/reader/books/${school.books.algebra.id}`);
    await page.getByRole('heading', { name: school.books.algebra.title, level: 1 }).waitFor({ state: 'visible' });
    await screenshot(page, 'lti-launch-into-book');

    const outsider = await browser.newContext();
    const other = await outsider.newPage();
    await other.goto(`${lms.url}/top/sid.three`);
    await other.waitForURL(`${lms.url}/return?**`);
    assert.match((await other.getByRole('alert').textContent()) ?? '', /not available to you/);
    await outsider.close();
    await context.close();
  });
});
