import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { operatorActor } from '../../../accounts/policy.js';
import { describeEachDialect, seedCustomer, startTestApp, type TestApp, type TestClient } from '../../../../test/helpers/app.js';
import { arraySource } from '../../../../test/helpers/array-source.js';
import { assertError } from '../../../../test/helpers/assertions.js';
import { classRow, orgRow, userRow } from '../../../../test/helpers/roster-rows.js';
import type { AnyRow } from '../../../rostering/sync/engine.js';

interface UserItem {
  id: string;
  login: string;
  status: string;
  source: string;
  passwordSource: string;
}
interface Page {
  items: UserItem[];
  total: number;
}

describeEachDialect('People: passwords, disable and enable, manual users, institute admins, restore', (dialect) => {
  let t: TestApp;
  let admin: TestClient;
  let customer: Awaited<ReturnType<typeof seedCustomer>>;
  const suffix = `@ppl-${dialect}`;
  const base = `/api/customers/:c`;
  const url = (path: string) => path.replace(':c', customer.id);
  const login = (sourcedId: string) => `user.${sourcedId}${suffix}`;

  // Two schools: s1 and t1 at org-1, s2 at org-2; s1 carries a roster password.
  const roster = (o: { s1Password?: string | null; s2Name?: string; without?: string[] } = {}): AnyRow[] =>
    [
      orgRow('org-d', { name: 'The District', type: 'district' }),
      orgRow('org-1', { name: 'North School', parentSourcedId: 'org-d' }),
      orgRow('org-2', { name: 'South School' }),
      classRow('cls-1', { title: 'North Algebra', schoolSourcedId: 'org-1' }),
      classRow('cls-2', { title: 'South Algebra', schoolSourcedId: 'org-2' }),
      userRow('s1', { password: o.s1Password === undefined ? 'Roster-pass-1' : o.s1Password }),
      userRow('s2', { givenName: o.s2Name ?? 'Given', orgSourcedIds: ['org-2'], roles: [{ orgSourcedId: 'org-2', role: 'student', roleType: 'primary', beginDate: null, endDate: null }] }),
      userRow('s3'),
      userRow('t1', { role: 'teacher' }),
      // A district administrator from the roster: their role is at the district, which holds North School only.
      userRow('a1', {
        role: 'administrator',
        password: 'District-pass-3',
        orgSourcedIds: ['org-d'],
        roles: [{ orgSourcedId: 'org-d', role: 'administrator', roleType: 'primary', beginDate: null, endDate: null }],
      }),
    ].filter((r) => !(o.without ?? []).includes((r.row as { sourcedId: string }).sourcedId));
  const sync = async (rows: AnyRow[]) => {
    const created = await t.ctx.runs.create(operatorActor, customer.id, { trigger: 'cli', fileName: 'roster.zip', sizeBytes: 1, sha256: '', bundlePath: null, dryRun: false });
    const done = await t.ctx.runs.execute(created.runId, customer.id, arraySource(rows));
    assert.match(done.status, /^succeeded/, JSON.stringify(done));
    await t.ctx.runs.hashPasswords(customer.id);
    return created.runId;
  };
  const idOf = async (sourcedId: string) =>
    (await t.ctx.db.kysely.selectFrom('users').select('id').where('customer_id', '=', customer.id).where('sourced_id', '=', sourcedId).executeTakeFirstOrThrow()).id;
  const userById = async (id: string) => (await t.ctx.db.kysely.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirstOrThrow())!;
  const signIn = (who: string, password: string) => t.client().post<{ error?: { code: string; message: string } }>('/api/auth/login', { login: who, password });
  const listed = async (client: TestClient, query = '') => (await client.get<Page>(url(`${base}/users?pageSize=100${query}`))).body.items;

  before(async () => {
    t = await startTestApp(dialect);
    customer = await seedCustomer(t.ctx, { rostering: { suffix } });
    admin = await t.client().login(customer.adminEmail, customer.adminPassword);
    await sync(roster());
  });
  after(() => t.close());

  it("a password set here wins while the roster's is unchanged; a changed roster password wins again", async () => {
    const s1 = await idOf('s1');
    assert.equal((await signIn(login('s1'), 'Roster-pass-1')).status, 200, 'the roster password signs in');
    assert.equal((await listed(admin)).find((u) => u.id === s1)?.passwordSource, 'roster');

    const set = await admin.post<{ password: string | null }>(url(`${base}/users/${s1}/password`), { password: 'Console-pass-42', mustChangePassword: false });
    assert.deepEqual([set.status, set.body.password], [200, null]);
    assert.equal((await listed(admin)).find((u) => u.id === s1)?.passwordSource, 'here');
    assert.equal((await signIn(login('s1'), 'Roster-pass-1')).status, 401);
    assert.equal((await signIn(login('s1'), 'Console-pass-42')).status, 200);

    await sync(roster());
    assert.equal((await signIn(login('s1'), 'Console-pass-42')).status, 200, 'the same roster password keeps the override');
    assert.equal((await listed(admin)).find((u) => u.id === s1)?.passwordSource, 'here');

    await sync(roster({ s1Password: 'Roster-pass-2' }));
    assert.equal((await signIn(login('s1'), 'Roster-pass-2')).status, 200, "the roster's new password wins");
    assert.equal((await signIn(login('s1'), 'Console-pass-42')).status, 401);
    assert.equal((await listed(admin)).find((u) => u.id === s1)?.passwordSource, 'roster');
    const stored = JSON.stringify(await userById(s1));
    assert.ok(!stored.includes('Console-pass-42') && !stored.includes('Roster-pass-2'), 'never stored in clear');
  });

  it('resets a password to a one-time one that must be changed, and refuses weak ones field by field', async () => {
    const t1 = await idOf('t1');
    const weak = await admin.post(url(`${base}/users/${t1}/password`), { password: 'password', mustChangePassword: false });
    assertError(weak, 400, 'VALIDATION_FAILED', ['password']);
    const reset = await admin.post<{ password: string }>(url(`${base}/users/${t1}/password`), { mustChangePassword: true });
    assert.equal(reset.status, 200);
    assert.match(reset.body.password, /^\w{5}(-\w{5}){3}$/);
    const teacher = await t.client().login(login('t1'), reset.body.password);
    const session = await teacher.get<{ user: { mustChangePassword: boolean } }>('/api/auth/session');
    assert.equal(session.body.user.mustChangePassword, true);
    const audit = await t.ctx.db.kysely.selectFrom('audit_log').selectAll().where('target_id', '=', t1).where('action', '=', 'user.password_set').execute();
    assert.equal(audit.length, 1);
    assert.ok(!JSON.stringify(audit).includes(reset.body.password));
  });

  it('disabling ends sessions at once and refuses sign-in; a sync keeps it disabled; enabling lets them back', async () => {
    const s3 = await idOf('s3');
    await admin.post(url(`${base}/users/${s3}/password`), { password: 'Student-pass-77', mustChangePassword: false });
    const student = await t.client().login(login('s3'), 'Student-pass-77');
    assert.equal((await student.get('/api/reader/bookshelf')).status, 200);

    const off = await admin.post<{ changed: string[] }>(url(`${base}/users/${s3}/disable`));
    assert.deepEqual(off.body.changed, [s3]);
    assert.equal((await student.get('/api/reader/bookshelf')).status, 401, 'the session ended');
    assertError(await signIn(login('s3'), 'Student-pass-77'), 403, 'ACCOUNT_DISABLED');

    await sync(roster({ s2Name: 'Renamed' }).map((r) => ((r.row as { sourcedId: string }).sourcedId === 's3' ? { ...r, row: { ...r.row, givenName: 'Changed' } } : r)) as AnyRow[]);
    assert.equal((await userById(s3)).status, 'disabled', 'a roster update does not re-enable');

    const on = await admin.post<{ changed: string[] }>(url(`${base}/users/${s3}/enable`));
    assert.deepEqual(on.body.changed, [s3]);
    assert.equal((await signIn(login('s3'), 'Student-pass-77')).status, 200);
    assertError(await admin.post(url(`${base}/users/${customer.created.administrator.userId}/disable`)), 403, 'FORBIDDEN');
  });

  it('adds teachers and students by hand (protected from sync deletes) and edits them; roster people are read-only', async () => {
    const bad = await admin.post(url(`${base}/users`), { role: 'teacher', givenName: ' ', familyName: '', email: 'nope', login: 'x' });
    assertError(bad, 400, 'VALIDATION_FAILED', ['givenName', 'familyName', 'email', 'login']);
    const made = await admin.post<{ user: UserItem; password: string }>(url(`${base}/users`), {
      role: 'teacher',
      givenName: 'Maya',
      familyName: 'Hand',
      email: 'maya@ppl.example',
      login: `maya${suffix}`,
      schoolIds: ['org-1'],
    });
    assert.equal(made.status, 201, JSON.stringify(made.body));
    assert.equal(made.body.user.source, 'manual');
    assert.ok(made.body.password, 'a one-time password, answered once');
    assertError(await admin.post(url(`${base}/users`), { role: 'student', givenName: 'A', familyName: 'B', login: `maya${suffix}` }), 400, 'VALIDATION_FAILED', ['login']);

    await sync(roster());
    assert.equal((await userById(made.body.user.id)).status, 'active', 'a sync that does not list them leaves them');

    const edited = await admin.patch<UserItem & { givenName: string }>(url(`${base}/users/${made.body.user.id}`), { givenName: 'Maia', grade: '07' });
    assert.deepEqual([edited.status, edited.body.givenName], [200, 'Maia']);
    assertError(await admin.patch(url(`${base}/users/${await idOf('s2')}`), { givenName: 'Nope' }), 409, 'ROSTER_MANAGED');
  });

  it('an institute admin made here sees and acts only on the people and classes of their schools', async () => {
    const made = await admin.post<{ user: UserItem }>(url(`${base}/users`), {
      role: 'institute_admin',
      givenName: 'Nora',
      familyName: 'North',
      login: `nora${suffix}`,
      password: 'Institute-pass-9',
      mustChangePassword: false,
      schoolIds: ['org-1'],
    });
    assert.equal(made.status, 201, JSON.stringify(made.body));
    assertError(await admin.post(url(`${base}/users`), { role: 'institute_admin', givenName: 'No', familyName: 'School', login: `none${suffix}` }), 400, 'VALIDATION_FAILED', ['schoolIds']);
    const nora = await t.client().login(`nora${suffix}`, 'Institute-pass-9');

    const seen = (await listed(nora)).map((u) => u.login);
    assert.ok(seen.includes(login('s1')) && seen.includes(login('t1')), seen.join());
    assert.ok(!seen.includes(login('s2')), 'no one of South School');
    const classes = (await nora.get<{ items: { title: string }[] }>(url(`${base}/classes`))).body.items.map((c) => c.title);
    assert.deepEqual(classes, ['North Algebra']);
    assert.deepEqual(
      (await nora.get<{ sourcedId: string }[]>(url(`${base}/schools`))).body.map((s) => s.sourcedId),
      ['org-1'],
    );

    // The attack: South School's student by id, alone and inside a selection.
    const s2 = await idOf('s2');
    assertError(await nora.get(url(`${base}/users/${s2}`)), 404, 'NOT_FOUND');
    assertError(await nora.post(url(`${base}/users/${s2}/disable`)), 404, 'NOT_FOUND');
    assertError(await nora.post(url(`${base}/users/${s2}/password`), { mustChangePassword: true }), 404, 'NOT_FOUND');
    assertError(await nora.post(url(`${base}/users/bulk`), { action: 'disable', userIds: [await idOf('t1'), s2] }), 404, 'NOT_FOUND');
    assertError(await nora.post(url(`${base}/users/${s2}/restore`)), 404, 'NOT_FOUND');
    // Login cards and the CSV export keep to the same schools.
    const southClass = (await t.ctx.db.kysely.selectFrom('classes').select('id').where('customer_id', '=', customer.id).where('sourced_id', '=', 'cls-2').executeTakeFirstOrThrow()).id;
    assertError(await nora.post(url(`${base}/login-cards`), { mode: 'qr', userIds: [s2] }), 404, 'NOT_FOUND');
    assertError(await nora.post(url(`${base}/login-cards`), { mode: 'qr', classId: southClass }), 404, 'NOT_FOUND');
    const exported = (await nora.get<string>(url(`${base}/users.csv`))).body;
    assert.ok(exported.includes(login('s1')) && !exported.includes(login('s2')), 'the export holds North School only');
    const south = await nora.post(url(`${base}/users`), { role: 'student', givenName: 'S', familyName: 'S', login: `south${suffix}`, schoolIds: ['org-2'] });
    assert.equal(assertError(south, 400, 'VALIDATION_FAILED', ['schoolIds']).fields?.[0]?.code, 'NOT_FOUND');
    assertError(await nora.post(url(`${base}/users`), { role: 'institute_admin', givenName: 'I', familyName: 'A', login: `ia${suffix}`, schoolIds: ['org-1'] }), 403, 'FORBIDDEN');
    assert.equal((await userById(s2)).status, 'active', 'nothing of South School changed');
    assert.equal((await userById(await idOf('t1'))).status, 'active', 'the refused selection changed nothing');

    const own = await nora.post<{ changed: string[] }>(url(`${base}/users/${await idOf('t1')}/disable`));
    assert.equal(own.status, 200);
    await nora.post(url(`${base}/users/${await idOf('t1')}/enable`));
  });

  it("a rostered district administrator acts for the district's schools", async () => {
    const district = await t.client().login(login('a1'), 'District-pass-3');
    const seen = (await listed(district)).map((u) => u.login);
    assert.ok(seen.includes(login('s1')), seen.join());
    assert.ok(!seen.includes(login('s2')), 'South School is not in the district');
    assertError(await district.get(url(`${base}/users/${await idOf('s2')}`)), 404, 'NOT_FOUND');
  });

  it('bulk: disables, enables and resets passwords of a selection; the new passwords are answered once', async () => {
    const ids = [await idOf('s1'), await idOf('t1')];
    const off = await admin.post<{ changed: string[] }>(url(`${base}/users/bulk`), { action: 'disable', userIds: ids });
    assert.deepEqual(off.body.changed.sort(), [...ids].sort());
    const on = await admin.post<{ changed: string[] }>(url(`${base}/users/bulk`), { action: 'enable', userIds: ids });
    assert.deepEqual(on.body.changed.sort(), [...ids].sort());
    const reset = await admin.post<{ passwords: { userId: string; login: string; password: string }[] }>(url(`${base}/users/bulk`), { action: 'reset-password', userIds: ids });
    assert.equal(reset.status, 200);
    assert.deepEqual(reset.body.passwords.map((p) => p.userId).sort(), [...ids].sort());
    for (const p of reset.body.passwords) {
      const c = await t.client().login(p.login, p.password);
      assert.equal((await c.get<{ user: { mustChangePassword: boolean } }>('/api/auth/session')).body.user.mustChangePassword, true);
    }
  });

  it("a user the roster deleted is told so at sign-in and whom to ask, not 'disabled' (bug 3)", async () => {
    await admin.post(url(`${base}/users/${await idOf('s2')}/password`), { password: 'Deleted-pass-5', mustChangePassword: false });
    await sync(roster({ without: ['s2'] }));
    const refused = assertError(await signIn(login('s2'), 'Deleted-pass-5'), 403, 'ACCOUNT_REMOVED');
    assert.match(refused.message, /removed by your school's roster/);
    assert.match(refused.message, /administrator or your teacher/);
  });

  it('restoring someone still missing from the roster warns that the next sync deletes them again, and can keep them as manual (bug 7)', async () => {
    const s2 = await idOf('s2');
    const deletedBy = await sync(roster({ without: ['s2', 's3'] }));
    const detail = await admin.get<{ missingFromRoster: { runId: string } | null }>(url(`${base}/users/${s2}`));
    assert.ok(detail.body.missingFromRoster, 'the user page says so before restoring');

    const restored = await admin.post<{ status: string; warning: string | null; missingFromRoster: { runId: string } | null }>(url(`${base}/users/${s2}/restore`));
    assert.equal(restored.body.status, 'active');
    assert.match(restored.body.warning ?? '', /next sync deletes them again/);

    const s3 = await idOf('s3');
    const kept = await admin.post<{ status: string; source: string; warning: string | null; missingFromRoster: { runId: string } | null }>(url(`${base}/users/${s3}/restore?keepAsManual=true`));
    assert.deepEqual([kept.body.status, kept.body.source, kept.body.warning], ['active', 'manual', null]);
    assert.equal(
      (await t.ctx.db.kysely.selectFrom('roster_run_changes').select('run_id').where('target_id', '=', s3).where('action', '=', 'delete').execute()).some((r) => r.run_id === deletedBy),
      true,
    );

    await sync(roster({ without: ['s2', 's3'] }));
    assert.equal((await userById(s2)).status, 'deleted', 'as warned, the next sync deleted the roster account again');
    assert.equal((await userById(s3)).status, 'active', 'the manual account is protected');
  });
});
