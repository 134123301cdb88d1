/*
 * LTI 1.1 Basic Outcomes against a test LMS outcome service that verifies oauth_body_hash and the
 * OAuth 1.0a signature with an independent implementation (the oauth-1.0a package). Bindings come
 * from real signed launches; reports go through a real job queue with short retry delays.
 */
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { after, before, it } from 'node:test';
import { operatorActor } from '../../src/accounts/policy.js';
import { EmbeddedJobQueue } from '../../src/jobs/embedded-queue.js';
import { LtiOutcomes, parsePoxStatus, registerOutcomeJobs, replaceResultXml, worthReporting } from '../../src/lti/outcomes.js';
import { describeEachDialect } from '../helpers/app.js';
import { startOutcomeService, type OutcomeAnswer, type OutcomeService } from '../helpers/lti.js';
import { waitFor } from '../helpers/wait.js';
import { importRoster, ltiCustomer, postLaunch, schoolRoster, signed, startLtiServer, type LtiServer } from './lti-server.js';
import { userRow } from '../helpers/roster-rows.js';

describeEachDialect('LTI Basic Outcomes', (dialect) => {
  let s: LtiServer;
  let c: Awaited<ReturnType<typeof ltiCustomer>>;
  let queue: EmbeddedJobQueue;
  let outcomes: LtiOutcomes;
  let lms: OutcomeService;
  let answers: OutcomeAnswer[] = [];
  let ada: string;
  const books: Record<string, string> = {};

  before(async () => {
    s = await startLtiServer(dialect);
    c = await ltiCustomer(s.ctx, { rostering: { matchWith: 'identifier', suffix: '@lincoln' } });
    await importRoster(s.ctx, c.id, schoolRoster([userRow('stu-ada', { username: 'ada', identifier: 'S-1001' })]));
    ada = (await s.ctx.db.kysely.selectFrom('users').select('id').where('customer_id', '=', c.id).where('sourced_id', '=', 'stu-ada').executeTakeFirstOrThrow()).id;
    const now = new Date().toISOString();
    for (const title of ['Moby-Dick', 'Emma', 'Ulysses']) {
      const id = crypto.randomUUID();
      books[title] = id;
      await s.ctx.db.kysely.insertInto('books').values({ id, customer_id: c.id, title, author: 'A', format: 'pdf', file_key: id, size_bytes: 1, sha256: '', cover_key: null, cover_type: null, created_by: null, created_at: now, updated_at: now, deleted_at: null }).execute();
      await s.ctx.db.kysely.insertInto('assignments').values({ id: crypto.randomUUID(), customer_id: c.id, book_id: id, target_type: 'user', target_id: ada, assigned_by: null, created_at: now }).execute();
    }
    lms = await startOutcomeService({ key: c.key, secret: c.secret, answer: (n) => answers[n - 1] ?? 'success' });
    // The app's own queue is not started in tests: this one, with short retry delays, sends the reports.
    queue = new EmbeddedJobQueue(s.ctx.db.kysely, { pollMs: 20, retryDelayMs: () => 30 });
    outcomes = new LtiOutcomes(s.ctx.db.kysely, s.ctx.secrets, queue);
    registerOutcomeJobs(queue, outcomes);
    await queue.start({ concurrency: 2 });
  });
  after(async () => {
    await queue.stop();
    await lms.close();
    await s.close();
  });

  const calls = () => s.ctx.db.kysely.selectFrom('lti_outcome_calls').selectAll().where('customer_id', '=', c.id).orderBy('id').execute();
  const settled = (n: number) => waitFor(async () => {
    const rows = await calls();
    return rows.length >= n && rows.every((r) => r.status === 'succeeded' || r.status === 'failed' || r.status === 'superseded') ? rows : null;
  }, `${n} settled outcome calls`);
  const launchFor = async (target: Record<string, string>, resourceLinkId: string, sourcedId: string) => {
    const res = await postLaunch(s, signed(s, c, { user_id: 'lms-ada', lis_person_sourcedid: 'S-1001', resource_link_id: resourceLinkId, lis_outcome_service_url: lms.url, lis_result_sourcedid: sourcedId, ...target }));
    assert.equal(res.status, 303, res.body);
  };

  it('binds a launch with an outcome service and reports progress by steps, signed with a body hash the LMS verifies', async () => {
    await launchFor({ custom_bookid: books['Moby-Dick']! }, 'link-moby', 'course1:moby:ada&co<1>');
    const binding = await s.ctx.db.kysely.selectFrom('lti_outcome_bindings').selectAll().where('customer_id', '=', c.id).executeTakeFirstOrThrow();
    assert.deepEqual([binding.user_id, binding.target_type, binding.target_id, binding.service_url, binding.consumer_key], [ada, 'book', books['Moby-Dick'], lms.url, c.key]);

    await outcomes.onProgress(c.id, ada, books['Moby-Dick']!, 0.05);
    await settled(1);
    await outcomes.onProgress(c.id, ada, books['Moby-Dick']!, 0.1); // +0.05: not a step
    await outcomes.onProgress(c.id, ada, books['Moby-Dick']!, 0.2);
    await settled(2);
    await outcomes.onProgress(c.id, ada, books['Moby-Dick']!, 0.25);
    await outcomes.onProgress(c.id, ada, books['Emma']!, 0.9); // no binding for Emma
    await outcomes.onProgress(c.id, ada, books['Moby-Dick']!, 1);
    const rows = await settled(3);
    assert.deepEqual(rows.map((r) => [r.score, r.status, r.attempts]), [[0.05, 'succeeded', 1], [0.2, 'succeeded', 1], [1, 'succeeded', 1]]);
    assert.deepEqual(lms.received, [
      { sourcedId: 'course1:moby:ada&co<1>', score: '0.0500', problem: '' },
      { sourcedId: 'course1:moby:ada&co<1>', score: '0.2000', problem: '' },
      { sourcedId: 'course1:moby:ada&co<1>', score: '1.0000', problem: '' },
    ]);
  });

  it('retries a failing outcome service in the job engine until it answers success, and records the attempts', async () => {
    lms.received.length = 0;
    answers = ['http500', 'failure', 'success'];
    await launchFor({ custom_bookid: books['Emma']! }, 'link-emma', 'course1:emma:ada');
    await outcomes.onProgress(c.id, ada, books['Emma']!, 0.5);
    const rows = await settled(4);
    const emma = rows.at(-1)!;
    assert.deepEqual([emma.score, emma.status, emma.attempts, emma.last_error], [0.5, 'succeeded', 3, '']);
    assert.equal(lms.received.length, 3);
    assert.ok(lms.received.every((r) => r.problem === '' && r.score === '0.5000'), JSON.stringify(lms.received));
  });

  it('gives up after five attempts, with the last error kept for the admin', async () => {
    answers = Array.from({ length: 20 }, () => 'failure' as const);
    lms.received.length = 0;
    await outcomes.onProgress(c.id, ada, books['Emma']!, 0.7);
    const rows = await settled(5);
    const failed = rows.at(-1)!;
    assert.deepEqual([failed.status, failed.attempts], ['failed', 5]);
    assert.match(failed.last_error, /LMS answered failure: Score not accepted/);
    assert.equal(lms.received.length, 5);
    answers = [];
  });

  it('reports a collection link as the mean progress over its titles', async () => {
    const collectionId = crypto.randomUUID();
    const now = new Date().toISOString();
    await s.ctx.db.kysely.insertInto('collections').values({ id: collectionId, customer_id: c.id, name: 'Summer', description: '', created_at: now, updated_at: now }).execute();
    await s.ctx.db.kysely.insertInto('collection_books').values([{ collection_id: collectionId, book_id: books['Ulysses']!, position: 1 }, { collection_id: collectionId, book_id: books['Moby-Dick']!, position: 2 }]).execute();
    await launchFor({ custom_collectionid: collectionId }, 'link-summer', 'course1:summer:ada');
    lms.received.length = 0;
    // Moby-Dick is finished (1.0); Ulysses reaches 0.5 → the collection stands at 0.75.
    await s.ctx.db.kysely.insertInto('reading_progress').values({ customer_id: c.id, user_id: ada, book_id: books['Ulysses']!, position: 'p', progress: 0.5, updated_at: now }).execute();
    await s.ctx.db.kysely.insertInto('reading_progress').values({ customer_id: c.id, user_id: ada, book_id: books['Moby-Dick']!, position: 'p', progress: 1, updated_at: now }).execute();
    await outcomes.onProgress(c.id, ada, books['Ulysses']!, 0.5);
    await settled(6);
    assert.deepEqual(lms.received, [{ sourcedId: 'course1:summer:ada', score: '0.7500', problem: '' }]);
  });

  it('lists the calls for the admin, newest first, behind the tenant wall', async () => {
    const admin = await fetch(`${s.url}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ login: 'root@lectern.test', password: 'Root-password-1' }) });
    const cookie = admin.headers.getSetCookie()[0]!.split(';')[0]!;
    const res = await fetch(`${s.url}/api/customers/${c.id}/lti/outcomes?pageSize=2`, { headers: { cookie } });
    assert.equal(res.status, 200);
    const page = (await res.json()) as { items: { score: number; status: string; attempts: number; lastError: string; user: { id: string }; target: { type: string }; serviceHost: string }[]; total: number; pageSize: number };
    assert.equal(page.total, 6);
    assert.equal(page.items.length, 2);
    assert.deepEqual(page.items.map((i) => [i.score, i.status, i.target.type]), [[0.75, 'succeeded', 'collection'], [0.7, 'failed', 'book']]);
    assert.equal(page.items[0]!.user.id, ada);
    assert.equal(page.items[0]!.serviceHost, new URL(lms.url).host);

    // Another customer's admin learns nothing, not even that the customer exists.
    const other = await ltiCustomer(s.ctx);
    const view = await s.ctx.customers.get(operatorActor, other.id);
    const otherLogin = await fetch(`${s.url}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ login: view.administrator.email, password: 'Lincoln-admin-42' }) });
    const otherCookie = otherLogin.headers.getSetCookie()[0]!.split(';')[0]!;
    const walled = await fetch(`${s.url}/api/customers/${c.id}/lti/outcomes`, { headers: { cookie: otherCookie } });
    assert.equal(walled.status, 404);
  });

  it("reports what the reader saves: the launched session's progress goes through the reader's hook to the LMS", async () => {
    // The app's own queue (graphile-worker on PostgreSQL) sends what the reader's hook queues.
    await s.ctx.jobs.start({ concurrency: 1 });
    const res = await postLaunch(s, signed(s, c, { user_id: 'lms-ada', lis_person_sourcedid: 'S-1001', resource_link_id: 'link-ulysses', lis_outcome_service_url: lms.url, lis_result_sourcedid: 'course1:ulysses:ada', custom_bookid: books['Ulysses']! }));
    assert.equal(res.location, `/reader/books/${books['Ulysses']}`);
    const session = (await (await fetch(`${s.url}/api/auth/session`, { headers: { cookie: res.cookie! } })).json()) as { csrfToken: string };
    lms.received.length = 0;
    const saved = await fetch(`${s.url}/api/reader/books/${books['Ulysses']}/progress`, {
      method: 'PUT',
      headers: { cookie: res.cookie!, 'x-csrf-token': session.csrfToken, 'content-type': 'application/json' },
      body: JSON.stringify({ position: 'page:40', progress: 0.4 }),
    });
    assert.equal(saved.status, 200, await saved.text());
    await settled(7);
    assert.deepEqual(lms.received, [{ sourcedId: 'course1:ulysses:ada', score: '0.4000', problem: '' }]);
  });
});

