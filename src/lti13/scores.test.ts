/*
 * LTI 1.3 AGS scores against the test platform (a fake LMS on loopback whose /scores and line item
 * endpoints check the bearer token, its scope and the media type). Bindings are made as the 1.3
 * launch makes them: bindScores inside a transaction, with the claims of an id_token the platform
 * signed and verifyIdToken checked. Scores go through the outcome job (a real queue with short retry
 * delays), the same queue, call records and grade report as LTI 1.1 Basic Outcomes.
 */
import assert from 'node:assert/strict';
import { after, before, beforeEach, it } from 'node:test';
import { operatorActor } from '../accounts/policy.js';
import { EmbeddedJobQueue } from '../jobs/embedded-queue.js';
import { LtiOutcomes, registerOutcomeJobs } from '../lti/outcomes.js';
import { describeEachDialect } from '../../test/helpers/app.js';
import { insertBook } from '../../test/helpers/lti-fixtures.js';
import { AGS_ENDPOINT, Lti13Platform, SCOPES, type LaunchOptions } from '../../test/helpers/lti13-platform.js';
import { startListeningApp, type ListeningApp } from '../../test/helpers/listening.js';
import { userRow } from '../../test/helpers/roster-rows.js';
import { waitFor } from '../../test/helpers/wait.js';
import { importRoster, schoolRoster } from '../../test/lti/lti-server.js';
import { verifyIdToken, type ResourceLinkLaunch } from './id-token.js';
import { PlatformKeys } from './platform-keys.js';
import type { ReaderTarget } from '../lti/launch-target.js';
import { bindScores, scoreBody, scoresUrl } from './scores.js';
import { seedLti13Customer } from '../../test/helpers/lti13-customer.js';

