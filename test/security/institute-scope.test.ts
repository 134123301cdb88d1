/*
 * Institute admins see and act on their own schools only, on every route: the whole class of bug,
 * walked from the OpenAPI document. One customer with two schools (Alder, and Birch, whose every
 * person's name, login, email, username, identifier and sourcedId carries "birch"), people,
 * classes, a student of each school sitting in a class of the other, roster runs whose plan and findings name
 * Birch's people, LTI grade reports about a Birch student, titles assigned to both schools, and an
 * erasure certificate a Birch institute admin made. Signed in as Alder's institute admin, every GET
 * is called (a person or class in its path, or named in its query, once of Alder and once of Birch);
 * no answer may carry any value of Birch's people, and a route that answers FORBIDDEN must be one of
 * the whole customer's, listed here with why. Every write that names a person or class refuses
 * Birch's and changes nothing; the whole customer's writes are refused; the library's are allowed.
 * A route added later is walked without anyone writing a test for it, and must be decided here.
 */
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { after, before, it } from 'node:test';
import { actorOf, operatorActor } from '../../src/accounts/policy.js';
import { UserRepository } from '../../src/accounts/user-repository.js';
import { liveFingerprint } from '../../src/rostering/sync/engine.js';
import { nowIso } from '../../src/time.js';
import { describeEachDialect, seedCustomer, startTestApp, type TestApp, type TestClient, type TestResponse } from '../helpers/app.js';
import type { ErrorBody } from '../helpers/assertions.js';
import { arraySource } from '../helpers/array-source.js';
import { epub3, fileForm } from '../helpers/books.js';
import { classRow, enrollmentRow, orgRow, userRow } from '../helpers/roster-rows.js';
import { requestFor, routesOf, type Ids, type Request, type Route } from '../walls/routes.js';
import { tenantRows } from '../walls/tenant.js';

const PASSWORD = 'Scope-password-42';
const upload = fileForm(await epub3({ title: 'Scope upload', author: 'Nobody' }), 'scope.epub');

/** The reads an institute admin is refused (FORBIDDEN), and why: each is the whole customer's, or the platform's. */
const REFUSED_READS: Record<string, string> = {
  'GET /api/customers': "the platform's customer list",
  'GET /api/customers/{id}': "the customer's settings, connections and contacts",
  'GET /api/customers/{id}/audit': 'the audit trail names what staff did about everyone',
  'GET /api/audit': 'the audit log is the district privacy officer’s',
  'GET /api/audit.csv': 'the audit log is the district privacy officer’s',
  'GET /api/customers/{id}/roster/runs': 'roster runs are the whole customer’s',
  'GET /api/customers/{id}/roster/runs/{runId}': 'roster runs are the whole customer’s',
  'GET /api/customers/{id}/roster/runs/{runId}/issues': 'a run’s findings name every school’s people',
  'GET /api/customers/{id}/roster/runs/{runId}/issues.csv': 'a run’s findings name every school’s people',
  'GET /api/customers/{id}/roster/runs/{runId}/changes': 'a run’s plan names every school’s people',
  'GET /api/customers/{id}/notifications/webhook': 'notifications are about the roster feed',
  'GET /api/customers/{id}/notifications/deliveries': 'notifications are about the roster feed',
  'GET /api/notifications/preferences': 'roster e-mails go to the customer’s administrators',
  'GET /api/customers/{id}/export': 'the export is every record of the customer',
  'GET /api/customers/{id}/offboarding': "the customer's offboarding is a setting",
  'GET /api/status': "the platform's status page",
  'GET /api/lti/1.3/keys': "the platform's LTI keys",
};

/** Writes that name no person or class and change the customer's shared library of titles and collections: allowed, and walked last. */
const LIBRARY_WRITES = new Set([
  'POST /api/customers/{id}/content',
  'PATCH /api/customers/{id}/content/{bookId}',
  'DELETE /api/customers/{id}/content/{bookId}',
  'POST /api/customers/{id}/collections',
  'PUT /api/customers/{id}/collections/{collectionId}/books',
  'PATCH /api/customers/{id}/collections/{collectionId}',
  'DELETE /api/customers/{id}/collections/{collectionId}',
]);

