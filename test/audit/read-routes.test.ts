/*
 * Reads of personal data are logged, and a route that reads cannot be added without saying whether
 * it logs (read-routes.ts). The list is checked against the OpenAPI document both ways, then every
 * route in it is called, by the people who use it, against a customer with one of everything: a
 * logging route must write exactly one audit entry (its action and kind, the customer, the record
 * it is about, the person when it names one), and its quiet variant and every exempt route none.
 */
import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import type { AuditEntry } from '../../src/db/schema.js';
import { describeEachDialect, startTestApp, type TestApp, type TestClient } from '../helpers/app.js';
import { epub3, fileForm } from '../helpers/books.js';
import { requestFor, routesOf, type Request, type Route } from '../walls/routes.js';
import { WALL_PASSWORD, seedTenant, type Tenant } from '../walls/tenant.js';
import { READ_ROUTES, isLogged, type Logged } from './read-routes.js';

const upload = fileForm(await epub3({ title: 'Audit upload', author: 'Nobody' }), 'audit.epub');

describeEachDialect('Access audit: every reading route decides, and does what it decided', (dialect) => {
  let t: TestApp;
  let a: Tenant;
  let routes: Route[];
  let clients: Record<Route['scope'], TestClient>;

  before(async () => {
    t = await startTestApp(dialect);
    a = await seedTenant(t.ctx, `audit${dialect.slice(0, 2)}`);
    routes = routesOf((await t.client().get<Parameters<typeof routesOf>[0]>('/api/openapi.json')).body);
    const enterprise = await t.asAdmin();
    clients = {
      customer: await t.client().login(a.logins.customer_admin, WALL_PASSWORD),
      reader: await t.client().login(a.logins.student, WALL_PASSWORD),
      self: enterprise,
      public: enterprise,
      lti: t.client(),
    };
  });
  after(() => t.close());

  const key = (r: Route) => `${r.method} ${r.path}`;

  it('every GET of the app, and nothing else, has a decision; every exemption says why', () => {
    const gets = routes.filter((r) => r.method === 'GET').map(key);
    assert.deepEqual(
      gets.filter((k) => !(k in READ_ROUTES)),
      [],
      'routes that read without an audit decision: add them to test/audit/read-routes.ts, logging (AuditService.recordRead) or exempt with the reason',
    );
    const known = new Set(routes.map(key));
    assert.deepEqual(
      Object.keys(READ_ROUTES).filter((k) => !known.has(k)),
      [],
      'decisions for routes that no longer exist',
    );
    for (const [k, d] of Object.entries(READ_ROUTES)) if (!isLogged(d)) assert.ok(d.exempt.length >= 10, `${k}: say why it is exempt`);
  });

  // The entries a request added (ids only grow).
  async function entriesOf(req: Request, client: TestClient): Promise<{ status: number; added: AuditEntry[] }> {
    const k = t.ctx.db.kysely;
    const last = await k
      .selectFrom('audit_log')
      .select((eb) => eb.fn.max('id').as('id'))
      .executeTakeFirst();
    const res = await client.request(req.method, req.url, req.body, req.headers);
    const added = await k
      .selectFrom('audit_log')
      .selectAll()
      .where('id', '>', Number(last?.id ?? 0))
      .orderBy('id')
      .execute();
    return { status: res.status, added };
  }

  function requestOf(route: Route, query: string | undefined): Request {
    const req = requestFor(route, a.ids, a.ids, upload);
    const body = (READ_ROUTES[key(route)] as Logged | undefined)?.body ? { mode: 'qr', userIds: [a.userIds.student] } : req.body;
    return { ...req, body, url: query ? `${req.url}${req.url.includes('?') ? '&' : '?'}${query}` : req.url };
  }

  function expectedTarget(d: Logged): [string, string] {
    switch (d.target) {
      case 'user':
        return ['user', a.ids.user];
      case 'class':
        return ['class', a.ids.class];
      case 'run':
        return ['run', a.ids.run];
      case 'customer':
        return ['customer', a.id];
      case 'platform':
        return ['platform', 'all'];
      case 'users':
        return ['users', '1 users'];
    }
  }

  it('each logging route writes exactly one entry about the right record and person; its quiet request none', async () => {
    let logged = 0;
    for (const route of routes) {
      const d = READ_ROUTES[key(route)];
      if (!d || !isLogged(d)) continue;
      const client = clients[route.scope];
      const { status, added } = await entriesOf(requestOf(route, d.query), client);
      assert.ok(status < 400, `${key(route)} answered ${status}`);
      assert.equal(added.length, 1, `${key(route)} wrote ${added.length} entries: ${JSON.stringify(added)}`);
      const [entry] = added as [AuditEntry];
      const [targetType, targetId] = expectedTarget(d);
      assert.deepEqual(
        { action: entry.action, kind: entry.kind, customer: entry.customer_id, target: [entry.target_type, entry.target_id] },
        { action: d.action, kind: d.kind, customer: d.target === 'platform' ? null : a.id, target: [targetType, targetId] },
        key(route),
      );
      const person = route.path.includes('login-cards') ? a.userIds.student : a.ids.user;
      assert.equal(entry.subject_user_id, d.subject ? person : null, `${key(route)}: the person it is about`);
      assert.equal(entry.actor_label, route.scope === 'customer' ? a.logins.customer_admin : 'root@lectern.test', key(route));
      // Field names only: never a search text, a name or a login.
      for (const field of JSON.parse(entry.fields) as string[]) assert.match(field, /^[a-zA-Z]+(:\d+)?$/, `${key(route)}: field ${field}`);
      if (d.quiet) {
        const quiet = await entriesOf(requestOf(route, d.quiet.query), client);
        assert.ok(quiet.status < 400, `${key(route)}?${d.quiet.query} answered ${quiet.status}`);
        assert.deepEqual(quiet.added, [], `${key(route)}?${d.quiet.query} is quiet: ${d.quiet.why}`);
      }
      logged++;
    }
    assert.equal(logged, Object.values(READ_ROUTES).filter(isLogged).length, 'every logging decision was called');
  });

  it('each exempt route writes no entry', async () => {
    for (const route of routes) {
      const d = READ_ROUTES[key(route)];
      if (!d || isLogged(d)) continue;
      const { status, added } = await entriesOf(requestOf(route, undefined), clients[route.scope]);
      assert.ok(status < 500, `${key(route)} answered ${status}`);
      assert.deepEqual(added, [], `${key(route)} is exempt (${d.exempt}) but wrote entries`);
    }
  });

  it('a refused read logs nothing: an institute admin outside the school, a teacher, another customer', async () => {
    const b = await seedTenant(t.ctx, `auditb${dialect.slice(0, 2)}`);
    const teacher = await t.client().login(a.logins.teacher, WALL_PASSWORD);
    const other = await t.client().login(b.logins.customer_admin, WALL_PASSWORD);
    // A's institute admin has no school: every person of A is outside their scope.
    const institute = await t.client().login(a.logins.institute_admin, WALL_PASSWORD);
    for (const route of routes) {
      const d = READ_ROUTES[key(route)];
      if (!d || !isLogged(d) || route.scope !== 'customer') continue;
      for (const [who, client] of [['teacher', teacher], ["B's admin", other], ...(d.target === 'user' || d.target === 'class' ? [['institute admin', institute] as const] : [])] as const) {
        const { status, added } = await entriesOf(requestOf(route, d.query), client);
        assert.ok(status >= 400, `${who}: ${key(route)} answered ${status}`);
        assert.deepEqual(added, [], `${who}: ${key(route)} was refused, and logged`);
      }
    }
  });
});
