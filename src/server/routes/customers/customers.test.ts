import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { DateTime } from 'luxon';
import { ADMIN_EMAIL, describeEachDialect, seedCustomer, startTestApp, type TestApp, type TestClient } from '../../../../test/helpers/app.js';
import { allRowsAsText, assertError, assertNothingStored, customerSnapshot, fieldIssue, storedCounts } from '../../../../test/helpers/assertions.js';
import { customerBody } from '../../../../test/helpers/factories.js';
import { secretContext } from '../../../customers/customer-service.js';

type Obj = Record<string, unknown>;

interface CustomerView {
  id: string;
  status: 'active' | 'disabled';
  profile: { name: string; code: string; timeZone: string };
  administrator: { firstName: string; lastName: string; email: string; phone: string; userId: string | null };
  address: Obj;
  lti: { version: string; consumerKey: string; launchUrl: string; sharedSecretSet: boolean; sharedSecret?: string };
  rostering: {
    type: string;
    syncType: string | null;
    matchWith: string | null;
    syncFrequency: string | null;
    period: string | null;
    nextRunAt: string | null;
    clientPartnerId: string | null;
    authorization: string | null;
    consumerKey: string;
    secretKeySet: boolean;
    url: string;
    tokenUrl: string;
    scope: string;
    sftp: { host: string; port: number | null; username: string; passwordSet: boolean; path: string; fileName: string };
  };
  createdAt: string;
  updatedAt: string;
}

interface Created extends CustomerView {
  lti: CustomerView['lti'] & { sharedSecret: string };
}

interface AuditEntryView {
  id: number;
  at: string;
  actor: string;
  action: string;
  targetType: string;
  targetId: string;
  fields: string[];
}

/** A deep copy of `body` with dotted paths set (`undefined` deletes the key). */
function edit(body: object, edits: Record<string, unknown>): Obj {
  const copy = structuredClone(body) as Obj;
  for (const [path, value] of Object.entries(edits)) {
    const keys = path.split('.');
    let node = copy;
    for (const k of keys.slice(0, -1)) {
      if (!node[k] || typeof node[k] !== 'object') node[k] = {};
      node = node[k] as Obj;
    }
    const last = keys[keys.length - 1]!;
    if (value === undefined) delete node[last];
    else node[last] = value;
  }
  return copy;
}

/** A valid "Sync With API" body for one authorization method. */
function apiBody(authorization: string, extra: Record<string, unknown> = {}): Obj {
  return edit(customerBody(), {
    'rostering.syncType': 'api',
    'rostering.syncFrequency': 'auto',
    'rostering.period': 'daily',
    'rostering.authorization': authorization,
    'rostering.url': 'https://sis.lincoln.example/ims/oneroster/v1p1',
    'rostering.consumerKey': 'lincoln-api-key',
    'rostering.secretKey': `api-secret-${authorization}-${Math.random().toString(36).slice(2)}`,
    'rostering.sftp': undefined,
    ...extra,
  });
}

/** The first Sunday 02:00 in America/Chicago strictly after `now`, computed day by day. */
function nextSunday2amChicago(now: Date): string {
  let day = DateTime.fromJSDate(now, { zone: 'America/Chicago' }).startOf('day');
  for (;;) {
    const at = day.set({ hour: 2 });
    if (day.weekday === 7 && at.toMillis() > now.getTime()) return at.toUTC().toISO()!;
    day = day.plus({ days: 1 });
  }
}

