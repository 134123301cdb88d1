/*
 * Deep Linking 2.0's rules without HTTP, on both dialects: who may open the picker, what is stored
 * for it, what the picker lists, and the signed response (items, lineItem, data, claims, signature),
 * with the picker token used once and an hour at most. The routes' test drives the same through the
 * test LMS over real HTTP.
 */
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { after, before, it } from 'node:test';
import { createLocalJWKSet, jwtVerify } from 'jose';
import { AppError } from '../errors.js';
import { LaunchError } from '../lti/launch-verifier.js';
import { tokenDigest } from '../security/tokens.js';
import { describeEachDialect, seedCustomer, startTestApp, type TestApp } from '../../test/helpers/app.js';
import { insertBook } from '../../test/helpers/lti-fixtures.js';
import { DeepLinking, DEEP_LINK_TTL_MS, openDeepLink, type DeepLinkPlatform } from './deep-linking.js';
import { Lti13Error } from './errors.js';
import type { DeepLinkingLaunch } from './id-token.js';

const ISSUER = 'https://lms.example.edu';
const CLIENT_ID = 'client-42';
const RETURN_URL = 'https://lms.example.edu/deep-link-return';
const PNG = Buffer.from('89504e470d0a1a0a0000000d4948445200000001000000010806000000', 'hex');

/** A verified deep linking request as verifyIdToken returns it; `settings` overrides the deep linking settings. */
function dlLaunch(roles: string[], settings: Partial<DeepLinkingLaunch['deepLinking']> = {}): DeepLinkingLaunch {
  return {
    messageType: 'LtiDeepLinkingRequest',
    issuer: ISSUER,
    clientId: CLIENT_ID,
    deploymentId: '1:dep',
    targetLinkUri: 'http://lectern.test/lti/1.3/launch',
    sub: 'teacher-1',
    roles,
    context: null,
    custom: {},
    personSourcedId: null,
    courseSectionSourcedId: null,
    email: null,
    name: null,
    givenName: null,
    familyName: null,
    preferredUsername: null,
    locale: null,
    returnUrl: `${ISSUER}/courses/1/return`,
    documentTarget: null,
    ags: null,
    nrps: null,
    claims: {},
    resourceLink: null,
    deepLinking: {
      deepLinkReturnUrl: RETURN_URL,
      acceptTypes: ['ltiResourceLink'],
      acceptPresentationDocumentTargets: ['iframe', 'window'],
      acceptMediaTypes: null,
      acceptMultiple: true,
      acceptLineItem: false,
      autoCreate: true,
      title: null,
      text: null,
      data: 'opaque-42',
      ...settings,
    },
  };
}

