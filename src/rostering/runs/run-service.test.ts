import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, it, mock } from 'node:test';
import { sql } from 'kysely';
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
    Number(
      (
        await t.ctx.db.kysely
          .selectFrom('users')
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .where('customer_id', '=', customerId)
          .where('source', '=', 'roster')
          .where('status', '=', 'active')
          .executeTakeFirstOrThrow()
      ).n,
    );

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
  const pending = async () =>
    Number(
      (
        await t.ctx.db.kysely
          .selectFrom('pending_passwords')
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );
  const hash = async () =>
    (await t.ctx.db.kysely.selectFrom('users').select('password_hash').where('customer_id', '=', customerId).where('sourced_id', '=', 'p1').executeTakeFirstOrThrow()).password_hash;

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

/*
 * Every change of a run's status is a compare-and-set on the status it needs, inside the
 * transaction that acts on it: of two actors racing for one run, exactly one wins, the other gets
 * RUN_STATE_CHANGED, and the roster shows only the winner's work.
 */
describeEachDialect('roster run state changes', (dialect) => {
  let t: TestApp;
  let service: RosterRunService;
  before(async () => {
    t = await startTestApp(dialect);
    service = new RosterRunService(t.ctx.db, t.ctx.secrets);
  });
  after(() => t.close());

  let customers = 0;
  const people = (n: number) => Array.from({ length: n }, (_, i) => `p${i}`);
  const roster = (ids: string[]) => [orgRow('org-1'), ...ids.map((u) => userRow(u))];
  const customer = async () => {
    // The threshold is pinned here, not taken from the defaults.
    const rostering = { suffix: `@state-${dialect}-${++customers}`, deletionThresholdPercent: 10, deletionThresholdMin: 5 };
    return (await seedCustomer(t.ctx, { rostering })).id;
  };
  const record = (customerId: string, o: { dryRun?: boolean; bundlePath?: string } = {}) =>
    service.create(operatorActor, customerId, { trigger: 'cli', fileName: 'roster.zip', sizeBytes: 10, sha256: '', bundlePath: o.bundlePath ?? null, dryRun: o.dryRun ?? false });
  const run = async (customerId: string, ids: string[], o: { dryRun?: boolean; bundlePath?: string } = {}) =>
    service.execute((await record(customerId, o)).runId, customerId, arraySource(roster(ids)));
  const active = async (customerId: string) =>
    Number(
      (
        await t.ctx.db.kysely
          .selectFrom('users')
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .where('customer_id', '=', customerId)
          .where('source', '=', 'roster')
          .where('status', '=', 'active')
          .executeTakeFirstOrThrow()
      ).n,
    );
  const staged = async (runId: string) =>
    Number(
      (
        await t.ctx.db.kysely
          .selectFrom('stage_users')
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .where('run_id', '=', runId)
          .executeTakeFirstOrThrow()
      ).n,
    );
  // 'won', or the error code of the loser.
  const race = async (...calls: (() => Promise<unknown>)[]) =>
    (await Promise.allSettled(calls.map((c) => c()))).map((s) => (s.status === 'fulfilled' ? 'won' : ((s.reason as { code?: string }).code ?? String(s.reason))));

  it('lets exactly one of a parallel approve and discard win, and applies nothing when discard wins', async () => {
    const id = await customer();
    const all = people(30);
    await run(id, all);
    const wins = { approve: 0, discard: 0 };
    for (let round = 0; round < 8; round++) {
      const held = await run(id, all.slice(0, 20));
      assert.equal(held.status, 'awaiting_approval');
      // Discard is the quicker to start; a lag of 0–30 ms gives approve its chances too.
      const lag = (round % 4) * 10;
      const approve = () => service.approve(operatorActor, id, held.runId);
      const discard = async () => {
        if (lag) await new Promise((r) => setTimeout(r, lag));
        return service.discard(operatorActor, id, held.runId);
      };
      const [a, d] = await race(approve, discard);
      assert.deepEqual([a, d].sort(), ['RUN_STATE_CHANGED', 'won'], `round ${round}: exactly one wins (${a}, ${d})`);
      const final = await service.get(operatorActor, id, held.runId);
      if (a === 'won') {
        wins.approve++;
        assert.equal(final.status, 'succeeded');
        assert.equal(await active(id), 20, 'the approved deletions are applied');
        await run(id, all); // back to 30 for the next round
      } else {
        wins.discard++;
        assert.equal(final.status, 'discarded');
        assert.equal(await active(id), 30, 'a discarded run applied nothing');
      }
      assert.equal(await staged(held.runId), 0, 'the loser left no stage behind');
    }
    assert.equal(wins.approve + wins.discard, 8);
  });

  it('lets exactly one of two approvals, two discards, two applies of a preview or two executions of a run win', async () => {
    const id = await customer();
    const all = people(30);
    await run(id, all);

    const held = await run(id, all.slice(0, 20));
    assert.deepEqual(
      await race(
        () => service.approve(operatorActor, id, held.runId),
        () => service.approve(operatorActor, id, held.runId),
      ).then((r) => r.sort()),
      ['RUN_STATE_CHANGED', 'won'],
    );
    assert.equal(await active(id), 20);
    await run(id, all);

    const held2 = await run(id, all.slice(0, 20));
    assert.deepEqual(
      await race(
        () => service.discard(operatorActor, id, held2.runId),
        () => service.discard(operatorActor, id, held2.runId),
      ).then((r) => r.sort()),
      ['RUN_STATE_CHANGED', 'won'],
    );
    assert.equal(await active(id), 30);

    const bundle = path.join(t.ctx.config.dataDir, 'preview.zip');
    fs.writeFileSync(bundle, 'kept');
    const preview = await run(id, all, { dryRun: true, bundlePath: bundle });
    assert.equal(preview.status, 'succeeded');
    assert.deepEqual(
      await race(
        () => service.applyPreview(operatorActor, id, preview.runId),
        () => service.applyPreview(operatorActor, id, preview.runId),
      ).then((r) => r.sort()),
      ['RUN_STATE_CHANGED', 'won'],
    );
    const queuedFromPreview = (await service.list(operatorActor, id, 100, 0)).items.filter((r) => r.status === 'queued');
    assert.equal(queuedFromPreview.length, 1, 'one run applies the preview');

    const queued = queuedFromPreview[0]!;
    const twice = await race(
      () => service.execute(queued.runId, id, arraySource(roster(all))),
      () => service.execute(queued.runId, id, arraySource(roster(all))),
    );
    assert.deepEqual(twice.sort(), ['RUN_STATE_CHANGED', 'won'], 'a run is executed once');
    const done = await service.get(operatorActor, id, queued.runId);
    assert.equal(done.status, 'succeeded');
    // A late failure report (a pull job that gave up) does not rewrite a finished run.
    await service.fail(queued.runId, 'UNAVAILABLE', 'The sync could not be queued; try again.');
    assert.deepEqual(await service.get(operatorActor, id, queued.runId), done);
  });

  it('never applies a run that was failed as interrupted while its process was stalled', async () => {
    const id = await customer();
    await run(id, people(10));
    let resume!: () => void;
    let reading!: () => void;
    const paused = new Promise<void>((r) => (resume = r));
    const started = new Promise<void>((r) => (reading = r));
    const source = arraySource(roster(people(12)));
    const created = await record(id);
    const running = service.execute(created.runId, id, {
      read: async (h) => {
        reading();
        await paused;
        return source.read(h);
      },
    });
    await started;
    // The process stalls past its lease: another process takes the run for dead.
    await t.ctx.db.kysely.updateTable('roster_run_leases').set({ expires_at: '2000-01-01T00:00:00.000Z' }).where('customer_id', '=', id).execute();
    assert.equal(await service.failInterrupted(), 1);
    resume();
    const ended = await running;
    assert.equal(ended.status, 'failed');
    assert.equal(ended.error?.code, 'INTERRUPTED');
    assert.match(ended.error?.message ?? '', /nothing was applied/);
    assert.equal(await active(id), 10, 'the stalled run did not apply once it woke up');
    assert.equal(await staged(created.runId), 0);
  });

  it('records a run that fails on a raw database error as INTERNAL, logging the detail instead of showing it', async () => {
    const id = await customer();
    const logged = mock.method(console, 'error', () => undefined);
    try {
      const created = await record(id);
      const failed = await service.execute(created.runId, id, {
        read: async () => {
          await sql`select * from no_such_table`.execute(t.ctx.db.kysely);
          throw new Error('unreachable');
        },
      });
      assert.equal(failed.status, 'failed');
      assert.equal(failed.error?.code, 'INTERNAL');
      assert.doesNotMatch(failed.error?.message ?? '', /no_such_table|relation|SQL/i);
      assert.match(failed.error?.message ?? '', /nothing was applied/);
      const lines = logged.mock.calls.map((c) => c.arguments.map(String).join(' '));
      assert.ok(
        lines.some((l) => l.includes(created.runId) && l.includes('no_such_table')),
        'the detail is logged for the operator',
      );
    } finally {
      logged.mock.restore();
    }
  });

  // Held when more than percent% of a type AND at least min records would go (engine.thresholdExceeded).
  for (const [population, deletions, held] of [
    [50, 4, false], // under 10% and under 5
    [50, 5, false], // exactly 10% (not more), exactly 5
    [50, 6, true], // over 10%, over 5
    [100, 10, false], // exactly 10%, over 5
    [100, 11, true],
    [20, 4, false], // 20% but under 5
    [20, 5, true], // exactly 5, over 10%
    [20, 6, true],
  ] as const) {
    it(`${held ? 'holds' : 'applies'} ${deletions} deletions of ${population} users (threshold 10% and 5)`, async () => {
      const id = await customer();
      const all = people(population);
      await run(id, all);
      const out = await run(id, all.slice(deletions));
      assert.equal(out.counts.users.deleted, deletions);
      assert.equal(out.status, held ? 'awaiting_approval' : 'succeeded', out.holdReason);
      assert.equal(await active(id), held ? population : population - deletions);
    });
  }
});
