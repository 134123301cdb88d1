/*
 * The Audit API: who sees which entries (the enterprise admin all, a customer admin their own
 * customer's whatever they put in the filters, nobody else any), each filter alone and together,
 * paging, and the CSV (the same filters, newest first, streamed past a batch, formula cells
 * defused, the download logged).
 */
import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { ADMIN_EMAIL, describeEachDialect, startTestApp, type TestApp, type TestClient } from '../../../../test/helpers/app.js';
import { assertError } from '../../../../test/helpers/assertions.js';
import { WALL_PASSWORD, seedTenant, type Tenant } from '../../../../test/walls/tenant.js';
import { operatorActor } from '../../../accounts/policy.js';
import { AuditService } from '../../../audit/audit-service.js';

interface Entry {
  id: number;
  at: string;
  kind: 'read' | 'write';
  action: string;
  customer: { id: string; code: string; name: string } | null;
  actor: { id: string | null; label: string };
  target: { type: string; id: string };
  person: { id: string; login: string | null; name: string | null } | null;
  fields: string[];
}
interface EntryPage {
  items: Entry[];
  total: number;
  page: number;
  pageSize: number;
}

// CSV rows as arrays of cells (RFC 4180: quoted cells may hold commas, quotes and line breaks).
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(cell);
      cell = '';
    } else if (c === '\r' && text[i + 1] === '\n') {
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
      i++;
    } else cell += c;
  }
  return rows;
}

