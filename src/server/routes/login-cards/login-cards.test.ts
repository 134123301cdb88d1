import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { operatorActor } from '../../../accounts/policy.js';
import { describeEachDialect, seedCustomer, startTestApp, type TestApp, type TestClient } from '../../../../test/helpers/app.js';
import { allRowsAsText, assertError } from '../../../../test/helpers/assertions.js';
import { HEADERS, district11, table, writeBundle } from '../../../../test/helpers/bundles.js';
import { CARD_PASSWORD, cardPasswordOf, readPdf } from '../../../../test/helpers/pdf-text.js';
import { zipSource } from '../../../rostering/runs/zip-source.js';
import { hashPassword } from '../../../security/passwords.js';

describeEachDialect('login cards and the users CSV export', (dialect) => {
  let t: TestApp;
  let admin: TestClient;
  let customer: Awaited<ReturnType<typeof seedCustomer>>;
  let other: Awaited<ReturnType<typeof seedCustomer>>;
  let classId: string;
  const suffix = `@cards-${dialect}`;
  const userId = async (customerId: string, sourcedId: string) =>
    (await t.ctx.db.kysely.selectFrom('users').select('id').where('customer_id', '=', customerId).where('sourced_id', '=', sourcedId).executeTakeFirstOrThrow()).id;
  const importBundle = async (customerId: string, files: Record<string, string>) => {
    const path = await writeBundle(files);
    const run = await t.ctx.runs.create(operatorActor, customerId, { trigger: 'cli', fileName: 'r.zip', sizeBytes: 1, sha256: '', bundlePath: path, dryRun: false });
    return t.ctx.runs.execute(run.runId, customerId, zipSource(path));
  };
  const pdfOf = async (client: TestClient, body: unknown) => {
    const res = await t.app.inject({
      method: 'POST',
      url: `/api/customers/${customer.id}/login-cards`,
      headers: { cookie: client.cookie ?? '', 'x-csrf-token': client.csrf ?? '' },
      payload: body as object,
    });
    return res;
  };

  before(async () => {
    t = await startTestApp(dialect);
    customer = await seedCustomer(t.ctx, { rostering: { suffix } });
    other = await seedCustomer(t.ctx, {
      profile: { code: `other-${dialect}` },
      rostering: { suffix: `@other-${dialect}`, clientPartnerId: `OTHER-${dialect}` },
      administrator: { email: `other-${dialect}@x.example` },
    });
    admin = await t.client().login(customer.adminEmail, customer.adminPassword);
    const users = district11()['users.csv']!;
    await importBundle(
      customer.id,
      district11({
        'users.csv': users.replace(/^(u-s2,.*),$/m, '$1,Roster-pass-77'),
      }),
    );
    await importBundle(other.id, district11());
    classId = (await t.ctx.db.kysely.selectFrom('classes').select('id').where('customer_id', '=', customer.id).where('sourced_id', '=', 'cl-1').executeTakeFirstOrThrow()).id;
  });
  after(() => t.close());

  it('previews a class: its active students, and how many get their password from the roster', async () => {
    const res = await admin.post<{ count: number; rosterPasswords: number }>(`/api/customers/${customer.id}/login-cards/preview`, { classId, mode: 'password' });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.deepEqual(res.body, { count: 2, rosterPasswords: 1 });
  });

  it('prints first-use password cards for a class as a PDF; each password signs in once, then must be changed', async () => {
    const res = await pdfOf(admin, { classId, mode: 'password', pageSize: 'a4' });
    assert.equal(res.statusCode, 200, res.body);
    assert.equal(res.headers['content-type'], 'application/pdf');
    assert.equal(res.headers['x-lectern-card-count'], '2');
    assert.equal(res.rawPayload.subarray(0, 5).toString('latin1'), '%PDF-');
    const pdf = await readPdf(res.rawPayload);
    assert.equal(pdf.pages, 1);
    assert.deepEqual(pdf.size, [595, 842], 'A4');
    assert.ok(pdf.text.includes(`sone${suffix}`), pdf.text);
    assert.ok(pdf.text.includes(`stwo${suffix}`));
    assert.ok(!pdf.text.includes(`tpark${suffix}`), 'the teacher gets no card with the class');
    assert.ok(pdf.text.includes('http://lectern.test/reader'));
    assert.ok(pdf.text.includes('Algebra P1'));
    const passwords = pdf.text.match(CARD_PASSWORD) ?? [];
    assert.equal(passwords.length, 2, pdf.text);

    // Never stored or logged in clear: no row of any table holds a printed password.
    const everything = await allRowsAsText(t.ctx);
    for (const p of passwords) assert.ok(!everything.includes(p), 'a card password is stored in clear');
    const audit = await t.ctx.db.kysely.selectFrom('audit_log').selectAll().where('customer_id', '=', customer.id).where('action', '=', 'login_cards.printed_password').execute();
    assert.equal(audit.length, 1);
    assert.equal(audit[0]!.actor_label, customer.adminEmail.toLowerCase());
    assert.deepEqual(JSON.parse(audit[0]!.fields), ['users:2']);

    const passwordOf = (login: string) => cardPasswordOf(pdf.text, login);
    const student = t.client();
    const signIn = await student.post<{ user: { mustChangePassword: boolean } }>('/api/auth/login', { login: `sone${suffix}`, password: passwordOf(`sone${suffix}`) });
    assert.equal(signIn.status, 200, JSON.stringify(signIn.body));
    assert.equal(signIn.body.user.mustChangePassword, true);
    assertError(await student.get('/api/reader/bookshelf'), 403, 'PASSWORD_CHANGE_REQUIRED');
    const changed = await student.post('/api/auth/password', { currentPassword: passwordOf(`sone${suffix}`), newPassword: 'My-own-reading-9' });
    assert.equal(changed.status, 204, JSON.stringify(changed.body));
    assert.equal((await student.get('/api/reader/bookshelf')).status, 200);
    assertError(await t.client().post('/api/auth/login', { login: `sone${suffix}`, password: passwordOf(`sone${suffix}`) }), 401, 'INVALID_CREDENTIALS');
  });

  it('prints QR cards whose code signs in once, until it expires; a newer card replaces an older one', async () => {
    const s1 = await userId(customer.id, 'u-s1');
    const s2 = await userId(customer.id, 'u-s2');
    const res = await pdfOf(admin, { userIds: [s1, s2], mode: 'qr' });
    assert.equal(res.statusCode, 200, res.body);
    const pdf = await readPdf(res.rawPayload);
    assert.ok(pdf.text.includes(`sone${suffix}`) && pdf.text.includes(`stwo${suffix}`));
    assert.equal((pdf.text.match(CARD_PASSWORD) ?? []).length, 0, 'QR cards carry no password');
    assert.equal(pdf.links.length, 2);
    assert.deepEqual(pdf.size, [612, 792], 'Letter by default');
    const tokens = pdf.links.map((l) => {
      assert.match(l, /^http:\/\/lectern\.test\/reader\/qr#[\w-]{40,}$/);
      return l.split('#')[1]!;
    });
    const everything = await allRowsAsText(t.ctx);
    for (const token of tokens) assert.ok(!everything.includes(token), 'a QR token is stored in clear');

    const reader = t.client();
    const first = await reader.post<{ user: { login: string } }>('/api/auth/qr', { token: tokens[0] });
    assert.equal(first.status, 200, JSON.stringify(first.body));
    const session = await reader.get<{ user: { login: string; customerId: string; mustChangePassword: boolean } }>('/api/auth/session');
    assert.equal(session.body.user.customerId, customer.id);
    assert.ok([`sone${suffix}`, `stwo${suffix}`].includes(session.body.user.login));
    assert.equal((await reader.get('/api/reader/bookshelf')).status, 200);
    assertError(await t.client().post('/api/auth/qr', { token: tokens[0] }), 410, 'SIGN_IN_CARD_INVALID');

    // The second card's code has expired.
    await t.ctx.db.kysely.updateTable('sign_in_tokens').set({ expires_at: '2000-01-01T00:00:00.000Z' }).where('customer_id', '=', customer.id).execute();
    const late = t.client();
    assertError(await late.post('/api/auth/qr', { token: tokens[1] }), 410, 'SIGN_IN_CARD_INVALID');
    assert.equal(late.cookie, null);

    // Printing again makes the earlier, unused card useless.
    const again = await readPdf((await pdfOf(admin, { userIds: [s1], mode: 'qr' })).rawPayload);
    const newer = await readPdf((await pdfOf(admin, { userIds: [s1], mode: 'qr' })).rawPayload);
    assertError(await t.client().post('/api/auth/qr', { token: again.links[0]!.split('#')[1] }), 410, 'SIGN_IN_CARD_INVALID');
    assert.equal((await t.client().post('/api/auth/qr', { token: newer.links[0]!.split('#')[1] })).status, 200);
    assertError(await t.client().post('/api/auth/qr', { token: 'not-a-token' }), 410, 'SIGN_IN_CARD_INVALID');

    // A card does not outlive the account: a disabled user's code signs no one in.
    const disabled = await readPdf((await pdfOf(admin, { userIds: [s2], mode: 'qr' })).rawPayload);
    await t.ctx.db.kysely.updateTable('users').set({ status: 'disabled' }).where('id', '=', s2).execute();
    const refused = t.client();
    assertError(await refused.post('/api/auth/qr', { token: disabled.links[0]!.split('#')[1] }), 403, 'ACCOUNT_DISABLED');
    assert.equal(refused.cookie, null);
    await t.ctx.db.kysely.updateTable('users').set({ status: 'active' }).where('id', '=', s2).execute();
  });

  it("refuses another customer's users and class (NOT_FOUND) and changes none of their passwords", async () => {
    const theirs = await userId(other.id, 'u-s1');
    const before = await t.ctx.db.kysely.selectFrom('users').select(['password_hash', 'must_change_password']).where('id', '=', theirs).executeTakeFirstOrThrow();
    const mine = await userId(customer.id, 'u-s2');
    assertError(await admin.post(`/api/customers/${customer.id}/login-cards`, { userIds: [mine, theirs], mode: 'password' }), 404, 'NOT_FOUND');
    const theirClass = (await t.ctx.db.kysely.selectFrom('classes').select('id').where('customer_id', '=', other.id).executeTakeFirstOrThrow()).id;
    assertError(await admin.post(`/api/customers/${customer.id}/login-cards`, { classId: theirClass, mode: 'password' }), 404, 'NOT_FOUND');
    assertError(await admin.post(`/api/customers/${other.id}/login-cards`, { userIds: [theirs], mode: 'password' }), 404, 'NOT_FOUND');
    assert.deepEqual(await t.ctx.db.kysely.selectFrom('users').select(['password_hash', 'must_change_password']).where('id', '=', theirs).executeTakeFirstOrThrow(), before);
  });

  it('refuses cards for administrators, an empty request and non-admins, changing nothing', async () => {
    const adminUser = customer.created.administrator.userId!;
    const student = await userId(customer.id, 'u-s2');
    const hashBefore = (await t.ctx.db.kysely.selectFrom('users').select('password_hash').where('id', '=', student).executeTakeFirstOrThrow()).password_hash;
    const res = assertError(await admin.post(`/api/customers/${customer.id}/login-cards`, { userIds: [student, adminUser], mode: 'password' }), 400, 'VALIDATION_FAILED', ['userIds']);
    assert.match(res.fields![0]!.message, /administrator/);
    assertError(await admin.post(`/api/customers/${customer.id}/login-cards`, { mode: 'qr' }), 400, 'VALIDATION_FAILED', ['userIds']);
    assertError(await admin.post(`/api/customers/${customer.id}/login-cards`, { classId, mode: 'magic' }), 400, 'VALIDATION_FAILED');
    const teacher = t.client();
    await t.ctx.db.kysely
      .updateTable('users')
      .set({ password_hash: await hashPassword('Teacher-pass-12') })
      .where('id', '=', await userId(customer.id, 'u-t'))
      .execute();
    await teacher.login(`tpark${suffix}`, 'Teacher-pass-12');
    assertError(await teacher.post(`/api/customers/${customer.id}/login-cards`, { classId, mode: 'password' }), 403, 'FORBIDDEN');
    assert.equal((await t.ctx.db.kysely.selectFrom('users').select('password_hash').where('id', '=', student).executeTakeFirstOrThrow()).password_hash, hashBefore);
  });

  it('exports the users as CSV with the list filters, quoting formulas and never a password', async () => {
    await importBundle(
      customer.id,
      district11({
        'users.csv': table(HEADERS.users11, [
          { sourcedId: 'u-t', enabledUser: 'true', orgSourcedIds: 'org-s', role: 'teacher', username: 'tpark', givenName: 'Ada', familyName: 'Park', email: 'ada@x.example' },
          {
            sourcedId: 'u-s1',
            enabledUser: 'true',
            orgSourcedIds: 'org-s',
            role: 'student',
            username: 'sone',
            givenName: '=HYPERLINK("http://evil")',
            familyName: 'One, "Jr"',
            password: 'Secret-roster-1',
          },
          { sourcedId: 'u-s2', enabledUser: 'true', orgSourcedIds: 'org-s', role: 'student', username: 'stwo', givenName: '+Sue', familyName: '@Two', grades: '09' },
          { sourcedId: 'u-p', enabledUser: 'false', orgSourcedIds: 'org-s', role: 'parent', username: 'pone', givenName: '-Pat', familyName: 'One' },
        ]),
      }),
    );
    const all = await admin.get<string>(`/api/customers/${customer.id}/users.csv`);
    assert.equal(all.status, 200);
    assert.match(String(all.headers['content-type']), /^text\/csv/);
    assert.match(String(all.headers['content-disposition']), /attachment; filename="users.csv"/);
    const rows = all.body.trimEnd().split('\r\n');
    assert.equal(rows[0], 'id,sourcedId,login,username,email,identifier,givenName,familyName,role,source,status');
    assert.ok(!/password|Secret-roster-1/i.test(all.body));
    const sam = rows.find((r) => r.includes(`sone${suffix}`))!;
    assert.ok(sam.includes(`"'=HYPERLINK(""http://evil"")","One, ""Jr"""`), sam);
    const sue = rows.find((r) => r.includes(`stwo${suffix}`))!;
    assert.ok(sue.includes(",'+Sue,'@Two,"), sue);

    const students = (await admin.get<string>(`/api/customers/${customer.id}/users.csv?role=student`)).body.trimEnd().split('\r\n');
    assert.deepEqual(
      students
        .slice(1)
        .map((r) => r.split(',')[2])
        .sort(),
      [`sone${suffix}`, `stwo${suffix}`],
    );
    const searched = (await admin.get<string>(`/api/customers/${customer.id}/users.csv?search=tpark`)).body.trimEnd().split('\r\n');
    assert.deepEqual(
      searched.slice(1).map((r) => r.split(',')[2]),
      [`tpark${suffix}`],
    );
    const inClass = (await admin.get<string>(`/api/customers/${customer.id}/users.csv?classId=${classId}`)).body.trimEnd().split('\r\n');
    assert.equal(inClass.length, 4, 'header, the teacher and two students');
    const atSchool = (await admin.get<string>(`/api/customers/${customer.id}/users.csv?school=org-s&role=teacher`)).body.trimEnd().split('\r\n');
    assert.equal(atSchool.length, 2);
    const none = (await admin.get<string>(`/api/customers/${customer.id}/users.csv?search=nobody-here`)).body;
    assert.equal(none, 'id,sourcedId,login,username,email,identifier,givenName,familyName,role,source,status\r\n');
    assertError(await admin.get(`/api/customers/${other.id}/users.csv`), 404, 'NOT_FOUND');
  });
});
