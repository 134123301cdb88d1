import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { after, before, it } from 'node:test';
import { describeEachDialect, seedCustomer, startTestApp, type TestApp } from '../../test/helpers/app.js';
import { orgRow, userRow } from '../../test/helpers/roster-rows.js';
import { operatorActor } from '../accounts/policy.js';
import { purgeExpired } from './purge.js';
import { purgeRunDetails } from './runs/run-detail-purge.js';
import { runSync } from './sync/engine.js';

describeEachDialect('purge of soft-deleted records', (dialect) => {
  let t: TestApp;
  before(async () => {
    t = await startTestApp(dialect);
  });
  after(() => t.close());

  it('removes records deleted longer ago than the retention period, and keeps the rest restorable', async () => {
    const { id: customerId } = await seedCustomer(t.ctx, { rostering: { retentionDays: 30 } as never });
    const sync = (users: string[]) =>
      runSync(t.ctx.db, t.ctx.secrets, {
        runId: crypto.randomUUID(),
        customerId,
        modes: { orgs: 'bulk', academicSessions: 'absent', courses: 'absent', classes: 'absent', users: 'bulk', enrollments: 'absent' },
        rows: [orgRow('org-1'), ...users.map((u) => userRow(u))],
        matching: { matchWith: 'sourcedId', suffix: '' },
        threshold: { percent: 100, min: 100 },
        actorUserId: null,
        noDeletes: new Set(),
        dryRun: false,
      });
    await sync(['old', 'recent', 'kept']);
    await sync(['kept']);
    const idOf = async (sourcedId: string) =>
      (await t.ctx.db.kysely.selectFrom('users').select('id').where('customer_id', '=', customerId).where('sourced_id', '=', sourcedId).executeTakeFirstOrThrow()).id;
    const [oldId, recentId] = [await idOf('old'), await idOf('recent')];
    const changesOf = async (id: string) => (await t.ctx.db.kysely.selectFrom('roster_run_changes').select('action').where('target_id', '=', id).execute()).length;
    assert.equal(await changesOf(oldId), 1, 'the run that deleted them named them');
    // A run's issues quote sourcedIds: one of the person to be purged, one of someone else.
    const run = await t.ctx.runs.create(operatorActor, customerId, { trigger: 'cli', fileName: 'r.zip', sizeBytes: 1, sha256: '', bundlePath: null, dryRun: true });
    const issue = (seq: number, sourcedId: string) => ({
      run_id: run.runId,
      seq,
      file: 'users.csv',
      line: seq + 1,
      col: 'email',
      sourced_id: sourcedId,
      severity: 'warning' as const,
      code: 'X',
      message: 'm',
    });
    await t.ctx.db.kysely
      .insertInto('roster_run_issues')
      .values([issue(1, 'old'), issue(2, 'kept')])
      .execute();
    const now = new Date('2030-01-31T00:00:00Z');
    await t.ctx.db.kysely.updateTable('users').set({ deleted_at: '2029-12-01T00:00:00.000Z' }).where('customer_id', '=', customerId).where('sourced_id', '=', 'old').execute();
    await t.ctx.db.kysely.updateTable('users').set({ deleted_at: '2030-01-15T00:00:00.000Z' }).where('customer_id', '=', customerId).where('sourced_id', '=', 'recent').execute();
    const result = await purgeExpired(t.ctx.db.kysely, now);
    assert.equal(result.users, 1);
    const left = await t.ctx.db.kysely.selectFrom('users').select(['sourced_id', 'status']).where('customer_id', '=', customerId).where('source', '=', 'roster').orderBy('sourced_id').execute();
    assert.deepEqual(left, [
      { sourced_id: 'kept', status: 'active' },
      { sourced_id: 'recent', status: 'deleted' },
    ]);
    assert.equal(await changesOf(oldId), 0, "a purged person's run history goes with them");
    assert.equal(await changesOf(recentId), 1, 'a restorable person keeps theirs');
    const issues = await t.ctx.db.kysely.selectFrom('roster_run_issues').select('sourced_id').where('run_id', '=', run.runId).execute();
    assert.deepEqual(
      issues.map((i) => i.sourced_id),
      ['kept'],
    );
    const roles = await t.ctx.db.kysely.selectFrom('user_roles').select('user_sourced_id').where('customer_id', '=', customerId).execute();
    assert.deepEqual(roles.map((r) => r.user_sourced_id).sort(), ['kept', 'recent']);
  });

  it('deletes the row details of runs finished longer ago than the run-detail period, and keeps the runs', async () => {
    const { id: customerId } = await seedCustomer(t.ctx);
    const runs: string[] = [];
    for (const finished of ['2029-01-01T00:00:00.000Z', '2029-12-01T00:00:00.000Z']) {
      const run = await t.ctx.runs.create(operatorActor, customerId, { trigger: 'cli', fileName: 'r.zip', sizeBytes: 1, sha256: '', bundlePath: null, dryRun: false });
      await t.ctx.db.kysely.updateTable('roster_runs').set({ status: 'succeeded', finished_at: finished }).where('id', '=', run.runId).execute();
      await t.ctx.db.kysely
        .insertInto('roster_run_issues')
        .values({ run_id: run.runId, seq: 1, file: 'users.csv', line: 2, col: null, sourced_id: 'u-1', severity: 'warning', code: 'X', message: 'm' })
        .execute();
      await t.ctx.db.kysely.insertInto('roster_run_changes').values({ run_id: run.runId, entity: 'users', action: 'update', sourced_id: 'u-1', target_id: null, fields: '{}', reason: '' }).execute();
      runs.push(run.runId);
    }
    const removed = await purgeRunDetails(t.ctx.db.kysely, 365, new Date('2030-01-31T00:00:00Z'));
    assert.equal(removed, 2, "the older run's issue and change");
    const detailOf = async (runId: string) =>
      (await t.ctx.db.kysely.selectFrom('roster_run_issues').select('seq').where('run_id', '=', runId).execute()).length +
      (await t.ctx.db.kysely.selectFrom('roster_run_changes').select('entity').where('run_id', '=', runId).execute()).length;
    assert.deepEqual([await detailOf(runs[0]!), await detailOf(runs[1]!)], [0, 2]);
    const kept = await t.ctx.db.kysely.selectFrom('roster_runs').select('id').where('customer_id', '=', customerId).execute();
    assert.equal(kept.length, 2, 'both runs stay in the history');
  });
});