it('reports only steps of 0.1 and reaching 1.0', () => {
  assert.equal(worthReporting(null, 0), false);
  assert.equal(worthReporting(null, 0.01), true);
  assert.equal(worthReporting(0.3, 0.35), false);
  assert.equal(worthReporting(0.3, 0.4), true);
  assert.equal(worthReporting(0.3, 0.2), true);
  assert.equal(worthReporting(0.95, 1), true);
  assert.equal(worthReporting(1, 1), false);
});

it('writes replaceResult XML the IMS way and reads POX status answers', () => {
  const xml = replaceResultXml('a&b<c>', 0.5, 'msg-1');
  assert.match(xml, /<sourcedId>a&amp;b&lt;c&gt;<\/sourcedId>/);
  assert.match(xml, /<textString>0\.5000<\/textString>/);
  assert.match(xml, /<imsx_messageIdentifier>msg-1<\/imsx_messageIdentifier>/);
  assert.deepEqual(parsePoxStatus('<imsx_POXEnvelopeResponse xmlns="x"><imsx_codeMajor>Success</imsx_codeMajor><imsx_description>ok</imsx_description></imsx_POXEnvelopeResponse>'), { codeMajor: 'success', description: 'ok' });
  assert.equal(parsePoxStatus('<html>Bad gateway</html>'), null);
});
