/*
 * Deep Linking 2.0 in real Chromium: a teacher in the test LMS clicks "add Lectern content"; Lectern
 * opens in the LMS's iframe (the OIDC round trip, no cookie), the teacher searches the picker, picks
 * a title and adds it; the page form-posts the signed response to the LMS, which verifies it against
 * Lectern's JWKS, as does this test. Screenshot: lti13-deep-link-picker.png.
 */
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import type { Browser, Page } from 'playwright-core';
import { expectAccessible } from '../helpers/accessibility.js';
import { seedCustomer } from '../helpers/app.js';
import { pngImage } from '../helpers/books.js';
import { browserSkipReason, launchBrowser, newConsolePage, screenshot, startConsoleServer, type ConsoleServer } from '../helpers/browser.js';
import { insertBook } from '../helpers/lti-fixtures.js';
import { Lti13Platform } from '../helpers/lti13-platform.js';
import { waitFor } from '../helpers/wait.js';
import { seedLti13Customer } from '../helpers/lti13-customer.js';

const TITLES: [string, string, [number, number, number] | null][] = [
  ['Charlotte’s Web', 'E. B. White', [196, 78, 52]],
  ['Hatchet', 'Gary Paulsen', [46, 111, 64]],
  ['The Lighthouse Keeper', 'Ronda Armitage', [32, 84, 147]],
  ['Wonder', 'R. J. Palacio', null],
  ['Holes', 'Louis Sachar', [214, 163, 41]],
];

