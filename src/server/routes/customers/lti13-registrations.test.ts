import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { operatorActor } from '../../../accounts/policy.js';
import { CustomerService } from '../../../customers/customer-service.js';
import { tokenDigest } from '../../../security/tokens.js';
import { PlatformRepository } from '../../../lti13/platform-repository.js';
import { describeEachDialect, seedCustomer, startTestApp, type TestApp, type TestClient } from '../../../../test/helpers/app.js';
import { customerBody } from '../../../../test/helpers/factories.js';
import type { PlatformSettings } from '../../../customers/lti13-rules.js';

interface Platform extends PlatformSettings {
  id: string;
  origin: string;
}
interface Tool {
  loginUrl: string;
  launchUrl: string;
  jwksUrl: string;
  registrationUrl: string | null;
}
interface View {
  id: string;
  profile: { code: string };
  lti: { version: string; consumerKey: string; sharedSecret?: string; platforms: Platform[]; tool: Tool | null };
}
interface Failure {
  error: { code: string; fields?: { field: string; code?: string }[] };
}

// DESIGN.md's example registration.
const canvasLike = (n = '') => ({
  issuer: `https://lms${n}.lincoln.example`,
  clientId: '10000000000042',
  deploymentIds: ['1:abc'],
  authLoginUrl: `https://lms${n}.lincoln.example/api/lti/authorize_redirect`,
  authTokenUrl: `https://lms${n}.lincoln.example/login/oauth2/token`,
  jwksUrl: `https://lms${n}.lincoln.example/api/lti/security/jwks`,
});

const lti13 = (platforms: unknown[], version = '1.3') => customerBody({ lti: { version, platforms } as never });
const fieldCodes = (body: unknown) => ((body as Failure).error.fields ?? []).map((f) => `${f.field}:${f.code}`).sort();

