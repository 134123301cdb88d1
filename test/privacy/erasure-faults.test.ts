/*
 * An erasure is all or nothing: a statement that fails midway (a fault injected in the database,
 * under the service) or a process killed midway (`lectern customer erase` with a failpoint, SIGKILL)
 * leaves every row and file as it was, and no certificate. Files go only after the commit: a process
 * killed just after it leaves them, and the next purge sweeps them.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, it } from 'node:test';
import { sql } from 'kysely';
import { operatorActor } from '../../src/accounts/policy.js';
import { purgeAll, purgeSettings } from '../../src/retention.js';
import { RunRepository } from '../../src/rostering/runs/run-repository.js';
import { describeEachDialect, startTestApp, type TestApp } from '../helpers/app.js';
import { tenantRows } from '../walls/tenant.js';
import { seedErasable, type SeededCustomer } from './erasure-fixtures.js';

describeEachDialect('Erasure is all or nothing', (dialect) => {
  let t: TestApp;
  let a: SeededCustomer;
  let b: SeededCustomer;

  before(async () => {
    t = await startTestApp(dialect);
    a = await seedErasable(t.ctx, 'a');
    b = await seedErasable(t.ctx, 'b');
  });
  after(() => t.close());

  // Every row of both customers, every file of the data folder but the database's own, and the certificates.
  const state = async () => ({
    a: await tenantRows(t.ctx, a.id),
    b: await tenantRows(t.ctx, b.id),
    files: filesOf(t.ctx.config.dataDir).filter((f) => !/lectern\.db(-wal|-shm)?$/.test(f)),
    certificates: Number((await sql<{ n: number }>`select count(*) as n from erasure_certificates`.execute(t.ctx.db.kysely)).rows[0]!.n),
  });

  // Deleting a user fails: the erasure has deleted most of the customer's other rows by then.
  const injectFault = async () => {
    if (dialect === 'sqlite') await sql`create trigger erasure_fault before delete on users begin select raise(abort, 'injected fault'); end`.execute(t.ctx.db.kysely);
    else {
      await sql`create function erasure_fault() returns trigger language plpgsql as $$ begin raise exception 'injected fault'; end $$`.execute(t.ctx.db.kysely);
      await sql`create trigger erasure_fault before delete on users for each row execute function erasure_fault()`.execute(t.ctx.db.kysely);
    }
  };
  const removeFault = async () => {
    await sql`drop trigger erasure_fault${dialect === 'postgres' ? sql` on users` : sql``}`.execute(t.ctx.db.kysely);
    if (dialect === 'postgres') await sql`drop function erasure_fault()`.execute(t.ctx.db.kysely);
  };

  it('a statement failing midway leaves the customer, the person, their runs and their files as they were', async () => {
    const before = await state();
    await injectFault();
    try {
      await assert.rejects(t.ctx.erasure.eraseCustomer(operatorActor, a.id, { confirm: a.code }), /injected fault/);
      assert.deepEqual(await state(), before, 'a customer half erased');
      await assert.rejects(t.ctx.erasure.erasePerson(operatorActor, a.id, a.erased.userId, { confirm: a.erased.login }), /injected fault/);
      assert.deepEqual(await state(), before, 'a person half erased, or their runs ended');
      const runs = new RunRepository(t.ctx.db.kysely);
      assert.equal((await runs.find(a.id, a.runs.held))?.status, 'awaiting_approval');
      assert.equal((await runs.find(a.id, a.runs.preview))?.bundle_path, a.files.bundles[0]);
    } finally {
      await removeFault();
    }
    // The roster is free again afterwards: the erasure let go of its lease.
    assert.equal((await t.ctx.erasure.erasePerson(operatorActor, a.id, a.erased.userId, { confirm: a.erased.login })).kind, 'person');
  });

  const cli = (failpoint: string) =>
    spawnSync(process.execPath, [path.resolve('bin/lectern.js'), 'customer', 'erase', '--customer', b.code, '--confirm', b.code], {
      env: { ...process.env, NODE_ENV: 'test', LECTERN_FAILPOINT: failpoint, DATABASE_URL: t.ctx.config.databaseUrl, LECTERN_DATA_DIR: t.ctx.config.dataDir },
      encoding: 'utf8',
    });

  // A dead erasure's hold on the roster stays until it lapses (LECTERN_RUN_LEASE_SECONDS), as a dead run's does: this lets it lapse now.
  const lapse = async () => {
    const leases = await t.ctx.db.kysely.selectFrom('roster_run_leases').selectAll().where('customer_id', '=', b.id).execute();
    assert.ok(leases.length === 1 && leases[0]!.run_id.startsWith('erasure:'), JSON.stringify(leases));
    await t.ctx.db.kysely.updateTable('roster_run_leases').set({ expires_at: '2000-01-01T00:00:00.000Z' }).where('customer_id', '=', b.id).execute();
  };

  it('a process killed inside the erasure leaves everything as it was', async () => {
    const before = await state();
    for (const at of [3, 50, 100]) {
      const killed = cli(`erase.step@${at}`);
      assert.equal(killed.signal, 'SIGKILL', `killed at statement ${at}: ${killed.stderr}`);
      await lapse();
      const { b: rows, ...rest } = await state();
      const { roster_run_leases: _lease, ...bRows } = rows;
      assert.deepEqual({ ...rest, b: bRows }, before, `killed at statement ${at}`);
    }
  });

  it('a process killed just after the commit leaves only files, which the next purge removes', async () => {
    const killed = cli('erase.committed');
    assert.equal(killed.signal, 'SIGKILL', killed.stderr);
    const left = await tenantRows(t.ctx, b.id);
    assert.deepEqual(Object.keys(left).sort(), ['audit_log', 'erasure_certificates'], 'the rows went with the commit');
    assert.equal(left.audit_log?.length, 1);
    for (const f of [...b.files.content, ...b.files.bundles]) assert.ok(fs.existsSync(f), `${f} is still there after the commit`);
    // The orphaned roster file waits a day (an upload's run may be on its way); then both go.
    const result = await purgeAll(t.ctx.db.kysely, t.ctx.contentStore, t.ctx.bundles, { ...purgeSettings(t.ctx.config, t.ctx.erasure), now: new Date(Date.now() + 2 * 86_400_000) });
    assert.equal(result.leftoverFolders, 1);
    for (const f of [...b.files.content, ...b.files.bundles]) assert.ok(!fs.existsSync(f), `${f} was swept`);
  });
});

function filesOf(dir: string): string[] {
  return fs
    .readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => path.join(e.parentPath, e.name))
    .sort();
}