describeEachDialect('Customers API', (dialect) => {
  let t: TestApp;
  let admin: TestClient;

  before(async () => {
    t = await startTestApp(dialect);
    admin = await t.asAdmin();
  });
  after(() => t.close());

  const create = (body: unknown) => admin.post<Created>('/api/customers', body);
  const sealedRow = (id: string) => t.ctx.db.kysely.selectFrom('rostering_configs').selectAll().where('customer_id', '=', id).executeTakeFirstOrThrow();

  describe('POST /api/customers accepts valid customers', () => {
    it('adds an SFTP + Auto + Weekly customer, shows the LTI secret once, seals the SFTP password', async () => {
      const body = customerBody();
      const before = new Date();
      const res = await create(body);
      const afterRequest = new Date();
      assert.equal(res.status, 201, JSON.stringify(res.body));
      const c = res.body;
      assert.equal(c.status, 'active');
      assert.deepEqual(c.profile, body.profile);
      assert.equal(c.administrator.email, body.administrator.email);
      assert.match(c.lti.sharedSecret, /^[A-Za-z0-9_-]{32}$/);
      assert.match(c.lti.consumerKey, new RegExp(`^${body.profile.code}-[0-9a-f]{8}$`));
      assert.equal(c.lti.launchUrl, 'http://lectern.test/lti/launch');
      assert.equal(c.lti.version, '1.1');
      assert.deepEqual(
        { type: c.rostering.type, syncType: c.rostering.syncType, matchWith: c.rostering.matchWith, syncFrequency: c.rostering.syncFrequency, period: c.rostering.period },
        { type: 'oneroster', syncType: 'sftp', matchWith: 'identifier', syncFrequency: 'auto', period: 'weekly' },
      );
      assert.deepEqual(c.rostering.sftp, {
        host: 'sftp.lincoln.example',
        port: 22,
        username: 'roster',
        passwordSet: true,
        privateKeySet: false,
        path: '/uploads',
        fileName: 'roster.zip',
        hostKeyFingerprint: '',
      });

      // Next run: the next Sunday at 02:00 on the customer's clock.
      assert.ok(c.rostering.nextRunAt);
      assert.ok([nextSunday2amChicago(before), nextSunday2amChicago(afterRequest)].includes(c.rostering.nextRunAt), c.rostering.nextRunAt);
      const local = DateTime.fromISO(c.rostering.nextRunAt, { zone: 'America/Chicago' });
      assert.deepEqual([local.weekday, local.hour, local.minute], [7, 2, 0]);
      assert.ok(local.toMillis() > before.getTime() && local.toMillis() <= afterRequest.getTime() + 7 * 86_400_000);

      const again = await admin.get<CustomerView>(`/api/customers/${c.id}`);
      assert.equal(again.status, 200);
      const text = JSON.stringify(again.body);
      assert.ok(!text.includes(c.lti.sharedSecret), 'GET never returns the LTI shared secret');
      assert.ok(!text.includes(body.rostering.sftp.password), 'GET never returns the SFTP password');
      assert.ok(!text.includes(body.administrator.password), 'GET never returns the admin password');
      assert.equal(again.body.lti.sharedSecretSet, true);
      assert.equal(again.body.rostering.nextRunAt, c.rostering.nextRunAt);

      const row = await sealedRow(c.id);
      assert.notEqual(row.sftp_password_enc, body.rostering.sftp.password);
      assert.equal(t.ctx.secrets.open(row.sftp_password_enc!, secretContext(c.id, 'sftp_password')), body.rostering.sftp.password);
      const cust = await t.ctx.db.kysely.selectFrom('customers').selectAll().where('id', '=', c.id).executeTakeFirstOrThrow();
      assert.equal(t.ctx.secrets.open(cust.lti_shared_secret_enc, secretContext(c.id, 'lti_shared_secret')), c.lti.sharedSecret);
    });

    it('creates the customer admin from the Administrator details, who signs in, chooses their own password and reaches their customer', async () => {
      const body = customerBody({ administrator: { firstName: 'Grace', lastName: 'Hopper', phone: '+1 (402) 555-0100' } });
      const res = await create(body);
      assert.equal(res.status, 201, JSON.stringify(res.body));
      const ca = t.client();
      const login = await ca.post<{ user: { id: string; role: string; customerId: string; email: string; givenName: string; familyName: string; mustChangePassword: boolean } }>('/api/auth/login', {
        login: body.administrator.email,
        password: body.administrator.password,
      });
      assert.equal(login.status, 200, JSON.stringify(login.body));
      assert.deepEqual(login.body.user, {
        ...login.body.user,
        role: 'customer_admin',
        customerId: res.body.id,
        email: body.administrator.email,
        givenName: 'Grace',
        familyName: 'Hopper',
        mustChangePassword: true,
      });
      assert.equal(res.body.administrator.userId, login.body.user.id);
      assertError(await ca.get(`/api/customers/${res.body.id}/users`), 403, 'PASSWORD_CHANGE_REQUIRED');
      assert.equal((await ca.post('/api/auth/password', { currentPassword: body.administrator.password, newPassword: 'Graces-own-pw-1' })).status, 204);
      const users = await ca.get<{ items: { email: string; role: string }[]; total: number }>(`/api/customers/${res.body.id}/users`);
      assert.equal(users.status, 200);
      assert.deepEqual(
        users.body.items.map((u) => [u.email, u.role]),
        [[body.administrator.email, 'customer_admin']],
      );
    });

    for (const authorization of ['oauth1-hmac-sha256', 'oauth1-hmac-sha1', 'oauth2-client-credentials']) {
      it(`adds a Sync With API customer with ${authorization}`, async () => {
        const oauth2 = authorization === 'oauth2-client-credentials';
        const body = apiBody(authorization, oauth2 ? { 'rostering.tokenUrl': 'https://sis.lincoln.example/oauth/token', 'rostering.scope': 'roster-core.readonly' } : {});
        const secret = (body.rostering as { secretKey: string }).secretKey;
        const res = await create(body);
        assert.equal(res.status, 201, JSON.stringify(res.body));
        const r = res.body.rostering;
        assert.deepEqual(
          { syncType: r.syncType, authorization: r.authorization, url: r.url, consumerKey: r.consumerKey, secretKeySet: r.secretKeySet, tokenUrl: r.tokenUrl, scope: r.scope, period: r.period },
          {
            syncType: 'api',
            authorization,
            url: 'https://sis.lincoln.example/ims/oneroster/v1p1',
            consumerKey: 'lincoln-api-key',
            secretKeySet: true,
            tokenUrl: oauth2 ? 'https://sis.lincoln.example/oauth/token' : '',
            scope: oauth2 ? 'roster-core.readonly' : '',
            period: 'daily',
          },
        );
        assert.equal(r.sftp.passwordSet, false);
        assert.equal(r.sftp.host, '');
        const local = DateTime.fromISO(r.nextRunAt!, { zone: 'America/Chicago' });
        assert.deepEqual([local.hour, local.minute], [2, 0], 'daily runs at 02:00 local');
        assert.ok(!JSON.stringify(res.body).includes(secret), 'the API secret is write-only');
        const row = await sealedRow(res.body.id);
        assert.equal(t.ctx.secrets.open(row.api_secret_enc!, secretContext(res.body.id, 'api_secret')), secret);
        assert.equal(row.sftp_password_enc, null);
      });
    }

    it('adds a ZIP Upload customer (manual) and drops the SFTP fields it does not use', async () => {
      const body = customerBody({ rostering: { syncType: 'zip', syncFrequency: 'manual' } });
      const res = await create(body);
      assert.equal(res.status, 201, JSON.stringify(res.body));
      const r = res.body.rostering;
      assert.deepEqual(
        { syncType: r.syncType, syncFrequency: r.syncFrequency, period: r.period, nextRunAt: r.nextRunAt, clientPartnerId: r.clientPartnerId, passwordSet: r.sftp.passwordSet, host: r.sftp.host },
        { syncType: 'zip', syncFrequency: 'manual', period: null, nextRunAt: null, clientPartnerId: body.rostering.clientPartnerId, passwordSet: false, host: '' },
      );
      const row = await sealedRow(res.body.id);
      assert.equal(row.sftp_password_enc, null, 'an SFTP password sent with a ZIP customer is not stored');
      assert.ok(!(await allRowsAsText(t.ctx)).includes(body.rostering.sftp.password));
    });

    it('stores a time zone typed in another case under its IANA name', async () => {
      const res = await create(customerBody({ profile: { timeZone: 'america/chicago' } }));
      assert.equal(res.status, 201, JSON.stringify(res.body));
      assert.equal(res.body.profile.timeZone, 'America/Chicago');
      const patched = await admin.patch<CustomerView>(`/api/customers/${res.body.id}`, { profile: { timeZone: 'europe/berlin' } });
      assert.equal(patched.status, 200, JSON.stringify(patched.body));
      assert.equal(patched.body.profile.timeZone, 'Europe/Berlin');
      assert.equal((await admin.get<CustomerView>(`/api/customers/${res.body.id}`)).body.profile.timeZone, 'Europe/Berlin');
    });

    it('adds a customer with Rostering type None', async () => {
      const body = { ...customerBody(), rostering: { type: 'none' } };
      const res = await create(body);
      assert.equal(res.status, 201, JSON.stringify(res.body));
      const r = res.body.rostering;
      assert.deepEqual(
        { type: r.type, syncType: r.syncType, syncFrequency: r.syncFrequency, period: r.period, nextRunAt: r.nextRunAt, clientPartnerId: r.clientPartnerId, secretKeySet: r.secretKeySet },
        { type: 'none', syncType: null, syncFrequency: null, period: null, nextRunAt: null, clientPartnerId: null, secretKeySet: false },
      );
      assert.match(res.body.lti.sharedSecret, /^[A-Za-z0-9_-]{32}$/);
    });
  });

  describe('POST /api/customers rejects bad input with a field-level 400 and stores nothing', () => {
    let existing: ReturnType<typeof customerBody>;
    before(async () => {
      existing = customerBody();
      const res = await create(existing);
      assert.equal(res.status, 201, JSON.stringify(res.body));
    });

    const sftp = (edits: Record<string, unknown>) => () => edit(customerBody(), edits);
    const cases: { name: string; body: () => unknown; fields: string[]; code?: string }[] = [
      { name: 'invalid administrator email', body: sftp({ 'administrator.email': 'not-an-email' }), fields: ['administrator.email'], code: 'format' },
      { name: 'administrator email with a space', body: sftp({ 'administrator.email': 'ada park@lincoln.example' }), fields: ['administrator.email'], code: 'format' },
      { name: 'unknown time zone', body: sftp({ 'profile.timeZone': 'Mars/Olympus_Mons' }), fields: ['profile.timeZone'], code: 'unknown_time_zone' },
      { name: 'SFTP without host', body: sftp({ 'rostering.sftp.host': '' }), fields: ['rostering.sftp.host'], code: 'required' },
      { name: 'SFTP without username', body: sftp({ 'rostering.sftp.username': undefined }), fields: ['rostering.sftp.username'], code: 'required' },
      { name: 'SFTP without password', body: sftp({ 'rostering.sftp.password': '' }), fields: ['rostering.sftp.password'], code: 'required' },
      { name: 'SFTP without path', body: sftp({ 'rostering.sftp.path': '  ' }), fields: ['rostering.sftp.path'], code: 'required' },
      { name: 'SFTP without file name', body: sftp({ 'rostering.sftp.fileName': undefined }), fields: ['rostering.sftp.fileName'], code: 'required' },
      {
        name: 'SFTP with no SFTP settings at all',
        body: sftp({ 'rostering.sftp': undefined }),
        fields: ['rostering.sftp.host', 'rostering.sftp.username', 'rostering.sftp.password', 'rostering.sftp.path', 'rostering.sftp.fileName'],
      },
      { name: 'SFTP host with a scheme', body: sftp({ 'rostering.sftp.host': 'sftp://sftp.lincoln.example' }), fields: ['rostering.sftp.host'], code: 'format' },
      { name: 'SFTP file name with a folder', body: sftp({ 'rostering.sftp.fileName': 'in/roster.zip' }), fields: ['rostering.sftp.fileName'], code: 'format' },
      { name: 'SFTP port 0', body: sftp({ 'rostering.sftp.port': 0 }), fields: ['rostering.sftp.port'], code: 'out_of_range' },
      { name: 'SFTP port 70000', body: sftp({ 'rostering.sftp.port': 70000 }), fields: ['rostering.sftp.port'], code: 'out_of_range' },
      { name: 'SFTP port as text', body: sftp({ 'rostering.sftp.port': '22' }), fields: ['rostering.sftp.port'], code: 'type' },
      { name: 'API without URL', body: () => apiBody('oauth1-hmac-sha256', { 'rostering.url': '' }), fields: ['rostering.url'], code: 'required' },
      { name: 'API without consumer key', body: () => apiBody('oauth1-hmac-sha256', { 'rostering.consumerKey': '' }), fields: ['rostering.consumerKey'], code: 'required' },
      { name: 'API without secret key', body: () => apiBody('oauth1-hmac-sha256', { 'rostering.secretKey': '' }), fields: ['rostering.secretKey'], code: 'required' },
      { name: 'API without authorization', body: () => apiBody('oauth1-hmac-sha256', { 'rostering.authorization': undefined }), fields: ['rostering.authorization'], code: 'required' },
      { name: 'API with an unknown authorization', body: () => apiBody('basic'), fields: ['rostering.authorization'], code: 'enum' },
      { name: 'OAuth 2 without token URL', body: () => apiBody('oauth2-client-credentials'), fields: ['rostering.tokenUrl'], code: 'required' },
      {
        name: 'OAuth 2 with an ftp token URL',
        body: () => apiBody('oauth2-client-credentials', { 'rostering.tokenUrl': 'ftp://sis.lincoln.example/token' }),
        fields: ['rostering.tokenUrl'],
        code: 'url_scheme',
      },
      { name: 'API URL with ftp://', body: () => apiBody('oauth1-hmac-sha1', { 'rostering.url': 'ftp://sis.lincoln.example/oneroster' }), fields: ['rostering.url'], code: 'url_scheme' },
      { name: 'API URL with javascript:', body: () => apiBody('oauth1-hmac-sha1', { 'rostering.url': 'javascript:alert(1)' }), fields: ['rostering.url'], code: 'url_scheme' },
      { name: 'API URL that is not a URL', body: () => apiBody('oauth1-hmac-sha1', { 'rostering.url': 'sis.lincoln.example' }), fields: ['rostering.url'], code: 'url_scheme' },
      {
        name: 'API URL with credentials in it',
        body: () => apiBody('oauth1-hmac-sha1', { 'rostering.url': 'https://user:pw@sis.lincoln.example/' }),
        fields: ['rostering.url'],
        code: 'url_credentials',
      },
      { name: 'Auto without a period', body: sftp({ 'rostering.period': undefined }), fields: ['rostering.period'], code: 'required' },
      { name: 'an unknown period', body: sftp({ 'rostering.period': 'fortnightly' }), fields: ['rostering.period'], code: 'enum' },
      { name: 'Auto with ZIP Upload', body: sftp({ 'rostering.syncType': 'zip', 'rostering.syncFrequency': 'auto' }), fields: ['rostering.syncFrequency'], code: 'auto_not_allowed' },
      {
        name: 'ZIP Upload without Client Partner ID',
        body: sftp({ 'rostering.syncType': 'zip', 'rostering.syncFrequency': 'manual', 'rostering.clientPartnerId': ' ' }),
        fields: ['rostering.clientPartnerId'],
        code: 'required',
      },
      {
        name: 'ZIP Upload, Auto, without Client Partner ID',
        body: sftp({ 'rostering.syncType': 'zip', 'rostering.syncFrequency': 'auto', 'rostering.clientPartnerId': undefined }),
        fields: ['rostering.syncFrequency', 'rostering.clientPartnerId'],
      },
      { name: 'OneRoster without sync type', body: sftp({ 'rostering.syncType': undefined }), fields: ['rostering.syncType'], code: 'required' },
      { name: 'OneRoster without match with', body: sftp({ 'rostering.matchWith': undefined }), fields: ['rostering.matchWith'], code: 'required' },
      { name: 'an unknown key at the top level', body: sftp({ isPlatformAdmin: true }), fields: ['isPlatformAdmin'], code: 'unknown_field' },
      { name: 'an unknown key inside rostering.sftp', body: sftp({ 'rostering.sftp.passphrase': 'x' }), fields: ['rostering.sftp.passphrase'], code: 'unknown_field' },
      { name: 'a private key that is not one', body: sftp({ 'rostering.sftp.privateKey': 'ssh-ed25519 AAAA… (a public key)' }), fields: ['rostering.sftp.privateKey'], code: 'format' },
      { name: 'an unknown key inside profile', body: sftp({ 'profile.plan': 'gold' }), fields: ['profile.plan'], code: 'unknown_field' },
      { name: 'terms not accepted', body: sftp({ acceptTerms: false }), fields: ['acceptTerms'], code: 'terms_not_accepted' },
      { name: 'terms missing', body: sftp({ acceptTerms: undefined }), fields: ['acceptTerms'], code: 'required' },
      { name: 'terms as text', body: sftp({ acceptTerms: 'yes' }), fields: ['acceptTerms'], code: 'type' },
      { name: 'a short administrator password', body: sftp({ 'administrator.password': 'Short-1' }), fields: ['administrator.password'], code: 'weak_password' },
      { name: 'a letters-only administrator password', body: sftp({ 'administrator.password': 'abcdefghijklmnop' }), fields: ['administrator.password'], code: 'weak_password' },
      { name: 'a customer code with spaces and capitals', body: sftp({ 'profile.code': 'Lincoln USD' }), fields: ['profile.code'], code: 'pattern' },
      { name: 'a missing customer name', body: sftp({ 'profile.name': '' }), fields: ['profile.name'], code: 'required' },
      { name: 'a three-letter country', body: sftp({ 'address.country': 'USA' }), fields: ['address.country'], code: 'pattern' },
      { name: 'an LTI version other than 1.1, 1.3 or both', body: sftp({ 'lti.version': '2.0' }), fields: ['lti.version'], code: 'enum' },
      { name: 'an empty body', body: () => ({}), fields: ['profile', 'administrator', 'address', 'lti', 'rostering', 'acceptTerms'], code: 'required' },
    ];

    for (const c of cases) {
      it(`rejects ${c.name}`, async () => {
        await assertNothingStored(t, async () => {
          const res = await create(c.body());
          assertError(res, 400, 'VALIDATION_FAILED', c.fields);
          if (c.code) for (const f of c.fields) assert.equal(fieldIssue(res, f).code, c.code, `code of ${f}`);
        });
      });
    }

    it('rejects a duplicate customer code', async () => {
      await assertNothingStored(t, async () => {
        const res = await create(edit(customerBody(), { 'profile.code': existing.profile.code }));
        assertError(res, 400, 'VALIDATION_FAILED', ['profile.code']);
        assert.equal(fieldIssue(res, 'profile.code').code, 'duplicate');
      });
    });

    it('rejects a duplicate Client Partner ID', async () => {
      await assertNothingStored(t, async () => {
        const res = await create(edit(customerBody(), { 'rostering.clientPartnerId': existing.rostering.clientPartnerId }));
        assertError(res, 400, 'VALIDATION_FAILED', ['rostering.clientPartnerId']);
        assert.equal(fieldIssue(res, 'rostering.clientPartnerId').code, 'duplicate');
      });
    });

    it('rejects an administrator email that already has an account, whatever its case', async () => {
      for (const email of [existing.administrator.email, existing.administrator.email.toUpperCase(), ADMIN_EMAIL]) {
        await assertNothingStored(t, async () => {
          const res = await create(edit(customerBody(), { 'administrator.email': email }));
          assertError(res, 400, 'VALIDATION_FAILED', ['administrator.email']);
          assert.equal(fieldIssue(res, 'administrator.email').code, 'duplicate');
        });
      }
    });

    it('reports every duplicate at once', async () => {
      await assertNothingStored(t, async () => {
        const res = await create(
          edit(customerBody(), { 'profile.code': existing.profile.code, 'rostering.clientPartnerId': existing.rostering.clientPartnerId, 'administrator.email': existing.administrator.email }),
        );
        assertError(res, 400, 'VALIDATION_FAILED', ['profile.code', 'rostering.clientPartnerId', 'administrator.email']);
      });
    });

    it('two adds racing for the same code, Client Partner ID or admin email: one wins, the other gets the field error', async () => {
      const pairs: [ReturnType<typeof customerBody>, Obj, string][] = [];
      const first = customerBody();
      pairs.push([first, edit(customerBody(), { 'profile.code': first.profile.code }), 'profile.code']);
      const second = customerBody();
      pairs.push([second, edit(customerBody(), { 'rostering.clientPartnerId': second.rostering.clientPartnerId }), 'rostering.clientPartnerId']);
      const third = customerBody();
      pairs.push([third, edit(customerBody(), { 'administrator.email': third.administrator.email }), 'administrator.email']);
      for (const [one, other, field] of pairs) {
        const before = await storedCounts(t.ctx);
        const results = await Promise.all([create(one), create(other)]);
        assert.deepEqual(results.map((r) => r.status).sort(), [201, 400], JSON.stringify(results.map((r) => r.body)));
        const loser = results.find((r) => r.status === 400)!;
        assertError(loser, 400, 'VALIDATION_FAILED', [field]);
        assert.equal(fieldIssue(loser, field).code, 'duplicate');
        const after = await storedCounts(t.ctx);
        assert.deepEqual([after.customers, after.users, after.rostering_configs], [before.customers + 1, before.users + 1, before.rostering_configs + 1]);
      }
    });

    it('rejects a body that is not JSON with BAD_REQUEST', async () => {
      await assertNothingStored(t, async () => {
        const res = await admin.request('POST', '/api/customers', '{"profile":', { 'content-type': 'application/json' });
        assertError(res, 400, 'BAD_REQUEST');
      });
    });
  });

  describe('GET /api/customers lists with search, status filter and paging', () => {
    let a: Created;
    let b: Created;
    before(async () => {
      a = (await create(customerBody({ profile: { name: 'Zephyr Academy' } }))).body;
      b = (await create(customerBody({ profile: { name: 'Zephyr College' } }))).body;
    });

    it('finds customers by name, code, admin email and Client Partner ID', async () => {
      const search = async (q: string) => (await admin.get<{ items: CustomerView[]; total: number }>(`/api/customers?search=${encodeURIComponent(q)}`)).body;
      assert.deepEqual(
        (await search('zephyr')).items.map((c) => c.id),
        [a.id, b.id],
      );
      assert.deepEqual(
        (await search(a.profile.code)).items.map((c) => c.id),
        [a.id],
      );
      assert.deepEqual(
        (await search(b.administrator.email.toUpperCase())).items.map((c) => c.id),
        [b.id],
      );
      assert.deepEqual(
        (await search(a.rostering.clientPartnerId!)).items.map((c) => c.id),
        [a.id],
      );
      assert.equal((await search('zephyr%')).total, 0, 'a % in the search is taken literally');
    });

    it('pages and filters by status, and never shows secrets', async () => {
      const page1 = await admin.get<{ items: CustomerView[]; total: number; page: number; pageSize: number }>('/api/customers?search=zephyr&pageSize=1');
      assert.equal(page1.status, 200);
      assert.deepEqual({ ids: page1.body.items.map((c) => c.id), total: page1.body.total, page: page1.body.page, pageSize: page1.body.pageSize }, { ids: [a.id], total: 2, page: 1, pageSize: 1 });
      const page2 = await admin.get<{ items: CustomerView[] }>('/api/customers?search=zephyr&pageSize=1&page=2');
      assert.deepEqual(
        page2.body.items.map((c) => c.id),
        [b.id],
      );
      const all = await admin.get<{ items: CustomerView[] }>('/api/customers?pageSize=500');
      const text = JSON.stringify(all.body);
      assert.ok(!text.includes(a.lti.sharedSecret) && !text.includes(b.lti.sharedSecret));
      assert.equal((await admin.patch(`/api/customers/${b.id}`, { status: 'disabled' })).status, 200);
      const disabled = await admin.get<{ items: CustomerView[] }>('/api/customers?search=zephyr&status=disabled');
      assert.deepEqual(
        disabled.body.items.map((c) => c.id),
        [b.id],
      );
      const active = await admin.get<{ items: CustomerView[] }>('/api/customers?search=zephyr&status=active');
      assert.deepEqual(
        active.body.items.map((c) => c.id),
        [a.id],
      );
    });

    it('rejects unknown query parameters and bad paging with field paths', async () => {
      assertError(await admin.get('/api/customers?pageSize=0'), 400, 'VALIDATION_FAILED', ['query.pageSize']);
      assertError(await admin.get('/api/customers?status=deleted'), 400, 'VALIDATION_FAILED', ['query.status']);
      assertError(await admin.get('/api/customers?sort=name'), 400, 'VALIDATION_FAILED', ['query.sort']);
    });

    it('answers 404 NOT_FOUND for a customer that does not exist', async () => {
      assertError(await admin.get('/api/customers/00000000-0000-4000-8000-000000000000'), 404, 'NOT_FOUND');
      assertError(await admin.patch('/api/customers/no-such-customer', { profile: { name: 'X' } }), 404, 'NOT_FOUND');
      assertError(await admin.post('/api/customers/no-such-customer/lti/rotate'), 404, 'NOT_FOUND');
    });
  });

  describe('PATCH /api/customers/:id', () => {
    let body: ReturnType<typeof customerBody>;
    let c: Created;
    before(async () => {
      body = customerBody();
      const res = await create(body);
      assert.equal(res.status, 201, JSON.stringify(res.body));
      c = res.body;
    });
    const get = async () => (await admin.get<CustomerView>(`/api/customers/${c.id}`)).body;
    const audit = async () => (await admin.get<AuditEntryView[]>(`/api/customers/${c.id}/audit`)).body;
    const withoutTimes = (v: CustomerView) => ({ ...v, updatedAt: undefined, rostering: { ...v.rostering, nextRunAt: undefined } });

    it('a partial edit changes only the fields sent', async () => {
      const beforeView = await get();
      const beforeRow = await sealedRow(c.id);
      const res = await admin.patch<CustomerView>(`/api/customers/${c.id}`, { profile: { name: 'Lincoln Unified' }, address: { city: 'Omaha' } });
      assert.equal(res.status, 200, JSON.stringify(res.body));
      const expected = structuredClone(beforeView);
      expected.profile.name = 'Lincoln Unified';
      expected.address.city = 'Omaha';
      assert.deepEqual(withoutTimes(res.body), withoutTimes(expected));
      assert.deepEqual(withoutTimes(await get()), withoutTimes(expected));
      assert.deepEqual(await sealedRow(c.id), { ...beforeRow, updated_at: (await sealedRow(c.id)).updated_at }, 'rostering row unchanged');
      const [last] = await audit();
      assert.deepEqual(
        { actor: last?.actor, action: last?.action, fields: [...(last?.fields ?? [])].sort() },
        { actor: ADMIN_EMAIL, action: 'customer.updated', fields: ['address.city', 'profile.name'] },
      );
    });

    it('editing SFTP settings without a password keeps the stored one; an empty password keeps it too', async () => {
      const sealedBefore = (await sealedRow(c.id)).sftp_password_enc;
      const res = await admin.patch<CustomerView>(`/api/customers/${c.id}`, { rostering: { sftp: { host: 'sftp2.lincoln.example', password: '' } } });
      assert.equal(res.status, 200, JSON.stringify(res.body));
      assert.equal(res.body.rostering.sftp.host, 'sftp2.lincoln.example');
      assert.equal(res.body.rostering.sftp.passwordSet, true);
      assert.equal((await sealedRow(c.id)).sftp_password_enc, sealedBefore, 'the sealed password is untouched');
      const [last] = await audit();
      assert.deepEqual(last?.fields, ['rostering.sftp.host']);
    });

    it('replacing the SFTP password stores the new one sealed, and the audit names the field but not the value', async () => {
      const next = 'Next-sftp-Secret-77';
      const res = await admin.patch<CustomerView>(`/api/customers/${c.id}`, { rostering: { sftp: { password: next } } });
      assert.equal(res.status, 200, JSON.stringify(res.body));
      assert.ok(!JSON.stringify(res.body).includes(next));
      const row = await sealedRow(c.id);
      assert.equal(t.ctx.secrets.open(row.sftp_password_enc!, secretContext(c.id, 'sftp_password')), next);
      const trail = await audit();
      assert.deepEqual(trail[0]?.fields, ['rostering.sftp.password']);
      const text = JSON.stringify(trail);
      for (const secret of [next, body.rostering.sftp.password, body.administrator.password, c.lti.sharedSecret]) assert.ok(!text.includes(secret), 'no secret in the audit trail');
      assert.ok(!(await allRowsAsText(t.ctx)).includes(body.rostering.sftp.password), 'the replaced password is gone from the database');
    });

    it('rejects an invalid edit with a field path and changes nothing', async () => {
      const snap = await customerSnapshot(t.ctx, c.id);
      assertError(await admin.patch(`/api/customers/${c.id}`, { profile: { timeZone: 'Central Time' } }), 400, 'VALIDATION_FAILED', ['profile.timeZone']);
      assertError(await admin.patch(`/api/customers/${c.id}`, { rostering: { sftp: { port: 70000 } } }), 400, 'VALIDATION_FAILED', ['rostering.sftp.port']);
      assertError(await admin.patch(`/api/customers/${c.id}`, { rostering: { url: 'ftp://x.example', syncType: 'api' } }), 400, 'VALIDATION_FAILED', [
        'rostering.url',
        'rostering.consumerKey',
        'rostering.secretKey',
        'rostering.authorization',
      ]);
      assertError(await admin.patch(`/api/customers/${c.id}`, { administrator: { password: 'New-password-123' } }), 400, 'VALIDATION_FAILED', ['administrator.password']);
      assertError(await admin.patch(`/api/customers/${c.id}`, { status: 'deleted' }), 400, 'VALIDATION_FAILED', ['status']);
      assertError(await admin.patch(`/api/customers/${c.id}`, { id: 'other' }), 400, 'VALIDATION_FAILED', ['id']);
      assertError(await admin.patch(`/api/customers/${c.id}`, { rostering: { syncType: 'zip' } }), 400, 'VALIDATION_FAILED', ['rostering.syncFrequency']);
      assert.deepEqual(await customerSnapshot(t.ctx, c.id), snap);
    });

    it('rejects taking another customer code, Client Partner ID or admin email', async () => {
      const other = await seedCustomer(t.ctx);
      const snap = await customerSnapshot(t.ctx, c.id);
      const rejected = async (patch: unknown, field: string) => {
        const res = await admin.patch(`/api/customers/${c.id}`, patch);
        assertError(res, 400, 'VALIDATION_FAILED', [field]);
        assert.equal(fieldIssue(res, field).code, 'duplicate');
      };
      await rejected({ profile: { code: other.code } }, 'profile.code');
      await rejected({ rostering: { clientPartnerId: other.created.rostering.clientPartnerId } }, 'rostering.clientPartnerId');
      await rejected({ administrator: { email: other.adminEmail } }, 'administrator.email');
      assert.deepEqual(await customerSnapshot(t.ctx, c.id), snap);
    });

    it('changing the administrator email changes the admin sign-in', async () => {
      const email = `new-${c.profile.code}@lincoln.example`;
      const res = await admin.patch<CustomerView>(`/api/customers/${c.id}`, { administrator: { email } });
      assert.equal(res.status, 200, JSON.stringify(res.body));
      assert.equal(res.body.administrator.email, email);
      assertError(await t.client().post('/api/auth/login', { login: body.administrator.email, password: body.administrator.password }), 401, 'INVALID_CREDENTIALS');
      assert.equal((await t.client().post('/api/auth/login', { login: email, password: body.administrator.password })).status, 200);
    });

    it('switching SFTP to ZIP Upload drops the SFTP password from the database', async () => {
      const res = await admin.patch<CustomerView>(`/api/customers/${c.id}`, { rostering: { syncType: 'zip', syncFrequency: 'manual' } });
      assert.equal(res.status, 200, JSON.stringify(res.body));
      assert.deepEqual(
        {
          syncType: res.body.rostering.syncType,
          syncFrequency: res.body.rostering.syncFrequency,
          period: res.body.rostering.period,
          nextRunAt: res.body.rostering.nextRunAt,
          sftp: res.body.rostering.sftp,
        },
        {
          syncType: 'zip',
          syncFrequency: 'manual',
          period: null,
          nextRunAt: null,
          sftp: { host: '', port: null, username: '', passwordSet: false, privateKeySet: false, path: '', fileName: '', hostKeyFingerprint: '' },
        },
      );
      const row = await sealedRow(c.id);
      assert.equal(row.sftp_password_enc, null);
      assert.equal(row.sftp_host, '');
      assert.ok(!(await allRowsAsText(t.ctx)).includes('Next-sftp-Secret-77'));
      // Back to SFTP: the old password is gone, so a new one is required.
      assertError(
        await admin.patch(`/api/customers/${c.id}`, { rostering: { syncType: 'sftp', sftp: { host: 'sftp.lincoln.example', username: 'roster', path: '/up', fileName: 'r.zip' } } }),
        400,
        'VALIDATION_FAILED',
        ['rostering.sftp.password'],
      );
    });

    it('switching to Sync With API and back keeps or drops the API secret as the rules say', async () => {
      const secret = 'Api-Secret-Value-123';
      const toApi = await admin.patch<CustomerView>(`/api/customers/${c.id}`, {
        rostering: { syncType: 'api', syncFrequency: 'auto', period: 'hourly', url: 'https://sis.example/oneroster', consumerKey: 'ck', secretKey: secret, authorization: 'oauth1-hmac-sha1' },
      });
      assert.equal(toApi.status, 200, JSON.stringify(toApi.body));
      assert.equal(toApi.body.rostering.secretKeySet, true);
      const sealed = (await sealedRow(c.id)).api_secret_enc;
      const keep = await admin.patch<CustomerView>(`/api/customers/${c.id}`, { rostering: { consumerKey: 'ck2', secretKey: '' } });
      assert.equal(keep.status, 200, JSON.stringify(keep.body));
      assert.equal((await sealedRow(c.id)).api_secret_enc, sealed, 'an empty secret keeps the stored one');
      assert.equal(t.ctx.secrets.open(sealed!, secretContext(c.id, 'api_secret')), secret);
      const toZip = await admin.patch<CustomerView>(`/api/customers/${c.id}`, { rostering: { syncType: 'zip', syncFrequency: 'manual' } });
      assert.equal(toZip.status, 200, JSON.stringify(toZip.body));
      assert.equal((await sealedRow(c.id)).api_secret_enc, null);
      assert.ok(!(await allRowsAsText(t.ctx)).includes(secret));
    });

    it('can turn rostering off and on again', async () => {
      const off = await admin.patch<CustomerView>(`/api/customers/${c.id}`, { rostering: { type: 'none' } });
      assert.equal(off.status, 200, JSON.stringify(off.body));
      assert.deepEqual([off.body.rostering.type, off.body.rostering.syncType, off.body.rostering.clientPartnerId], ['none', null, null]);
      const on = await admin.patch<CustomerView>(`/api/customers/${c.id}`, {
        rostering: { type: 'oneroster', syncType: 'zip', syncFrequency: 'manual', matchWith: 'email', clientPartnerId: `ON-${c.profile.code}` },
      });
      assert.equal(on.status, 200, JSON.stringify(on.body));
      assert.deepEqual([on.body.rostering.type, on.body.rostering.syncType, on.body.rostering.matchWith], ['oneroster', 'zip', 'email']);
    });

    it('an edit that changes nothing writes no audit entry', async () => {
      const n = (await audit()).length;
      const res = await admin.patch<CustomerView>(`/api/customers/${c.id}`, { profile: { name: (await get()).profile.name } });
      assert.equal(res.status, 200);
      assert.equal((await audit()).length, n);
    });
  });

  describe('disabling a customer', () => {
    it("ends its admin's sessions and tokens, blocks sign-in with ACCOUNT_DISABLED, and re-enabling restores access", async () => {
      const seeded = await seedCustomer(t.ctx);
      const ca = await t.client().login(seeded.adminEmail, seeded.adminPassword);
      const token = await ca.post<{ token: string }>('/api/auth/tokens', { name: 'sync script' });
      assert.equal(token.status, 201);
      const bearer = t.client();
      bearer.bearer = token.body.token;
      assert.equal((await bearer.get(`/api/customers/${seeded.id}`)).status, 200);

      const off = await admin.patch<CustomerView>(`/api/customers/${seeded.id}`, { status: 'disabled' });
      assert.equal(off.status, 200, JSON.stringify(off.body));
      assert.equal(off.body.status, 'disabled');
      assertError(await ca.get('/api/auth/session'), 401, 'AUTH_REQUIRED');
      assertError(await ca.get(`/api/customers/${seeded.id}/users`), 401, 'AUTH_REQUIRED');
      assertError(await bearer.get(`/api/customers/${seeded.id}`), 401, 'AUTH_REQUIRED');
      const sessions = await t.ctx.db.kysely.selectFrom('sessions').innerJoin('users', 'users.id', 'sessions.user_id').select('sessions.id').where('users.customer_id', '=', seeded.id).execute();
      assert.equal(sessions.length, 0, 'sessions are deleted, not just refused');
      const denied = await t.client().post('/api/auth/login', { login: seeded.adminEmail, password: seeded.adminPassword });
      assertError(denied, 403, 'ACCOUNT_DISABLED');
      // The wrong password still answers INVALID_CREDENTIALS: a disabled account is not revealed without the password.
      assertError(await t.client().post('/api/auth/login', { login: seeded.adminEmail, password: 'Wrong-password-1' }), 401, 'INVALID_CREDENTIALS');

      const on = await admin.patch<CustomerView>(`/api/customers/${seeded.id}`, { status: 'active' });
      assert.equal(on.status, 200);
      assert.equal(on.body.status, 'active');
      const back = await t.client().login(seeded.adminEmail, seeded.adminPassword);
      assert.equal((await back.get(`/api/customers/${seeded.id}`)).status, 200);

      const trail = (await admin.get<AuditEntryView[]>(`/api/customers/${seeded.id}/audit`)).body;
      assert.deepEqual(
        trail.slice(0, 2).map((e) => [e.action, e.fields, e.actor]),
        [
          ['customer.enabled', ['status'], ADMIN_EMAIL],
          ['customer.disabled', ['status'], ADMIN_EMAIL],
        ],
      );
    });
  });

  describe('POST /api/customers/:id/lti/rotate', () => {
    it('returns a new shared secret once and no longer stores the old one', async () => {
      const created = (await create(customerBody())).body;
      const res = await admin.post<{ version: string; consumerKey: string; sharedSecret: string; launchUrl: string }>(`/api/customers/${created.id}/lti/rotate`);
      assert.equal(res.status, 200, JSON.stringify(res.body));
      assert.deepEqual({ ...res.body, sharedSecret: undefined }, { version: '1.1', consumerKey: created.lti.consumerKey, launchUrl: 'http://lectern.test/lti/launch', sharedSecret: undefined });
      assert.match(res.body.sharedSecret, /^[A-Za-z0-9_-]{32}$/);
      assert.notEqual(res.body.sharedSecret, created.lti.sharedSecret);
      const row = await t.ctx.db.kysely.selectFrom('customers').select('lti_shared_secret_enc').where('id', '=', created.id).executeTakeFirstOrThrow();
      assert.equal(t.ctx.secrets.open(row.lti_shared_secret_enc, secretContext(created.id, 'lti_shared_secret')), res.body.sharedSecret);
      const everything = await allRowsAsText(t.ctx);
      assert.ok(!everything.includes(created.lti.sharedSecret) && !everything.includes(res.body.sharedSecret));
      const view = await admin.get(`/api/customers/${created.id}`);
      assert.ok(!JSON.stringify(view.body).includes(res.body.sharedSecret));
      const [last] = (await admin.get<AuditEntryView[]>(`/api/customers/${created.id}/audit`)).body;
      assert.deepEqual([last?.action, last?.fields, last?.actor], ['customer.lti_secret_rotated', ['lti.sharedSecret'], ADMIN_EMAIL]);
    });
  });

  describe('GET /api/customers/:id/audit', () => {
    it('records the creation with the actor and no field values', async () => {
      const created = (await create(customerBody())).body;
      const res = await admin.get<AuditEntryView[]>(`/api/customers/${created.id}/audit`);
      assert.equal(res.status, 200);
      assert.equal(res.body.length, 1);
      const [entry] = res.body;
      assert.deepEqual(
        { ...entry, id: undefined, at: undefined },
        { id: undefined, at: undefined, actor: ADMIN_EMAIL, action: 'customer.created', targetType: 'customer', targetId: created.id, fields: [] },
      );
      assert.ok(Number.isFinite(Date.parse(entry!.at)));
    });
  });

  describe('only enterprise admins manage customers', () => {
    let seeded: Awaited<ReturnType<typeof seedCustomer>>;
    let ca: TestClient;
    before(async () => {
      seeded = await seedCustomer(t.ctx);
      ca = await t.client().login(seeded.adminEmail, seeded.adminPassword);
    });

    it('a customer admin cannot add, list, edit, disable or rotate customers (403 FORBIDDEN), even their own', async () => {
      const snap = await customerSnapshot(t.ctx, seeded.id);
      await assertNothingStored(t, async () => {
        assertError(await ca.post('/api/customers', customerBody()), 403, 'FORBIDDEN');
        assertError(await ca.get('/api/customers'), 403, 'FORBIDDEN');
        assertError(await ca.patch(`/api/customers/${seeded.id}`, { profile: { name: 'Mine now' } }), 403, 'FORBIDDEN');
        assertError(await ca.patch(`/api/customers/${seeded.id}`, { status: 'disabled' }), 403, 'FORBIDDEN');
        assertError(await ca.post(`/api/customers/${seeded.id}/lti/rotate`), 403, 'FORBIDDEN');
      });
      assert.deepEqual(await customerSnapshot(t.ctx, seeded.id), snap);
    });

    it('a customer admin can read their own customer without secrets', async () => {
      const res = await ca.get<CustomerView>(`/api/customers/${seeded.id}`);
      assert.equal(res.status, 200);
      assert.equal(res.body.id, seeded.id);
      const text = JSON.stringify(res.body);
      assert.ok(!text.includes(seeded.created.lti.sharedSecret) && !text.includes(seeded.adminPassword));
    });

    it('without signing in every customer route answers 401 AUTH_REQUIRED', async () => {
      const anon = t.client();
      await assertNothingStored(t, async () => {
        assertError(await anon.post('/api/customers', customerBody()), 401, 'AUTH_REQUIRED');
        assertError(await anon.get('/api/customers'), 401, 'AUTH_REQUIRED');
        assertError(await anon.get(`/api/customers/${seeded.id}`), 401, 'AUTH_REQUIRED');
        assertError(await anon.patch(`/api/customers/${seeded.id}`, { status: 'disabled' }), 401, 'AUTH_REQUIRED');
        assertError(await anon.post(`/api/customers/${seeded.id}/lti/rotate`), 401, 'AUTH_REQUIRED');
        assertError(await anon.get(`/api/customers/${seeded.id}/audit`), 401, 'AUTH_REQUIRED');
      });
    });
  });
});