describeEachDialect('LTI 1.3 deep linking service', (dialect) => {
  let t: TestApp;
  let platform: DeepLinkPlatform;
  let otherCustomerId: string;
  let coverBook: string;
  let plainBook: string;
  let otherBook: string;
  let collectionId: string;
  let clock = Date.parse('2026-12-03T12:00:00Z');
  let service: DeepLinking;

  const teacher = ['http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor'];
  const open = async (settings: Partial<DeepLinkingLaunch['deepLinking']> = {}) => (await openDeepLink(t.ctx.db.kysely, platform, dlLaunch(teacher, settings), 'teacher', new Date(clock))).token;
  const verify = async (jwt: string) => jwtVerify(jwt, createLocalJWKSet(await t.ctx.lti13.keys.jwks()), { algorithms: ['RS256'], issuer: CLIENT_ID, audience: ISSUER, currentDate: new Date(clock) });
  const items = (payload: Record<string, unknown>) => payload['https://purl.imsglobal.org/spec/lti-dl/claim/content_items'] as Record<string, unknown>[];
  const refusal = (code: string) => (err: unknown) => err instanceof AppError && err.code === code;

  before(async () => {
    t = await startTestApp(dialect);
    const registration = { issuer: ISSUER, clientId: CLIENT_ID, deploymentIds: ['1:dep'], authLoginUrl: `${ISSUER}/auth`, authTokenUrl: `${ISSUER}/token`, jwksUrl: `${ISSUER}/jwks` };
    const customerId = (await seedCustomer(t.ctx, { lti: { version: '1.3', platforms: [registration] } as never })).id;
    otherCustomerId = (await seedCustomer(t.ctx)).id;
    platform = await t.ctx.db.kysely.selectFrom('lti_platforms').select(['id', 'customer_id']).where('customer_id', '=', customerId).executeTakeFirstOrThrow();
    coverBook = await insertBook(t.ctx.db.kysely, customerId, 'Alpha with a cover', { author: 'Ann Author', cover_key: 'alpha-cover.png', cover_type: 'image/png', sha256: 'a'.repeat(64) });
    await t.ctx.contentStore.putBuffer(customerId, 'alpha-cover.png', PNG);
    plainBook = await insertBook(t.ctx.db.kysely, customerId, 'Beta without one', { author: '' });
    otherBook = await insertBook(t.ctx.db.kysely, otherCustomerId, 'Gamma of another school');
    collectionId = crypto.randomUUID();
    const now = new Date(clock).toISOString();
    await t.ctx.db.kysely.insertInto('collections').values({ id: collectionId, customer_id: customerId, name: 'Year 7 reading', description: '', created_at: now, updated_at: now }).execute();
    await t.ctx.db.kysely.insertInto('collection_books').values({ collection_id: collectionId, book_id: plainBook, position: 0 }).execute();
    service = new DeepLinking(t.ctx.db.kysely, { publicUrl: 'http://lectern.test', keys: t.ctx.lti13.keys, secrets: t.ctx.secrets, store: t.ctx.contentStore, now: () => new Date(clock) });
  });
  after(async () => t.close());

  it('a learner is sent back to the LMS with LTI_DEEP_LINK_ROLE, and nothing is stored', async () => {
    const before = await t.ctx.db.kysely.selectFrom('lti13_deep_link_requests').select('token_hash').execute();
    const learner = dlLaunch(['http://purl.imsglobal.org/vocab/lis/v2/membership#Learner']);
    await assert.rejects(openDeepLink(t.ctx.db.kysely, platform, learner, 'student', new Date(clock)), (err: unknown) => {
      assert.ok(err instanceof LaunchError);
      assert.equal(err.code, 'LTI_DEEP_LINK_ROLE');
      assert.equal(err.returnUrl, learner.returnUrl);
      return true;
    });
    assert.equal((await t.ctx.db.kysely.selectFrom('lti13_deep_link_requests').select('token_hash').execute()).length, before.length);
  });

  it('a placement that takes no ltiResourceLink is sent back to the LMS', async () => {
    await assert.rejects(openDeepLink(t.ctx.db.kysely, platform, dlLaunch(teacher, { acceptTypes: ['file', 'html'] }), 'teacher', new Date(clock)), (err: unknown) => {
      assert.ok(err instanceof Lti13Error);
      assert.equal(err.lti13Code, 'LTI13_CLAIM_INVALID');
      assert.equal(err.returnUrl, `${ISSUER}/courses/1/return`);
      return true;
    });
  });

  it("a teacher's request is stored under the token's digest only, with what the response must honour, for an hour", async () => {
    const token = await open({ acceptMultiple: false, acceptLineItem: true, data: 'keep-me' });
    const rows = await t.ctx.db.kysely.selectFrom('lti13_deep_link_requests').selectAll().execute();
    assert.ok(!rows.some((r) => Object.values(r).includes(token)), 'the token itself is not stored');
    const row = rows.find((r) => r.token_hash === tokenDigest(token));
    assert.ok(row);
    assert.equal(row.customer_id, platform.customer_id);
    assert.equal(row.platform_id, platform.id);
    assert.equal(row.deployment_id, '1:dep');
    assert.equal(row.return_url, RETURN_URL);
    assert.equal(row.data, 'keep-me');
    assert.equal(Number(row.accept_multiple), 0);
    assert.equal(Number(row.accept_lineitem), 1);
    assert.deepEqual(JSON.parse(row.accept_types), ['ltiResourceLink']);
    assert.equal(Date.parse(row.expires_at) - Date.parse(row.created_at), DEEP_LINK_TTL_MS);
  });

  it("the picker lists the customer's titles and collections only, and search narrows both", async () => {
    const token = await open();
    const all = await service.picker(token, {});
    assert.deepEqual(
      all.books.map((b) => b.ref),
      [`book:${coverBook}`, `book:${plainBook}`],
    );
    assert.deepEqual(
      all.collections.map((c) => [c.ref, c.detail]),
      [[`collection:${collectionId}`, '1 title']],
    );
    assert.ok(all.books[0]!.coverUrl?.startsWith('http://lectern.test/lti/1.3/covers/'));
    assert.equal(all.books[1]!.coverUrl, null);
    assert.ok(!JSON.stringify(all).includes(otherBook));
    const found = await service.picker(token, { search: 'beta', selected: [`book:${coverBook}`, `book:${otherBook}`] });
    assert.deepEqual(
      found.books.map((b) => b.title),
      ['Beta without one'],
    );
    assert.equal(found.collections.length, 0);
    // Chosen before the search, still chosen; another customer's id is not shown at all.
    assert.deepEqual(
      found.carried.map((c) => [c.ref, c.selected]),
      [[`book:${coverBook}`, true]],
    );
  });

  it('the response is signed with the current key and carries the items, the lineItem where accepted, and data exactly', async () => {
    const token = await open({ acceptLineItem: true, data: '{"a":1} ü' });
    const response = await service.respond(token, [`book:${coverBook}`, `collection:${collectionId}`]);
    assert.equal(response.returnUrl, RETURN_URL);
    assert.equal(response.items, 2);
    const { payload, protectedHeader } = await verify(response.jwt);
    assert.equal(protectedHeader.kid, (await t.ctx.lti13.keys.signer()).kid);
    assert.equal(payload.azp, CLIENT_ID);
    assert.equal(typeof payload.nonce, 'string');
    assert.equal(payload.exp! - payload.iat!, 600);
    assert.equal(payload['https://purl.imsglobal.org/spec/lti/claim/message_type'], 'LtiDeepLinkingResponse');
    assert.equal(payload['https://purl.imsglobal.org/spec/lti/claim/version'], '1.3.0');
    assert.equal(payload['https://purl.imsglobal.org/spec/lti/claim/deployment_id'], '1:dep');
    assert.equal(payload['https://purl.imsglobal.org/spec/lti-dl/claim/data'], '{"a":1} ü');
    const [book, collection] = items(payload);
    assert.deepEqual(book, {
      type: 'ltiResourceLink',
      title: 'Alpha with a cover',
      text: 'Ann Author',
      url: 'http://lectern.test/lti/1.3/launch',
      custom: { bookid: coverBook },
      thumbnail: { url: service.coverUrl(platform.customer_id, coverBook) },
      lineItem: { scoreMaximum: 1, label: 'Alpha with a cover', resourceId: `book:${coverBook}` },
    });
    assert.deepEqual(collection, {
      type: 'ltiResourceLink',
      title: 'Year 7 reading',
      url: 'http://lectern.test/lti/1.3/launch',
      custom: { collectionid: collectionId },
      lineItem: { scoreMaximum: 1, label: 'Year 7 reading', resourceId: `collection:${collectionId}` },
    });
  });

  it('without accept_lineitem there is no lineItem, and without data no data claim', async () => {
    const token = await open({ acceptLineItem: false, data: null });
    const { payload } = await verify((await service.respond(token, [`book:${plainBook}`])).jwt);
    assert.ok(!('https://purl.imsglobal.org/spec/lti-dl/claim/data' in payload));
    assert.deepEqual(items(payload), [{ type: 'ltiResourceLink', title: 'Beta without one', url: 'http://lectern.test/lti/1.3/launch', custom: { bookid: plainBook } }]);
  });

  it('an empty choice is a response with no items; the token then answers nothing more', async () => {
    const token = await open();
    const { payload } = await verify((await service.respond(token, [])).jwt);
    assert.deepEqual(items(payload), []);
    await assert.rejects(service.respond(token, [`book:${plainBook}`]), refusal('LTI_DEEP_LINK_EXPIRED'));
    await assert.rejects(service.picker(token, {}), refusal('LTI_DEEP_LINK_EXPIRED'));
  });

  it('accept_multiple false takes one item: two are refused and the token stays good', async () => {
    const token = await open({ acceptMultiple: false });
    await assert.rejects(service.respond(token, [`book:${coverBook}`, `book:${plainBook}`]), refusal('VALIDATION_FAILED'));
    assert.equal((await service.respond(token, [`book:${plainBook}`])).items, 1);
  });

  it("another customer's title, or a malformed item, is refused and spends nothing", async () => {
    const token = await open();
    await assert.rejects(service.respond(token, [`book:${otherBook}`]), refusal('NOT_FOUND'));
    await assert.rejects(service.respond(token, ['book:../../etc']), refusal('NOT_FOUND'));
    assert.equal((await service.respond(token, [`book:${coverBook}`])).items, 1);
  });

  it('a picker older than an hour is refused', async () => {
    const token = await open();
    clock += DEEP_LINK_TTL_MS + 1000;
    try {
      await assert.rejects(service.picker(token, {}), refusal('LTI_DEEP_LINK_EXPIRED'));
      await assert.rejects(service.respond(token, []), refusal('LTI_DEEP_LINK_EXPIRED'));
    } finally {
      clock -= DEEP_LINK_TTL_MS + 1000;
    }
  });

  it('a cover is served by its signed URL only: a wrong signature, or the signature moved to another book, finds nothing', async () => {
    const url = new URL(service.coverUrl(platform.customer_id, coverBook));
    const sig = url.searchParams.get('sig')!;
    const cover = await service.cover(platform.customer_id, coverBook, sig);
    cover.stream.destroy();
    assert.equal(cover.type, 'image/png');
    assert.equal(cover.sizeBytes, PNG.length);
    await assert.rejects(service.cover(platform.customer_id, coverBook, `${sig[0] === 'A' ? 'B' : 'A'}${sig.slice(1)}`), refusal('NOT_FOUND'));
    await assert.rejects(service.cover(otherCustomerId, coverBook, sig), refusal('NOT_FOUND'));
    await assert.rejects(service.cover(platform.customer_id, plainBook, service.coverUrl(platform.customer_id, plainBook).split('sig=')[1]!), refusal('NOT_FOUND'));
  });
});
