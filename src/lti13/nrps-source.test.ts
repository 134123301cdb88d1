/*
 * Class rosters from the LMS: NRPS 2.0 memberships pulled over real HTTP from the test platform
 * (Link paging, bearer tokens it checks) and applied by the roster run engine, on both dialects.
 */
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { sql } from 'kysely';
import { after, afterEach, before, it } from 'node:test';
import { newUserRecord } from '../accounts/account-service.js';
import { operatorActor } from '../accounts/policy.js';
import { UserRepository } from '../accounts/user-repository.js';
import { describeEachDialect, startTestApp, type TestApp } from '../../test/helpers/app.js';
import { insertBook } from '../../test/helpers/lti-fixtures.js';
import { Lti13Platform, ROLES, type Member } from '../../test/helpers/lti13-platform.js';
import { arraySource } from '../../test/helpers/array-source.js';
import { classRow, enrollmentRow, orgRow, userRow } from '../../test/helpers/roster-rows.js';
import { importRoster, schoolRoster } from '../../test/lti/lti-server.js';
import type { AnyRow } from '../rostering/sync/engine.js';
import { ADOPTED_FROM_LMS } from '../rostering/sync/ownership.js';
import { LmsRosterSync, rememberContext, type PlatformTokenSource } from './lms-sync.js';
import { contextClassSourcedId } from './nrps-source.js';
import { seedLti13Customer } from '../../test/helpers/lti13-customer.js';

/** Tokens minted by the platform itself for the scopes asked (the client-credentials grant is access-token.ts's to test). */
const tokensFrom = (lms: Lti13Platform): PlatformTokenSource => ({ token: (_platform, scopes) => Promise.resolve(lms.accessToken([...scopes])), forget: () => undefined });

const member = (id: string, given: string, family: string, roles: string[], o: Partial<Member> = {}): Member => ({
  user_id: id,
  status: 'Active',
  name: `${given} ${family}`,
  given_name: given,
  family_name: family,
  email: `${given.toLowerCase()}@lms.example`,
  lis_person_sourcedid: `sis-${id}`,
  roles,
  ...o,
});

/** A course of five: one instructor and four learners (three pages of two). */
const course = (): Member[] => [
  member('t-1', 'Ada', 'Park', [ROLES.instructor, ROLES.faculty]),
  member('s-1', 'Siân', 'Evans', [ROLES.learner]),
  member('s-2', 'Tomás', 'Ortiz', [ROLES.learner]),
  member('s-3', 'Mei', 'Tanaka', [ROLES.learner]),
  member('s-4', 'Olu', 'Bello', [ROLES.learner]),
];

