import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { after, before, it } from 'node:test';
import { newUserRecord } from '../../accounts/account-service.js';
import { UserRepository } from '../../accounts/user-repository.js';
import type { User } from '../../db/schema.js';
import { operatorActor } from '../../accounts/policy.js';
import { ADMIN_EMAIL, describeEachDialect, seedCustomer, startTestApp, type TestApp } from '../../../test/helpers/app.js';
import { district11, HEADERS, table, writeBundle } from '../../../test/helpers/bundles.js';
import { zipSource } from '../runs/zip-source.js';
import { orgRow, userRow } from '../../../test/helpers/roster-rows.js';
import { runSync, type AnyRow } from './engine.js';
import type { MatchWith } from './matching.js';
import type { EntityType, FileMode } from './snapshot.js';

const bulkUsers: Record<EntityType, FileMode> = { orgs: 'bulk', academicSessions: 'absent', courses: 'absent', classes: 'absent', users: 'bulk', enrollments: 'absent' };
const deltaUsers: Record<EntityType, FileMode> = { ...bulkUsers, orgs: 'delta', users: 'delta' };

const KINDS = [
  'enterprise admin',
  'customer admin',
  'institute admin created manually',
  'manual teacher',
  'LTI-only user',
  "another customer's roster student",
  'roster user promoted to customer admin',
] as const;
type Kind = (typeof KINDS)[number];
const RULES: MatchWith[] = ['sourcedId', 'identifier', 'username', 'email'];

/*
 * A sync may change only accounts the customer's roster created and that still hold a roster role.
 * Every Match with rule is tried against every kind of account a roster must not reach, each
 * account made matchable by every rule (a sourcedId from an earlier link, an identifier, an email),
 * and the row carries a password: the account must come out byte for byte as it was.
 */
