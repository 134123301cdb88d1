/*
 * Who may erase, and who may read certificates, over real HTTP: a customer's erasure and its
 * offboarding period are the enterprise admin's; a person's erasure follows the Users tab's rules
 * (customer admins; institute admins for teachers and students of their schools; nobody themselves;
 * never the customer's primary administrator); a typed confirmation that does not match erases
 * nothing; certificates are the enterprise admin's and their own customer's admins'. The CLI refuses
 * without the code and prints the certificate's id and hash.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { after, before, it } from 'node:test';
import { operatorActor } from '../../../accounts/policy.js';
import { RunRepository } from '../../../rostering/runs/run-repository.js';
import { addMs, nowIso } from '../../../time.js';
import type { CertificateDetailViewT, CertificateViewT, OffboardingViewT } from '../../../privacy/erasure/erasure-view.js';
import { describeEachDialect, seedCustomer, startTestApp, type TestApp, type TestClient } from '../../../../test/helpers/app.js';
import { assertError } from '../../../../test/helpers/assertions.js';
import { importRoster } from '../../../../test/lti/lti-server.js';
import { orgRow, userRow } from '../../../../test/helpers/roster-rows.js';

const PASSWORD = 'Erasure-test-password-7';

describeEachDialect('Erasure over HTTP: who may erase, who may read certificates', (dialect) => {
  let t: TestApp;
  let enterprise: TestClient;
  const customers: { id: string; code: string; adminId: string; admin: TestClient }[] = [];
  // Customer 0's people: students at two schools, an institute admin of the first school, a teacher.
  const people: Record<string, string> = {};

  before(async () => {
    t = await startTestApp(dialect);
    enterprise = await t.asAdmin();
    for (let i = 0; i < 2; i++) {
      const c = await seedCustomer(t.ctx);
      customers.push({ id: c.id, code: c.code, adminId: c.created.administrator.userId!, admin: await t.client().login(c.adminEmail, c.adminPassword) });
    }
    const c0 = customers[0]!.id;
    await importRoster(t.ctx, c0, [
      orgRow('north'),
      orgRow('south'),
      userRow('s-north', { orgSourcedIds: ['north'], roles: [{ orgSourcedId: 'north', role: 'student', roleType: 'primary', beginDate: null, endDate: null }] }),
      userRow('s-north-2', { orgSourcedIds: ['north'], roles: [{ orgSourcedId: 'north', role: 'student', roleType: 'primary', beginDate: null, endDate: null }] }),
      userRow('s-south', { orgSourcedIds: ['south'], roles: [{ orgSourcedId: 'south', role: 'student', roleType: 'primary', beginDate: null, endDate: null }] }),
    ]);
    const id = async (sourcedId: string) => (await t.ctx.db.kysely.selectFrom('users').select('id').where('customer_id', '=', c0).where('sourced_id', '=', sourcedId).executeTakeFirstOrThrow()).id;
    for (const s of ['s-north', 's-north-2', 's-south']) people[s] = await id(s);
    const add = async (role: 'institute_admin' | 'teacher', login: string, schoolIds: string[]) =>
      (await t.ctx.people.createUser(operatorActor, c0, { role, givenName: role, familyName: 'Person', login, password: PASSWORD, mustChangePassword: false, schoolIds })).user.id;
    people.institute = await add('institute_admin', `north-admin-${dialect}@erasure.test`, ['north']);
    people.otherInstitute = await add('institute_admin', `south-admin-${dialect}@erasure.test`, ['south']);
    people.teacher = await add('teacher', `teacher-${dialect}@erasure.test`, ['north']);
  });
  after(() => t.close());

  const signIn = (login: string) => t.client().login(login, PASSWORD);
  const exists = async (table: 'customers' | 'users', id: string) => Boolean(await t.ctx.db.kysely.selectFrom(table).select('id').where('id', '=', id).executeTakeFirst());
  const eraseUser = (client: TestClient, customerId: string, userId: string, confirm: string) => client.post<CertificateDetailViewT>(`/api/customers/${customerId}/users/${userId}/erase`, { confirm });
  const loginOf = async (userId: string) => (await t.ctx.db.kysely.selectFrom('users').select('login').where('id', '=', userId).executeTakeFirstOrThrow()).login;

  it("refuses a customer's erasure to everyone but the enterprise admin, and a confirmation that is not the code", async () => {
    const [c0, c1] = customers as [(typeof customers)[0], (typeof customers)[0]];
    assertError(await t.client().post(`/api/customers/${c0.id}/erase`, { confirm: c0.code }), 401, 'AUTH_REQUIRED');
    assertError(await c0.admin.post(`/api/customers/${c0.id}/erase`, { confirm: c0.code }), 403, 'FORBIDDEN');
    assertError(await (await signIn(`north-admin-${dialect}@erasure.test`)).post(`/api/customers/${c0.id}/erase`, { confirm: c0.code }), 403, 'FORBIDDEN');
    assertError(await c1.admin.post(`/api/customers/${c0.id}/erase`, { confirm: c0.code }), 403, 'FORBIDDEN');
    const wrong = assertError(await enterprise.post(`/api/customers/${c0.id}/erase`, { confirm: `${c0.code}x` }), 400, 'VALIDATION_FAILED', ['confirm']);
    assert.equal(wrong.fields?.[0]?.code, 'confirmation_mismatch');
    assertError(await enterprise.post(`/api/customers/no-such-customer/erase`, { confirm: 'x' }), 404, 'NOT_FOUND');
    assert.ok(await exists('customers', c0.id), 'still there');
  });

  it('lets those who manage a person erase them, by the Users tab’s rules', async () => {
    const [c0, c1] = customers as [(typeof customers)[0], (typeof customers)[0]];
    const north = await signIn(`north-admin-${dialect}@erasure.test`);
    const teacher = await signIn(`teacher-${dialect}@erasure.test`);
    // Outside the institute admin's schools it does not exist for them; an admin is not theirs to erase; nor is their own account.
    assertError(await eraseUser(north, c0.id, people['s-south']!, await loginOf(people['s-south']!)), 404, 'NOT_FOUND');
    assertError(await eraseUser(north, c0.id, people.otherInstitute!, await loginOf(people.otherInstitute!)), 404, 'NOT_FOUND');
    assertError(await eraseUser(north, c0.id, people.institute!, await loginOf(people.institute!)), 403, 'FORBIDDEN');
    assertError(await eraseUser(teacher, c0.id, people['s-north']!, await loginOf(people['s-north']!)), 403, 'FORBIDDEN');
    assertError(await eraseUser(c1.admin, c0.id, people['s-north']!, await loginOf(people['s-north']!)), 404, 'NOT_FOUND');
    assertError(await eraseUser(c0.admin, c0.id, c0.adminId, await loginOf(c0.adminId)), 403, 'FORBIDDEN');
    assertError(await eraseUser(enterprise, c0.id, c0.adminId, await loginOf(c0.adminId)), 403, 'FORBIDDEN');
    const mismatch = assertError(await eraseUser(c0.admin, c0.id, people['s-north']!, 'someone-else'), 400, 'VALIDATION_FAILED', ['confirm']);
    assert.equal(mismatch.fields?.[0]?.code, 'confirmation_mismatch');
    for (const id of [people['s-north']!, people['s-south']!, people.institute!, people.otherInstitute!, c0.adminId]) assert.ok(await exists('users', id), 'nobody was erased');

    const byInstitute = await eraseUser(north, c0.id, people['s-north']!, await loginOf(people['s-north']!));
    assert.equal(byInstitute.status, 200, JSON.stringify(byInstitute.body));
    assert.equal(byInstitute.body.actor, `north-admin-${dialect}@erasure.test`);
    const byAdmin = await eraseUser(c0.admin, c0.id, people['s-south']!, people['s-south']!);
    assert.equal(byAdmin.status, 200, 'the user id confirms too');
    assert.ok(!(await exists('users', people['s-north']!)) && !(await exists('users', people['s-south']!)));
    // Gone means gone: a second erasure finds no one.
    assertError(await eraseUser(c0.admin, c0.id, people['s-south']!, people['s-south']!), 404, 'NOT_FOUND');
  });

  it("waits for a roster run that holds the customer's roster, instead of erasing under it", async () => {
    const c0 = customers[0]!;
    const runs = new RunRepository(t.ctx.db.kysely);
    assert.ok(await runs.acquireLease(c0.id, 'a-running-run', nowIso(), addMs(nowIso(), 60_000)));
    try {
      assertError(await eraseUser(c0.admin, c0.id, people['s-north-2']!, people['s-north-2']!), 409, 'SYNC_IN_PROGRESS');
      assert.ok(await exists('users', people['s-north-2']!));
    } finally {
      await runs.releaseLease(c0.id, 'a-running-run');
    }
  });

  it("shows certificates to the enterprise admin (all), to a customer's admins (their own), to an institute admin (their erasures'), to nobody else", async () => {
    const [c0, c1] = customers as [(typeof customers)[0], (typeof customers)[0]];
    const all = await enterprise.get<{ items: CertificateViewT[]; total: number }>('/api/erasures?kind=person');
    assert.equal(all.status, 200);
    assert.ok(all.body.total >= 2);
    const own = await c0.admin.get<{ items: CertificateViewT[] }>('/api/erasures');
    assert.ok(own.body.items.length >= 2 && own.body.items.every((c) => c.customer.id === c0.id));
    assert.deepEqual((await c1.admin.get<{ items: CertificateViewT[] }>('/api/erasures')).body.items, [], "another customer's admin sees none of them");
    assertError(await (await signIn(`teacher-${dialect}@erasure.test`)).get('/api/erasures'), 403, 'FORBIDDEN');
    assertError(await t.client().get('/api/erasures'), 401, 'AUTH_REQUIRED');

    const cert = own.body.items[0]!;
    const url = `/api/customers/${c0.id}/erasures/${cert.id}`;
    assert.equal((await c0.admin.get(url)).status, 200);
    // An institute admin reads the certificates of the erasures they made; another's names the staff who erased (and may be another school's).
    const north = await signIn(`north-admin-${dialect}@erasure.test`);
    const theirs = (await north.get<{ items: CertificateViewT[] }>('/api/erasures')).body.items;
    assert.deepEqual(
      theirs.map((c) => c.actor),
      [`north-admin-${dialect}@erasure.test`],
    );
    assert.equal((await north.get(`/api/customers/${c0.id}/erasures/${theirs[0]!.id}`)).status, 200);
    const others = own.body.items.find((c) => c.actor !== `north-admin-${dialect}@erasure.test`)!;
    assertError(await north.get(`/api/customers/${c0.id}/erasures/${others.id}`), 404, 'NOT_FOUND');
    assertError(await c1.admin.get(url), 404, 'NOT_FOUND');
    assertError(await c1.admin.get(`/api/customers/${c1.id}/erasures/${cert.id}`), 404, 'NOT_FOUND');
    assertError(await (await signIn(`teacher-${dialect}@erasure.test`)).get(url), 403, 'FORBIDDEN');
    const pdf = await t.app.inject({ method: 'GET', url: `${url}/certificate.pdf`, headers: { cookie: c0.admin.cookie! } });
    assert.equal(pdf.statusCode, 200);
    assert.equal(pdf.headers['content-type'], 'application/pdf');
    assert.equal(pdf.rawPayload.subarray(0, 5).toString(), '%PDF-');
  });

  it("keeps a customer's offboarding period: the enterprise admin sets it, its admin sees it, disabling starts the clock", async () => {
    const [c0, c1] = customers as [(typeof customers)[0], (typeof customers)[0]];
    const url = `/api/customers/${c1.id}/offboarding`;
    const first = await enterprise.get<OffboardingViewT>(url);
    assert.deepEqual(first.body, { status: 'active', disabledAt: null, offboardingDays: null, defaultDays: 30, eraseAfter: null });
    assertError(await c1.admin.request('PUT', url, { days: 5 }), 403, 'FORBIDDEN');
    assertError(await c0.admin.get(url), 404, 'NOT_FOUND');
    assertError(await enterprise.request('PUT', url, { days: 0 }), 400, 'VALIDATION_FAILED');
    const set = await enterprise.request<OffboardingViewT>('PUT', url, { days: 5 });
    assert.equal(set.body.offboardingDays, 5);
    assert.equal((await c1.admin.get<OffboardingViewT>(url)).body.offboardingDays, 5);
    assert.equal((await enterprise.patch(`/api/customers/${c1.id}`, { status: 'disabled' })).status, 200);
    const disabled = (await enterprise.get<OffboardingViewT>(url)).body;
    assert.equal(disabled.status, 'disabled');
    assert.equal(Date.parse(disabled.eraseAfter!) - Date.parse(disabled.disabledAt!), 5 * 86_400_000);
    assert.equal((await enterprise.request<OffboardingViewT>('PUT', url, { days: null })).body.eraseAfter, new Date(Date.parse(disabled.disabledAt!) + 30 * 86_400_000).toISOString());
    assert.equal((await enterprise.patch(`/api/customers/${c1.id}`, { status: 'active' })).status, 200);
    assert.equal((await enterprise.get<OffboardingViewT>(url)).body.eraseAfter, null, 'enabling stops the clock');
  });

  it('the CLI erases a customer only with its code typed, and prints the certificate id and hash', async () => {
    const c1 = customers[1]!;
    const bin = path.resolve('bin/lectern.js');
    const env = { ...process.env, DATABASE_URL: t.ctx.config.databaseUrl, LECTERN_DATA_DIR: t.ctx.config.dataDir };
    const refused = spawnSync(process.execPath, [bin, 'customer', 'erase', '--customer', c1.code, '--confirm', 'not-the-code'], { env, encoding: 'utf8' });
    assert.equal(refused.status, 1, refused.stderr);
    assert.match(refused.stderr, /confirm/);
    assert.ok(await exists('customers', c1.id));
    const missing = spawnSync(process.execPath, [bin, 'customer', 'erase', '--customer', c1.code], { env, encoding: 'utf8' });
    assert.equal(missing.status, 2, 'no --confirm is a usage error');
    const done = spawnSync(process.execPath, [bin, 'customer', 'erase', '--customer', c1.code, '--confirm', c1.code, '--json'], { env, encoding: 'utf8' });
    assert.equal(done.status, 0, done.stderr);
    const cert = JSON.parse(done.stdout) as CertificateDetailViewT;
    assert.equal(cert.actor, 'cli');
    assert.match(cert.manifestSha256, /^[0-9a-f]{64}$/);
    assert.ok(!(await exists('customers', c1.id)));
    const text = spawnSync(process.execPath, [bin, 'users', 'erase', '--customer', customers[0]!.code, '--user', people['s-north-2']!, '--confirm', people['s-north-2']!], { env, encoding: 'utf8' });
    assert.equal(text.status, 0, text.stderr);
    assert.match(text.stdout, /Certificate [0-9a-f-]{36}\nManifest SHA-256 [0-9a-f]{64}/);
  });
});
