import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { operatorActor } from '../../../accounts/policy.js';
import { describeEachDialect, seedCustomer, startTestApp, type TestApp, type TestClient } from '../../../../test/helpers/app.js';
import { HEADERS, district11, table, writeBundle } from '../../../../test/helpers/bundles.js';
import { zipSource } from '../../../rostering/runs/zip-source.js';

interface UserPage {
  id: string;
  sourcedId: string;
  role: string;
  status: string;
  match: { rule: string; value: string; explanation: string; runId: string } | null;
  roles: { orgSourcedId: string; orgName: string; role: string; roleType: string }[];
  enrollments: { classTitle: string; role: string; status: string }[];
  history: { action: string; fields: Record<string, unknown[]>; runId: string }[];
}

describeEachDialect('user and class pages, school filter, restore', (dialect) => {
  let t: TestApp;
  let admin: TestClient;
  let customer: Awaited<ReturnType<typeof seedCustomer>>;
  const importBundle = async (files: Record<string, string>) => {
    const path = await writeBundle(files);
    const run = await t.ctx.runs.create(operatorActor, customer.id, { trigger: 'cli', fileName: 'r.zip', sizeBytes: 1, sha256: '', bundlePath: path, dryRun: false });
    return t.ctx.runs.execute(run.runId, customer.id, zipSource(path));
  };
  const userBySourcedId = async (sourcedId: string) =>
    (await t.ctx.db.kysely.selectFrom('users').select('id').where('customer_id', '=', customer.id).where('sourced_id', '=', sourcedId).executeTakeFirstOrThrow()).id;

  before(async () => {
    t = await startTestApp(dialect);
    customer = await seedCustomer(t.ctx, { rostering: { suffix: `@dir-${dialect}` } });
    admin = await t.client().login(customer.adminEmail, customer.adminPassword);
    await importBundle(district11());
  });
  after(() => t.close());

  it("shows a user's roster data, roles, classes and how the account was made", async () => {
    const res = await admin.get<UserPage>(`/api/customers/${customer.id}/users/${await userBySourcedId('u-s1')}`);
    assert.equal(res.status, 200);
    assert.equal(res.body.role, 'student');
    assert.equal(res.body.match?.rule, 'created');
    assert.match(res.body.match?.explanation ?? '', /Created by a roster sync/);
    assert.deepEqual(
      res.body.roles.map((r) => [r.orgSourcedId, r.orgName, r.role, r.roleType]),
      [['org-s', 'Lincoln High', 'student', 'primary']],
    );
    assert.deepEqual(
      res.body.enrollments.map((e) => [e.classTitle, e.role, e.status]),
      [['Algebra P1', 'student', 'active']],
    );
    assert.equal(res.body.history[0]?.action, 'create');
  });

  it('keeps the change history across runs, field by field', async () => {
    const renamed = district11({
      'users.csv': table(HEADERS.users11, [
        { sourcedId: 'u-t', enabledUser: 'true', orgSourcedIds: 'org-s', role: 'teacher', username: 'tpark', givenName: 'Ada', familyName: 'Park-Lee', email: 'ada@x.example' },
        {
          sourcedId: 'u-s1',
          enabledUser: 'true',
          orgSourcedIds: 'org-s',
          role: 'student',
          username: 'sone',
          userIds: '{SIS:1001}',
          givenName: 'Sam',
          familyName: 'One',
          grades: '09',
          agentSourcedIds: 'u-p',
        },
        { sourcedId: 'u-s2', enabledUser: 'true', orgSourcedIds: 'org-s', role: 'student', username: 'stwo', givenName: 'Sue', familyName: 'Two', grades: '09' },
        { sourcedId: 'u-p', enabledUser: 'false', orgSourcedIds: 'org-s', role: 'parent', username: 'pone', givenName: 'Pat', familyName: 'One' },
      ]),
    });
    await importBundle(renamed);
    const res = await admin.get<UserPage>(`/api/customers/${customer.id}/users/${await userBySourcedId('u-t')}`);
    assert.deepEqual(
      res.body.history.map((h) => [h.action, h.fields]),
      [
        ['update', { family_name: ['Park', 'Park-Lee'] }],
        ['create', {}],
      ],
    );
  });

  it('shows a class with its teachers and students', async () => {
    const list = await admin.get<{ items: { id: string; title: string }[] }>(`/api/customers/${customer.id}/classes`);
    const page = await admin.get<{ title: string; teachers: { givenName: string }[]; students: { givenName: string }[]; termSourcedIds: string[] }>(
      `/api/customers/${customer.id}/classes/${list.body.items[0]!.id}`,
    );
    assert.equal(page.body.title, 'Algebra P1');
    assert.deepEqual(
      page.body.teachers.map((x) => x.givenName),
      ['Ada'],
    );
    assert.deepEqual(page.body.students.map((x) => x.givenName).sort(), ['Sam', 'Sue']);
    assert.deepEqual(page.body.termSourcedIds, ['as-t']);
  });

  it('filters users by school and lists schools', async () => {
    const schools = await admin.get<{ sourcedId: string; name: string }[]>(`/api/customers/${customer.id}/schools`);
    assert.deepEqual(
      schools.body.map((s) => [s.sourcedId, s.name]),
      [['org-s', 'Lincoln High']],
    );
    const atSchool = await admin.get<{ total: number }>(`/api/customers/${customer.id}/users?school=org-s`);
    assert.equal(atSchool.body.total, 4);
    const nowhere = await admin.get<{ total: number }>(`/api/customers/${customer.id}/users?school=org-d`);
    assert.equal(nowhere.body.total, 0);
  });

  it('restores a deleted user with the enrollments that ended with them', async () => {
    const without = district11({
      'users.csv': table(HEADERS.users11, [
        { sourcedId: 'u-t', enabledUser: 'true', orgSourcedIds: 'org-s', role: 'teacher', username: 'tpark', givenName: 'Ada', familyName: 'Park-Lee', email: 'ada@x.example' },
        {
          sourcedId: 'u-s1',
          enabledUser: 'true',
          orgSourcedIds: 'org-s',
          role: 'student',
          username: 'sone',
          userIds: '{SIS:1001}',
          givenName: 'Sam',
          familyName: 'One',
          grades: '09',
          agentSourcedIds: 'u-p',
        },
        { sourcedId: 'u-p', enabledUser: 'false', orgSourcedIds: 'org-s', role: 'parent', username: 'pone', givenName: 'Pat', familyName: 'One' },
      ]),
      'enrollments.csv': table(HEADERS.enrollments, [
        { sourcedId: 'e-1', classSourcedId: 'cl-1', schoolSourcedId: 'org-s', userSourcedId: 'u-t', role: 'teacher', primary: 'true' },
        { sourcedId: 'e-2', classSourcedId: 'cl-1', schoolSourcedId: 'org-s', userSourcedId: 'u-s1', role: 'student' },
      ]),
    });
    const run = await importBundle(without);
    assert.equal(run.counts.users.deleted, 1, JSON.stringify(run));
    assert.equal(run.counts.enrollments.deleted, 1);
    const id = await userBySourcedId('u-s2');
    const deleted = await admin.get<{ items: { id: string; status: string }[] }>(`/api/customers/${customer.id}/users?status=deleted`);
    assert.deepEqual(
      deleted.body.items.map((u) => [u.id, u.status]),
      [[id, 'deleted']],
    );
    const restored = await admin.post<{ status: string }>(`/api/customers/${customer.id}/users/${id}/restore`);
    assert.deepEqual([restored.status, restored.body.status], [200, 'active']);
    const page = await admin.get<UserPage>(`/api/customers/${customer.id}/users/${id}`);
    assert.equal(page.body.status, 'active');
    assert.ok(page.body.enrollments.every((e) => e.status === 'active'));
    const again = await admin.post<{ error: { code: string } }>(`/api/customers/${customer.id}/users/${id}/restore`);
    assert.equal(again.status, 200, 'restoring an active user is harmless');
    const audit = await admin.get<{ action: string }[]>(`/api/customers/${customer.id}/audit`);
    assert.ok(audit.body.some((a) => a.action === 'user.restored'));
  });
});
