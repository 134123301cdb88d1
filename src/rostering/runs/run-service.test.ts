import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { operatorActor } from '../../accounts/policy.js';
import { describeEachDialect, seedCustomer, startTestApp, type TestApp } from '../../../test/helpers/app.js';
import { arraySource } from '../../../test/helpers/array-source.js';
import { classRow, enrollmentRow, orgRow, userRow } from '../../../test/helpers/roster-rows.js';
import { RosterRunService } from './run-service.js';
import { verifyPassword } from '../../security/passwords.js';
import { RunRepository } from './run-repository.js';

describeEachDialect('roster runs', (dialect) => {
  let t: TestApp;
  let service: RosterRunService;
  let customerId: string;
  before(async () => {
    t = await startTestApp(dialect);
    service = new RosterRunService(t.ctx.db, t.ctx.secrets);
    customerId = (await seedCustomer(t.ctx)).id;
  });
  after(() => t.close());

  const ids = Array.from({ length: 30 }, (_, i) => `u${i}`);
  const roster = (users: string[]) => [orgRow('org-1'), classRow('c1'), ...users.map((u) => userRow(u)), ...users.map((u) => enrollmentRow(`e-${u}`, 'c1', u))];
  const start = (dryRun = false) => service.create(operatorActor, customerId, { trigger: 'cli', fileName: 'roster.zip', sizeBytes: 10, sha256: '', bundlePath: null, dryRun });
  const activeRosterUsers = async () =>
    Number((await t.ctx.db.kysely.selectFrom('users').select((eb) => eb.fn.countAll<number>().as('n')).where('customer_id', '=', customerId).where('source', '=', 'roster').where('status', '=', 'active').executeTakeFirstOrThrow()).n);

  it('runs an import to success, with counts and a record of the run', async () => {
    const run = await start();
    assert.equal(run.status, 'queued');
    const done = await service.execute(run.runId, customerId, arraySource(roster(ids)));
    assert.equal(done.status, 'succeeded');
    assert.equal(done.counts.users.created, 30);
    assert.equal(done.modes.users, 'bulk');
    const again = await service.execute((await start()).runId, customerId, arraySource(roster(ids)));
    assert.equal(again.counts.users.unchanged, 30);
    assert.equal(again.counts.users.created, 0);
  });

  it('holds a mass deletion, then discards it: nothing changes', async () => {
    const held = await service.execute((await start()).runId, customerId, arraySource(roster(ids.slice(0, 20))));
    assert.equal(held.status, 'awaiting_approval');
    assert.match(held.holdReason, /10 of 30 users/);
    const discarded = await service.discard(operatorActor, customerId, held.runId);
    assert.equal(discarded.status, 'discarded');
    assert.equal(await activeRosterUsers(), 30);
  });

  it('refuses to approve a stale plan, and applies a fresh one exactly', async () => {
    const stale = await service.execute((await start()).runId, customerId, arraySource(roster(ids.slice(0, 20))));
    // Another run changes the roster meanwhile (adds a user).
    await service.execute((await start()).runId, customerId, arraySource(roster([...ids, 'u-new'])));
    await assert.rejects(service.approve(operatorActor, customerId, stale.runId), (e: Error & { code?: string }) => e.code === 'CONFLICT');
    await service.discard(operatorActor, customerId, stale.runId);
    const fresh = await service.execute((await start()).runId, customerId, arraySource(roster(ids.slice(0, 20))));
    assert.equal(fresh.status, 'awaiting_approval');
    const approved = await service.approve(operatorActor, customerId, fresh.runId);
    assert.equal(approved.status, 'succeeded');
    assert.equal(await activeRosterUsers(), 20);
  });

  it('fails an unusable source and a file with more than 5% error rows, applying nothing', async () => {
    const before = await activeRosterUsers();
    const unusable = await service.execute((await start()).runId, customerId, arraySource([], { unusable: true, modes: { users: 'bulk' } }));
    assert.equal(unusable.status, 'failed');
    assert.equal(unusable.error?.code, 'BUNDLE_UNUSABLE');
    const rows = roster(ids).map((r, i) => (r.entity === 'users' && i % 10 === 0 ? { ...r, row: { ...r.row, status: 'error' as const } } : r));
    const tooMany = await service.execute((await start()).runId, customerId, arraySource(rows));
    assert.equal(tooMany.status, 'failed');
    assert.match(tooMany.error?.message ?? '', /users\.csv: 3 of 30 rows have errors/);
    assert.equal(await activeRosterUsers(), before);
  });

  it('never deletes on an empty users file', async () => {
    const before = await activeRosterUsers();
    const out = await service.execute((await start()).runId, customerId, arraySource([orgRow('org-1')], { modes: { users: 'bulk' } }));
    assert.equal(out.counts.users.deleted, 0);
    assert.equal(await activeRosterUsers(), before);
  });

  it('runs two simultaneous triggers for one customer one after the other', async () => {
    const [a, b] = [await start(), await start()];
    let overlap = false;
    let active = 0;
    const tracked = (rows: ReturnType<typeof roster>) => {
      const src = arraySource(rows, { delayMs: 2 });
      return {
        read: async (h: Parameters<typeof src.read>[0]) => {
          active++;
          if (active > 1) overlap = true;
          try {
            return await src.read(h);
          } finally {
            active--;
          }
        },
      };
    };
    const [ra, rb] = await Promise.all([service.execute(a.runId, customerId, tracked(roster(ids.slice(0, 20)))), service.execute(b.runId, customerId, tracked(roster(ids.slice(0, 20))))]);
    assert.equal(overlap, false, 'the second run waited for the first');
    assert.deepEqual([ra.status, rb.status].sort(), ['succeeded', 'succeeded']);
  });

  it('marks a run interrupted by a crash as failed on the next start, but not one another process is running', async () => {
    const repo = new RunRepository(t.ctx.db.kysely);
    const run = await start();
    await repo.update(run.runId, { status: 'running', stage: 'applying' });
    const live = await start();
    await repo.update(live.runId, { status: 'running', stage: 'applying' });
    const other = (await seedCustomer(t.ctx)).id;
    await repo.acquireLease(other, live.runId, new Date().toISOString(), new Date(Date.now() + 60_000).toISOString());
    assert.equal(await service.failInterrupted(), 1);
    assert.equal((await service.get(operatorActor, customerId, live.runId)).status, 'running');
    const after = await service.get(operatorActor, customerId, run.runId);
    assert.equal(after.status, 'failed');
    assert.equal(after.error?.code, 'INTERRUPTED');
  });
});

