/*
 * The tenant walls, generated from the OpenAPI document: every operation, called by every kind of
 * actor of customer A with customer B's ids, and with A's own customer id around B's sub-ids (in the
 * path and in the body). Every answer must refuse (401/403/404, or a field-level NOT_FOUND for ids
 * in a body), carry no byte of B's data, and leave every row of B as it was. A control proves the same
 * requests reach B's data for those who may. A route added later is walked without anyone writing a
 * test for it; one the walk cannot fill stops the test.
 */
import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { describeEachDialect, startTestApp, TestClient, type TestApp, type TestResponse } from '../helpers/app.js';
import type { ErrorBody } from '../helpers/assertions.js';
import { epub3, fileForm } from '../helpers/books.js';
import { formBody, launchParams, signLaunch } from '../helpers/lti.js';
import { requestFor, routesOf, type Ids, type Request, type Route } from './routes.js';
import { WALL_PASSWORD, seedTenant, sentinels, tenantRows, type Tenant } from './tenant.js';

const upload = fileForm(await epub3({ title: 'Walls upload', author: 'Nobody' }), 'walls.epub');

/** Decisions need a run in the state they decide on: approve and discard a held run, apply a preview. */
function idsFor(tenant: Tenant, route: Route): Ids {
  const decision = /\/runs\/\{runId\}\/(approve|discard|apply)$/.exec(route.path)?.[1];
  const run = decision === 'apply' ? tenant.runs.preview : decision ? tenant.runs.held : tenant.ids.run;
  return { ...tenant.ids, run };
}

const label = (r: Request) => `${r.method} ${r.url}`;

/** The answer as lower-case text, headers that point somewhere included. */
function answerText(res: TestResponse<unknown>): string {
  const body = typeof res.body === 'string' ? res.body : JSON.stringify(res.body ?? '');
  return `${body}\n${String(res.headers.location ?? '')}\n${String(res.headers['content-disposition'] ?? '')}`.toLowerCase();
}

/**
 * A refusal: 401/403/404 with the error body, or (when the path is A's own and only the body names B's
 * records) 400 whose every field says NOT_FOUND, exactly what an unknown id gets.
 */
function assertRefused(req: Request, res: TestResponse<unknown>, bodyOnly: boolean, who: string): void {
  const error = (res.body as ErrorBody | undefined)?.error;
  const fieldNotFound = bodyOnly && res.status === 400 && error?.code === 'VALIDATION_FAILED' && (error.fields ?? []).length > 0 && error.fields!.every((f) => f.code === 'NOT_FOUND');
  assert.ok([401, 403, 404].includes(res.status) || fieldNotFound, `${who}: ${label(req)} answered ${res.status} ${JSON.stringify(res.body).slice(0, 300)}`);
  if (!fieldNotFound)
    assert.equal(
      error?.code,
      { 401: 'AUTH_REQUIRED', 403: error?.code === 'CSRF_FAILED' ? 'CSRF_FAILED' : 'FORBIDDEN', 404: 'NOT_FOUND' }[res.status],
      `${who}: ${label(req)} ${JSON.stringify(res.body)}`,
    );
}

function assertNoneOf(marks: string[], req: Request, res: TestResponse<unknown>, who: string): void {
  const text = answerText(res);
  const leaked = marks.filter((m) => text.includes(m));
  assert.deepEqual(leaked, [], `${who}: ${label(req)} (${res.status}) shows B's data: ${text.slice(0, 400)}`);
}

