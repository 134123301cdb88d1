/*
 * Deep Linking 2.0 over real HTTP, on both dialects: the test LMS (test/helpers/lti13-platform.ts)
 * launches a deep linking request through the OIDC round trip, the picker answers, and the signed
 * response the picker's page would auto-post is posted to the LMS's deep_link_return_url, where the
 * LMS verifies it against Lectern's GET /lti/1.3/jwks as a real one does.
 */
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { after, before, it } from 'node:test';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import { describeEachDialect, seedCustomer } from '../../../../test/helpers/app.js';
import { startListeningApp, type ListeningApp } from '../../../../test/helpers/listening.js';
import { insertBook } from '../../../../test/helpers/lti-fixtures.js';
import { DL, Lti13Platform, type LaunchOptions } from '../../../../test/helpers/lti13-platform.js';
import { userRow } from '../../../../test/helpers/roster-rows.js';
import { importRoster, schoolRoster } from '../../../../test/lti/lti-server.js';
import { seedLti13Customer } from '../../../../test/helpers/lti13-customer.js';

const PNG = Buffer.from('89504e470d0a1a0a0000000d4948445200000001000000010806000000', 'hex');
const TEACHER = 'lms-teacher-1';

/** The value of an attribute or text as the browser reads it back (Lectern's pages escape numerically). */
const unescape = (text: string) => text.replace(/&#(\d+);/g, (_, code: string) => String.fromCharCode(Number(code)));

/** What the picker page offers: its token, the item values and whether they are checkboxes or radio buttons. */
function readPicker(html: string) {
  const token = /<input type="hidden" name="token" value="([^"]+)">/.exec(html)?.[1];
  assert.ok(token, `no picker token in ${html.slice(0, 300)}`);
  const inputs = [...html.matchAll(/<input type="(checkbox|radio)" name="item" value="([^"]+)"/g)];
  return { token: unescape(token), items: inputs.map((m) => unescape(m[2]!)), inputType: inputs[0]?.[1] ?? null };
}

