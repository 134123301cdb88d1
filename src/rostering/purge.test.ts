import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { after, before, it } from 'node:test';
import { describeEachDialect, seedCustomer, startTestApp, type TestApp } from '../../test/helpers/app.js';
import { orgRow, userRow } from '../../test/helpers/roster-rows.js';
import { purgeExpired } from './purge.js';
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
    const roles = await t.ctx.db.kysely.selectFrom('user_roles').select('user_sourced_id').where('customer_id', '=', customerId).execute();
    assert.deepEqual(roles.map((r) => r.user_sourced_id).sort(), ['kept', 'recent']);
  });
});
