import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { after, before, it } from 'node:test';
import { operatorActor } from '../../accounts/policy.js';
import { describeEachDialect, seedCustomer, startTestApp, type TestApp } from '../../../test/helpers/app.js';
import { HEADERS, district11, table, writeBundle } from '../../../test/helpers/bundles.js';

// district11's users with the teacher renamed, one student gone (u-p) and one new.
const RENAMED_TEACHER_AND_NEWCOMER = [
  { sourcedId: 'u-t', enabledUser: 'true', orgSourcedIds: 'org-s', role: 'teacher', username: 'tpark', givenName: 'Renamed', familyName: 'Park' },
  { sourcedId: 'u-s1', enabledUser: 'true', orgSourcedIds: 'org-s', role: 'student', username: 'sone', givenName: 'Sam', familyName: 'One' },
  { sourcedId: 'u-s2', enabledUser: 'true', orgSourcedIds: 'org-s', role: 'student', username: 'stwo', givenName: 'Sue', familyName: 'Two' },
  { sourcedId: 'u-new', enabledUser: 'true', orgSourcedIds: 'org-s', role: 'student', username: 'snew', givenName: 'New', familyName: 'Kid' },
];

/*
 * Kills a real `lectern roster import` process in the middle of its apply transaction and checks
 * that the roster is exactly as before, the run is failed once its lease runs out, and the next
 * import works; and right after the apply committed, where the run must already say it succeeded.
 * test/faults/ kills at random points of every phase.
 */
describeEachDialect('a crash mid-apply', (dialect) => {
  let t: TestApp;
  before(async () => {
    t = await startTestApp(dialect);
  });
  after(() => t.close());

  const cli = (args: string[], env: Record<string, string> = {}) =>
    spawnSync(process.execPath, ['bin/lectern.js', ...args], {
      env: { ...process.env, LECTERN_DATA_DIR: t.ctx.config.dataDir, DATABASE_URL: t.ctx.config.databaseUrl, ...env },
      encoding: 'utf8',
    });
  const snapshot = async (customerId: string) => {
    const k = t.ctx.db.kysely;
    const users = await k.selectFrom('users').select(['sourced_id', 'status', 'given_name']).where('customer_id', '=', customerId).orderBy('sourced_id').execute();
    const enrollments = await k.selectFrom('enrollments').select(['sourced_id', 'status']).where('customer_id', '=', customerId).orderBy('sourced_id').execute();
    return { users, enrollments };
  };

  it('leaves the previous roster intact and fails the run', async () => {
    const { id, code } = await seedCustomer(t.ctx, { rostering: { suffix: `@crash-${dialect}` } });
    assert.equal(cli(['roster', 'import', '--customer', code, await writeBundle(district11())]).status, 0);
    const before = await snapshot(id);

    const changed = district11({ 'users.csv': table(HEADERS.users11, [...RENAMED_TEACHER_AND_NEWCOMER]) });
    const killed = cli(['roster', 'import', '--customer', code, await writeBundle(changed)], { LECTERN_FAILPOINT: 'apply.mid' });
    assert.equal(killed.signal, 'SIGKILL', `the import should have been killed: ${killed.stderr}`);
    assert.deepEqual(await snapshot(id), before, 'nothing of the killed run is visible');

    const runs = await t.ctx.runs.list(operatorActor, id, 10, 0);
    const crashed = runs.items.find((r) => r.status === 'running');
    assert.ok(crashed, 'the killed run was left running');
    // Time passes: the dead process stops renewing its lease.
    await t.ctx.db.kysely.updateTable('roster_run_leases').set({ expires_at: '2000-01-01T00:00:00.000Z' }).where('customer_id', '=', id).execute();
    assert.equal(await t.ctx.runs.failInterrupted(), 1);
    const failed = await t.ctx.runs.get(operatorActor, id, crashed.runId);
    assert.deepEqual([failed.status, failed.error?.code], ['failed', 'INTERRUPTED']);
    assert.match(failed.error?.message ?? '', /while applying the changes, which were rolled back; nothing was applied/);

    assert.equal(cli(['roster', 'import', '--customer', code, await writeBundle(changed)]).status, 0);
    const afterRetry = await snapshot(id);
    assert.equal(afterRetry.users.find((u) => u.sourced_id === 'u-t')?.given_name, 'Renamed');
    assert.ok(afterRetry.users.some((u) => u.sourced_id === 'u-new'));
  });

  it('records a run killed right after its apply committed as succeeded, with its counts', async () => {
    const { id, code } = await seedCustomer(t.ctx, { rostering: { suffix: `@committed-${dialect}` } });
    assert.equal(cli(['roster', 'import', '--customer', code, await writeBundle(district11())]).status, 0);
    const changed = await writeBundle(district11({ 'users.csv': table(HEADERS.users11, [...RENAMED_TEACHER_AND_NEWCOMER]) }));
    const killed = cli(['roster', 'import', '--customer', code, changed], { LECTERN_FAILPOINT: 'apply.committed' });
    assert.equal(killed.signal, 'SIGKILL', `the import should have been killed: ${killed.stderr}`);

    const users = (await snapshot(id)).users;
    assert.equal(users.find((u) => u.sourced_id === 'u-t')?.given_name, 'Renamed', 'the roster is the new one');
    assert.equal(users.find((u) => u.sourced_id === 'u-new')?.status, 'active');
    const run = (await t.ctx.runs.list(operatorActor, id, 10, 0)).items[0]!;
    assert.equal(run.status, 'succeeded', 'the run says what happened: it applied');
    assert.equal(run.stage, 'done');
    assert.ok(run.finishedAt);
    // Created u-new; updated the renamed teacher and the two students (their grades and ids went); deleted u-p.
    assert.deepEqual([run.counts.users?.created, run.counts.users?.updated, run.counts.users?.deleted], [1, 3, 1]);

    // Its process is gone, but there is nothing to fail: the record is already true.
    await t.ctx.db.kysely.updateTable('roster_run_leases').set({ expires_at: '2000-01-01T00:00:00.000Z' }).where('customer_id', '=', id).execute();
    assert.equal(await t.ctx.runs.failInterrupted(), 0);
    assert.equal((await t.ctx.runs.get(operatorActor, id, run.runId)).status, 'succeeded');
    const again = cli(['roster', 'import', '--customer', code, changed, '--json']);
    assert.equal(again.status, 0, again.stderr);
    assert.equal((JSON.parse(again.stdout) as { stage: string }).stage, 'unchanged', 'the same file again is known as applied');
  });
});
