/*
 * LTI 1.1 Basic Outcomes against a test LMS outcome service that verifies oauth_body_hash and the
 * OAuth 1.0a signature with an independent implementation (the oauth-1.0a package). Bindings come
 * from real signed launches; reports go through a real job queue with short retry delays.
 */
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { operatorActor } from '../../src/accounts/policy.js';
import { uuidv7 } from '../../src/db/uuid.js';
import { errorCatalog } from '../../src/errors.js';
import { EmbeddedJobQueue } from '../../src/jobs/embedded-queue.js';
import { OutcomeRepository, type OutcomeCall } from '../../src/lti/outcome-repository.js';
import { LtiOutcomes, parsePoxStatus, registerOutcomeJobs, replaceResultXml, worthReporting } from '../../src/lti/outcomes.js';
import type { OutcomeCallView } from '../../src/lti/outcome-view.js';
import { describeEachDialect } from '../helpers/app.js';
import { insertBook } from '../helpers/lti-fixtures.js';
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
      const id = await insertBook(s.ctx.db.kysely, c.id, title, { author: 'A', size_bytes: 1 });
      books[title] = id;
      await s.ctx.db.kysely
        .insertInto('assignments')
        .values({ id: crypto.randomUUID(), customer_id: c.id, book_id: id, target_type: 'user', target_id: ada, assigned_by: null, created_at: now })
        .execute();
    }
    lms = await startOutcomeService({ key: c.key, secret: c.secret, answer: (n) => answers[n - 1] ?? 'success' });
    // The app's own queue is not started in tests: this one, with short retry delays, sends the reports.
    queue = new EmbeddedJobQueue(s.ctx.db.kysely, { pollMs: 20, retryDelayMs: () => 30 });
    outcomes = new LtiOutcomes(s.ctx.db.kysely, s.ctx.secrets, queue, { outbound: s.ctx.outbound });
    registerOutcomeJobs(queue, outcomes);
    await queue.start({ concurrency: 2 });
  });
  after(async () => {
    await queue.stop();
    await lms.close();
    await s.close();
  });

  const calls = () => s.ctx.db.kysely.selectFrom('lti_outcome_calls').selectAll().where('customer_id', '=', c.id).orderBy('id').execute();
  const settled = (n: number) =>
    waitFor(async () => {
      const rows = await calls();
      return rows.length >= n && rows.every((r) => r.status === 'succeeded' || r.status === 'failed' || r.status === 'superseded') ? rows : null;
    }, `${n} settled outcome calls`);
  const signIn = async (login: string, password: string) => {
    const res = await fetch(`${s.url}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ login, password }) });
    assert.equal(res.status, 200);
    return res.headers.getSetCookie()[0]!.split(';')[0]!;
  };
  const launchFor = async (target: Record<string, string>, resourceLinkId: string, sourcedId: string) => {
    const res = await postLaunch(
      s,
      signed(s, c, { user_id: 'lms-ada', lis_person_sourcedid: 'S-1001', resource_link_id: resourceLinkId, lis_outcome_service_url: lms.url, lis_result_sourcedid: sourcedId, ...target }),
    );
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
    assert.deepEqual(
      rows.map((r) => [r.score, r.status, r.attempts]),
      [
        [0.05, 'succeeded', 1],
        [0.2, 'succeeded', 1],
        [1, 'succeeded', 1],
      ],
    );
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
    assert.ok(
      lms.received.every((r) => r.problem === '' && r.score === '0.5000'),
      JSON.stringify(lms.received),
    );
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
    await s.ctx.db.kysely
      .insertInto('collection_books')
      .values([
        { collection_id: collectionId, book_id: books['Ulysses']!, position: 1 },
        { collection_id: collectionId, book_id: books['Moby-Dick']!, position: 2 },
      ])
      .execute();
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
    const cookie = await signIn('root@lectern.test', 'Root-password-1');
    const res = await fetch(`${s.url}/api/customers/${c.id}/lti/outcomes?pageSize=2`, { headers: { cookie } });
    assert.equal(res.status, 200);
    const page = (await res.json()) as {
      items: { score: number; status: string; attempts: number; lastError: string; user: { id: string }; target: { type: string }; serviceHost: string }[];
      total: number;
      pageSize: number;
    };
    assert.equal(page.total, 6);
    assert.equal(page.items.length, 2);
    assert.deepEqual(
      page.items.map((i) => [i.score, i.status, i.target.type]),
      [
        [0.75, 'succeeded', 'collection'],
        [0.7, 'failed', 'book'],
      ],
    );
    assert.equal(page.items[0]!.user.id, ada);
    assert.equal(page.items[0]!.serviceHost, new URL(lms.url).host);

    // Another customer's admin learns nothing, not even that the customer exists.
    const other = await ltiCustomer(s.ctx);
    const view = await s.ctx.customers.get(operatorActor, other.id);
    const otherCookie = await signIn(view.administrator.email, 'Lincoln-admin-42');
    const walled = await fetch(`${s.url}/api/customers/${c.id}/lti/outcomes`, { headers: { cookie: otherCookie } });
    assert.equal(walled.status, 404);
  });

  it("reports what the reader saves: the launched session's progress goes through the reader's hook to the LMS", async () => {
    // The app's own queue (graphile-worker on PostgreSQL) sends what the reader's hook queues.
    await s.ctx.jobs.start({ concurrency: 1 });
    const res = await postLaunch(
      s,
      signed(s, c, {
        user_id: 'lms-ada',
        lis_person_sourcedid: 'S-1001',
        resource_link_id: 'link-ulysses',
        lis_outcome_service_url: lms.url,
        lis_result_sourcedid: 'course1:ulysses:ada',
        custom_bookid: books['Ulysses']!,
      }),
    );
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

  describe('the admin list: status filter, search, titles and counts', () => {
    type ListPage = { items: OutcomeCallView[]; total: number; counts: Record<OutcomeCall['status'], number> };
    let cookie: string;
    let other: Awaited<ReturnType<typeof ltiCustomer>>;
    let otherCookie: string;
    let otherBook: string;
    const list = async (query: string, as = cookie, customerId = c.id) => {
      const res = await fetch(`${s.url}/api/customers/${customerId}/lti/outcomes?${query}`, { headers: { cookie: as } });
      assert.equal(res.status, 200, await res.clone().text());
      return (await res.json()) as ListPage;
    };

    /** Stores a binding and one call in `status` straight through the repository, as the job engine would leave it. */
    const seedCall = async (
      customerId: string,
      userId: string,
      target: { type: 'book' | 'collection'; id: string },
      link: string,
      call: Pick<OutcomeCall, 'status' | 'score' | 'attempts' | 'last_error'>,
    ) => {
      const repo = new OutcomeRepository(s.ctx.db.kysely);
      const now = new Date().toISOString();
      await repo.saveBinding({
        id: crypto.randomUUID(),
        customer_id: customerId,
        user_id: userId,
        consumer_guid: 'lms',
        resource_link_id: link,
        target_type: target.type,
        target_id: target.id,
        service_url: lms.url,
        result_sourcedid: `${link}:src`,
        consumer_key: 'k',
        reported_score: call.score,
        created_at: now,
        updated_at: now,
      });
      const binding = await s.ctx.db.kysely
        .selectFrom('lti_outcome_bindings')
        .select('id')
        .where('customer_id', '=', customerId)
        .where('user_id', '=', userId)
        .where('resource_link_id', '=', link)
        .executeTakeFirstOrThrow();
      await repo.insertCall({ id: uuidv7(), customer_id: customerId, binding_id: binding.id, created_at: now, updated_at: now, ...call });
    };
    const userId = async (customerId: string, sourcedId: string) =>
      (await s.ctx.db.kysely.selectFrom('users').select('id').where('customer_id', '=', customerId).where('sourced_id', '=', sourcedId).executeTakeFirstOrThrow()).id;

    before(async () => {
      cookie = await signIn('root@lectern.test', 'Root-password-1');
      // Another customer with a Grace Hopper (logins are platform-wide, so other names) and an "Emma" of its own, and one failed call.
      other = await ltiCustomer(s.ctx);
      await importRoster(s.ctx, other.id, schoolRoster([userRow('stu-grace', { username: 'ghopper', identifier: 'S-9001', givenName: 'Grace', familyName: 'Hopper' })]));
      otherBook = await insertBook(s.ctx.db.kysely, other.id, 'Emma', { author: 'A', size_bytes: 1 });
      await seedCall(other.id, await userId(other.id, 'stu-grace'), { type: 'book', id: otherBook }, 'other-emma', { status: 'failed', score: 0.3, attempts: 5, last_error: 'theirs' });
      otherCookie = await signIn((await s.ctx.customers.get(operatorActor, other.id)).administrator.email, 'Lincoln-admin-42');

      // This customer's Grace Hopper, with calls in the states the rounds above did not leave.
      await importRoster(
        s.ctx,
        c.id,
        schoolRoster([userRow('stu-ada', { username: 'ada', identifier: 'S-1001' }), userRow('stu-grace', { username: 'grace', identifier: 'S-1002', givenName: 'Grace', familyName: 'Hopper' })]),
      );
      const grace = await userId(c.id, 'stu-grace');
      await seedCall(c.id, grace, { type: 'book', id: books['Emma']! }, 'g-emma', { status: 'retrying', score: 0.4, attempts: 2, last_error: 'LMS answered failure: Grade book locked (HTTP 200)' });
      await seedCall(c.id, grace, { type: 'collection', id: crypto.randomUUID() }, 'g-gone', { status: 'queued', score: 0.3, attempts: 0, last_error: '' });
      await seedCall(c.id, grace, { type: 'book', id: books['Moby-Dick']! }, 'g-moby', { status: 'superseded', score: 0.2, attempts: 0, last_error: '' });
      // A binding naming the other customer's book: its title stays behind that customer's wall.
      await seedCall(c.id, grace, { type: 'book', id: otherBook }, 'g-foreign', { status: 'queued', score: 0.1, attempts: 0, last_error: '' });
    });

    it("counts the calls per status and names each target, null when it is gone or not this customer's", async () => {
      const all = await list('pageSize=100');
      assert.equal(all.total, 11);
      assert.deepEqual(all.counts, { queued: 2, succeeded: 6, retrying: 1, failed: 1, superseded: 1 });
      const byLink = (title: string | null) => all.items.filter((i) => i.targetTitle === title).length;
      assert.deepEqual([byLink('Moby-Dick'), byLink('Emma'), byLink('Summer'), byLink('Ulysses'), byLink(null)], [4, 3, 1, 1, 2]);
      const [foreign, gone] = all.items.filter((i) => i.targetTitle === null);
      assert.deepEqual([foreign!.target, gone!.target.type], [{ type: 'book', id: otherBook }, 'collection']);
      // The fields the list had before are all still there.
      assert.deepEqual(
        Object.keys(all.items[0]!).sort(),
        ['attempts', 'createdAt', 'id', 'lastError', 'score', 'serviceHost', 'status', 'target', 'targetTitle', 'updatedAt', 'user', 'version'].sort(),
      );
      assert.ok(all.items.every((i) => i.version === '1.1'));
    });

    it('keeps one status with the counts unchanged, and pages within it', async () => {
      const failed = await list('status=failed');
      assert.deepEqual(
        failed.items.map((i) => [i.status, i.score, i.targetTitle]),
        [['failed', 0.7, 'Emma']],
      );
      assert.equal(failed.total, 1);
      assert.deepEqual(failed.counts, { queued: 2, succeeded: 6, retrying: 1, failed: 1, superseded: 1 });
      const succeeded = await list('status=succeeded&pageSize=4&page=2');
      assert.equal(succeeded.total, 6);
      assert.deepEqual(
        succeeded.items.map((i) => i.status),
        ['succeeded', 'succeeded'],
      );
      const retrying = await list('status=retrying');
      assert.deepEqual(
        retrying.items.map((i) => [i.user.name, i.attempts, i.lastError]),
        [['Grace Hopper', 2, 'LMS answered failure: Grade book locked (HTTP 200)']],
      );
    });

    it("searches the student's name and the title, case-insensitive and trimmed, with counts that follow the search", async () => {
      const hopper = await list(`search=${encodeURIComponent('  hOPPER ')}`);
      assert.equal(hopper.total, 4);
      assert.ok(hopper.items.every((i) => i.user.name === 'Grace Hopper'));
      assert.deepEqual(hopper.counts, { queued: 2, succeeded: 0, retrying: 1, failed: 0, superseded: 1 });
      assert.equal((await list(`search=${encodeURIComponent('grace hop')}`)).total, 4, 'the full name matches');
      const emma = await list('search=EMMA');
      assert.deepEqual(
        emma.items.map((i) => [i.user.name, i.status, i.targetTitle]),
        [
          ['Grace Hopper', 'retrying', 'Emma'],
          ['Given Family stu-ada', 'failed', 'Emma'],
          ['Given Family stu-ada', 'succeeded', 'Emma'],
        ],
      );
      assert.deepEqual(
        (await list('search=summ')).items.map((i) => [i.target.type, i.targetTitle]),
        [['collection', 'Summer']],
      );
      assert.deepEqual(
        (await list('search=emma&status=retrying')).items.map((i) => i.user.name),
        ['Grace Hopper'],
      );
      assert.equal((await list(`search=${encodeURIComponent('%')}`)).total, 0, 'a % is taken literally');
      assert.equal((await list('search=%20%20')).total, 11, 'a blank search is no search');
    });

    it('answers a bad status or an overlong search with a field-level 400', async () => {
      const bad = await fetch(`${s.url}/api/customers/${c.id}/lti/outcomes?status=sent`, { headers: { cookie } });
      assert.equal(bad.status, 400);
      assert.deepEqual(await bad.json(), {
        error: {
          code: 'VALIDATION_FAILED',
          message: errorCatalog.VALIDATION_FAILED.message,
          fields: [{ field: 'query.status', message: 'Must be one of: queued, succeeded, retrying, failed, superseded.', code: 'enum' }],
        },
      });
      const long = await fetch(`${s.url}/api/customers/${c.id}/lti/outcomes?search=${'x'.repeat(101)}`, { headers: { cookie } });
      assert.equal(long.status, 400);
      const body = (await long.json()) as { error: { code: string; fields: { field: string }[] } };
      assert.deepEqual([body.error.code, body.error.fields.map((f) => f.field)], ['VALIDATION_FAILED', ['query.search']]);
    });

    it("never shows another customer's calls, whatever the filter or search", async () => {
      const theirs = await list('pageSize=100', otherCookie, other.id);
      assert.deepEqual([theirs.total, theirs.items[0]!.lastError, theirs.items[0]!.targetTitle], [1, 'theirs', 'Emma']);
      assert.deepEqual(theirs.counts, { queued: 0, succeeded: 0, retrying: 0, failed: 1, superseded: 0 });
      const theirIds = new Set(theirs.items.map((i) => i.id));
      for (const query of ['pageSize=100', 'status=failed', 'search=grace', 'search=emma&status=failed']) {
        const ours = await list(query);
        assert.ok(
          ours.items.every((i) => !theirIds.has(i.id)),
          query,
        );
      }
      for (const query of ['', '?status=failed', '?search=grace']) {
        const walled = await fetch(`${s.url}/api/customers/${c.id}/lti/outcomes${query}`, { headers: { cookie: otherCookie } });
        assert.equal(walled.status, 404, query);
      }
    });
  });

  it('never calls an outcome URL on an address the operator did not allow: the launch works, the call fails once, unsent, and no answer reaches the report', async () => {
    // 127.0.0.2 is loopback like the allowed 127.0.0.1, but not on the test app's allow-list: it
    // stands for the metadata service or an internal host, and would answer with its secrets.
    const internal = await startOutcomeService({ key: c.key, secret: c.secret, host: '127.0.0.2', answer: () => 'failure', description: 'ami-id: i-0secret; role: lectern-prod' });
    try {
      await launchFor({ custom_bookid: books['Ulysses']!, lis_outcome_service_url: internal.url }, 'link-internal', 'course1:internal:ada');
      await outcomes.onProgress(c.id, ada, books['Ulysses']!, 0.9);
      const call = await waitFor(async () => {
        const row = await s.ctx.db.kysely
          .selectFrom('lti_outcome_calls as c')
          .innerJoin('lti_outcome_bindings as b', 'b.id', 'c.binding_id')
          .select(['c.status', 'c.attempts', 'c.last_error'])
          .where('b.customer_id', '=', c.id)
          .where('b.resource_link_id', '=', 'link-internal')
          .executeTakeFirst();
        return row && row.status !== 'queued' && row.status !== 'retrying' ? row : null;
      }, 'the refused call settled');
      assert.deepEqual([call.status, call.attempts], ['failed', 1]);
      assert.match(call.last_error, /^Not sent: 127\.0\.0\.2 a loopback address; .*LECTERN_OUTBOUND_ALLOW/);
      assert.equal(internal.received.length, 0, 'the internal service was never called');
      const cookie = await signIn('root@lectern.test', 'Root-password-1');
      const report = await (await fetch(`${s.url}/api/customers/${c.id}/lti/outcomes?pageSize=100`, { headers: { cookie } })).text();
      assert.doesNotMatch(report, /i-0secret|lectern-prod/);
    } finally {
      await internal.close();
    }
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
  assert.deepEqual(parsePoxStatus('<imsx_POXEnvelopeResponse xmlns="x"><imsx_codeMajor>Success</imsx_codeMajor><imsx_description>ok</imsx_description></imsx_POXEnvelopeResponse>'), {
    codeMajor: 'success',
    description: 'ok',
  });
  assert.equal(parsePoxStatus('<html>Bad gateway</html>'), null);
  // What reaches the grade report is one short printable line and a known code, whatever the LMS sent.
  const noisy = parsePoxStatus(
    `<imsx_POXEnvelopeResponse><imsx_codeMajor>Weird\u0000</imsx_codeMajor><imsx_description>line one\n\u0007line two ${'x'.repeat(300)}</imsx_description></imsx_POXEnvelopeResponse>`,
  );
  assert.equal(noisy?.codeMajor, 'unknown');
  assert.ok(noisy!.description.startsWith('line one line two x') && noisy!.description.length === 120, noisy!.description);
  // The answer comes from a launch-supplied URL: a full-size (64 KB) answer of blanks is read in linear time (the old pattern was cubic: 2,000 blanks took 2 s).
  for (const hostile of [`<imsx_POXEnvelopeResponse><imsx_codeMajor>${' '.repeat(64 * 1024)}`, `<imsx_POXEnvelopeResponse>${'<imsx_codeMajor> x '.repeat(3500)}`]) {
    const started = performance.now();
    assert.equal(parsePoxStatus(hostile), null);
    assert.ok(performance.now() - started < 500, `parsePoxStatus took ${Math.round(performance.now() - started)} ms`);
  }
});