describeEachDialect('Audit API', (dialect) => {
  let t: TestApp;
  let a: Tenant;
  let b: Tenant;
  let enterprise: TestClient;
  let aAdmin: TestClient;
  let bAdmin: TestClient;
  const d = dialect.slice(0, 2);

  before(async () => {
    t = await startTestApp(dialect);
    a = await seedTenant(t.ctx, `aua${d}`);
    b = await seedTenant(t.ctx, `aub${d}`);
    enterprise = await t.asAdmin();
    aAdmin = await t.client().login(a.logins.customer_admin, WALL_PASSWORD);
    bAdmin = await t.client().login(b.logins.customer_admin, WALL_PASSWORD);
    // Reads of each customer's people by its own admin, and of A's by the enterprise admin.
    assert.equal((await aAdmin.get(`/api/customers/${a.id}/users/${a.ids.user}`)).status, 200);
    assert.equal((await aAdmin.get(`/api/customers/${a.id}/classes/${a.ids.class}`)).status, 200);
    assert.equal((await bAdmin.get(`/api/customers/${b.id}/users/${b.ids.user}`)).status, 200);
    assert.equal((await enterprise.get(`/api/customers/${a.id}/users/${a.ids.user}`)).status, 200);
  });
  after(() => t.close());

  const list = (client: TestClient, query = '') => client.get<EntryPage>(`/api/audit${query}`);
  const all = async (client: TestClient, query: string) => (await list(client, `?pageSize=500&${query}`)).body.items;

  it("the enterprise admin sees every customer's entries and the platform's, and filters by customer", async () => {
    const page = (await list(enterprise, '?pageSize=500')).body;
    const customers = new Set(page.items.map((e) => e.customer?.id ?? null));
    assert.ok(customers.has(a.id) && customers.has(b.id) && customers.has(null), [...customers].join());
    const onlyA = await all(enterprise, `customer=${a.id}`);
    assert.ok(onlyA.length > 0 && onlyA.every((e) => e.customer?.id === a.id));
    assert.deepEqual(onlyA[0]!.customer, { id: a.id, code: `code-aua${d}`, name: `School aua${d}` });
  });

  it("a customer admin sees only their customer's entries, whatever the filters name", async () => {
    const own = await all(aAdmin, '');
    assert.ok(own.length > 0 && own.every((e) => e.customer?.id === a.id));
    // B's customer, as a filter: as unknown as any id, in the list and in the CSV.
    assertError(await list(aAdmin, `?customer=${b.id}`), 404, 'NOT_FOUND');
    assertError(await aAdmin.get(`/api/audit.csv?customer=${b.id}`), 404, 'NOT_FOUND');
    assert.equal((await list(aAdmin, `?customer=${a.id}`)).status, 200);
    // B's person, actor and records by id or login: nothing.
    for (const query of [`person=${b.ids.user}`, `person=${encodeURIComponent(b.logins.student)}`, `actor=${encodeURIComponent(b.logins.customer_admin)}`, `actor=${b.userIds.customer_admin}`]) {
      assert.deepEqual(await all(aAdmin, query), [], query);
    }
    const csv = (await aAdmin.get<string>(`/api/audit.csv?person=${b.ids.user}`)).body;
    assert.equal(parseCsv(csv).length, 1, 'the header alone');
    const text = csv + JSON.stringify(own);
    for (const mark of [b.id, b.ids.user, b.tag]) assert.ok(!text.includes(mark), `${mark} shows`);
    // The enterprise admin's read of A's student is A's business: A sees it.
    assert.ok(own.some((e) => e.actor.label === ADMIN_EMAIL && e.action === 'user.viewed'));
  });

  it('institute admins, teachers, students and readers see none; without a session, nothing', async () => {
    for (const role of ['institute_admin', 'teacher', 'student', 'reader'] as const) {
      const client = await t.client().login(a.logins[role], WALL_PASSWORD);
      assertError(await list(client), 403, 'FORBIDDEN');
      assertError(await client.get('/api/audit.csv'), 403, 'FORBIDDEN');
    }
    assertError(await list(t.client()), 401, 'AUTH_REQUIRED');
    assertError(await t.client().get('/api/audit.csv'), 401, 'AUTH_REQUIRED');
  });

  it('filters by actor, action, person, kind and dates; pages', async () => {
    const k = t.ctx.db.kysely;
    // Entries at chosen times: three days of one customer, with the person and the kind set.
    const at = (day: string) => `2031-01-${day}T12:00:00.000Z`;
    const seeded = [
      { at: at('10'), action: 'user.viewed', kind: 'read' as const, subject: a.ids.user },
      { at: at('11'), action: 'user.updated', kind: 'write' as const, subject: a.ids.user },
      { at: at('12'), action: 'user_things.done', kind: 'write' as const, subject: null },
    ];
    for (const s of seeded) {
      await k
        .insertInto('audit_log')
        .values({
          customer_id: a.id,
          actor_user_id: a.userIds.customer_admin,
          actor_label: a.logins.customer_admin,
          action: s.action,
          target_type: s.subject ? 'user' : 'customer',
          target_id: s.subject ?? a.id,
          fields: '[]',
          at: s.at,
          kind: s.kind,
          subject_user_id: s.subject,
        })
        .execute();
    }
    // Within the seeded days unless the query says otherwise (the tenants' own entries are of today).
    const actions = async (query: string) => (await all(aAdmin, query.includes('from=') ? query : `from=2031-01-01&${query}`)).map((e) => e.action);
    assert.deepEqual(await actions(''), ['user_things.done', 'user.updated', 'user.viewed'], 'newest first');
    assert.deepEqual(await actions('action=user'), ['user.updated', 'user.viewed'], 'a prefix stops at a dot: user_things is not under user');
    assert.deepEqual(await actions('action=user.viewed'), ['user.viewed']);
    assert.deepEqual(await actions('action=user.view'), [], 'no partial words');
    assert.deepEqual(await actions('kind=write'), ['user_things.done', 'user.updated']);
    assert.deepEqual(await actions('kind=read'), ['user.viewed']);
    assert.deepEqual(await actions(`person=${a.ids.user}`), ['user.updated', 'user.viewed']);
    const rostered = await k.selectFrom('users').select('login').where('id', '=', a.ids.user).executeTakeFirstOrThrow();
    assert.deepEqual(await actions(`person=${encodeURIComponent(rostered.login)}`), ['user.updated', 'user.viewed'], 'by login too');
    assert.deepEqual(await actions(`actor=${encodeURIComponent(a.logins.customer_admin)}`), ['user_things.done', 'user.updated', 'user.viewed']);
    assert.deepEqual(await actions(`actor=${a.userIds.customer_admin}`), ['user_things.done', 'user.updated', 'user.viewed']);
    assert.deepEqual(await actions(`actor=${encodeURIComponent(ADMIN_EMAIL)}`), []);
    assert.deepEqual(await actions('to=2031-01-11'), ['user.viewed'], 'to is exclusive');
    assert.deepEqual(await actions('from=2031-01-11&to=2031-01-12'), ['user.updated']);
    assert.deepEqual(await actions('from=2031-01-11T12:00:00Z'), ['user_things.done', 'user.updated'], 'from is inclusive, times with their offset');
    assert.deepEqual(await actions('to=2031-01-11T13:00:00%2B01:00'), ['user.viewed'], 'an offset is honoured: 13:00+01:00 is 12:00Z, exclusive');
    assert.deepEqual(await actions(`kind=read&person=${a.ids.user}&action=user`), ['user.viewed'], 'filters combine');

    // The person's name comes from their account as it is now.
    const [viewed] = await all(aAdmin, 'from=2031-01-10&to=2031-01-11');
    assert.equal(viewed!.person?.id, a.ids.user);
    assert.equal(viewed!.person?.login, rostered.login);
    assert.match(viewed!.person?.name ?? '', new RegExp(`Pupil aua${d}`));

    // Paging: pages of one, total counted.
    const p2 = (await list(aAdmin, '?from=2031-01-01&pageSize=1&page=2')).body;
    assert.deepEqual({ total: p2.total, page: p2.page, pageSize: p2.pageSize, actions: p2.items.map((e) => e.action) }, { total: 3, page: 2, pageSize: 1, actions: ['user.updated'] });

    // Impossible dates answer a field error.
    assertError(await list(aAdmin, '?from=2031-02-31'), 400, 'VALIDATION_FAILED', ['from']);
    assertError(await list(aAdmin, '?to=yesterday'), 400, 'VALIDATION_FAILED', ['to']);
    assertError(await list(aAdmin, '?from=2031-01-12&to=2031-01-11'), 400, 'VALIDATION_FAILED', ['to']);
    assertError(await list(aAdmin, '?from=2031-01-10T12:00'), 400, 'VALIDATION_FAILED', ['from']);
    assertError(await list(aAdmin, '?kind=peek'), 400, 'VALIDATION_FAILED');
  });

  it('the CSV has the filtered entries, newest first, past a batch; formula cells are defused; the download is logged', async () => {
    const k = t.ctx.db.kysely;
    // 2,500 reads by an actor whose recorded label a spreadsheet would run, about a person with such a name.
    await k.updateTable('users').set({ given_name: '=HYPERLINK("http://evil.example")', family_name: '+1' }).where('id', '=', b.ids.user).execute();
    const audit = new AuditService(k);
    const actor = { ...operatorActor, label: '@SUM(1+1)' };
    for (let i = 0; i < 2500; i++) await audit.recordRead(actor, { customerId: b.id, action: 'user.viewed', targetType: 'user', targetId: b.ids.user, fields: [] });
    const res = await bAdmin.get<string>('/api/audit.csv?actor=%40SUM(1%2B1)');
    assert.equal(res.status, 200);
    assert.match(String(res.headers['content-type']), /^text\/csv/);
    assert.equal(res.headers['cache-control'], 'no-store');
    const rows = parseCsv(res.body);
    assert.deepEqual(rows[0], ['at', 'customer', 'actor', 'action', 'kind', 'targetType', 'targetId', 'personId', 'personName', 'personLogin', 'fields']);
    assert.equal(rows.length, 2501);
    const body = rows.slice(1);
    assert.ok(
      body.every((r) => r[1] === `code-aub${d}` && r[2] === "'@SUM(1+1)" && r[3] === 'user.viewed' && r[4] === 'read' && r[7] === b.ids.user),
      JSON.stringify(body[0]),
    );
    assert.equal(body[0]![8], `'=HYPERLINK("http://evil.example") +1`);
    const times = body.map((r) => r[0]!);
    assert.deepEqual([...times].sort().reverse(), times, 'newest first');
    // The download itself: one read entry, with the filters named and not their values.
    const [logged] = await all(bAdmin, 'action=audit.exported');
    assert.deepEqual(
      { kind: logged!.kind, actor: logged!.actor.label, target: logged!.target, fields: logged!.fields },
      {
        kind: 'read',
        actor: b.logins.customer_admin,
        target: { type: 'customer', id: b.id, name: null },
        fields: ['actor'],
      },
    );
    // The enterprise admin's export of everything is about the platform.
    assert.equal((await enterprise.get('/api/audit.csv?action=none.such')).status, 200);
    const [platform] = await all(enterprise, 'action=audit.exported&actor=' + encodeURIComponent(ADMIN_EMAIL));
    assert.deepEqual({ customer: platform!.customer, target: platform!.target }, { customer: null, target: { type: 'platform', id: 'all', name: null } });
  });

  it("the customer's audit trail stays a change history: reads are on the Audit page", async () => {
    const trail = (await enterprise.get<{ action: string }[]>(`/api/customers/${a.id}/audit?pageSize=100`)).body;
    assert.ok(trail.length > 0);
    assert.ok(!trail.some((e) => e.action === 'user.viewed' || e.action === 'class.roster_viewed'), JSON.stringify(trail.map((e) => e.action)));
  });
});
