import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { after, before, it } from 'node:test';
import { describeEachDialect, seedCustomer, startTestApp, type TestApp } from '../../../test/helpers/app.js';
import { classRow, enrollmentRow, orgRow, userRow } from '../../../test/helpers/roster-rows.js';
import { runSync, applyStaged, type AnyRow, type SyncRequest } from './engine.js';
import type { EntityType, FileMode } from './snapshot.js';

const bulk: Record<EntityType, FileMode> = { orgs: 'bulk', academicSessions: 'absent', courses: 'absent', classes: 'bulk', users: 'bulk', enrollments: 'bulk' };

describeEachDialect('sync engine', (dialect) => {
  let t: TestApp;
  let customerId: string;
  before(async () => {
    t = await startTestApp(dialect);
    customerId = (await seedCustomer(t.ctx, { rostering: { matchWith: 'email', suffix: '' } })).id;
  });
  after(() => t.close());

  const sync = (rows: AnyRow[], o: Partial<SyncRequest> = {}) =>
    runSync(t.ctx.db, t.ctx.secrets, {
      runId: crypto.randomUUID(),
      customerId,
      modes: bulk,
      rows,
      matching: { matchWith: 'sourcedId', suffix: '' },
      threshold: { percent: 10, min: 5 },
      actorUserId: null,
      noDeletes: new Set(),
      dryRun: false,
      ...o,
    });
  const activeUsers = async () =>
    (await t.ctx.db.kysely.selectFrom('users').select(['sourced_id', 'status']).where('customer_id', '=', customerId).where('source', '=', 'roster').execute())
      .filter((u) => u.status === 'active')
      .map((u) => u.sourced_id)
      .sort();

  const roster = (users: string[]) => [orgRow('org-1'), classRow('class-1'), ...users.map((u) => userRow(u)), ...users.map((u) => enrollmentRow(`enr-${u}`, 'class-1', u))];
  const many = Array.from({ length: 40 }, (_, i) => `s${String(i).padStart(2, '0')}`);

  it('creates everything on the first import, then changes nothing on the same roster', async () => {
    const first = await sync(roster(many));
    assert.equal(first.result, 'applied');
    assert.deepEqual(first.counts.users, { created: 40, updated: 0, unchanged: 0, deleted: 0, restored: 0, skipped: 0 });
    assert.equal(first.counts.enrollments.created, 40);
    assert.deepEqual(await activeUsers(), many);
    const again = await sync(roster(many));
    assert.deepEqual(again.counts.users, { created: 0, updated: 0, unchanged: 40, deleted: 0, restored: 0, skipped: 0 });
    assert.equal(again.counts.enrollments.unchanged, 40);
  });

  it('deletes a user missing from the bulk file (and their enrollment), and restores them when they return', async () => {
    const without = await sync(roster(many.slice(1)));
    assert.equal(without.counts.users.deleted, 1);
    assert.equal(without.counts.enrollments.deleted, 1);
    assert.deepEqual(await activeUsers(), many.slice(1));
    const back = await sync(roster(many));
    assert.equal(back.counts.users.restored, 1);
    assert.equal(back.counts.enrollments.restored, 1);
    assert.deepEqual(await activeUsers(), many);
  });

  it('holds a run that would delete more than the threshold, and applies exactly that plan on approval', async () => {
    const held = await sync(roster(many.slice(10)));
    assert.equal(held.result, 'held');
    assert.match(held.holdReason, /10 of 40 users would be deleted/);
    assert.deepEqual(await activeUsers(), many, 'nothing changed while held');
  });

  it('counts an error row as present: that user is not deleted', async () => {
    const rows = roster(many).map((r) => (r.entity === 'users' && r.row.sourcedId === 's05' ? { ...r, row: { ...r.row, status: 'error' as const } } : r));
    const out = await sync(rows);
    assert.equal(out.counts.users.skipped, 1);
    assert.equal(out.counts.users.deleted, 0);
    assert.deepEqual(await activeUsers(), many);
  });

  it('does not apply a preview', async () => {
    const out = await sync(roster(many.slice(1)), { dryRun: true });
    assert.equal(out.result, 'previewed');
    assert.equal(out.counts.users.deleted, 1);
    assert.deepEqual(await activeUsers(), many);
  });

  it('applies a held plan when approved', async () => {
    const runId = crypto.randomUUID();
    const held = await sync(roster(many.slice(10)), { runId });
    assert.equal(held.result, 'held');
    await applyStaged(t.ctx.db.kysely, runId, customerId);
    assert.deepEqual(await activeUsers(), many.slice(10));
  });
});
