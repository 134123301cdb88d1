import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { sql } from 'kysely';
import { after, before, it } from 'node:test';
import { describeEachDialect, seedCustomer, type TestApp, startTestApp } from '../../../test/helpers/app.js';
import { classRow, enrollmentRow, orgRow, userRow } from '../../../test/helpers/roster-rows.js';
import { feedOf, runSync, stageRows, type AnyRow, type SyncRequest } from './engine.js';
import type { EntityType, FileMode } from './snapshot.js';
import { RunStage } from './stage-tables.js';
import { stagedPasswordContext } from './stage-writer.js';

/*
 * What the stage writer puts in a run's stage is exactly what it was given, on either path: SQLite
 * binds values into the run's scratch tables; PostgreSQL streams them through COPY's text format,
 * where tabs, newlines, backslashes and NULL have to be escaped. And a run writes only what changed.
 */

const bulk: Record<EntityType, FileMode> = { orgs: 'bulk', academicSessions: 'absent', courses: 'absent', classes: 'bulk', users: 'bulk', enrollments: 'bulk' };

// Every character COPY's text format treats specially, quotes CSV does, and text beyond Latin-1.
const AWKWARD = 'tab\there, new\nline, return\r, back\\slash, \\N, "quoted", \'single\', comma, ünïcødé, 漢字, emoji 🎒, end\\';