// Query parameters that name a record, and its kind: a Birch one is tried there too.
const QUERY_KINDS: Record<string, 'class' | 'org' | 'user' | 'customer'> = { classId: 'class', school: 'org', person: 'user', customer: 'customer' };

const key = (r: Route) => `${r.method} ${r.path}`;
const label = (r: Request) => `${r.method} ${r.url}`;

function answerText(res: TestResponse<unknown>): string {
  const body = typeof res.body === 'string' ? res.body : JSON.stringify(res.body ?? '');
  return `${body}\n${String(res.headers.location ?? '')}\n${String(res.headers['content-disposition'] ?? '')}`.toLowerCase();
}

describeEachDialect('Institute admins see and act on their own schools only, on every route', (dialect) => {
  let t: TestApp;
  let routes: Route[];
  let customerId: string;
  let alder: Ids;
  let birch: Ids;
  /** Every identifying value of Birch's people (and its class), lower case. */
  let marks: string[];
  let birchPeople: string[];
  let adminA: TestClient;
  let runsByDecision: Record<'apply' | 'approve' | 'discard', string>;
  const names = { alderStudent: 'Ada Alderpupil', birchStudent: 'Bram Birchpupil' };

  before(async () => {
    t = await startTestApp(dialect);
    const k = t.ctx.db.kysely;
    const seeded = await seedCustomer(t.ctx, { profile: { name: 'Scope District', code: `scope-${dialect}` }, rostering: { suffix: '@scope' } });
    customerId = seeded.id;
    const customerAdmin = (await new UserRepository(k).findInCustomer(customerId, seeded.created.administrator.userId!))!;

    // The roster: two schools, a teacher and a student in each, a class in each, and Birch's student also in Alder's class.
    const at = (org: string, role: 'student' | 'teacher') => ({ orgSourcedIds: [org], roles: [{ orgSourcedId: org, role, roleType: 'primary' as const, beginDate: null, endDate: null }] });
    const rows = [
      orgRow('sch-a', { name: 'Alder School' }),
      orgRow('sch-b', { name: 'Second School' }),
      classRow('cls-a', { title: 'Alder Algebra', classCode: 'alg-a', schoolSourcedId: 'sch-a' }),
      classRow('birch-cls', { title: 'Birch Botany', classCode: 'birch-bot', schoolSourcedId: 'sch-b' }),
      userRow('stu-a', { username: 'ada.alder', identifier: 'id-alder-1', email: 'ada.alder@alder.example', givenName: 'Ada', familyName: 'Alderpupil', ...at('sch-a', 'student') }),
      userRow('tch-a', { role: 'teacher', username: 'ted.alder', identifier: 'id-alder-2', email: 'ted.alder@alder.example', givenName: 'Ted', familyName: 'Alderteach', ...at('sch-a', 'teacher') }),
      userRow('birch-stu', { username: 'bram.birch', identifier: 'id-birch-1', email: 'bram.birch@birch.example', givenName: 'Bram', familyName: 'Birchpupil', ...at('sch-b', 'student') }),
      userRow('birch-tch', {
        role: 'teacher',
        username: 'bea.birch',
        identifier: 'id-birch-2',
        email: 'bea.birch@birch.example',
        givenName: 'Bea',
        familyName: 'Birchteach',
        ...at('sch-b', 'teacher'),
      }),
      enrollmentRow('enr-a', 'cls-a', 'stu-a', { schoolSourcedId: 'sch-a' }),
      enrollmentRow('enr-ta', 'cls-a', 'tch-a', { schoolSourcedId: 'sch-a', role: 'teacher' }),
      enrollmentRow('birch-enr', 'birch-cls', 'birch-stu', { schoolSourcedId: 'sch-b' }),
      enrollmentRow('birch-ent', 'birch-cls', 'birch-tch', { schoolSourcedId: 'sch-b', role: 'teacher' }),
      enrollmentRow('birch-cross', 'cls-a', 'birch-stu', { schoolSourcedId: 'sch-a' }),
      enrollmentRow('cross-a', 'birch-cls', 'stu-a', { schoolSourcedId: 'sch-b' }),
    ];
    const issues = [{ file: 'users.csv', line: 7, column: 'email', sourcedId: 'birch-stu', severity: 'warning' as const, code: 'scope.tagged', message: 'Odd value for birch-stu' }];
    const run = async (dryRun: boolean) => {
      const created = await t.ctx.runs.create(operatorActor, customerId, { trigger: 'cli', fileName: 'district.zip', sizeBytes: 1, sha256: '', bundlePath: null, dryRun });
      const done = await t.ctx.runs.execute(created.runId, customerId, arraySource(rows, { issues }));
      assert.match(done.status, /^succeeded/);
      return created.runId;
    };
    const applied = await run(false);

    // People added by hand: an institute admin of each school, and a student of each who will be erased.
    const manual = async (login: string, role: 'institute_admin' | 'student', givenName: string, familyName: string, school: string) => {
      const made = await t.ctx.people.createUser(actorOf(customerAdmin), customerId, {
        role,
        givenName,
        familyName,
        email: login,
        login,
        password: PASSWORD,
        mustChangePassword: false,
        schoolIds: [school],
      });
      return (await new UserRepository(k).findInCustomer(customerId, made.user.id))!;
    };
    const instituteA = await manual('ines.alder@alder.example', 'institute_admin', 'Ines', 'Alderhead', 'sch-a');
    const instituteB = await manual('ivo.birch@birch.example', 'institute_admin', 'Ivo', 'Birchhead', 'sch-b');
    const leaverA = await manual('lea.alder@alder.example', 'student', 'Lea', 'Alderleaver', 'sch-a');
    const leaverB = await manual('lou.birch@birch.example', 'student', 'Lou', 'Birchleaver', 'sch-b');
    const erasureA = (await t.ctx.erasure.erasePerson(actorOf(instituteA), customerId, leaverA.id, { confirm: leaverA.login })).id;
    const erasureB = (await t.ctx.erasure.erasePerson(actorOf(instituteB), customerId, leaverB.id, { confirm: leaverB.login })).id;

    // A preview and a held run (after the erasures, which end them), for the decision routes.
    const preview = await run(true);
    const bundlePath = path.join(t.ctx.config.dataDir, 'scope-preview.zip');
    fs.writeFileSync(bundlePath, 'PK');
    await k.updateTable('roster_runs').set({ bundle_path: bundlePath }).where('id', '=', preview).execute();
    const held = (await t.ctx.runs.create(operatorActor, customerId, { trigger: 'cli', fileName: 'held.zip', sizeBytes: 1, sha256: '', bundlePath: null, dryRun: false })).runId;
    await k
      .updateTable('roster_runs')
      .set({ status: 'awaiting_approval', stage: 'awaiting_approval', plan_fingerprint: await liveFingerprint(k, customerId) })
      .where('id', '=', held)
      .execute();

    const userOf = async (sourcedId: string) => (await k.selectFrom('users').select('id').where('customer_id', '=', customerId).where('sourced_id', '=', sourcedId).executeTakeFirstOrThrow()).id;
    const classOf = async (sourcedId: string) => (await k.selectFrom('classes').select('id').where('customer_id', '=', customerId).where('sourced_id', '=', sourcedId).executeTakeFirstOrThrow()).id;
    const [stuA, stuB, tchB, clsA, clsB] = await Promise.all([userOf('stu-a'), userOf('birch-stu'), userOf('birch-tch'), classOf('cls-a'), classOf('birch-cls')]);

    // A title and a collection, assigned to a student and a class of each school.
    const bytes = await epub3({ title: 'Shared Reader', author: 'Anyone' });
    const book = await t.ctx.content.upload(operatorActor, customerId, Readable.from([bytes]), 'shared.epub');
    const collection = await t.ctx.content.createCollection(operatorActor, customerId, { name: 'Shared shelf' });
    await t.ctx.content.setCollectionBooks(operatorActor, customerId, collection.id, [book.id]);
    await t.ctx.content.assign(operatorActor, customerId, { bookIds: [book.id], userIds: [stuA, stuB], classIds: [clsA, clsB] });

    // LTI grade reports about a student of each school.
    const now = nowIso();
    for (const [userId, link] of [
      [stuA, 'link-alder'],
      [stuB, 'link-birch'],
    ] as const) {
      await k
        .insertInto('lti_outcome_bindings')
        .values({
          id: crypto.randomUUID(),
          customer_id: customerId,
          user_id: userId,
          consumer_guid: 'guid-scope',
          resource_link_id: link,
          target_type: 'book',
          target_id: book.id,
          service_url: 'https://lms.scope.example/outcomes',
          result_sourcedid: `result-${link}`,
          consumer_key: seeded.created.lti.consumerKey,
          reported_score: null,
          created_at: now,
          updated_at: now,
        })
        .execute();
      await t.ctx.reader.saveProgress(customerId, userId, book.id, { position: 'epubcfi(/6/2!/4/2/1:0)', progress: 0.5 });
    }
    const outcome = (await k.selectFrom('lti_outcome_calls').select('id').where('customer_id', '=', customerId).executeTakeFirstOrThrow()).id;
    const token = await t.ctx.accounts.createToken(instituteA, 'scope token', null);

    const common = { customer: customerId, run: applied, book: book.id, collection: collection.id, token: token.info.id, outcome };
    alder = { ...common, user: stuA, class: clsA, org: 'sch-a', erasure: erasureA };
    birch = { ...common, user: stuB, class: clsB, org: 'sch-b', erasure: erasureB };
    runsByDecision = { apply: preview, approve: held, discard: held };

    // Birch's marks: every value of its people (the erased one's former id included) and of its class.
    birchPeople = [stuB, tchB, instituteB.id];
    const people = await k.selectFrom('users').selectAll().where('customer_id', '=', customerId).where('id', 'in', birchPeople).execute();
    // A given name alone ("Ivo") is any text's; the full name and every other value are the person's.
    const values = people.flatMap((u) => [u.id, u.login, u.email, u.username, u.identifier, u.family_name, u.sourced_id, `${u.given_name} ${u.family_name}`]);
    marks = [...new Set(['birch', leaverB.id, clsB, ...values].filter((v): v is string => Boolean(v)).map((v) => v.toLowerCase()))];
    assert.ok(
      !JSON.stringify(await k.selectFrom('users').select(['login', 'email', 'given_name', 'family_name', 'sourced_id']).where('id', 'in', [stuA, instituteA.id]).execute())
        .toLowerCase()
        .includes('birch'),
      "Alder's values carry no Birch mark",
    );

    routes = routesOf((await t.client().get<Parameters<typeof routesOf>[0]>('/api/openapi.json')).body);
    adminA = await t.client().login(instituteA.login, PASSWORD);
  });
  after(() => t.close());

  // Decisions need a run in the state they decide on.
  const idsFor = (ids: Ids, route: Route): Ids => {
    const decision = /\/runs\/\{runId\}\/(approve|discard|apply)$/.exec(route.path)?.[1] as keyof typeof runsByDecision | undefined;
    return decision ? { ...ids, run: runsByDecision[decision] } : ids;
  };
  const send = (r: Request) => adminA.request(r.method, r.url, r.body, r.headers);
  const namesPeople = (route: Route) =>
    Object.values(route.params).some((k) => k === 'user' || k === 'class' || k === 'erasure') || Object.values(route.bodyIds).some((k) => k === 'user' || k === 'class' || k === 'org');

  function assertNothingOfBirch(req: Request, res: TestResponse<unknown>): void {
    const text = answerText(res);
    assert.deepEqual(
      marks.filter((m) => text.includes(m)),
      [],
      `${label(req)} (${res.status}) shows Birch's people: ${text.slice(0, 400)}`,
    );
  }

  // A's and B's requests for a route: the path's ids, and each query parameter that names a record.
  function readsOf(route: Route): { req: Request; birch: boolean }[] {
    const out: { req: Request; birch: boolean }[] = [];
    for (const [ids, isBirch] of [
      [alder, false],
      [birch, true],
    ] as const) {
      const base = requestFor(route, idsFor(ids, route), ids, upload);
      if (isBirch && namesPeople(route)) out.push({ req: base, birch: true });
      if (!isBirch) out.push({ req: base, birch: false });
      for (const p of route.operation.parameters ?? []) {
        const kind = p.in === 'query' ? QUERY_KINDS[p.name] : undefined;
        if (!kind) continue;
        const value = ids[kind];
        out.push({ req: { ...base, url: `${base.url}${base.url.includes('?') ? '&' : '?'}${p.name}=${encodeURIComponent(value)}` }, birch: isBirch && kind !== 'customer' });
      }
      if (!isBirch && route.operation.parameters?.some((p) => p.name === 'search')) {
        for (const search of ['birch', '%25', 'bram']) out.push({ req: { ...base, url: `${base.url}${base.url.includes('?') ? '&' : '?'}search=${search}` }, birch: false });
      }
    }
    return out;
  }

  it('reads: every GET of the API shows nothing of the other school; a path naming its person, class or certificate is NOT_FOUND; only the whole customer’s are FORBIDDEN', async () => {
    const forbidden = new Set<string>();
    const gets = routes.filter((r) => r.method === 'GET');
    assert.ok(gets.length >= 40, `${gets.length} reads`);
    for (const route of gets) {
      for (const { req, birch: isBirch } of readsOf(route)) {
        const res = await send(req);
        assert.ok(res.status < 500, `${label(req)} answered ${res.status}`);
        assertNothingOfBirch(req, res);
        const error = (res.body as ErrorBody | undefined)?.error;
        if (res.status === 403) {
          assert.equal(error?.code, 'FORBIDDEN', label(req));
          assert.ok((error?.message.length ?? 0) > 20, `${label(req)}: FORBIDDEN says why (${error?.message})`);
          forbidden.add(key(route));
        } else if (isBirch && namesPeople(route) && !(key(route) in REFUSED_READS)) {
          assert.deepEqual([res.status, error?.code], [404, 'NOT_FOUND'], `${label(req)} names Birch's record: ${JSON.stringify(res.body).slice(0, 300)}`);
        }
      }
    }
    assert.deepEqual([...forbidden].sort(), Object.keys(REFUSED_READS).sort(), 'the reads refused to an institute admin are exactly the whole customer’s (REFUSED_READS)');
  });

  it('reads: what is their schools’ still shows — people, classes, a class’s members, grade reports, assignments, certificates of their own erasures', async () => {
    const base = `/api/customers/${customerId}`;
    const ok = async <T>(url: string) => {
      const res = await adminA.get<T>(url);
      assert.equal(res.status, 200, `${url}: ${JSON.stringify(res.body).slice(0, 300)}`);
      return res.body;
    };
    const users = await ok<{ items: { givenName: string; familyName: string }[] }>(`${base}/users`);
    assert.ok(users.items.some((u) => `${u.givenName} ${u.familyName}` === names.alderStudent));
    assert.match(await ok<string>(`${base}/users.csv`), /ada\.alder@alder\.example/);
    assert.deepEqual(
      (await ok<{ sourcedId: string }[]>(`${base}/schools`)).map((s) => s.sourcedId),
      ['sch-a'],
    );
    assert.equal((await ok<{ givenName: string }>(`${base}/users/${alder.user}`)).givenName, 'Ada');
    const klass = await ok<{ students: { givenName: string; familyName: string }[] }>(`${base}/classes/${alder.class}`);
    assert.deepEqual(
      klass.students.map((s) => `${s.givenName} ${s.familyName}`),
      [names.alderStudent],
      "Alder's class, without the Birch student sitting in it",
    );
    assert.equal((await ok<{ title: string }[]>(`${base}/classes/${alder.class}/books`)).length, 1);
    assert.equal((await ok<unknown[]>(`${base}/users/${alder.user}/books`)).length, 1);
    const outcomes = await ok<{ items: { user: { name: string } }[]; total: number }>(`${base}/lti/outcomes`);
    assert.deepEqual(
      outcomes.items.map((o) => o.user.name),
      [names.alderStudent],
    );
    assert.equal(outcomes.total, 1);
    const title = await ok<{ assignments: { users: { name: string }[]; classes: { title: string }[] } }>(`${base}/content/${alder.book}`);
    assert.deepEqual(
      title.assignments.users.map((u) => u.name),
      [names.alderStudent],
    );
    assert.deepEqual(
      title.assignments.classes.map((c) => c.title),
      ['Alder Algebra'],
    );
    const certificates = await ok<{ items: { id: string }[] }>('/api/erasures');
    assert.deepEqual(
      certificates.items.map((c) => c.id),
      [alder.erasure],
    );
    await ok(`${base}/erasures/${alder.erasure}`);
    const preview = await adminA.post<{ count: number }>(`${base}/login-cards/preview`, { mode: 'qr', classId: alder.class });
    assert.deepEqual([preview.status, preview.body.count], [200, 1], "cards for Alder's class: its own student, not the Birch one in it");
  });

  it('writes: every write that names a person, class or school refuses Birch’s (NOT_FOUND, or a field NOT_FOUND) and changes nothing; the whole customer’s are FORBIDDEN', async () => {
    const before = await tenantRows(t.ctx, customerId);
    const walked = new Set<string>();
    const writes = routes.filter((r) => r.method !== 'GET' && r.scope === 'customer' && !LIBRARY_WRITES.has(key(r)));
    for (const route of writes) {
      const req = requestFor(route, idsFor(birch, route), birch, upload);
      const res = await send(req);
      const error = (res.body as ErrorBody | undefined)?.error;
      assertNothingOfBirch(req, res);
      if (namesPeople(route)) {
        const fieldNotFound = res.status === 400 && error?.code === 'VALIDATION_FAILED' && (error.fields ?? []).length > 0 && error.fields!.every((f) => f.code === 'NOT_FOUND');
        assert.ok(
          (res.status === 404 && error?.code === 'NOT_FOUND') || (res.status === 403 && error?.code === 'FORBIDDEN') || fieldNotFound,
          `${label(req)} with Birch's ids answered ${res.status} ${JSON.stringify(res.body).slice(0, 300)}`,
        );
      } else {
        // Names no one: the whole customer's (its settings, roster, notifications, erasure), refused even with its own ids.
        assert.deepEqual([res.status, error?.code], [403, 'FORBIDDEN'], `${label(req)}: ${JSON.stringify(res.body).slice(0, 300)}`);
      }
      walked.add(key(route));
    }
    const afterRows = await tenantRows(t.ctx, customerId);
    // The institute admin's own session is touched by every request; everything else stays as it was.
    const { sessions: _before, ...beforeRest } = before;
    const { sessions: _after, ...afterRest } = afterRows;
    assert.deepEqual(afterRest, beforeRest, 'no refused write changed a row of the customer');
    assert.deepEqual(
      (afterRows.sessions ?? []).filter((s) => birchPeople.includes(String(s.user_id))),
      (before.sessions ?? []).filter((s) => birchPeople.includes(String(s.user_id))),
    );
    assert.deepEqual(routes.filter((r) => r.method !== 'GET' && r.scope === 'customer' && !walked.has(key(r)) && !LIBRARY_WRITES.has(key(r))).map(key), []);
  });

  it("writes: the library's (titles and collections: the customer's, no one's) are allowed, and every write of a customer is decided", async () => {
    const library = routes.filter((r) => LIBRARY_WRITES.has(key(r)));
    assert.deepEqual(library.map(key).sort(), [...LIBRARY_WRITES].sort(), 'every library write exists');
    // Deleting last, so the changes find what they change.
    for (const route of [...library].sort((x, y) => Number(x.method === 'DELETE') - Number(y.method === 'DELETE'))) {
      const req = requestFor(route, alder, alder, upload);
      const res = await send(req);
      assert.ok(res.status < 300, `${label(req)} answered ${res.status} ${JSON.stringify(res.body).slice(0, 300)}`);
      assertNothingOfBirch(req, res);
    }
  });
});