describe('LTI 1.3 Deep Linking in Chromium', { skip: browserSkipReason() ?? false }, () => {
  let server: ConsoleServer;
  let lms: Lti13Platform;
  let browser: Browser;
  let page: Page;
  const bookIds = new Map<string, string>();

  before(async () => {
    server = await startConsoleServer();
    const launchUrl = `${server.url}/lti/1.3/launch`;
    lms = await Lti13Platform.start({ toolJwksUrl: `${server.url}/lti/1.3/jwks`, toolTargetLinkUri: launchUrl, toolRedirectUris: [launchUrl] });
    const customer = await seedLti13Customer(server.ctx, lms, { profile: { name: 'Lincoln USD', code: 'lincoln', timeZone: 'America/Chicago' } });
    const other = await seedCustomer(server.ctx, { profile: { name: 'Other district', code: 'other', timeZone: 'America/Chicago' } });
    await insertBook(server.ctx.db.kysely, other.id, 'Another district’s title');
    for (const [title, author, colour] of TITLES) {
      const cover = colour ? { cover_key: `${title.length}-${colour.join('-')}.png`, cover_type: 'image/png' } : {};
      const id = await insertBook(server.ctx.db.kysely, customer.id, title, { author, ...cover });
      if (colour) await server.ctx.contentStore.putBuffer(customer.id, cover.cover_key!, pngImage(120, 180, colour));
      bookIds.set(title, id);
    }
    const now = new Date().toISOString();
    const collectionId = crypto.randomUUID();
    await server.ctx.db.kysely.insertInto('collections').values({ id: collectionId, customer_id: customer.id, name: 'Survival stories', description: '', created_at: now, updated_at: now }).execute();
    await server.ctx.db.kysely
      .insertInto('collection_books')
      .values({ collection_id: collectionId, book_id: bookIds.get('Hatchet')!, position: 0 })
      .execute();
    browser = await launchBrowser();
    page = await newConsolePage(browser);
  });
  after(async () => {
    await browser?.close();
    await server?.close();
    await lms?.close();
  });

  it('a teacher picks a title inside the LMS iframe and the LMS receives a response that verifies against Lectern’s JWKS', async () => {
    const login = lms.loginInitiation(`${server.url}/lti/1.3/login`, { messageType: 'LtiDeepLinkingRequest', userId: 'lms-teacher-1', deepLinking: { acceptMultiple: false, acceptLineItem: true } });
    // The LMS's "add content" dialog: Lectern in an iframe of an LMS page on another site (localhost
    // against Lectern's 127.0.0.1), where a browser would block Lectern's cookies.
    await page.goto(`${lms.origin.replace('127.0.0.1', 'localhost')}/courses/${lms.context.id}/return`);
    await page.setContent(
      `<!doctype html><html lang="en"><head><title>English 101 · Add external content</title></head><body style="margin:0;font-family:system-ui,sans-serif;background:#e8eaed"><header style="padding:12px 20px;background:#394b58;color:#fff;font-weight:600">English 101 · Add external content</header><iframe title="Lectern" src="${login.url}" style="display:block;width:100%;height:calc(100vh - 44px);border:0;background:#fff"></iframe></body></html>`,
    );
    const frame = page.frameLocator('iframe[title="Lectern"]');
    await frame.getByRole('heading', { name: 'Add from Lectern' }).waitFor();
    assert.equal(await frame.locator('input[name="item"]').count(), TITLES.length + 1);
    assert.equal(await frame.getByText('Another district’s title').count(), 0);
    // accept_multiple is false: one choice.
    assert.equal(await frame.locator('input[name="item"][type="radio"]').count(), TITLES.length + 1);

    await frame.getByLabel('Search your library').fill('the');
    await frame.getByRole('button', { name: 'Search' }).click();
    await frame.getByText('The Lighthouse Keeper').waitFor();
    await frame.locator('input[name="item"]').first().waitFor();
    assert.deepEqual(await frame.locator('.card .title').allTextContents(), ['The Lighthouse Keeper']);
    await frame.getByLabel('Search your library').fill('');
    await frame.getByRole('button', { name: 'Search' }).click();
    await frame.getByText('Hatchet').waitFor();
    await frame.getByText('Hatchet').click();
    assert.equal(await frame.locator(`input[value="book:${bookIds.get('Hatchet')}"]`).isChecked(), true);
    // Covers load from Lectern inside the LMS page (signed URLs, no session).
    await waitFor(async () => (await frame.locator('img').evaluateAll((imgs) => imgs.every((i) => (i as unknown as { naturalWidth: number }).naturalWidth > 0))) || null, 'covers loaded', 5000);
    await screenshot(page, 'lti13-deep-link-picker', { docsName: 'lti13-deep-link-picker.png' });
    await expectAccessible(page, 'lti13-deep-link-picker');

    // The answer page posts the response to the LMS at once; the request is read as it leaves the browser.
    const posted = page.waitForRequest((r) => r.url() === lms.deepLinkReturnUrl && r.method() === 'POST');
    await frame.getByRole('button', { name: 'Add to course' }).click();
    const token = new URLSearchParams((await posted).postData() ?? '').get('JWT') ?? '';
    await frame.getByText('1 item(s) added').waitFor();
    const [received] = lms.deepLinkReturns;
    assert.equal(received!.status, 200, received!.problem);
    const { payload } = await jwtVerify(token, createRemoteJWKSet(new URL(`${server.url}/lti/1.3/jwks`)), { algorithms: ['RS256'], issuer: lms.clientId, audience: lms.issuer });
    assert.equal(payload['https://purl.imsglobal.org/spec/lti/claim/message_type'], 'LtiDeepLinkingResponse');
    assert.equal(typeof payload['https://purl.imsglobal.org/spec/lti-dl/claim/data'], 'string');
    assert.deepEqual(received!.contentItems, [
      {
        type: 'ltiResourceLink',
        title: 'Hatchet',
        text: 'Gary Paulsen',
        url: `${server.url}/lti/1.3/launch`,
        custom: { bookid: bookIds.get('Hatchet') },
        thumbnail: { url: (received!.contentItems[0]!.thumbnail as { url: string }).url },
        lineItem: { scoreMaximum: 1, label: 'Hatchet', resourceId: `book:${bookIds.get('Hatchet')}` },
      },
    ]);
    // No cookie was needed, so none was set.
    assert.deepEqual(
      (await page.context().cookies(server.url)).map((c) => c.name),
      [],
    );
  });
});