describeEachDialect('a roster row never takes over an account the roster did not create', (dialect) => {
  let t: TestApp;
  before(async () => {
    t = await startTestApp(dialect);
  });
  after(() => t.close());

  const users = () => new UserRepository(t.ctx.db.kysely);
  const snapshot = (id: string) => t.ctx.db.kysely.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
  const sync = (customerId: string, rows: AnyRow[], matchWith: MatchWith, modes = bulkUsers) =>
    runSync(t.ctx.db, t.ctx.secrets, {
      runId: crypto.randomUUID(),
      customerId,
      modes,
      rows,
      matching: { matchWith, suffix: '' },
      threshold: { percent: 100, min: 1000 },
      actorUserId: null,
      noDeletes: new Set(),
      dryRun: false,
    });

  /** A fresh customer and one account of `kind`, matchable by every rule. */
  async function setup(kind: Kind): Promise<{ customerId: string; account: User }> {
    const { id: customerId } = await seedCustomer(t.ctx);
    const n = crypto.randomBytes(4).toString('hex');
    const manual = (role: User['role'], source: User['source'], customer: string) =>
      newUserRecord({
        role,
        customerId: customer,
        login: `${kind.replace(/\W+/g, '-')}-${n}@x.example`,
        email: `p-${n}@x.example`,
        givenName: 'Pro',
        familyName: 'Tected',
        phone: '',
        passwordHash: '$argon2id$fixed',
        mustChangePassword: false,
        source,
      });
    let account: User;
    switch (kind) {
      case 'enterprise admin':
        account = (await users().findByLoginPlatformWide(ADMIN_EMAIL))!;
        break;
      case 'customer admin':
        account = (await t.ctx.db.kysely.selectFrom('users').selectAll().where('customer_id', '=', customerId).where('role', '=', 'customer_admin').executeTakeFirstOrThrow()) as User;
        break;
      case 'institute admin created manually':
        account = manual('institute_admin', 'manual', customerId);
        break;
      case 'manual teacher':
        account = manual('teacher', 'manual', customerId);
        break;
      case 'LTI-only user':
        account = manual('student', 'lti', customerId);
        account.login = `lti:${account.id}`;
        break;
      case "another customer's roster student":
        account = manual('student', 'roster', (await seedCustomer(t.ctx)).id);
        break;
      case 'roster user promoted to customer admin':
        account = manual('customer_admin', 'roster', customerId);
        break;
    }
    if (!(await users().findByIdPlatformWide(account.id))) await users().insert(account);
    // Matchable by every rule: an earlier link's sourcedId, an identifier, an email of its own.
    await t.ctx.db.kysely
      .updateTable('users')
      .set({ sourced_id: `src-${n}`, identifier: `ident-${n}`, email: `mail-${n}@x.example` })
      .where('id', '=', account.id)
      .execute();
    return { customerId, account: await snapshot(account.id) };
  }

  // The row that would take `account` over by `rule`, with a password of its own.
  const attack = (account: User, rule: MatchWith, status: 'active' | 'tobedeleted' = 'active') => {
    const n = crypto.randomBytes(3).toString('hex');
    const row = userRow(rule === 'sourcedId' ? account.sourced_id! : `new-${n}`, {
      username: `fresh-${n}`,
      identifier: `fresh-${n}`,
      email: `fresh-${n}@y.example`,
      password: 'Hijack-pass-1',
      role: 'administrator',
    });
    if (row.entity !== 'users') throw new Error('not a user row');
    if (rule === 'identifier') row.row.identifier = account.identifier;
    if (rule === 'username') row.row.username = account.login;
    if (rule === 'email') row.row.email = account.email.toUpperCase();
    row.row.status = status;
    return row;
  };

  // Which accounts a rule reaches: the customer's own, logins everywhere, identifier and email also the platform's admins.
  const reaches = (kind: Kind, rule: MatchWith) => (kind === "another customer's roster student" ? rule === 'username' : kind === 'enterprise admin' ? rule !== 'sourcedId' : true);

  for (const rule of RULES) {
    for (const kind of KINDS) {
      it(`Match with ${rule}: a row with the ${kind}'s ${rule} and a password leaves that account untouched`, async () => {
        const { customerId, account } = await setup(kind);
        const row = attack(account, rule);
        const out = await sync(customerId, [orgRow('org-1'), row], rule);
        await t.ctx.runs.hashPasswords();
        assert.deepEqual(await snapshot(account.id), account, 'password hash, role, email, status and link unchanged');
        assert.equal(await t.ctx.db.kysely.selectFrom('pending_passwords').select('user_id').where('user_id', '=', account.id).executeTakeFirst(), undefined);
        if (reaches(kind, rule)) {
          assert.deepEqual(
            out.issues.map((i) => [i.code, i.line, i.sourcedId]),
            [['match.protected_account', row.row.line, row.row.sourcedId]],
          );
          assert.equal(out.counts.users.skipped, 1);
          assert.equal(out.counts.users.created + out.counts.users.updated + out.counts.users.deleted, 0);
        } else {
          // The rule cannot see into another customer (nor link a customer's sourcedId to the platform): a separate account.
          assert.deepEqual(out.issues, []);
          assert.equal(out.counts.users.created, 1);
        }
      });
    }
  }

  it('the sourcedId link is checked under every rule, and a delta tobedeleted row deletes no protected account', async () => {
    for (const rule of RULES) {
      for (const kind of ['customer admin', 'institute admin created manually', 'LTI-only user', 'roster user promoted to customer admin'] as const) {
        const { customerId, account } = await setup(kind);
        for (const status of ['active', 'tobedeleted'] as const) {
          const row = attack(account, 'sourcedId', status);
          const out = await sync(customerId, [orgRow('org-1'), row], rule, deltaUsers);
          assert.deepEqual(
            out.issues.map((i) => [i.code, i.sourcedId]),
            [['match.protected_account', account.sourced_id]],
            `${rule} ${kind} ${status}`,
          );
          assert.deepEqual(await snapshot(account.id), account);
        }
      }
    }
  });

  it("end to end: a users.csv with the customer admin's email and a new password leaves the admin signing in as before", async () => {
    const { id, adminEmail, adminPassword } = await seedCustomer(t.ctx, { rostering: { matchWith: 'email', suffix: '@e2e' } });
    const admin = await t.ctx.db.kysely.selectFrom('users').selectAll().where('login', '=', adminEmail).executeTakeFirstOrThrow();
    const files = district11({ 'enrollments.csv': null });
    const takeover = {
      sourcedId: 'u-evil',
      enabledUser: 'true',
      orgSourcedIds: 'org-s',
      role: 'administrator',
      username: 'evil',
      givenName: 'E',
      familyName: 'Vil',
      email: adminEmail,
      password: 'Taken-over-99',
    };
    const filler = Array.from({ length: 30 }, (_, i) => ({
      sourcedId: `u-${i}`,
      enabledUser: 'true',
      orgSourcedIds: 'org-s',
      role: 'student',
      username: `s${i}`,
      givenName: 'S',
      familyName: `${i}`,
      email: `s${i}@e2e.example`,
    }));
    files['users.csv'] = table(HEADERS.users11, [takeover, ...filler]);
    const file = await writeBundle(files);
    const run = await t.ctx.runs.create(operatorActor, id, { trigger: 'cli', fileName: 'roster.zip', sizeBytes: 1, sha256: crypto.randomUUID(), bundlePath: file, dryRun: false });
    const done = await t.ctx.runs.execute(run.runId, id, zipSource(file));
    await t.ctx.runs.hashPasswords();
    assert.equal(done.status, 'succeeded_with_warnings', JSON.stringify(done.error));
    const issues = await t.ctx.db.kysely.selectFrom('roster_run_issues').select(['code', 'file', 'line', 'sourced_id']).where('run_id', '=', run.runId).where('severity', '=', 'error').execute();
    assert.deepEqual(issues, [{ code: 'match.protected_account', file: 'users.csv', line: 2, sourced_id: 'u-evil' }]);
    assert.deepEqual(await snapshot(admin.id), admin);
    await t.client().login(adminEmail, adminPassword);
    await assert.rejects(t.client().login(adminEmail, 'Taken-over-99'));
  });

  it('a bulk file without them deletes no protected account, and counts only roster-owned accounts as the base', async () => {
    const { customerId, account } = await setup('roster user promoted to customer admin');
    const out = await sync(customerId, [orgRow('org-1'), userRow('u-1')], 'sourcedId');
    assert.equal(out.counts.users.deleted, 0);
    assert.deepEqual(await snapshot(account.id), account);
  });
});
