/*
 * The launch in real Chromium, from an LMS on another site (http://localhost:<port> posting to
 * http://127.0.0.1:<port>): the SameSite=Lax session cookie set on the 303 of a cross-site form
 * post is kept and sent on the top-level GET that follows; inside an LMS iframe, where a
 * third-party frame cannot keep that cookie, the framed page's button opens Lectern signed in.
 */
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { browserSkipReason, launchBrowser } from '../helpers/browser.js';
import { launchParams, signLaunch } from '../helpers/lti.js';
import { importRoster, ltiCustomer, schoolRoster, startLtiServer, type LtiServer } from './lti-server.js';
import { userRow } from '../helpers/roster-rows.js';

const escapeAttr = (s: string) => s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');

describe('LTI launch in Chromium', { skip: browserSkipReason() ?? false }, () => {
  let s: LtiServer;
  let lms: http.Server;
  let lmsUrl: string;
  let browser: Browser;
  let adaId: string;

  before(async () => {
    s = await startLtiServer('sqlite');
    const c = await ltiCustomer(s.ctx, { rostering: { matchWith: 'identifier', suffix: '@lincoln' } });
    await importRoster(s.ctx, c.id, schoolRoster([userRow('stu-ada', { username: 'ada', identifier: 'S-1001' })]));
    adaId = (await s.ctx.db.kysely.selectFrom('users').select('id').where('sourced_id', '=', 'stu-ada').executeTakeFirstOrThrow()).id;
    // The LMS: a page whose form, signed now, posts itself to the launch URL (top level or into an iframe).
    lms = http.createServer((req, res) => {
      const framed = req.url?.startsWith('/framed') ?? false;
      const pairs = signLaunch({ url: s.launchUrl, key: c.key, secret: c.secret, params: launchParams({ user_id: 'lms-ada', lis_person_sourcedid: 'S-1001' }) });
      const inputs = pairs.map(([n, v]) => `<input type="hidden" name="${escapeAttr(n)}" value="${escapeAttr(v)}">`).join('');
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(`<!doctype html><html><body>
        <form id="f" method="post" action="${s.launchUrl}" ${framed ? 'target="tool"' : ''}>${inputs}</form>
        ${framed ? '<iframe name="tool" title="Lectern" width="800" height="400"></iframe>' : ''}
        <script>document.getElementById('f').submit()</script></body></html>`);
    });
    await new Promise<void>((resolve) => lms.listen(0, '127.0.0.1', resolve));
    lmsUrl = `http://localhost:${(lms.address() as AddressInfo).port}`;
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await new Promise((r) => lms?.close(r));
    await s?.close();
  });

  /** The signed-in user as the page's own origin sees it. */
  const whoAmI = (page: Page) => page.evaluate(async () => (await fetch('/api/auth/session')).json() as Promise<{ user?: { id: string } }>);

  it('a top-level launch from another site: the cookie set on the 303 is sent on the GET that follows', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    const landing = page.waitForRequest((r) => r.url() === `${s.url}/reader`);
    await page.goto(`${lmsUrl}/top`);
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
    await page.goto(`${lmsUrl}/framed`);
    const frame = page.frameLocator('iframe[name="tool"]');
    const link = frame.getByRole('button', { name: 'Open Lectern in a new window' });
    await link.waitFor({ state: 'visible', timeout: 10_000 });
    const [popup] = await Promise.all([context.waitForEvent('page'), link.click()]);
    await popup.waitForURL(`${s.url}/reader`);
    assert.equal((await whoAmI(popup)).user?.id, adaId);
    await context.close();
  });
});
