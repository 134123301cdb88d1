import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { newUserRecord } from '../../accounts/account-service.js';
import { UserRepository } from '../../accounts/user-repository.js';
import { describeEachDialect, seedCustomer, startTestApp, type TestApp } from '../../../test/helpers/app.js';
import { orgRow, userRow } from '../../../test/helpers/roster-rows.js';
import { runSync, type AnyRow } from './engine.js';
import { lecternRole, matchKey, withSuffix, type MatchSettings } from './matching.js';
import type { EntityType, FileMode } from './snapshot.js';

describe('match keys', () => {
  it('applies the Suffix to usernames and emails only, and not twice', () => {
    const row = { sourcedId: 'S-1', identifier: ' 1001 ', username: 'Ada.Park', email: 'Ada@Lincoln.org' };
    assert.equal(matchKey(row, { matchWith: 'sourcedId', suffix: '@lincoln' }), 'S-1');
    assert.equal(matchKey(row, { matchWith: 'identifier', suffix: '@lincoln' }), '1001');
    assert.equal(matchKey(row, { matchWith: 'username', suffix: '@lincoln' }), 'ada.park@lincoln');
    assert.equal(matchKey(row, { matchWith: 'username', suffix: '' }), 'ada.park');
    assert.equal(matchKey(row, { matchWith: 'email', suffix: '' }), 'ada@lincoln.org');
    assert.equal(matchKey(row, { matchWith: 'email', suffix: '.org' }), 'ada@lincoln.org');
    assert.equal(matchKey(row, { matchWith: 'email', suffix: '@lincoln' }), 'ada@lincoln.org', 'a full address keeps its domain');
    assert.equal(matchKey({ ...row, email: 'Ada' }, { matchWith: 'email', suffix: '@lincoln.org' }), 'ada@lincoln.org', 'a local part gets the Suffix');
    assert.equal(withSuffix('ada@lincoln', '@Lincoln'), 'ada@lincoln');
    assert.equal(matchKey({ ...row, email: '' }, { matchWith: 'email', suffix: '@x' }), '', 'no email, nothing to match');
  });

  it('maps OneRoster roles to Lectern roles', () => {
    assert.equal(lecternRole('student'), 'student');
    assert.equal(lecternRole('teacher'), 'teacher');
    for (const r of ['administrator', 'siteAdministrator', 'districtAdministrator', 'principal', 'systemAdministrator']) assert.equal(lecternRole(r), 'institute_admin');
    for (const r of ['guardian', 'parent', 'aide', 'proctor', 'counselor']) assert.equal(lecternRole(r), 'reader');
  });
});

const modes: Record<EntityType, FileMode> = { orgs: 'bulk', academicSessions: 'absent', courses: 'absent', classes: 'absent', users: 'bulk', enrollments: 'absent' };

describeEachDialect('matching incoming users to accounts', (dialect) => {
  let t: TestApp;
  before(async () => {
    t = await startTestApp(dialect);
  });
  after(() => t.close());

  /** A customer with existing manual accounts to match against. */
  async function setup(accounts: { login: string; email: string; identifier?: string }[]) {
    const { id } = await seedCustomer(t.ctx);
    const repo = new UserRepository(t.ctx.db.kysely);
    const ids: string[] = [];
    for (const a of accounts) {
      const u = {
        ...newUserRecord({
          role: 'teacher',
          customerId: id,
          login: a.login,
          email: a.email,
          givenName: 'Pre',
          familyName: 'Existing',
          phone: '',
          passwordHash: null,
          mustChangePassword: false,
          source: 'manual',
        }),
        identifier: a.identifier ?? '',
      };
      await repo.insert(u);
      ids.push(u.id);
    }
    return { customerId: id, ids };
  }
  const sync = (customerId: string, rows: AnyRow[], matching: MatchSettings, actorUserId: string | null = null) =>
    runSync(t.ctx.db, t.ctx.secrets, { runId: crypto.randomUUID(), customerId, modes, rows, matching, threshold: { percent: 100, min: 1000 }, actorUserId, noDeletes: new Set(), dryRun: false });
  const user = (customerId: string, sourcedId: string) => t.ctx.db.kysely.selectFrom('users').selectAll().where('customer_id', '=', customerId).where('sourced_id', '=', sourcedId).executeTakeFirst();

  it('creates a new account when nothing matches, with the Suffix in its login', async () => {
    const { customerId } = await setup([]);
    await sync(customerId, [orgRow('org-1'), userRow('u-9', { username: 'Kim' })], { matchWith: 'username', suffix: '@lincoln' });
    const created = await user(customerId, 'u-9');
    assert.equal(created?.login, 'kim@lincoln');
    assert.equal(created?.source, 'roster');
    assert.equal(created?.role, 'student');
  });

  it('keeps the link by sourcedId after a rename', async () => {
    const { customerId } = await setup([]);
    await sync(customerId, [orgRow('org-1'), userRow('u-5', { username: 'before' })], { matchWith: 'username', suffix: '' });
    const first = await user(customerId, 'u-5');
    const out = await sync(customerId, [orgRow('org-1'), userRow('u-5', { username: 'after' })], { matchWith: 'username', suffix: '' });
    assert.equal(out.counts.users.updated, 1);
    const renamed = await user(customerId, 'u-5');
    assert.equal(renamed?.id, first?.id);
    assert.equal(renamed?.login, 'after');
    const change = await t.ctx.db.kysely.selectFrom('roster_run_changes').select(['action', 'fields']).where('target_id', '=', first!.id).where('action', '=', 'update').executeTakeFirstOrThrow();
    assert.deepEqual(JSON.parse(change.fields), { username: ['before', 'after'] });
  });

  it('refuses a login name that belongs to someone else on the platform', async () => {
    const { customerId } = await setup([]);
    const other = await setup([{ login: 'taken@lincoln', email: 'z@x.example' }]);
    assert.notEqual(other.customerId, customerId);
    const out = await sync(customerId, [orgRow('org-1'), userRow('u-1', { username: 'taken' })], { matchWith: 'sourcedId', suffix: '@lincoln' });
    assert.equal(out.counts.users.skipped, 1);
    assert.equal(out.issues[0]?.code, 'user.login_taken');
  });

  it('never deletes accounts the roster did not create, nor the person running the sync', async () => {
    const { customerId, ids } = await setup([{ login: 'm@x.example', email: 'm@x.example', identifier: '55' }]);
    // A manual account linked to the roster by an earlier rule, two roster accounts, then a roster without any of them.
    await t.ctx.db.kysely.updateTable('users').set({ sourced_id: 'u-55' }).where('id', '=', ids[0]!).execute();
    await sync(customerId, [orgRow('org-1'), userRow('u-56'), userRow('u-57')], { matchWith: 'identifier', suffix: '' });
    const self = await user(customerId, 'u-56');
    const out = await sync(customerId, [orgRow('org-1'), userRow('u-58')], { matchWith: 'identifier', suffix: '' }, self!.id);
    assert.equal(out.counts.users.deleted, 1, 'only u-57');
    assert.equal((await user(customerId, 'u-55'))?.status, 'active');
    assert.equal((await user(customerId, 'u-56'))?.status, 'active');
    assert.equal((await user(customerId, 'u-57'))?.status, 'deleted');
    const admin = await t.ctx.db.kysely.selectFrom('users').select('status').where('customer_id', '=', customerId).where('role', '=', 'customer_admin').executeTakeFirst();
    assert.equal(admin?.status, 'active');
    assert.equal(ids.length, 1);
  });
});