describeEachDialect('LTI 1.3 registrations in the customer API', (dialect) => {
  let t: TestApp;
  let admin: TestClient;
  before(async () => {
    t = await startTestApp(dialect);
    admin = await t.asAdmin();
  });
  after(async () => t.close());

  it('creates an LTI 1.3 customer with a platform; the response carries the tool values and a one-time registration URL', async () => {
    const res = await admin.post<View>('/api/customers', lti13([canvasLike('1')]));
    assert.equal(res.status, 201, JSON.stringify(res.body));
    const { lti, profile, id } = res.body;
    assert.equal(lti.version, '1.3');
    assert.equal(lti.tool!.loginUrl, 'http://lectern.test/lti/1.3/login');
    assert.equal(lti.tool!.launchUrl, 'http://lectern.test/lti/1.3/launch');
    assert.equal(lti.tool!.jwksUrl, 'http://lectern.test/lti/1.3/jwks');
    const match = new RegExp(`^http://lectern\\.test/lti/1\\.3/register/${profile.code}\\?token=([A-Za-z0-9_-]{20,})$`).exec(lti.tool!.registrationUrl!);
    assert.ok(match, lti.tool!.registrationUrl!);
    const { issuer, clientId, deploymentIds, authLoginUrl, authTokenUrl, jwksUrl, origin } = lti.platforms[0]!;
    assert.deepEqual({ issuer, clientId, deploymentIds, authLoginUrl, authTokenUrl, jwksUrl }, canvasLike('1'));
    assert.equal(origin, 'console');
    // Stored as a digest only, single-use.
    const tokens = await t.ctx.db.kysely.selectFrom('lti13_registration_tokens').selectAll().where('customer_id', '=', id).execute();
    assert.deepEqual(
      tokens.map((r) => r.token_hash),
      [tokenDigest(match[1]!)],
    );
    const repo = new PlatformRepository(t.ctx.db.kysely);
    const now = new Date().toISOString();
    assert.equal(await repo.useRegistrationToken('another-customer', tokenDigest(match[1]!), now), false, "another customer's token");
    assert.equal(await repo.useRegistrationToken(id, tokenDigest(match[1]!), now), true);
    assert.equal(await repo.useRegistrationToken(id, tokenDigest(match[1]!), now), false, 'used once');

    const page = await admin.get<View>(`/api/customers/${id}`);
    assert.equal(page.body.lti.tool!.registrationUrl, null, 'the secret is not shown again');
    assert.equal(page.body.lti.tool!.loginUrl, lti.tool!.loginUrl);
    assert.deepEqual(page.body.lti.platforms, lti.platforms);
    const list = await admin.get<{ items: View[] }>(`/api/customers?search=${profile.code}`);
    assert.deepEqual(list.body.items[0]!.lti.platforms, lti.platforms);
  });

  it('an LTI 1.1 customer has no tool values; "both" keeps the 1.1 consumer key beside its platforms', async () => {
    const v11 = await admin.post<View>('/api/customers', customerBody());
    assert.equal(v11.body.lti.tool, null);
    assert.deepEqual(v11.body.lti.platforms, []);
    const both = await admin.post<View>('/api/customers', lti13([canvasLike('2')], 'both'));
    assert.equal(both.status, 201, JSON.stringify(both.body));
    assert.ok(both.body.lti.consumerKey && both.body.lti.sharedSecret);
    assert.ok(both.body.lti.tool!.registrationUrl);
    // Dynamic Registration may come later: a 1.3 customer may start without platforms.
    assert.equal((await admin.post<View>('/api/customers', lti13([]))).status, 201);
  });

  it('answers field-level errors with stable codes', async () => {
    const bad = {
      issuer: 'https://lms.bad.example/?x=1',
      clientId: '7',
      deploymentIds: [' '],
      authLoginUrl: 'http://lms.bad.example/auth',
      authTokenUrl: 'not a url',
      jwksUrl: 'https://user:pw@lms.bad.example/jwks',
    };
    const res = await admin.post<Failure>('/api/customers', lti13([bad, canvasLike('3'), canvasLike('3')]));
    assert.equal(res.status, 400);
    assert.deepEqual(
      fieldCodes(res.body),
      [
        'lti.platforms.0.authLoginUrl:url_https_required',
        'lti.platforms.0.authTokenUrl:url_format',
        'lti.platforms.0.deploymentIds:deployment_ids_empty',
        'lti.platforms.0.issuer:issuer_format',
        'lti.platforms.0.jwksUrl:url_credentials',
        'lti.platforms.2.clientId:duplicate',
      ].sort(),
    );
    const v11 = await admin.post<Failure>('/api/customers', lti13([canvasLike('4')], '1.1'));
    assert.deepEqual(fieldCodes(v11.body), ['lti.platforms:platforms_need_lti13']);
    const unknownVersion = await admin.post<Failure>('/api/customers', customerBody({ lti: { version: '2.0' } }));
    assert.equal(unknownVersion.status, 400);
    // Another customer already holds this client of this issuer (created in the first test).
    const taken = await admin.post<Failure>('/api/customers', lti13([canvasLike('1')]));
    assert.deepEqual(fieldCodes(taken.body), ['lti.platforms.0.clientId:duplicate']);
  });

  it('admits plain http only to hosts LECTERN_OUTBOUND_ALLOW names (test platforms on loopback)', async () => {
    const local = { ...canvasLike(), issuer: 'http://127.0.0.1:9999', authLoginUrl: 'http://127.0.0.1:9999/auth', authTokenUrl: 'http://127.0.0.1:9999/token', jwksUrl: 'http://127.0.0.1:9999/jwks' };
    const res = await admin.post<View>('/api/customers', lti13([local]));
    assert.equal(res.status, 201, JSON.stringify(res.body));
    const other = { ...local, clientId: 'x', authTokenUrl: 'http://10.0.0.5/token' };
    assert.deepEqual(fieldCodes((await admin.post('/api/customers', lti13([other]))).body), ['lti.platforms.0.authTokenUrl:url_https_required']);
    // The operator later narrows the allow-list: edits that leave the platforms alone still save.
    const strict = new CustomerService(t.ctx.db.kysely, t.ctx.secrets, 'http://lectern.test');
    const edited = await strict.update(operatorActor, res.body.id, { address: { city: 'Omaha' } });
    assert.equal(edited.address.city, 'Omaha');
    await assert.rejects(strict.update(operatorActor, res.body.id, { lti: { platforms: [local] } }), { code: 'VALIDATION_FAILED' });
  });

  it('adds, changes and removes platforms of an existing customer; a registration keeps its id when changed', async () => {
    const created = (await admin.post<View>('/api/customers', lti13([canvasLike('5'), canvasLike('6')]))).body;
    const [p5, p6] = created.lti.platforms;
    const changed = { ...canvasLike('5'), deploymentIds: ['1:abc', '2:def'] };
    const res = await admin.patch<View>(`/api/customers/${created.id}`, { lti: { platforms: [changed, canvasLike('7')] } });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    const after5 = res.body.lti.platforms.find((p) => p.issuer === changed.issuer)!;
    assert.equal(after5.id, p5!.id);
    assert.deepEqual(after5.deploymentIds, ['1:abc', '2:def']);
    assert.ok(!res.body.lti.platforms.some((p) => p.id === p6!.id), 'platform 6 removed');
    assert.equal(res.body.lti.platforms.length, 2);
    const audit = await admin.get<{ action: string; fields: string[] }[]>(`/api/customers/${created.id}/audit`);
    assert.ok(
      audit.body[0]!.fields.some((f) => f.startsWith('lti.platforms')),
      JSON.stringify(audit.body[0]),
    );

    // Back to 1.1 only once the platforms are gone.
    const refused = await admin.patch<Failure>(`/api/customers/${created.id}`, { lti: { version: '1.1' } });
    assert.deepEqual(fieldCodes(refused.body), ['lti.platforms:platforms_need_lti13']);
    const moved = await admin.patch<View>(`/api/customers/${created.id}`, { lti: { version: '1.1', platforms: [] } });
    assert.equal(moved.status, 200, JSON.stringify(moved.body));
    assert.equal(moved.body.lti.tool, null);
    assert.equal((await new PlatformRepository(t.ctx.db.kysely).listForCustomer(created.id)).length, 0);
  });

  it('mints a fresh registration URL for the enterprise admin only; the earlier unused one stops working', async () => {
    const created = (await admin.post<View>('/api/customers', lti13([]))).body;
    const first = new URL(created.lti.tool!.registrationUrl!).searchParams.get('token')!;
    const minted = await admin.post<{ registrationUrl: string; expiresAt: string }>(`/api/customers/${created.id}/lti/1.3/registration-url`);
    assert.equal(minted.status, 200, JSON.stringify(minted.body));
    const second = new URL(minted.body.registrationUrl).searchParams.get('token')!;
    assert.notEqual(first, second);
    assert.ok(Date.parse(minted.body.expiresAt) > Date.now());
    const repo = new PlatformRepository(t.ctx.db.kysely);
    const now = new Date().toISOString();
    assert.equal(await repo.useRegistrationToken(created.id, tokenDigest(first), now), false, 'replaced');
    assert.equal(await repo.useRegistrationToken(created.id, tokenDigest(second), new Date(Date.parse(minted.body.expiresAt) + 1000).toISOString()), false, 'expired');
    assert.equal(await repo.useRegistrationToken(created.id, tokenDigest(second), now), true);

    // A 1.1 customer may start its move with a registration URL.
    const v11 = await seedCustomer(t.ctx);
    assert.equal((await admin.post(`/api/customers/${v11.id}/lti/1.3/registration-url`)).status, 200);

    // Another customer's admin, and this customer's own admin, are refused; nothing is minted.
    const own = await seedCustomer(t.ctx, { lti: { version: '1.3' } });
    const before = await t.ctx.db.kysely.selectFrom('lti13_registration_tokens').selectAll().execute();
    const otherAdmin = await t.client().login(v11.adminEmail, v11.adminPassword);
    const ownAdmin = await t.client().login(own.adminEmail, own.adminPassword);
    for (const client of [otherAdmin, ownAdmin]) {
      const res = await client.post<Failure>(`/api/customers/${own.id}/lti/1.3/registration-url`);
      assert.ok([403, 404].includes(res.status), String(res.status));
      assert.doesNotMatch(JSON.stringify(res.body), /token=/);
      const patched = await client.patch(`/api/customers/${own.id}`, { lti: { platforms: [canvasLike('8')] } });
      assert.ok([403, 404].includes(patched.status));
    }
    const page = await otherAdmin.get<View>(`/api/customers/${own.id}`);
    assert.equal(page.status, 404, 'another customer is not found');
    assert.deepEqual(await t.ctx.db.kysely.selectFrom('lti13_registration_tokens').selectAll().execute(), before);
    assert.equal((await repo.listForCustomer(own.id)).length, 0);
  });
});