describeEachDialect('LTI 1.3 AGS scores', (dialect) => {
  let lectern: ListeningApp;
  let lms: Lti13Platform;
  let queue: EmbeddedJobQueue;
  let outcomes: LtiOutcomes;
  let customerId: string;
  let platformId: string;
  let sian: string;
  let tomas: string;
  let book: string;
  let otherBook: string;
  let linkNo = 0;

  before(async () => {
    lectern = await startListeningApp(dialect);
    lms = await Lti13Platform.start({ toolJwksUrl: `${lectern.url}/lti/1.3/jwks`, toolTargetLinkUri: `${lectern.url}/lti/1.3/launch` });
    customerId = (await seedLti13Customer(lectern.ctx, lms)).id;
    const k = lectern.ctx.db.kysely;
    platformId = (await k.selectFrom('lti_platforms').select('id').where('customer_id', '=', customerId).executeTakeFirstOrThrow()).id;
    await importRoster(lectern.ctx, customerId, schoolRoster([userRow('stu-sian'), userRow('stu-tomas')]));
    const idOf = async (sourcedId: string) => (await k.selectFrom('users').select('id').where('customer_id', '=', customerId).where('sourced_id', '=', sourcedId).executeTakeFirstOrThrow()).id;
    [sian, tomas] = [await idOf('stu-sian'), await idOf('stu-tomas')];
    otherBook = await insertBook(k, customerId, 'Another book');
    // The app's own queue is not started in tests: this one, with short retry delays, sends the scores.
    queue = new EmbeddedJobQueue(k, { pollMs: 20, retryDelayMs: () => 30 });
    outcomes = new LtiOutcomes(k, lectern.ctx.secrets, queue, { outbound: lectern.ctx.outbound });
    registerOutcomeJobs(queue, outcomes);
    await queue.start({ concurrency: 2 });
  });
  after(async () => {
    await queue.stop();
    await lms.close();
    await lectern.close();
  });
  beforeEach(async () => {
    // A title of its own per test: progress in a title reports on every link bound to it.
    book = await insertBook(k(), customerId, `Chapter book ${linkNo + 1}`);
  });

  const k = () => lectern.ctx.db.kysely;
  /** The verified claims of a resource-link launch the platform signed, as the launch service holds them. */
  const verifiedLaunch = async (launch: LaunchOptions): Promise<ResourceLinkLaunch> => {
    const verified = await verifyIdToken(await lms.idToken(launch, 'nonce-1'), {
      registration: { issuer: lms.issuer, clientId: lms.clientId, deploymentIds: [lms.deploymentId] },
      keys: new PlatformKeys({ outbound: lectern.ctx.outbound }).forUrl(lms.jwksUrl),
      expectedNonce: 'nonce-1',
    });
    assert.equal(verified.messageType, 'LtiResourceLinkRequest');
    return verified as ResourceLinkLaunch;
  };
  /** What the 1.3 launch does in its transaction, once the person and target are resolved. */
  const bind = async (userId: string, target: ReaderTarget, launch: LaunchOptions) => {
    const verified = await verifiedLaunch(launch);
    await k()
      .transaction()
      .execute((trx) => bindScores(trx, { customerId, platformId, userId, target, launch: verified, now: new Date().toISOString() }));
    return verified;
  };
  const newLink = () => ({ id: `link-${++linkNo}`, title: `Reading ${linkNo}` });
  const bindingsOf = (resourceLinkId: string) =>
    k().selectFrom('lti_outcome_bindings').selectAll().where('customer_id', '=', customerId).where('resource_link_id', '=', resourceLinkId).orderBy('user_id').execute();
  const callsOf = (bindingIds: string[]) => k().selectFrom('lti_outcome_calls').selectAll().where('customer_id', '=', customerId).where('binding_id', 'in', bindingIds).orderBy('id').execute();
  const settled = (bindingIds: string[], n: number) =>
    waitFor(async () => {
      const rows = await callsOf(bindingIds);
      return rows.length >= n && rows.every((r) => r.status === 'succeeded' || r.status === 'failed' || r.status === 'superseded') ? rows : null;
    }, `${n} settled score calls`);
  const scoresFor = (lineItem: string) => lms.scores.filter((s) => s.lineItem === lineItem);

  it('binds the claim’s line item; progress lands as scores with a valid bearer token, the token reused', async () => {
    const link = newLink();
    const launch = await bind(sian, { type: 'book', id: book }, { custom: { bookid: book }, resourceLink: link });
    const [binding] = await bindingsOf(link.id);
    assert.ok(binding);
    assert.equal(binding.lti_version, '1.3');
    assert.equal(binding.line_item_url, launch.ags!.lineitem);
    assert.equal(binding.lti_user_id, 'lms-user-1');
    assert.deepEqual([binding.user_id, binding.target_type, binding.target_id, binding.platform_id], [sian, 'book', book, platformId]);
    const tokensBefore = lms.tokenRequests.length;

    await outcomes.onProgress(customerId, sian, book, 0.3);
    await settled([binding.id], 1);
    await outcomes.onProgress(customerId, sian, book, 1);
    const calls = await settled([binding.id], 2);
    assert.deepEqual(
      calls.map((c) => [c.score, c.status, c.attempts, c.last_error]),
      [
        [0.3, 'succeeded', 1, ''],
        [1, 'succeeded', 1, ''],
      ],
    );
    assert.deepEqual(scoresFor(binding.line_item_url!), [
      { userId: 'lms-user-1', scoreGiven: 0.3, scoreMaximum: 1, activityProgress: 'InProgress', gradingProgress: 'Pending', timestamp: calls[0]!.created_at, lineItem: binding.line_item_url },
      { userId: 'lms-user-1', scoreGiven: 1, scoreMaximum: 1, activityProgress: 'Completed', gradingProgress: 'FullyGraded', timestamp: calls[1]!.created_at, lineItem: binding.line_item_url },
    ]);
    assert.match(calls[0]!.created_at, /\.\d{3}Z$/, 'timestamps carry milliseconds');
    const posted = lms.serviceRequests.filter((r) => r.method === 'POST' && r.url === `${new URL(binding.line_item_url!).pathname}/scores`);
    assert.deepEqual(
      posted.map((r) => [r.status, r.problem]),
      [
        [204, ''],
        [204, ''],
      ],
    );
    assert.equal(lms.tokenRequests.length - tokensBefore, 1, 'one token for both scores');
    assert.deepEqual(lms.tokenRequests.at(-1), { clientId: lms.clientId, scope: `${SCOPES.lineItem} ${SCOPES.score}`, status: 200, problem: '' });
  });

  it('creates one line item for a link whose claim has none (scoreMaximum 1, the title as label, tied to the link), used by the whole class', async () => {
    const link = newLink();
    await bind(sian, { type: 'book', id: otherBook }, { custom: { bookid: otherBook }, resourceLink: link, lineItem: false });
    await bind(tomas, { type: 'book', id: otherBook }, { custom: { bookid: otherBook }, resourceLink: link, lineItem: false, userId: 'lms-user-2' });
    const before = await bindingsOf(link.id);
    assert.deepEqual(
      before.map((b) => [b.line_item_url, b.lineitems_url]),
      [
        [null, lms.lineItemsUrl],
        [null, lms.lineItemsUrl],
      ],
    );
    const itemsBefore = lms.lineItems.length;

    await outcomes.onProgress(customerId, sian, otherBook, 0.5);
    await outcomes.onProgress(customerId, tomas, otherBook, 0.2);
    const calls = await settled(
      before.map((b) => b.id),
      2,
    );
    assert.deepEqual(
      calls.map((c) => c.status),
      ['succeeded', 'succeeded'],
    );
    const created = lms.lineItems.slice(itemsBefore);
    assert.equal(created.length, 1, 'one line item for the link, not one per student');
    assert.deepEqual({ ...created[0], id: undefined }, { id: undefined, scoreMaximum: 1, label: 'Another book', resourceLinkId: link.id, resourceId: otherBook });
    const after = await bindingsOf(link.id);
    assert.deepEqual(
      after.map((b) => b.line_item_url),
      [created[0]!.id, created[0]!.id],
    );
    assert.deepEqual(
      scoresFor(created[0]!.id)
        .map((s) => [s.userId, s.scoreGiven])
        .sort(),
      [
        ['lms-user-1', 0.5],
        ['lms-user-2', 0.2],
      ],
    );
    // A relaunch whose claim still has no line item keeps the created one, and the score reported.
    await bind(sian, { type: 'book', id: otherBook }, { custom: { bookid: otherBook }, resourceLink: link, lineItem: false });
    const relaunched = (await bindingsOf(link.id)).find((b) => b.user_id === sian)!;
    assert.deepEqual([relaunched.line_item_url, relaunched.reported_score], [created[0]!.id, 0.5]);
  });

  it('binds nothing without an AGS claim', async () => {
    const link = newLink();
    await bind(sian, { type: 'book', id: book }, { custom: { bookid: book }, resourceLink: link, agsScopes: false });
    assert.deepEqual(await bindingsOf(link.id), []);
  });

  it('binds nothing when the claim does not grant the score scope', async () => {
    const link = newLink();
    await bind(sian, { type: 'book', id: book }, { custom: { bookid: book }, resourceLink: link, agsScopes: [SCOPES.lineItem, SCOPES.resultReadonly] });
    assert.deepEqual(await bindingsOf(link.id), []);
  });

  it('binds nothing when the claim has no line item and does not let the tool create one', async () => {
    const link = newLink();
    await bind(sian, { type: 'book', id: book }, { custom: { bookid: book }, resourceLink: link, lineItem: false, agsScopes: [SCOPES.score] });
    assert.deepEqual(await bindingsOf(link.id), []);
  });

  it('binds nothing for a launch onto the shelf', async () => {
    const link = newLink();
    await bind(sian, null, { resourceLink: link });
    assert.deepEqual(await bindingsOf(link.id), []);
  });

  it('a service that answers 401 (the platform dropped the token) gets one more try with a new token, in the same attempt', async () => {
    const link = newLink();
    await bind(sian, { type: 'book', id: book }, { custom: { bookid: book }, resourceLink: link });
    const [binding] = await bindingsOf(link.id);
    await outcomes.onProgress(customerId, sian, book, 0.4);
    await settled([binding!.id], 1);
    lms.revokeTokens();
    const tokensBefore = lms.tokenRequests.length;
    const requestsBefore = lms.serviceRequests.length;
    await outcomes.onProgress(customerId, sian, book, 0.6);
    const calls = await settled([binding!.id], 2);
    assert.deepEqual([calls[1]!.status, calls[1]!.attempts], ['succeeded', 1]);
    assert.equal(lms.tokenRequests.length - tokensBefore, 1);
    assert.deepEqual(
      lms.serviceRequests.slice(requestsBefore).map((r) => [r.status, r.problem]),
      [
        [401, 'no or unknown bearer token'],
        [204, ''],
      ],
    );
    assert.deepEqual(
      scoresFor(binding!.line_item_url!).map((s) => s.scoreGiven),
      [0.4, 0.6],
    );
  });

  it('a line item on an address the operator did not allow fails at once, unsent and not retried', async () => {
    const link = newLink();
    const forbidden = 'http://169.254.169.254/api/lti/courses/course-101/line_items/1';
    await bind(
      sian,
      { type: 'book', id: book },
      {
        custom: { bookid: book },
        resourceLink: link,
        claims: { [AGS_ENDPOINT]: { scope: [SCOPES.lineItem, SCOPES.score], lineitems: lms.lineItemsUrl, lineitem: forbidden } },
      },
    );
    const [binding] = await bindingsOf(link.id);
    assert.equal(binding!.line_item_url, forbidden);
    await outcomes.onProgress(customerId, sian, book, 0.5);
    const [call] = await settled([binding!.id], 1);
    assert.deepEqual([call!.status, call!.attempts], ['failed', 1]);
    assert.match(call!.last_error, /^Not sent: 169\.254\.169\.254 a link-local address/);
  });

  it('a failing platform is retried by the job engine, then the call fails with the platform’s reason kept for the admin', async () => {
    const link = newLink();
    // A line item the platform does not know: every attempt is refused.
    await bind(
      sian,
      { type: 'book', id: book },
      {
        custom: { bookid: book },
        resourceLink: link,
        claims: { [AGS_ENDPOINT]: { scope: [SCOPES.lineItem, SCOPES.score], lineitems: lms.lineItemsUrl, lineitem: `${lms.lineItemsUrl}/999` } },
      },
    );
    const [binding] = await bindingsOf(link.id);
    const requestsBefore = lms.serviceRequests.length;
    await outcomes.onProgress(customerId, sian, book, 0.7);
    const [call] = await settled([binding!.id], 1);
    assert.deepEqual([call!.status, call!.attempts], ['failed', 5]);
    assert.equal(call!.last_error, 'LMS refused the score (HTTP 404: no such line item)');
    assert.deepEqual(
      lms.serviceRequests.slice(requestsBefore).map((r) => r.status),
      [404, 404, 404, 404, 404],
    );
  });

  it('shows 1.3 calls in the grade report with their version and the line item’s host', async () => {
    const { items } = await outcomes.list(operatorActor, customerId, { limit: 100, offset: 0 });
    const scored = items.filter((i) => i.status === 'succeeded');
    assert.ok(scored.length >= 4);
    for (const item of scored) {
      assert.equal(item.version, '1.3');
      assert.equal(item.serviceHost, new URL(lms.origin).host);
    }
  });
});

it('appends /scores to the line item path, keeping its query (Moodle’s line items carry one)', () => {
  assert.equal(scoresUrl('https://lms.example/mod/lti/services.php/2/lineitems/7/lineitem?type_id=1'), 'https://lms.example/mod/lti/services.php/2/lineitems/7/lineitem/scores?type_id=1');
  assert.equal(scoresUrl('https://canvas.example/api/lti/courses/1/line_items/5/'), 'https://canvas.example/api/lti/courses/1/line_items/5/scores');
});

it('writes a score body out of 1, complete at 1.0, with an ISO timestamp in milliseconds', () => {
  assert.deepEqual(scoreBody('sub-1', 0.25, '2026-12-03T12:00:00.000Z'), {
    userId: 'sub-1',
    scoreGiven: 0.25,
    scoreMaximum: 1,
    activityProgress: 'InProgress',
    gradingProgress: 'Pending',
    timestamp: '2026-12-03T12:00:00.000Z',
  });
  assert.equal(scoreBody('sub-1', 1, '2026-12-03T12:00:00.000Z').gradingProgress, 'FullyGraded');
});
