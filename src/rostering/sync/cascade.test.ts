import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { after, before, it } from 'node:test';
import { sql } from 'kysely';
import { describeEachDialect, seedCustomer, startTestApp, type TestApp } from '../../../test/helpers/app.js';
import { classRow, enrollmentRow, orgRow, userRow } from '../../../test/helpers/roster-rows.js';
import { runSync, type AnyRow } from './engine.js';
import type { EntityType, FileMode } from './snapshot.js';

const BULK: Record<EntityType, FileMode> = { orgs: 'bulk', academicSessions: 'absent', courses: 'bulk', classes: 'bulk', users: 'bulk', enrollments: 'bulk' };
const DELTA: Record<EntityType, FileMode> = { orgs: 'delta', academicSessions: 'absent', courses: 'delta', classes: 'delta', users: 'delta', enrollments: 'delta' };

const courseRow = (sourcedId: string, status: 'active' | 'tobedeleted' = 'active'): AnyRow => ({
  entity: 'courses',
  row: { sourcedId, line: 2, status, metadata: {}, title: `Course ${sourcedId}`, courseCode: sourcedId, grades: [], orgSourcedId: 'org-1', schoolYearSourcedId: null, subjects: [] },
});
const deleted = <R extends AnyRow>(r: R): R => ({ ...r, row: { ...r.row, status: 'tobedeleted' } });

// A record that needs another (its required single reference) never outlives it: after every run,
// no active course, class or enrollment names a record that is not active.
const orphansOf = (customerId: string) => sql<{ n: number }>`select
    (select count(*) from courses c where c.customer_id = ${customerId} and c.status = 'active' and not exists (select 1 from orgs o where o.customer_id = c.customer_id and o.sourced_id = c.org_sourced_id and o.status = 'active'))
  + (select count(*) from classes c where c.customer_id = ${customerId} and c.status = 'active' and not exists (select 1 from courses k where k.customer_id = c.customer_id and k.sourced_id = c.course_sourced_id and k.status = 'active'))
  + (select count(*) from classes c where c.customer_id = ${customerId} and c.status = 'active' and not exists (select 1 from orgs o where o.customer_id = c.customer_id and o.sourced_id = c.school_sourced_id and o.status = 'active'))
  + (select count(*) from enrollments e where e.customer_id = ${customerId} and e.status = 'active' and not exists (select 1 from users u where u.customer_id = e.customer_id and u.sourced_id = e.user_sourced_id and u.status = 'active'))
  + (select count(*) from enrollments e where e.customer_id = ${customerId} and e.status = 'active' and not exists (select 1 from classes c where c.customer_id = e.customer_id and c.sourced_id = e.class_sourced_id and c.status = 'active'))
  + (select count(*) from enrollments e where e.customer_id = ${customerId} and e.status = 'active' and not exists (select 1 from orgs o where o.customer_id = e.customer_id and o.sourced_id = e.school_sourced_id and o.status = 'active'))
  as n`;