describeEachDialect('LTI 1.3 class rosters from the LMS (NRPS 2.0)', (dialect) => {
  let t: TestApp;
  const closers: (() => Promise<void>)[] = [];
  before(async () => {
    t = await startTestApp(dialect);
  });
  afterEach(async () => {
    for (const close of closers.splice(0)) await close();
  });
  after(async () => {
    await t.close();
  });

  /** A platform with `members`, a 1.3 customer registered with it (Match with identifier), and the context remembered as a launch would. */
  const setUp = async (members: Member[] = course(), matchWith = 'identifier') => {
    const lms = await Lti13Platform.start({ members });
    closers.push(() => lms.close());
    const c = await seedLti13Customer(t.ctx, lms, { rostering: { matchWith, suffix: `@nrps-${Math.random().toString(36).slice(2, 8)}` } });
    const platformId = (await t.ctx.db.kysely.selectFrom('lti_platforms').select('id').where('customer_id', '=', c.id).executeTakeFirstOrThrow()).id;
    const remember = (membershipsUrl = lms.membershipsUrl) =>
      t.ctx.db.kysely.transaction().execute((trx) => rememberContext(trx, { customerId: c.id, platformId, contextId: lms.context.id, title: lms.context.title, membershipsUrl }));
    const contextRowId = await remember();
    const sync = new LmsRosterSync({ db: t.ctx.db.kysely, runs: t.ctx.runs, outbound: t.ctx.outbound, tokens: tokensFrom(lms) });
    return { lms, customerId: c.id, platformId, contextRowId, remember, pull: () => sync.pullContextNow(operatorActor, c.id, contextRowId!) };
  };

  const classOf = (customerId: string, lms: Lti13Platform) =>
    t.ctx.db.kysely.selectFrom('classes').selectAll().where('customer_id', '=', customerId).where('sourced_id', '=', contextClassSourcedId(lms.issuer, lms.context.id)).executeTakeFirst();
  /** "given role status" of each enrollment of the class, by given name. */
  const enrollments = async (customerId: string, classSourcedId: string) =>
    (
      await t.ctx.db.kysely
        .selectFrom('enrollments as e')
        .innerJoin('users as u', (j) => j.onRef('u.sourced_id', '=', 'e.user_sourced_id').onRef('u.customer_id', '=', 'e.customer_id'))
        .select(['u.given_name', 'e.role', 'e.status'])
        .where('e.customer_id', '=', customerId)
        .where('e.class_sourced_id', '=', classSourcedId)
        .orderBy('u.given_name')
        .execute()
    ).map((e) => `${e.given_name} ${e.role} ${e.status}`);
  /** A OneRoster bulk run of `rows` (a preview when `dryRun`), as an upload runs it. */
  const oneRoster = async (customerId: string, rows: AnyRow[], dryRun: boolean) => {
    const run = await t.ctx.runs.create(operatorActor, customerId, { trigger: 'upload', fileName: 'roster.zip', sizeBytes: 1, sha256: '', bundlePath: null, dryRun });
    return t.ctx.runs.execute(run.runId, customerId, arraySource(rows));
  };
  /** "entity sourcedId reason" of each delete a run planned. */
  const deletes = async (runId: string) =>
    (
      await t.ctx.db.kysely
        .selectFrom('roster_run_changes')
        .select(['entity', 'sourced_id', 'reason'])
        .where('run_id', '=', runId)
        .where('action', '=', 'delete')
        .orderBy('entity')
        .orderBy('sourced_id')
        .execute()
    ).map((c) => `${c.entity} ${c.sourced_id} ${c.reason}`);
  /** "given status owner" of the customer's roster users, sorted. */
  const people = async (customerId: string) =>
    (
      await sql<{ given_name: string; status: string; sync_owner: string }>`select given_name, status, sync_owner from users
        where customer_id = ${customerId} and source = 'roster' order by given_name`.execute(t.ctx.db.kysely)
    ).rows
      .map((u) => `${u.given_name} ${u.status} ${u.sync_owner}`)
      .sort();
  const issues = async (runId: string) => (await t.ctx.db.kysely.selectFrom('roster_run_issues').select(['code', 'message']).where('run_id', '=', runId).orderBy('seq').execute()).map((i) => i.code);

  it('a pull creates the class, its users and enrollments as one run with counts, reading every page the Link headers name', async () => {
    const { lms, customerId, pull } = await setUp();
    const run = await pull();
    assert.equal(run.status, 'succeeded', JSON.stringify(run));
    assert.equal(run.trigger, 'lms');
    assert.equal(run.fileName, `${new URL(lms.origin).host}: English 101`);
    assert.deepEqual(run.counts.classes, { created: 1, updated: 0, unchanged: 0, deleted: 0, restored: 0, skipped: 0 });
    assert.equal(run.counts.users.created, 5);
    assert.equal(run.counts.enrollments.created, 5);
    // Five members, two a page: three GETs, each with the NRPS media type's bearer token accepted.
    const gets = lms.serviceRequests.filter((r) => r.url.startsWith(new URL(lms.membershipsUrl).pathname));
    assert.deepEqual(
      gets.map((r) => [r.status, new URL(r.url, lms.origin).searchParams.get('offset')]),
      [
        [200, null],
        [200, '2'],
        [200, '4'],
      ],
    );
    const klass = await classOf(customerId, lms);
    assert.ok(klass);
    assert.equal(klass.title, 'English 101');
    assert.equal(klass.class_code, 'ENG 101');
    assert.deepEqual(await enrollments(customerId, klass.sourced_id), ['Ada teacher active', 'Mei student active', 'Olu student active', 'Siân student active', 'Tomás student active']);
    const ada = await t.ctx.db.kysely.selectFrom('users').selectAll().where('customer_id', '=', customerId).where('given_name', '=', 'Ada').where('source', '=', 'roster').executeTakeFirstOrThrow();
    assert.deepEqual([ada.role, ada.source, ada.email, ada.family_name, ada.identifier, ada.password_hash], ['teacher', 'roster', 'ada@lms.example', 'Park', 'sis-t-1', null]);
    // The LMS users are remembered, so their next launch finds their account by (customer, issuer, sub).
    const links = await t.ctx.db.kysely.selectFrom('lti_user_links').select(['lti_user_id', 'consumer_guid']).where('customer_id', '=', customerId).orderBy('lti_user_id').execute();
    assert.deepEqual(
      links.map((l) => `${l.consumer_guid} ${l.lti_user_id}`),
      ['s-1', 's-2', 's-3', 's-4', 't-1'].map((id) => `${lms.issuer} ${id}`),
    );
    // The run is in the customer's history like any sync.
    const history = await t.ctx.runs.list(operatorActor, customerId, 10, 0);
    assert.deepEqual(
      history.items.map((r) => r.runId),
      [run.runId],
    );
  });

  it('a second pull ends the enrollment of a member no longer listed, in that class only, and deletes no user', async () => {
    const { lms, customerId, pull } = await setUp();
    assert.equal((await pull()).status, 'succeeded');
    const gone = lms.members.findIndex((m) => m.user_id === 's-2');
    lms.members.splice(gone, 1);
    const run = await pull();
    assert.equal(run.status, 'succeeded', JSON.stringify(run));
    assert.deepEqual([run.counts.enrollments.deleted, run.counts.users.deleted, run.counts.users.created, run.counts.classes.deleted], [1, 0, 0, 0]);
    const klass = (await classOf(customerId, lms))!;
    assert.deepEqual(await enrollments(customerId, klass.sourced_id), ['Ada teacher active', 'Mei student active', 'Olu student active', 'Siân student active', 'Tomás student deleted']);
    const tomas = await t.ctx.db.kysely.selectFrom('users').select('status').where('customer_id', '=', customerId).where('given_name', '=', 'Tomás').executeTakeFirstOrThrow();
    assert.equal(tomas.status, 'active');
  });

  it('a member the LMS lists as Inactive has their enrollment ended', async () => {
    const { lms, customerId, pull } = await setUp();
    assert.equal((await pull()).status, 'succeeded');
    lms.members.find((m) => m.user_id === 's-3')!.status = 'Inactive';
    const run = await pull();
    assert.equal(run.counts.enrollments.deleted, 1);
    assert.deepEqual(await enrollments(customerId, (await classOf(customerId, lms))!.sourced_id), [
      'Ada teacher active',
      'Mei student deleted',
      'Olu student active',
      'Siân student active',
      'Tomás student active',
    ]);
  });

  it('a member rostered by OneRoster is matched by the customer’s Match with and enrolled, not duplicated or rewritten', async () => {
    const { lms, customerId, pull } = await setUp();
    // Match with identifier: the LIS person sourcedId of member s-1 is Siân's identifier in the roster.
    await importRoster(t.ctx, customerId, schoolRoster([userRow('stu-sian', { identifier: 'sis-s-1', username: 'sian', givenName: 'Sian' })]));
    const before = await t.ctx.db.kysely.selectFrom('users').selectAll().where('customer_id', '=', customerId).where('sourced_id', '=', 'stu-sian').executeTakeFirstOrThrow();
    const run = await pull();
    assert.equal(run.status, 'succeeded', JSON.stringify(run));
    assert.equal(run.counts.users.created, 4);
    assert.equal(run.counts.enrollments.created, 5);
    const sians = await t.ctx.db.kysely.selectFrom('users').selectAll().where('customer_id', '=', customerId).where('identifier', '=', 'sis-s-1').execute();
    assert.equal(sians.length, 1);
    assert.deepEqual(sians[0], before);
    const klass = (await classOf(customerId, lms))!;
    const hers = await t.ctx.db.kysely
      .selectFrom('enrollments')
      .select(['user_sourced_id', 'status'])
      .where('customer_id', '=', customerId)
      .where('class_sourced_id', '=', klass.sourced_id)
      .where('user_sourced_id', '=', 'stu-sian')
      .execute();
    assert.deepEqual(hers, [{ user_sourced_id: 'stu-sian', status: 'active' }]);
    const link = await t.ctx.db.kysely.selectFrom('lti_user_links').select('user_id').where('customer_id', '=', customerId).where('lti_user_id', '=', 's-1').executeTakeFirstOrThrow();
    assert.equal(link.user_id, before.id);
  });

  it('a member whose email is a customer administrator’s (Match with email) is not enrolled and no account is made for them', async () => {
    const { lms, customerId, pull } = await setUp(course(), 'email');
    const admin = await t.ctx.db.kysely.selectFrom('users').select(['id', 'email']).where('customer_id', '=', customerId).where('role', '=', 'customer_admin').executeTakeFirstOrThrow();
    lms.members.find((m) => m.user_id === 't-1')!.email = admin.email.toUpperCase();
    const run = await pull();
    assert.equal(run.status, 'succeeded_with_warnings', JSON.stringify(run));
    assert.deepEqual([run.counts.users.created, run.counts.enrollments.created], [4, 4]);
    assert.deepEqual(await issues(run.runId), ['match.protected_account']);
    assert.deepEqual(await enrollments(customerId, (await classOf(customerId, lms))!.sourced_id), ['Mei student active', 'Olu student active', 'Siân student active', 'Tomás student active']);
    const links = await t.ctx.db.kysely.selectFrom('lti_user_links').select('user_id').where('customer_id', '=', customerId).where('lti_user_id', '=', 't-1').execute();
    assert.deepEqual(links, []);
  });

  it('a member who had an LTI-only account from earlier launches becomes a roster user, and the account hands over its reading and its link', async () => {
    const { lms, customerId, pull } = await setUp();
    const k = t.ctx.db.kysely;
    const ltiOnly = newUserRecord({
      role: 'student',
      customerId,
      login: '',
      email: '',
      givenName: 'Siân',
      familyName: 'Evans',
      phone: '',
      passwordHash: null,
      mustChangePassword: false,
      source: 'lti',
    });
    ltiOnly.login = `lti:${ltiOnly.id}`;
    await new UserRepository(k).insert(ltiOnly);
    const now = new Date().toISOString();
    await k.insertInto('lti_user_links').values({ customer_id: customerId, consumer_guid: lms.issuer, lti_user_id: 's-1', user_id: ltiOnly.id, created_at: now, last_launch_at: now }).execute();
    const bookId = await insertBook(k, customerId, 'Read before');
    await k.insertInto('reading_progress').values({ customer_id: customerId, user_id: ltiOnly.id, book_id: bookId, position: '12', progress: 0.4, updated_at: now }).execute();

    assert.equal((await pull()).status, 'succeeded');
    const rostered = await k.selectFrom('users').selectAll().where('customer_id', '=', customerId).where('source', '=', 'roster').where('given_name', '=', 'Siân').executeTakeFirstOrThrow();
    const link = await k.selectFrom('lti_user_links').select('user_id').where('customer_id', '=', customerId).where('lti_user_id', '=', 's-1').executeTakeFirstOrThrow();
    assert.equal(link.user_id, rostered.id);
    const progress = await k.selectFrom('reading_progress').select(['user_id', 'progress']).where('book_id', '=', bookId).execute();
    assert.deepEqual(progress, [{ user_id: rostered.id, progress: 0.4 }]);
    assert.equal((await k.selectFrom('users').select('status').where('id', '=', ltiOnly.id).executeTakeFirstOrThrow()).status, 'deleted');
  });

  it('a launch’s context is remembered once per course, its memberships URL refreshed; an unusable claim is ignored, not an error', async () => {
    const { lms, customerId, platformId, contextRowId, remember } = await setUp();
    const k = t.ctx.db.kysely;
    assert.equal(await remember(`${lms.origin}/moved/names_and_roles`), contextRowId);
    const rows = await k.selectFrom('lti13_contexts').select(['id', 'memberships_url', 'class_sourced_id']).where('customer_id', '=', customerId).execute();
    assert.deepEqual(rows, [{ id: contextRowId, memberships_url: `${lms.origin}/moved/names_and_roles`, class_sourced_id: contextClassSourcedId(lms.issuer, lms.context.id) }]);
    for (const [contextId, membershipsUrl] of [
      ['course-102', 'file:///etc/passwd'],
      ['course-103', 'not a url'],
      ['', lms.membershipsUrl],
    ]) {
      assert.equal(await k.transaction().execute((trx) => rememberContext(trx, { customerId, platformId, contextId: contextId!, title: 'x', membershipsUrl: membershipsUrl! })), null);
    }
    assert.equal((await k.selectFrom('lti13_contexts').select('id').where('customer_id', '=', customerId).execute()).length, 1);
  });

  it('a next link to another origin is refused: the run is unusable, nothing is applied and the other origin is never called', async () => {
    const { lms, customerId, remember, pull } = await setUp();
    // A first page served elsewhere whose next link leads to the platform (another origin: another port).
    const first = http.createServer((req, res) => {
      res.writeHead(200, { 'content-type': 'application/vnd.ims.lti-nrps.v2.membershipcontainer+json', link: `<${lms.membershipsUrl}?offset=2>; rel="next"` });
      res.end(JSON.stringify({ id: 'x', context: { id: lms.context.id, title: 'English 101' }, members: course().slice(0, 2) }));
    });
    await new Promise<void>((resolve) => first.listen(0, '127.0.0.1', resolve));
    closers.push(() => new Promise((resolve) => first.close(() => resolve())));
    await remember(`http://127.0.0.1:${(first.address() as AddressInfo).port}/members`);
    const run = await pull();
    assert.equal(run.status, 'failed');
    assert.equal(run.error?.code, 'BUNDLE_UNUSABLE');
    assert.deepEqual(await issues(run.runId), ['nrps.foreign_next_link']);
    assert.equal(lms.serviceRequests.length, 0);
    assert.equal(await classOf(customerId, lms), undefined);
    const users = await t.ctx.db.kysely.selectFrom('users').select('id').where('customer_id', '=', customerId).where('source', '=', 'roster').execute();
    assert.deepEqual(users, []);
  });

  it('a OneRoster bulk import after a pull keeps the LMS class, its users and enrollments; its preview plans no delete of them', async () => {
    const { lms, customerId, pull } = await setUp();
    await importRoster(t.ctx, customerId, schoolRoster([userRow('stu-a', { givenName: 'Ana' }), userRow('stu-b', { givenName: 'Ben' })]));
    assert.equal((await pull()).status, 'succeeded');
    const klass = (await classOf(customerId, lms))!;
    assert.equal((await t.ctx.db.kysely.selectFrom('classes').select('sync_owner').where('id', '=', klass.id).executeTakeFirstOrThrow()).sync_owner, 'lms');
    const lmsEnrollments = await t.ctx.db.kysely.selectFrom('enrollments').select('sync_owner').where('customer_id', '=', customerId).where('class_sourced_id', '=', klass.sourced_id).execute();
    assert.deepEqual(
      lmsEnrollments.map((e) => e.sync_owner),
      ['lms', 'lms', 'lms', 'lms', 'lms'],
    );

    // The district's next file no longer lists Ben, and never listed the LMS course or its people.
    const file = schoolRoster([userRow('stu-a', { givenName: 'Ana' })]);
    const preview = await oneRoster(customerId, file, true);
    assert.equal(preview.status, 'succeeded', JSON.stringify(preview));
    assert.deepEqual([preview.counts.classes.deleted, preview.counts.users.deleted, preview.counts.enrollments.deleted], [0, 1, 1]);
    assert.deepEqual(await deletes(preview.runId), ['enrollments e-stu-b missing from the bulk file', 'users stu-b missing from the bulk file']);

    const run = await oneRoster(customerId, file, false);
    assert.equal(run.status, 'succeeded', JSON.stringify(run));
    assert.deepEqual([run.counts.classes.deleted, run.counts.users.deleted, run.counts.enrollments.deleted], [0, 1, 1]);
    assert.deepEqual(await deletes(run.runId), ['enrollments e-stu-b missing from the bulk file', 'users stu-b missing from the bulk file']);
    assert.equal((await classOf(customerId, lms))?.status, 'active');
    assert.deepEqual(await enrollments(customerId, klass.sourced_id), ['Ada teacher active', 'Mei student active', 'Olu student active', 'Siân student active', 'Tomás student active']);
    assert.deepEqual(await people(customerId), ['Ada active lms', 'Ana active oneroster', 'Ben deleted oneroster', 'Mei active lms', 'Olu active lms', 'Siân active lms', 'Tomás active lms']);
  });

  it('a OneRoster file that lists an LMS-made person (the same sourcedId) takes over their account instead of making a second one, and says so', async () => {
    // Match with sourcedId: a member's account carries their LIS person sourcedId, which the district's file also uses.
    const { lms, customerId, pull } = await setUp(course(), 'sourcedId');
    assert.equal((await pull()).status, 'succeeded');
    const made = await t.ctx.db.kysely.selectFrom('users').select(['id', 'login']).where('customer_id', '=', customerId).where('sourced_id', '=', 'sis-s-1').executeTakeFirstOrThrow();

    const run = await oneRoster(customerId, schoolRoster([userRow('sis-s-1', { givenName: 'Sian', username: 'sian' })]), false);
    assert.equal(run.status, 'succeeded', JSON.stringify(run));
    assert.deepEqual([run.counts.users.created, run.counts.users.updated, run.counts.users.deleted], [0, 1, 0]);
    const sians = await sql<{ id: string; login: string; given_name: string; sync_owner: string; status: string }>`select id, login, given_name, sync_owner, status from users
      where customer_id = ${customerId} and (sourced_id = 'sis-s-1' or identifier = 'sis-s-1')`.execute(t.ctx.db.kysely);
    assert.equal(sians.rows.length, 1);
    const sian = sians.rows[0]!;
    assert.equal(sian.id, made.id);
    assert.notEqual(sian.login, made.login);
    assert.deepEqual([sian.given_name, sian.sync_owner, sian.status], ['Sian', 'oneroster', 'active']);
    // The run's report and her history say why her account changed hands.
    const change = await t.ctx.db.kysely
      .selectFrom('roster_run_changes')
      .select(['action', 'reason', 'fields'])
      .where('run_id', '=', run.runId)
      .where('entity', '=', 'users')
      .where('sourced_id', '=', 'sis-s-1')
      .executeTakeFirstOrThrow();
    assert.deepEqual([change.action, change.reason], ['update', ADOPTED_FROM_LMS]);
    assert.deepEqual((JSON.parse(change.fields) as Record<string, unknown>).sync_owner, ['lms', 'oneroster']);
    // Her place in the LMS course stays the LMS's; the people the file does not list stay the LMS's.
    assert.deepEqual(await enrollments(customerId, (await classOf(customerId, lms))!.sourced_id), [
      'Ada teacher active',
      'Mei student active',
      'Olu student active',
      'Sian student active',
      'Tomás student active',
    ]);
    assert.deepEqual(await people(customerId), ['Ada active lms', 'Mei active lms', 'Olu active lms', 'Sian active oneroster', 'Tomás active lms']);

    // From now on she is the roster's: a file that leaves her out deletes her, and her LMS enrollment ends with her.
    const next = await oneRoster(customerId, [orgRow('org-1'), classRow('c1'), userRow('stu-x', { givenName: 'Xan' }), enrollmentRow('e-stu-x', 'c1', 'stu-x')], false);
    assert.equal(next.status, 'succeeded', JSON.stringify(next));
    assert.deepEqual(await deletes(next.runId), [
      `enrollments e-sis-s-1 missing from the bulk file`,
      `enrollments ${(await t.ctx.db.kysely.selectFrom('enrollments').select('sourced_id').where('customer_id', '=', customerId).where('user_sourced_id', '=', 'sis-s-1').where('class_sourced_id', '!=', 'c1').executeTakeFirstOrThrow()).sourced_id} its user was deleted`,
      'users sis-s-1 missing from the bulk file',
    ]);
  });

  it('after a OneRoster import, a second pull still ends only its own leavers: their enrollment in its class, not their OneRoster ones, and no user', async () => {
    const { lms, customerId, pull } = await setUp(course(), 'sourcedId');
    assert.equal((await pull()).status, 'succeeded');
    // The district enrolls two of the course's members in a class of its own (Tomás's account is adopted).
    await importRoster(t.ctx, customerId, schoolRoster([userRow('sis-s-2', { givenName: 'Tomás', username: 'tomas' }), userRow('stu-a', { givenName: 'Ana' })]));
    lms.members.splice(
      lms.members.findIndex((m) => m.user_id === 's-2'),
      1,
    );
    const run = await pull();
    assert.equal(run.status, 'succeeded', JSON.stringify(run));
    assert.deepEqual([run.counts.enrollments.deleted, run.counts.users.deleted, run.counts.classes.deleted], [1, 0, 0]);
    const klass = (await classOf(customerId, lms))!;
    assert.deepEqual(await deletes(run.runId), [
      `enrollments ${(await t.ctx.db.kysely.selectFrom('enrollments').select('sourced_id').where('customer_id', '=', customerId).where('class_sourced_id', '=', klass.sourced_id).where('user_sourced_id', '=', 'sis-s-2').executeTakeFirstOrThrow()).sourced_id} marked tobedeleted`,
    ]);
    assert.deepEqual(await enrollments(customerId, klass.sourced_id), ['Ada teacher active', 'Mei student active', 'Olu student active', 'Siân student active', 'Tomás student deleted']);
    assert.deepEqual(await enrollments(customerId, 'c1'), ['Ana student active', 'Tomás student active']);
    assert.deepEqual(await people(customerId), ['Ada active lms', 'Ana active oneroster', 'Mei active lms', 'Olu active lms', 'Siân active lms', 'Tomás active oneroster']);
  });
});