describeEachDialect('LTI 1.3 deep linking routes', (dialect) => {
  let app: ListeningApp;
  let lms: Lti13Platform;
  let customerId: string;
  let bookId: string;
  let plainBookId: string;
  let otherBookId: string;
  let collectionId: string;

  const form = (fields: Record<string, string | string[]>) => {
    const body = new URLSearchParams();
    for (const [name, value] of Object.entries(fields)) for (const v of [value].flat()) body.append(name, v);
    return body.toString();
  };
  const post = (path: string, body: string) => fetch(`${app.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body, redirect: 'manual' });
  /** The whole OIDC round trip of a launch, as a browser makes it; answers Lectern's reply to the platform's form post. */
  const launch = async (opts: LaunchOptions) => {
    const login = await fetch(lms.loginInitiation(`${app.url}/lti/1.3/login`, opts).url, { redirect: 'manual' });
    assert.equal(login.status, 302, await login.text());
    const { action, fields } = await lms.authorize(login.headers.get('location')!);
    assert.equal(action, `${app.url}/lti/1.3/launch`);
    return post('/lti/1.3/launch', form(fields));
  };
  const deepLink = (deepLinking: LaunchOptions['deepLinking'] = {}, userId = TEACHER) => launch({ messageType: 'LtiDeepLinkingRequest', userId, deepLinking });
  /** A teacher's picker: its HTML, token and items. */
  const picker = async (deepLinking: LaunchOptions['deepLinking'] = {}) => {
    const res = await deepLink(deepLinking);
    const html = await res.text();
    assert.equal(res.status, 200, html);
    return { res, html, ...readPicker(html) };
  };
  const submit = (token: string, items: string[], action = 'add') => post('/lti/1.3/deep-link', form({ token, q: '', item: items, action }));
  /** Reads the answer page's form and posts it to the LMS, as its script does; returns what the LMS recorded. */
  const deliver = async (res: Response) => {
    const html = await res.text();
    assert.equal(res.status, 200, html);
    const action = unescape(/<form method="post" action="([^"]+)" id="answer">/.exec(html)?.[1] ?? '');
    const jwt = unescape(/<input type="hidden" name="JWT" value="([^"]+)">/.exec(html)?.[1] ?? '');
    assert.equal(action, lms.deepLinkReturnUrl);
    const count = lms.deepLinkReturns.length;
    const answered = await fetch(action, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: form({ JWT: jwt }) });
    await answered.text();
    assert.equal(lms.deepLinkReturns.length, count + 1);
    return { jwt, received: lms.deepLinkReturns.at(-1)!, csp: res.headers.get('content-security-policy') ?? '' };
  };

  before(async () => {
    app = await startListeningApp(dialect);
    const launchUrl = `${app.url}/lti/1.3/launch`;
    lms = await Lti13Platform.start({ toolJwksUrl: `${app.url}/lti/1.3/jwks`, toolTargetLinkUri: launchUrl, toolRedirectUris: [launchUrl] });
    customerId = (await seedLti13Customer(app.ctx, lms)).id;
    const otherId = (await seedCustomer(app.ctx)).id;
    // The platform's first learner is rostered (Match with identifier = the LIS person_sourcedid).
    await importRoster(app.ctx, customerId, schoolRoster([userRow('stu-sian', { identifier: 'sis-lms-user-1', username: 'sian' })]));
    const db = app.ctx.db.kysely;
    bookId = await insertBook(db, customerId, 'A Tale of Two Cities', { author: 'Charles Dickens', cover_key: 'tale-cover.png', cover_type: 'image/png', sha256: 'b'.repeat(64) });
    await app.ctx.contentStore.putBuffer(customerId, 'tale-cover.png', PNG);
    plainBookId = await insertBook(db, customerId, 'Moby-Dick', { author: 'Herman Melville' });
    otherBookId = await insertBook(db, otherId, 'Another school’s title');
    collectionId = crypto.randomUUID();
    const now = new Date().toISOString();
    await db.insertInto('collections').values({ id: collectionId, customer_id: customerId, name: 'Victorian novels', description: '', created_at: now, updated_at: now }).execute();
    await db.insertInto('collection_books').values({ collection_id: collectionId, book_id: bookId, position: 0 }).execute();
    const classId = (await db.selectFrom('classes').select('id').where('customer_id', '=', customerId).where('sourced_id', '=', 'c1').executeTakeFirstOrThrow()).id;
    await db
      .insertInto('assignments')
      .values({ id: crypto.randomUUID(), customer_id: customerId, book_id: bookId, target_type: 'class', target_id: classId, assigned_by: null, created_at: now })
      .execute();
  });
  after(async () => {
    await app?.close();
    await lms?.close();
  });

  it("a teacher's deep linking launch opens a framable picker, without a cookie, listing only this customer's titles and collections", async () => {
    const { res, html, items, inputType } = await picker();
    assert.equal(res.headers.get('set-cookie'), null);
    assert.equal(res.headers.get('x-frame-options'), null);
    assert.match(res.headers.get('content-security-policy') ?? '', /frame-ancestors \*/);
    assert.match(res.headers.get('content-type') ?? '', /^text\/html/);
    assert.deepEqual(items, [`book:${bookId}`, `book:${plainBookId}`, `collection:${collectionId}`]);
    assert.equal(inputType, 'checkbox');
    assert.match(html, /A Tale of Two Cities/);
    assert.match(html, /Add to course/);
    assert.doesNotMatch(html, new RegExp(`${otherBookId}|Another school`));
  });

  it('the picker shows covers by a signed URL that works without a session and on another origin; a wrong signature finds nothing', async () => {
    const { html } = await picker();
    const src = unescape(/<img src="([^"]+)"/.exec(html)?.[1] ?? '');
    assert.ok(src.startsWith(`${app.url}/lti/1.3/covers/${customerId}/${bookId}?sig=`), src);
    const cover = await fetch(src);
    assert.equal(cover.status, 200);
    assert.equal(cover.headers.get('content-type'), 'image/png');
    assert.equal(cover.headers.get('cross-origin-resource-policy'), 'cross-origin');
    assert.deepEqual(Buffer.from(await cover.arrayBuffer()), PNG);
    const forged = await fetch(src.replace(/sig=./, (s) => (s.endsWith('A') ? 'sig=B' : 'sig=A')));
    assert.equal(forged.status, 404);
    const moved = await fetch(src.replace(bookId, plainBookId));
    assert.equal(moved.status, 404);
  });

  it('search narrows the picker and keeps the token and what was chosen', async () => {
    const { token } = await picker();
    const res = await post('/lti/1.3/deep-link', form({ token, q: 'moby', item: [`book:${bookId}`], action: 'search' }));
    const html = await res.text();
    assert.equal(res.status, 200, html);
    const again = readPicker(html);
    assert.equal(again.token, token);
    assert.deepEqual(again.items, [`book:${bookId}`, `book:${plainBookId}`]);
    assert.match(html, /Chosen earlier/);
    assert.match(html, new RegExp(`value="book:${bookId}" checked`));
    assert.match(html, /value="moby"/);
  });

  it('a replayed deep linking post (the same state and id_token) opens no second picker', async () => {
    const login = await fetch(lms.loginInitiation(`${app.url}/lti/1.3/login`, { messageType: 'LtiDeepLinkingRequest', userId: TEACHER }).url, { redirect: 'manual' });
    const { fields } = await lms.authorize(login.headers.get('location')!);
    const first = await post('/lti/1.3/launch', form(fields));
    assert.equal(first.status, 200);
    readPicker(await first.text());
    const replay = await post('/lti/1.3/launch', form(fields));
    const html = await replay.text();
    assert.equal(replay.status, 401, html);
    assert.doesNotMatch(html, /name="token"/);
  });

  it('a learner is refused: back to the LMS with lti_errormsg, and no picker', async () => {
    const res = await deepLink({}, 'lms-user-1');
    assert.equal(res.status, 303, await res.text());
    const url = new URL(res.headers.get('location')!);
    assert.equal(`${url.origin}${url.pathname}`, `${lms.issuer}/courses/${lms.context.id}/return`);
    assert.match(url.searchParams.get('lti_errormsg') ?? '', /Only teachers/);
    assert.match(url.searchParams.get('lti_errorlog') ?? '', /LTI_DEEP_LINK_ROLE/);
  });

  it("the chosen title reaches the LMS as a response signed by Lectern's published key, with data echoed and a lineItem where accepted", async () => {
    const data = `course-7|${crypto.randomUUID()}`;
    const { token } = await picker({ data, acceptLineItem: true });
    const { jwt, received, csp } = await deliver(await submit(token, [`book:${bookId}`]));
    assert.match(csp, /script-src 'nonce-[^']+'/);
    assert.equal(received.status, 200, received.problem);
    const { payload, protectedHeader } = await jwtVerify(jwt, createRemoteJWKSet(new URL(`${app.url}/lti/1.3/jwks`)), { algorithms: ['RS256'], issuer: lms.clientId, audience: lms.issuer });
    assert.equal(protectedHeader.kid, (await app.ctx.lti13.keys.signer()).kid);
    assert.equal(payload[`${DL}data`], data);
    assert.equal(payload['https://purl.imsglobal.org/spec/lti/claim/deployment_id'], lms.deploymentId);
    const [item] = received.contentItems;
    assert.equal(received.contentItems.length, 1);
    assert.deepEqual(item, {
      type: 'ltiResourceLink',
      title: 'A Tale of Two Cities',
      text: 'Charles Dickens',
      url: `${app.url}/lti/1.3/launch`,
      custom: { bookid: bookId },
      thumbnail: { url: (item!.thumbnail as { url: string }).url },
      lineItem: { scoreMaximum: 1, label: 'A Tale of Two Cities', resourceId: `book:${bookId}` },
    });
    const thumbnail = await fetch((item!.thumbnail as { url: string }).url);
    assert.equal(thumbnail.status, 200);
  });

  it('without accept_lineitem the items carry no lineItem; several go where accept_multiple allows, a collection by custom collectionid', async () => {
    const { token } = await picker();
    const { received } = await deliver(await submit(token, [`book:${plainBookId}`, `collection:${collectionId}`]));
    assert.equal(received.status, 200, received.problem);
    assert.deepEqual(received.contentItems, [
      { type: 'ltiResourceLink', title: 'Moby-Dick', text: 'Herman Melville', url: `${app.url}/lti/1.3/launch`, custom: { bookid: plainBookId } },
      { type: 'ltiResourceLink', title: 'Victorian novels', url: `${app.url}/lti/1.3/launch`, custom: { collectionid: collectionId } },
    ]);
  });

  it('accept_multiple false: radio buttons, two items are refused with the picker shown again, one goes through', async () => {
    const { token, inputType } = await picker({ acceptMultiple: false });
    assert.equal(inputType, 'radio');
    const refused = await submit(token, [`book:${bookId}`, `book:${plainBookId}`]);
    const html = await refused.text();
    assert.equal(refused.status, 400, html);
    assert.match(html, /role="alert">Choose one title or collection/);
    assert.equal(readPicker(html).token, token);
    const { received } = await deliver(await submit(token, [`book:${plainBookId}`]));
    assert.equal(received.status, 200, received.problem);
    assert.equal(received.contentItems.length, 1);
  });

  it('a used picker token is refused (410), and so is an expired one', async () => {
    const used = await picker();
    await deliver(await submit(used.token, [`book:${bookId}`]));
    const again = await submit(used.token, [`book:${bookId}`]);
    assert.equal(again.status, 410);
    assert.match(await again.text(), /expired or was already used/);
    const search = await post('/lti/1.3/deep-link', form({ token: used.token, q: 'moby', action: 'search' }));
    assert.equal(search.status, 410);

    const stale = await picker();
    await app.ctx.db.kysely
      .updateTable('lti13_deep_link_requests')
      .set({ expires_at: new Date(Date.now() - 1000).toISOString() })
      .execute();
    const late = await submit(stale.token, [`book:${bookId}`]);
    assert.equal(late.status, 410);
  });

  it("another customer's book id in the submit is refused (404): nothing reaches the LMS and the token still works", async () => {
    const { token } = await picker();
    const count = lms.deepLinkReturns.length;
    const refused = await submit(token, [`book:${otherBookId}`]);
    const html = await refused.text();
    assert.equal(refused.status, 404, html);
    assert.doesNotMatch(html, /id="answer"|name="JWT"/);
    assert.equal(lms.deepLinkReturns.length, count);
    const { received } = await deliver(await submit(token, [`book:${bookId}`]));
    assert.equal(received.status, 200, received.problem);
  });

  it('Cancel, or Add with nothing chosen, answers the LMS with no items', async () => {
    for (const action of ['cancel', 'add']) {
      const { token } = await picker();
      const { received } = await deliver(await submit(token, action === 'cancel' ? [`book:${bookId}`] : [], action));
      assert.equal(received.status, 200, received.problem);
      assert.deepEqual(received.contentItems, []);
    }
  });

  it('a student launching the added link lands in the book', async () => {
    const { token } = await picker();
    const { received } = await deliver(await submit(token, [`book:${bookId}`]));
    const custom = received.contentItems[0]!.custom as Record<string, string>;
    const res = await launch({ userId: 'lms-user-1', custom, targetLinkUri: String(received.contentItems[0]!.url) });
    assert.equal(res.status, 303, await res.text());
    assert.equal(res.headers.get('location'), `/reader/books/${bookId}`);
    assert.ok(res.headers.get('set-cookie'));
  });
});