describeEachDialect('deleting a record ends what hangs on it', (dialect) => {
  let t: TestApp;
  before(async () => {
    t = await startTestApp(dialect);
  });
  after(() => t.close());

  const sync = (customerId: string, rows: AnyRow[], modes: Record<EntityType, FileMode>) =>
    runSync(t.ctx.db, t.ctx.secrets, {
      runId: crypto.randomUUID(),
      customerId,
      modes,
      rows,
      matching: { matchWith: 'sourcedId', suffix: `@c${crypto.randomBytes(3).toString('hex')}` },
      threshold: { percent: 100, min: 1000 },
      actorUserId: null,
      noDeletes: new Set(),
      dryRun: false,
    });
  const statuses = async (customerId: string, table: 'courses' | 'classes' | 'users' | 'enrollments') =>
    Object.fromEntries((await t.ctx.db.kysely.selectFrom(table).select(['sourced_id', 'status']).where('customer_id', '=', customerId).execute()).map((r) => [r.sourced_id, r.status]));
  const orphans = async (customerId: string) => Number((await orphansOf(customerId).execute(t.ctx.db.kysely)).rows[0]?.n);

  // Two classes of one course, two students, each student in both classes.
  const roster = (): AnyRow[] => [
    orgRow('org-1'),
    courseRow('course-1'),
    classRow('cl-a'),
    classRow('cl-b'),
    userRow('u-1'),
    userRow('u-2'),
    enrollmentRow('e-1a', 'cl-a', 'u-1'),
    enrollmentRow('e-1b', 'cl-b', 'u-1'),
    enrollmentRow('e-2a', 'cl-a', 'u-2'),
    enrollmentRow('e-2b', 'cl-b', 'u-2'),
  ];
  async function fresh() {
    const { id } = await seedCustomer(t.ctx);
    const first = await sync(id, roster(), BULK);
    assert.deepEqual(first.issues, []);
    return id;
  }
  const change = (rows: AnyRow[], sourcedId: string, f: (r: AnyRow) => AnyRow) => rows.map((r) => (r.row.sourcedId === sourcedId ? f(r) : r));

  for (const [what, target, dependents] of [
    ['a class', 'cl-a', ['e-1a', 'e-2a']],
    ['a user', 'u-1', ['e-1a', 'e-1b']],
  ] as const) {
    for (const modes of [BULK, DELTA]) {
      it(`${what} marked tobedeleted in a ${modes.users} file while its enrollments stay: they are row errors and end with it`, async () => {
        const id = await fresh();
        const out = await sync(id, change(roster(), target, deleted), modes);
        const errors = out.issues.filter((i) => i.code === 'ref.to_deleted');
        assert.deepEqual(
          errors.map((i) => [i.entity, i.sourcedId]).sort(),
          dependents.map((e) => ['enrollments', e]),
        );
        assert.ok(
          errors.every((i) => i.line > 0 && !i.message.includes(target)),
          'names the row, not the value',
        );
        const enrollments = await statuses(id, 'enrollments');
        for (const e of dependents) assert.equal(enrollments[e], 'deleted', e);
        assert.equal(Object.values(enrollments).filter((s) => s === 'active').length, 2);
        assert.equal(out.counts.enrollments.deleted, 2);
        assert.equal(await orphans(id), 0);
      });
    }
  }

  it('a delta tobedeleted class ends its enrollments the file does not mention, as a bulk delete does', async () => {
    const id = await fresh();
    const out = await sync(id, [deleted(classRow('cl-b'))], DELTA);
    assert.deepEqual(out.issues, []);
    assert.equal(out.counts.classes.deleted, 1);
    assert.equal(out.counts.enrollments.deleted, 2);
    assert.equal(await orphans(id), 0);
  });

  it('a deleted course takes its classes and their enrollments with it; rows that still name them are row errors', async () => {
    const id = await fresh();
    const out = await sync(id, [deleted(courseRow('course-1')), classRow('cl-a'), enrollmentRow('e-1a', 'cl-a', 'u-1'), enrollmentRow('e-new', 'cl-b', 'u-2')], DELTA);
    assert.deepEqual(out.issues.map((i) => [i.code, i.entity, i.sourcedId]).sort(), [
      ['ref.to_deleted', 'classes', 'cl-a'],
      ['ref.to_deleted', 'enrollments', 'e-1a'],
      ['ref.to_deleted', 'enrollments', 'e-new'],
    ]);
    assert.deepEqual(await statuses(id, 'classes'), { 'cl-a': 'deleted', 'cl-b': 'deleted' });
    assert.deepEqual(Object.values(await statuses(id, 'enrollments')), ['deleted', 'deleted', 'deleted', 'deleted']);
    const users = await statuses(id, 'users');
    assert.deepEqual([users['u-1'], users['u-2']], ['active', 'active'], 'users belong to orgs, not to classes: they stay');
    assert.equal(await orphans(id), 0);
  });

  it('a new enrollment of a user the same file deletes is not created', async () => {
    const id = await fresh();
    const out = await sync(id, [deleted(userRow('u-2')), enrollmentRow('e-late', 'cl-a', 'u-2')], DELTA);
    assert.deepEqual(
      out.issues.map((i) => [i.code, i.sourcedId]),
      [['ref.to_deleted', 'e-late']],
    );
    assert.equal(out.counts.enrollments.created, 0);
    assert.equal((await statuses(id, 'enrollments'))['e-late'], undefined);
    assert.equal(await orphans(id), 0);
  });

  it('an enrollment moved away from a deleted class in the same file is kept', async () => {
    const id = await fresh();
    const out = await sync(id, [deleted(classRow('cl-a')), enrollmentRow('e-1a', 'cl-b', 'u-1')], DELTA);
    assert.deepEqual(out.issues, []);
    const enrollments = await statuses(id, 'enrollments');
    assert.deepEqual([enrollments['e-1a'], enrollments['e-2a']], ['active', 'deleted']);
    assert.equal(await orphans(id), 0);
  });
});