describeEachDialect('stage writer', (dialect) => {
  let t: TestApp;
  let customerId: string;
  before(async () => {
    t = await startTestApp(dialect);
    customerId = (await seedCustomer(t.ctx, { rostering: { matchWith: 'sourcedId', suffix: '' } })).id;
  });
  after(() => t.close());

  const matching = { matchWith: 'sourcedId' as const, suffix: '' };

  it('stages every value as given: escapes, NULL beside the empty string, unicode, metadata, and sealed passwords', async () => {
    const runId = crypto.randomUUID();
    const rows: AnyRow[] = [
      orgRow('org-1', { name: AWKWARD, identifier: '', parentSourcedId: null, metadata: { 'metadata.note': AWKWARD } }),
      classRow('class-1', { title: AWKWARD, location: '', subjects: [AWKWARD, 'Math'] }),
      userRow('u-1', { givenName: AWKWARD, middleName: '', password: `pa\tss\\word ${AWKWARD}` }),
      userRow('u-2', { familyName: '漢字', password: null }),
      enrollmentRow('e-1', 'class-1', 'u-1', { beginDate: '2024-08-01', endDate: null }),
    ];
    const { stage } = await stageRows(t.ctx.db, t.ctx.secrets, { runId, customerId, matching }, feedOf(rows));
    try {
      const read = async (kind: 'orgs' | 'classes' | 'users' | 'enrollments') =>
        (await sql<Record<string, unknown>>`select * from ${stage.table(kind)} where run_id = ${runId} order by line`.execute(t.ctx.db.kysely)).rows;
      const [org] = await read('orgs');
      assert.equal(org!.name, AWKWARD);
      assert.equal(org!.identifier, '', 'an empty string stays empty');
      assert.equal(org!.parent_sourced_id, null, 'a missing value stays NULL');
      assert.deepEqual(JSON.parse(org!.metadata as string), { 'metadata.note': AWKWARD });
      const [cls] = await read('classes');
      assert.equal(cls!.title, AWKWARD);
      assert.deepEqual(JSON.parse(cls!.subjects as string), [AWKWARD, 'Math']);
      const users = await read('users');
      assert.deepEqual(
        users.map((u) => [u.sourced_id, u.given_name, u.family_name, u.middle_name]),
        [
          ['u-1', AWKWARD, 'Family u-1', ''],
          ['u-2', 'Given', '漢字', ''],
        ],
      );
      const sealed = users[0]!.password_sealed as string;
      assert.equal(t.ctx.secrets.open(sealed, stagedPasswordContext(customerId, runId)), `pa\tss\\word ${AWKWARD}`, 'the password is sealed, and opens to itself');
      assert.match(users[0]!.password_digest as string, /^[A-Za-z0-9_-]{43}$/, 'a keyed digest, not the password');
      assert.deepEqual([users[1]!.password_sealed, users[1]!.password_digest], [null, null]);
      const clear = (v: unknown) => typeof v === 'string' && v.includes('ss\\word');
      assert.ok(!users.some((u) => Object.values(u).some(clear)), 'no password in clear anywhere in the stage');
      const [enrollment] = await read('enrollments');
      assert.deepEqual([enrollment!.begin_date, enrollment!.end_date, enrollment!.run_id], ['2024-08-01', null, runId]);
    } finally {
      await stage.drop(t.ctx.db.kysely);
    }
  });

  it('leaves nothing of a run whose rows stopped coming', async () => {
    const runId = crypto.randomUUID();
    const failing = async (add: (row: AnyRow) => Promise<void> | undefined) => {
      for (let i = 0; i < 3000; i++) await add(userRow(`x-${i}`));
      throw new Error('the source broke');
    };
    await assert.rejects(stageRows(t.ctx.db, t.ctx.secrets, { runId, customerId, matching }, failing), /the source broke/);
    const left = await sql<{ n: number }>`select count(*) as n from ${RunStage.shared.table('users')} where run_id = ${runId}`.execute(t.ctx.db.kysely);
    assert.equal(Number(left.rows[0]!.n), 0, 'no staged row is kept (a COPY in progress is rolled back)');
    assert.deepEqual(await scratchTables(), [], 'no scratch table is left');
  });

  const sync = (rows: AnyRow[], o: Partial<SyncRequest> = {}) =>
    runSync(t.ctx.db, t.ctx.secrets, {
      runId: crypto.randomUUID(),
      customerId,
      modes: bulk,
      rows,
      matching,
      threshold: { percent: 100, min: 1_000_000 },
      actorUserId: null,
      noDeletes: new Set(),
      dryRun: false,
      ...o,
    });
  // SQLite: the connection's temporary tables (a run's scratch stage); none on PostgreSQL.
  const scratchTables = async () =>
    dialect === 'sqlite' ? (await sql<{ name: string }>`select name from sqlite_temp_master where type = 'table'`.execute(t.ctx.db.kysely)).rows.map((r) => r.name) : [];

  it('writes only what changed: a re-import touches the changed user alone, and leaves no stage behind', async () => {
    const people = Array.from({ length: 30 }, (_, i) => `p${i}`);
    const roster = (changed: string | null) => [
      orgRow('org-1'),
      classRow('class-1'),
      ...people.map((p) => userRow(p, p === changed ? { givenName: 'Renamed' } : {})),
      ...people.map((p) => enrollmentRow(`enr-${p}`, 'class-1', p)),
    ];
    const first = await sync(roster(null));
    assert.equal(first.counts.users.created, 30);
    const stamps = async (table: 'users' | 'enrollments' | 'classes' | 'orgs') =>
      new Map(
        (await t.ctx.db.kysely.selectFrom(table).select(['sourced_id', 'updated_at', 'updated_run_id']).where('customer_id', '=', customerId).execute()).map((r) => [
          r.sourced_id,
          `${r.updated_at}|${r.updated_run_id}`,
        ]),
      );
    const before = { users: await stamps('users'), enrollments: await stamps('enrollments'), classes: await stamps('classes'), orgs: await stamps('orgs') };
    const runId = crypto.randomUUID();
    const again = await sync(roster('p7'), { runId });
    assert.deepEqual(again.counts.users, { created: 0, updated: 1, unchanged: 29, deleted: 0, restored: 0, skipped: 0 });
    const after = { users: await stamps('users'), enrollments: await stamps('enrollments'), classes: await stamps('classes'), orgs: await stamps('orgs') };
    const touched = (table: keyof typeof before) => [...after[table]].filter(([id, stamp]) => before[table].get(id) !== stamp).map(([id]) => id);
    assert.deepEqual(touched('users'), ['p7']);
    assert.ok(after.users.get('p7')!.endsWith(`|${runId}`));
    assert.deepEqual([touched('enrollments'), touched('classes'), touched('orgs')], [[], [], []], 'unchanged records are not rewritten');
    assert.deepEqual(await scratchTables(), []);
  });

  it('keeps a held plan where any connection can approve it, and a preview leaves no stage', async () => {
    const strict = { percent: 10, min: 1 };
    const runId = crypto.randomUUID();
    const held = await sync([orgRow('org-1'), classRow('class-1')], { runId, threshold: strict });
    assert.equal(held.result, 'held');
    const shared = await sql<{ n: number }>`select count(*) as n from ${RunStage.shared.table('users')} where run_id = ${runId}`.execute(t.ctx.db.kysely);
    assert.ok(Number(shared.rows[0]!.n) === 0 && (await scratchTables()).length === 0, 'a held users plan (deleting everyone) holds no user rows, and no scratch table');
    const classes = await sql<{ n: number }>`select count(*) as n from ${RunStage.shared.table('classes')} where run_id = ${runId}`.execute(t.ctx.db.kysely);
    assert.equal(Number(classes.rows[0]!.n), 1, "the held run's staged rows are in the shared stage");
    const preview = await sync([orgRow('org-1'), classRow('class-1')], { dryRun: true });
    assert.equal(preview.result, 'previewed');
    assert.deepEqual(await scratchTables(), []);
  });
});