describeEachDialect('roster passwords', (dialect) => {
  let t: TestApp;
  let service: RosterRunService;
  let customerId: string;
  before(async () => {
    t = await startTestApp(dialect);
    service = new RosterRunService(t.ctx.db, t.ctx.secrets);
    customerId = (await seedCustomer(t.ctx, { rostering: { suffix: `@pw-${dialect}` } })).id;
  });
  after(() => t.close());

  const run = async (password: string) => {
    const created = await service.create(operatorActor, customerId, { trigger: 'cli', fileName: 'r.zip', sizeBytes: 1, sha256: '', bundlePath: null, dryRun: false });
    return service.execute(created.runId, customerId, arraySource([orgRow('org-1'), userRow('p1', { password })]));
  };
  const pending = async () => Number((await t.ctx.db.kysely.selectFrom('pending_passwords').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);
  const hash = async () => (await t.ctx.db.kysely.selectFrom('users').select('password_hash').where('customer_id', '=', customerId).where('sourced_id', '=', 'p1').executeTakeFirstOrThrow()).password_hash;

  it('hashes a roster password after the run, never re-hashes an unchanged one, and re-hashes a changed one', async () => {
    const first = await run('First-pass-1');
    assert.equal(await pending(), 1, 'queued, not hashed inside the run');
    assert.deepEqual(first.passwords, { queued: 1, pending: null });
    assert.deepEqual((await service.get(operatorActor, customerId, first.runId)).passwords, { queued: 1, pending: 1 }, 'the run page shows them being set up');
    assert.equal(await hash(), null);
    assert.equal(await service.hashPasswords(customerId), 1);
    assert.deepEqual((await service.get(operatorActor, customerId, first.runId)).passwords, { queued: 1, pending: 0 });
    const firstHash = await hash();
    assert.ok(firstHash && (await verifyPassword(firstHash, 'First-pass-1')));
    const stored = JSON.stringify(await t.ctx.db.kysely.selectFrom('users').selectAll().where('customer_id', '=', customerId).execute());
    assert.ok(!stored.includes('First-pass-1'), 'the password is never stored in clear');

    await run('First-pass-1');
    assert.equal(await pending(), 0, 'an unchanged password is not queued again');
    assert.equal(await hash(), firstHash);

    await run('Second-pass-2');
    assert.equal(await pending(), 1);
    await service.hashPasswords(customerId);
    assert.ok(await verifyPassword(await hash(), 'Second-pass-2'));
  });
});