describeEachDialect('Tenant walls from the OpenAPI document', (dialect) => {
  let t: TestApp;
  let a: Tenant;
  let b: Tenant;
  let routes: Route[];
  let bMarks: string[];
  let bBefore: Awaited<ReturnType<typeof tenantRows>>;
  const walked = new Set<string>();
  const send = (client: TestClient, r: Request) => client.request(r.method, r.url, r.body, r.headers);

  before(async () => {
    t = await startTestApp(dialect);
    a = await seedTenant(t.ctx, `wallsa${dialect.slice(0, 2)}`);
    b = await seedTenant(t.ctx, `wallsb${dialect.slice(0, 2)}`);
    const doc = await t.client().get<Parameters<typeof routesOf>[0]>('/api/openapi.json');
    assert.equal(doc.status, 200);
    routes = routesOf(doc.body);
    bBefore = await tenantRows(t.ctx, b.id);
    bMarks = sentinels(bBefore, b.tag);
  });
  after(() => t.close());

  it('seeds B with a row behind every kind of id, and finds the routes of every scope', () => {
    for (const table of [
      'customers',
      'users',
      'classes',
      'orgs',
      'enrollments',
      'roster_runs',
      'roster_run_issues',
      'books',
      'collections',
      'collection_books',
      'assignments',
      'api_tokens',
      'reading_progress',
      'lti_user_links',
      'lti_outcome_bindings',
      'lti_outcome_calls',
      'audit_log',
    ]) {
      assert.ok(bBefore[table]?.length, `B has rows in ${table}`);
    }
    const scopes = new Set(routes.map((r) => r.scope));
    assert.deepEqual([...scopes].sort(), ['customer', 'lti', 'public', 'reader', 'self']);
    assert.ok(routes.length >= 50, `${routes.length} operations`);
  });

  /** The people of A (and no one) who try B's records. */
  const attackers: { name: string; role: string; client: () => Promise<TestClient> }[] = [
    { name: 'anonymous', role: 'anonymous', client: async () => t.client() },
    { name: "A's customer admin (session)", role: 'customer_admin', client: async () => t.client().login(a.logins.customer_admin, WALL_PASSWORD) },
    {
      name: "A's customer admin (API token)",
      role: 'customer_admin',
      client: async () => {
        const c = t.client();
        c.bearer = a.adminToken;
        return c;
      },
    },
    { name: "A's institute admin", role: 'institute_admin', client: async () => t.client().login(a.logins.institute_admin, WALL_PASSWORD) },
    { name: "A's teacher", role: 'teacher', client: async () => t.client().login(a.logins.teacher, WALL_PASSWORD) },
    { name: "A's student", role: 'student', client: async () => t.client().login(a.logins.student, WALL_PASSWORD) },
    { name: "A's LTI reader", role: 'reader', client: async () => t.client().login(a.logins.reader, WALL_PASSWORD) },
  ];

  for (const attacker of attackers) {
    it(`${attacker.name}: every route with B's ids, and A's customer with B's sub-ids, is refused, shows nothing of B, changes nothing of B`, async () => {
      const client = await attacker.client();
      for (const route of routes.filter((r) => r.scope === 'customer' || r.scope === 'reader' || r.scope === 'self')) {
        const bIds = idsFor(b, route);
        const variants: { pathIds: Ids; bodyOnly: boolean }[] = [{ pathIds: bIds, bodyOnly: false }];
        const subIds = Object.values(route.params).some((k) => k !== 'customer') || Object.keys(route.bodyIds).length > 0;
        if (route.scope === 'customer' && subIds) variants.push({ pathIds: { ...bIds, customer: a.id }, bodyOnly: true });
        if (route.scope === 'customer' && Object.keys(route.bodyIds).length) variants.push({ pathIds: idsFor(a, route), bodyOnly: true });
        for (const v of variants) {
          const req = requestFor(route, v.pathIds, bIds, upload);
          const res = await send(client, req);
          assertRefused(req, res, v.bodyOnly, attacker.name);
          assertNoneOf(bMarks, req, res, attacker.name);
        }
        walked.add(`${route.method} ${route.path}`);
      }
      assert.deepEqual(await tenantRows(t.ctx, b.id), bBefore, `${attacker.name} changed none of B's rows`);
    });
  }

  for (const attacker of attackers) {
    it(`${attacker.name}: A's own pages, lists and searches show nothing of B`, async () => {
      const client = await attacker.client();
      const consoleUser = attacker.role === 'customer_admin' || attacker.role === 'institute_admin';
      for (const route of routes.filter((r) => r.scope !== 'lti' && r.scope !== 'public')) {
        // Without a console role every console request is refused; with one, reads are tried (writes to A's own records are A's business).
        if (route.scope === 'customer' && !consoleUser) {
          const req = requestFor(route, idsFor(a, route), a.ids, upload);
          const res = await send(client, req);
          assert.ok([401, 403].includes(res.status), `${attacker.name}: ${label(req)} answered ${res.status}`);
          continue;
        }
        if (route.method !== 'GET') continue;
        const req = requestFor(route, idsFor(a, route), a.ids, upload);
        for (const search of ['', `?search=${b.tag}`, '?search=%25']) {
          const searched = { ...req, url: `${req.url}${search && route.operation.parameters?.some((p) => p.name === 'search') ? search : ''}` };
          const res = await send(client, searched);
          assert.ok(res.status < 500, `${attacker.name}: ${label(searched)} answered ${res.status}`);
          assertNoneOf(bMarks, searched, res, attacker.name);
        }
      }
      assert.deepEqual(await tenantRows(t.ctx, b.id), bBefore);
    });
  }

  it('routes that name no record (sign-in, tokens, meta, health, the customer list) show nothing of B to anyone of A', async () => {
    for (const attacker of attackers) {
      const client = await attacker.client();
      // Signing out ends the session the other requests use: last.
      const publicRoutes = routes.filter((r) => r.scope === 'public').sort((x, y) => Number(x.path === '/api/auth/logout') - Number(y.path === '/api/auth/logout'));
      for (const route of publicRoutes) {
        const req = requestFor(route, a.ids, a.ids, upload);
        const res = await send(client, req);
        assert.ok(res.status < 500, `${attacker.name}: ${label(req)} answered ${res.status} ${JSON.stringify(res.body)}`);
        assertNoneOf(bMarks, req, res, attacker.name);
        walked.add(`${route.method} ${route.path}`);
      }
    }
    assert.deepEqual(await tenantRows(t.ctx, b.id), bBefore);
  });

  const launch = (pairs: [string, string][]) => t.app.inject({ method: 'POST', url: '/lti/launch', headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: formBody(pairs) });
  const signedBy = (tenant: Tenant, params: Record<string, string>, secret = tenant.lti.secret) =>
    signLaunch({ url: 'http://lectern.test/lti/launch', key: tenant.lti.key, secret, params: launchParams(params) });

  it("LTI: a launch A's consumer signs reaches none of B's titles, collections or people; a forged one reaches nothing", async () => {
    const bStudentEmail = `pupil-${b.tag}@walls.example`;
    const attempts: { what: string; pairs: [string, string][]; sent: string[] }[] = [
      { what: "B's title", pairs: signedBy(a, { custom_bookid: b.ids.book }), sent: [b.ids.book] },
      { what: "B's collection", pairs: signedBy(a, { custom_collectionid: b.ids.collection }), sent: [b.ids.collection] },
      { what: "B's title, framed", pairs: signedBy(a, { custom_bookid: b.ids.book, launch_presentation_document_target: 'iframe' }), sent: [b.ids.book] },
      {
        what: "B's LTI user and B's student, by link and by match values",
        pairs: signedBy(a, { user_id: `lms-${b.tag}`, tool_consumer_instance_guid: `guid-${b.tag}`, lis_person_sourcedid: `id-${b.tag}`, lis_person_contact_email_primary: bStudentEmail }),
        sent: [b.tag],
      },
      { what: "B's consumer key with A's secret", pairs: signedBy(b, { custom_bookid: b.ids.book }, a.lti.secret), sent: [b.ids.book] },
    ];
    for (const attempt of attempts) {
      const res = await launch(attempt.pairs);
      assert.ok(res.statusCode < 500, `${attempt.what}: ${res.statusCode}`);
      const location = String(res.headers.location ?? '');
      assert.ok(!location.startsWith('/reader/books/') && !location.startsWith('/reader/collections/'), `${attempt.what}: went to ${location}`);
      // The LMS hears back why (lti_errorlog may name the id it sent); nothing else of B.
      const text = `${res.body}\n${location}`.toLowerCase();
      assert.deepEqual(
        bMarks.filter((m) => !attempt.sent.includes(m) && text.includes(m)),
        [],
        `${attempt.what}: ${text.slice(0, 300)}`,
      );
      const cookie = res.cookies.find((c) => c.name.endsWith('lectern_session'));
      if (cookie?.value) {
        const session = await t.app.inject({ method: 'GET', url: '/api/auth/session', headers: { cookie: `${cookie.name}=${cookie.value}` } });
        const user = (JSON.parse(session.body) as { user: { id: string; customerId: string } }).user;
        assert.equal(user.customerId, a.id, `${attempt.what}: the session is A's`);
        assert.ok(!Object.values(b.userIds).includes(user.id), `${attempt.what}: signed in as one of B's people`);
      }
    }
    const ticket = await t.app.inject({ method: 'POST', url: '/lti/continue', headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: `ticket=${b.ids.token}` });
    assert.equal(ticket.statusCode, 410);
    assert.equal(ticket.cookies.length, 0);
    for (const route of routes.filter((r) => r.scope === 'lti')) walked.add(`${route.method} ${route.path}`);
    assert.deepEqual(await tenantRows(t.ctx, b.id), bBefore, "no launch changed B's rows");
  });

  it('walked every operation of the document', () => {
    assert.deepEqual(
      routes.map((r) => `${r.method} ${r.path}`).filter((r) => !walked.has(r)),
      [],
    );
  });

  // The control comes last: it is allowed to change B.
  it("control: those who may (the enterprise admin; B's own student, admin and consumer) reach B's data with the very same requests", async () => {
    const enterprise = await t.asAdmin();
    const bStudent = await t.client().login(b.logins.student, WALL_PASSWORD);
    const bAdmin = await t.client().login(b.logins.customer_admin, WALL_PASSWORD);
    const opened = await launch(signedBy(b, { user_id: `lms-${b.tag}`, tool_consumer_instance_guid: `guid-${b.tag}`, custom_bookid: b.ids.book }));
    assert.equal(opened.statusCode, 303, opened.body);
    assert.equal(opened.headers.location, `/reader/books/${b.ids.book}`);
    let shown = 0;
    // What ends a person's access (disable, a bulk action, a new password: their sessions end) after
    // the routes that act for or on them; deleting a record (DELETE …/{id}) or a customer's one of a
    // kind (…/notifications/webhook: no body) last, so the routes that read or change it still find it.
    const endsAccess = (r: Route) => r.method === 'POST' && /\/users\/(\{userId\}\/(disable|password)|bulk)$/.test(r.path);
    const rank = (r: Route) => (r.method === 'DELETE' && !r.operation.requestBody ? 2 : endsAccess(r) ? 1 : 0);
    const ordered = [...routes].sort((x, y) => rank(x) - rank(y));
    for (const route of ordered.filter((r) => r.scope !== 'lti' && r.scope !== 'public')) {
      const client = route.scope === 'customer' ? enterprise : route.scope === 'reader' ? bStudent : bAdmin;
      const req = requestFor(route, idsFor(b, route), b.ids, upload);
      const res = await send(client, req);
      // A decision may find the run decided already, or the roster moved on (the control changed B's settings): 409 still proves it found the run.
      const decided = res.status === 409 && /\/runs\/\{runId\}\/(approve|discard)$/.test(route.path);
      // Sync from LMS finds B's class and says it was not made from an LMS course: that 409 proves it reached it too.
      const noLmsCourse = res.status === 409 && route.path.endsWith('/lms-sync') && (res.body as ErrorBody).error.code === 'SYNC_NO_SOURCE';
      // Editing B's rostered student is refused as roster-managed: that 409 proves it found the user too.
      const rosterManaged = res.status === 409 && route.method === 'PATCH' && (res.body as ErrorBody).error.code === 'ROSTER_MANAGED';
      // Test connection loads B's customer first, then finds the sampled settings (no roster source) untestable: a field error, where another customer's id answers 404.
      const untestable = res.status === 400 && route.path.endsWith('/test-connection') && (res.body as ErrorBody).error.fields?.[0]?.code === 'not_testable';
      // An erasure checks its typed confirmation on B's loaded record (the sample is not B's code or login): that field error, where another customer's id answers 404, proves it reached B.
      const unconfirmed = res.status === 400 && route.path.endsWith('/erase') && (res.body as ErrorBody).error.fields?.[0]?.code === 'confirmation_mismatch';
      assert.ok(res.status < 400 || decided || noLmsCourse || rosterManaged || untestable || unconfirmed, `control: ${label(req)} answered ${res.status} ${JSON.stringify(res.body).slice(0, 300)}`);
      if (bMarks.some((m) => answerText(res).includes(m))) shown++;
    }
    assert.ok(shown >= 20, `B's data shows in ${shown} control answers: the leak check can see it`);
  });
});
