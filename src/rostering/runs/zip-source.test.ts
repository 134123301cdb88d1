import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import { after, before, it } from 'node:test';
import { operatorActor } from '../../accounts/policy.js';
import { describeEachDialect, seedCustomer, startTestApp, type TestApp } from '../../../test/helpers/app.js';
import { HEADERS, district11, manifest, table, writeBundle } from '../../../test/helpers/bundles.js';
import { RosterRunService } from './run-service.js';
import { zipSource } from './zip-source.js';

describeEachDialect('importing OneRoster zip bundles', (dialect) => {
  let t: TestApp;
  let runs: RosterRunService;
  before(async () => {
    t = await startTestApp(dialect);
    runs = new RosterRunService(t.ctx.db, t.ctx.secrets);
  });
  after(() => t.close());

  async function importBundle(customerId: string, files: Record<string, string>, opts: { force?: boolean } = {}) {
    const path = await writeBundle(files);
    const sha256 = crypto.createHash('sha256').update(fs.readFileSync(path)).digest('hex');
    const run = await runs.create(operatorActor, customerId, { trigger: 'cli', fileName: 'roster.zip', sizeBytes: 1, sha256, bundlePath: path, dryRun: false });
    return runs.execute(run.runId, customerId, zipSource(path), opts);
  }
  const users = (customerId: string) =>
    t.ctx.db.kysely
      .selectFrom('users')
      .select(['sourced_id', 'role', 'login', 'status', 'user_ids'])
      .where('customer_id', '=', customerId)
      .where('source', '=', 'roster')
      .orderBy('sourced_id')
      .execute();

  it('imports a 1.1 district: every entity, roles mapped, logins with the Suffix', async () => {
    const { id } = await seedCustomer(t.ctx, { rostering: { suffix: '@lincoln' } });
    const run = await importBundle(id, district11());
    assert.equal(run.status, 'succeeded', JSON.stringify(run));
    assert.equal(run.version, '1.1');
    assert.deepEqual(Object.fromEntries(Object.entries(run.counts).map(([k, v]) => [k, v.created])), { orgs: 2, academicSessions: 2, courses: 1, classes: 1, users: 4, enrollments: 3 });
    assert.deepEqual(
      (await users(id)).map((u) => [u.sourced_id, u.role, u.login]),
      [
        ['u-p', 'reader', 'pone@lincoln'],
        ['u-s1', 'student', 'sone@lincoln'],
        ['u-s2', 'student', 'stwo@lincoln'],
        ['u-t', 'teacher', 'tpark@lincoln'],
      ],
    );
    assert.equal((await users(id)).find((u) => u.sourced_id === 'u-s1')?.user_ids, '["{SIS:1001}"]');
    const again = await importBundle(id, district11(), { force: true });
    assert.equal(again.counts.users.unchanged, 4);
    assert.equal(again.counts.enrollments.unchanged, 3);
  });

  it('recognises the same file sent again and does nothing, unless the roster or the settings changed since', async () => {
    const { id } = await seedCustomer(t.ctx, { rostering: { suffix: '@same-file' } });
    assert.equal((await importBundle(id, district11())).counts.users.created, 4);
    const same = await importBundle(id, district11());
    assert.deepEqual([same.status, same.stage], ['succeeded', 'unchanged']);
    assert.equal(same.counts.users.unchanged, 0, 'the file was not read');
    // A change stamped now, a moment after the last run ended.
    const now = async () => (await new Promise((r) => setTimeout(r, 5)), new Date().toISOString());
    // The customer's settings changed since (e.g. the Suffix, which makes every login): read again, once.
    await t.ctx.db.kysely
      .updateTable('rostering_configs')
      .set({ updated_at: await now() })
      .where('customer_id', '=', id)
      .execute();
    assert.equal((await importBundle(id, district11())).stage, 'done');
    assert.equal((await importBundle(id, district11())).stage, 'unchanged');
    // A roster record changed since (a restore, a manual edit…): the file is read and planned again.
    await t.ctx.db.kysely
      .updateTable('users')
      .set({ updated_at: await now() })
      .where('customer_id', '=', id)
      .where('sourced_id', '=', 'u-s1')
      .execute();
    const afterEdit = await importBundle(id, district11());
    assert.equal(afterEdit.stage, 'done');
    assert.equal(afterEdit.counts.users.unchanged, 4);
    // A different file is always read.
    const changed = district11();
    changed['users.csv'] = changed['users.csv']!.replace('Sam', 'Samuel');
    const other = await importBundle(id, changed);
    assert.equal(other.stage, 'done');
  });

  // Login names are platform-wide, so each customer here has its own Suffix.
  it('imports 1.2 users with their roles from roles.csv', async () => {
    const { id } = await seedCustomer(t.ctx, { rostering: { suffix: '@twelve' } });
    const files = district11({
      'users.csv': table(HEADERS.users12, [
        { sourcedId: 'u-t', enabledUser: 'true', username: 'tpark', givenName: 'Ada', familyName: 'Park' },
        { sourcedId: 'u-a', enabledUser: 'true', username: 'boss', givenName: 'Bo', familyName: 'Ss' },
        { sourcedId: 'u-s1', enabledUser: 'true', username: 'sone', givenName: 'Sam', familyName: 'One' },
        { sourcedId: 'u-s2', enabledUser: 'true', username: 'stwo', givenName: 'Sue', familyName: 'Two' },
      ]),
      'roles.csv': table(HEADERS.roles, [
        { sourcedId: 'r-1', userSourcedId: 'u-t', roleType: 'primary', role: 'teacher', orgSourcedId: 'org-s' },
        { sourcedId: 'r-2', userSourcedId: 'u-a', roleType: 'primary', role: 'principal', orgSourcedId: 'org-s' },
        { sourcedId: 'r-3', userSourcedId: 'u-s1', roleType: 'primary', role: 'student', orgSourcedId: 'org-s' },
        { sourcedId: 'r-4', userSourcedId: 'u-s2', roleType: 'primary', role: 'student', orgSourcedId: 'org-s' },
      ]),
      'manifest.csv': manifest('1.2', { orgs: 'bulk', academicSessions: 'bulk', courses: 'bulk', classes: 'bulk', users: 'bulk', roles: 'bulk', enrollments: 'bulk' }),
    });
    const run = await importBundle(id, files);
    assert.equal(run.status, 'succeeded', JSON.stringify(run));
    assert.equal(run.version, '1.2');
    assert.deepEqual(
      (await users(id)).map((u) => [u.sourced_id, u.role]),
      [
        ['u-a', 'institute_admin'],
        ['u-s1', 'student'],
        ['u-s2', 'student'],
        ['u-t', 'teacher'],
      ],
    );
  });

  it('re-upload without a user deletes them; their return restores them', async () => {
    const { id } = await seedCustomer(t.ctx, { rostering: { suffix: '@back' } });
    await importBundle(id, district11());
    const without = district11({
      'users.csv': table(HEADERS.users11, [
        { sourcedId: 'u-t', enabledUser: 'true', orgSourcedIds: 'org-s', role: 'teacher', username: 'tpark', givenName: 'Ada', familyName: 'Park', email: 'ada@x.example' },
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
        { sourcedId: 'e-2', classSourcedId: 'cl-1', schoolSourcedId: 'org-s', userSourcedId: 'u-s1', role: 'student', primary: 'false', beginDate: '2024-08-01' },
      ]),
    });
    // 1 of 4 users is 25%: above the default 10% threshold, but under the 5-record minimum.
    const removed = await importBundle(id, without);
    assert.equal(removed.status, 'succeeded', JSON.stringify(removed));
    assert.equal(removed.counts.users.deleted, 1);
    assert.equal((await users(id)).find((u) => u.sourced_id === 'u-s2')?.status, 'deleted');
    const back = await importBundle(id, district11());
    assert.equal(back.counts.users.restored, 1);
    assert.equal((await users(id)).find((u) => u.sourced_id === 'u-s2')?.status, 'active');
  });

  it('refuses a broken bundle and a manifest-only bundle changes nothing', async () => {
    const { id } = await seedCustomer(t.ctx, { rostering: { suffix: '@broken' } });
    await importBundle(id, district11());
    const broken = await importBundle(id, { 'users.csv': 'sourcedId,status\n' });
    assert.equal(broken.status, 'failed');
    const onlyManifest = await importBundle(id, { 'manifest.csv': manifest('1.1', {}) });
    assert.notEqual(onlyManifest.status, 'failed');
    assert.equal(
      Object.values(onlyManifest.counts).reduce((n, c) => n + c.deleted + c.created, 0),
      0,
    );
    assert.equal((await users(id)).filter((u) => u.status === 'active').length, 4);
  });
});
