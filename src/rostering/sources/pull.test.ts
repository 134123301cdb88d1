import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, it } from 'node:test';
import { newUserRecord } from '../../accounts/account-service.js';
import { operatorActor } from '../../accounts/policy.js';
import { UserRepository } from '../../accounts/user-repository.js';
import { hashPassword } from '../../security/passwords.js';
import { describeEachDialect, seedCustomer, startTestApp, type TestApp, type TestClient } from '../../../test/helpers/app.js';
import { district11, zipBuffer } from '../../../test/helpers/bundles.js';
import { sftpSkipReason, startSftpServer, type TestSftpServer } from '../../../test/helpers/sftp-server.js';
import { waitFor } from '../../../test/helpers/wait.js';
import type { RunView } from '../runs/run-view.js';
import { runPullJob, schedulerActor } from './pull.js';

const skip = sftpSkipReason();

type ErrorBody = { error: { code: string; message: string } };

/*
 * Sync with OneRoster on demand: POST /api/customers/:id/roster/sync records a queued run at once
 * and queues a roster.pull job, which pulls from the customer's real (test) SFTP server.
 */
describeEachDialect('roster pull: route and job', (dialect) => {
  let t: TestApp;
  let server: TestSftpServer;
  before(async () => {
    if (skip) return;
    // A short settle wait and lease keep the test quick; the code paths are the production ones.
    t = await startTestApp(dialect, { sftpSettleMs: 50, runLeaseMs: 1500 });
    server = await startSftpServer();
    fs.mkdirSync(path.join(server.root, 'uploads'));
    fs.writeFileSync(path.join(server.root, 'uploads', 'roster.zip'), await zipBuffer(district11()));
  });
  after(async () => {
    if (skip) return;
    await server.close();
    await t.close();
  });

  const sftpCustomer = (syncFrequency: 'auto' | 'manual' = 'manual') =>
    seedCustomer(t.ctx, {
      rostering: {
        syncFrequency,
        suffix: `@pull-${Math.random().toString(36).slice(2, 8)}`,
        sftp: { host: server.host, port: server.port, username: server.username, password: server.password, path: path.join(server.root, 'uploads'), fileName: 'roster.zip' },
      },
    });
  const rosterUsers = async (customerId: string) =>
    (
      await t.ctx.db.kysely.selectFrom('users').select('sourced_id').where('customer_id', '=', customerId).where('source', '=', 'roster').where('status', '=', 'active').orderBy('sourced_id').execute()
    ).map((u) => u.sourced_id);
  const adminOf = (c: { adminEmail: string; adminPassword: string }): Promise<TestClient> => t.client().login(c.adminEmail, c.adminPassword);

  it('records a queued run at once, answers 409 while it waits, then pulls and applies it with progress', { skip: skip ?? false }, async () => {
    const c = await sftpCustomer();
    const admin = await adminOf(c);
    const started = await admin.post<RunView>(`/api/customers/${c.id}/roster/sync`, {});
    assert.equal(started.status, 202, JSON.stringify(started.body));
    assert.deepEqual([started.body.status, started.body.stage, started.body.trigger, started.body.actor, started.body.fileName], ['queued', 'queued', 'sftp', c.adminEmail, 'roster.zip']);

    const again = await admin.post<ErrorBody>(`/api/customers/${c.id}/roster/sync`, { force: true });
    assert.equal(again.status, 409);
    assert.equal(again.body.error.code, 'SYNC_IN_PROGRESS');
    assert.match(again.body.error.message, new RegExp(started.body.runId));

    await t.ctx.jobs.start({ concurrency: 2 });
    const runPath = `/api/customers/${c.id}/roster/runs/${started.body.runId}`;
    const done = await waitFor(
      async () => {
        const r = (await admin.get<RunView>(runPath)).body;
        return r.status === 'queued' || r.status === 'running' ? null : r;
      },
      'the pulled run to finish',
      20_000,
    );
    assert.equal(done.status, 'succeeded', JSON.stringify(done.error));
    assert.equal(done.counts.users.created, 4);
    assert.ok(done.sizeBytes > 0 && done.sha256.length === 64, 'the fetched bundle is attached to the run');
    assert.ok(done.progress.total > 0 && done.progress.done > 0, 'reading progress was reported while the bundle was read');
    assert.deepEqual(await rosterUsers(c.id), ['u-p', 'u-s1', 'u-s2', 'u-t']);

    // Finished: a new sync is accepted; the file is unchanged, so it ends at stage `unchanged`.
    const next = await admin.post<RunView>(`/api/customers/${c.id}/roster/sync`, {});
    assert.equal(next.status, 202);
    const unchanged = await waitFor(
      async () => {
        const r = (await admin.get<RunView>(`/api/customers/${c.id}/roster/runs/${next.body.runId}`)).body;
        return r.status === 'succeeded' ? r : null;
      },
      'the second pull',
      20_000,
    );
    assert.equal(unchanged.stage, 'unchanged');

    // The customer list shows the last sync status.
    const listed = await (
      await t.asAdmin()
    ).get<{ items: { id: string; rostering: { lastRun: { runId: string; status: string } | null; lastSuccessAt: string | null; stale: boolean } }[] }>(
      `/api/customers?search=${encodeURIComponent(c.code)}`,
    );
    const row = listed.body.items.find((i) => i.id === c.id)!;
    assert.deepEqual([row.rostering.lastRun?.runId, row.rostering.lastRun?.status, row.rostering.stale], [next.body.runId, 'succeeded', false]);
    assert.equal(row.rostering.lastSuccessAt, unchanged.finishedAt);
  });

  it('refuses ZIP Upload customers and customers without rostering with a clear 409', { skip: skip ?? false }, async () => {
    const zip = await seedCustomer(t.ctx, { rostering: { syncType: 'zip', syncFrequency: 'manual', suffix: '@zip-pull' } });
    const refused = await (await adminOf(zip)).post<ErrorBody>(`/api/customers/${zip.id}/roster/sync`, {});
    assert.equal(refused.status, 409);
    assert.equal(refused.body.error.code, 'SYNC_NO_SOURCE');
    assert.match(refused.body.error.message, /ZIP upload/);
    const none = await seedCustomer(t.ctx, { rostering: { type: 'none' } });
    const noRoster = await (await t.asAdmin()).post<ErrorBody>(`/api/customers/${none.id}/roster/sync`, {});
    assert.deepEqual([noRoster.status, noRoster.body.error.code], [409, 'SYNC_NO_SOURCE']);
    const runs = await t.ctx.db.kysely.selectFrom('roster_runs').select('id').where('customer_id', 'in', [zip.id, none.id]).execute();
    assert.equal(runs.length, 0, 'a refused sync records no run');
  });

  it('lets customer and enterprise admins sync; not institute admins, other customers, strangers or unknown fields', { skip: skip ?? false }, async () => {
    const c = await sftpCustomer();
    const other = await sftpCustomer();
    const url = `/api/customers/${c.id}/roster/sync`;
    assert.equal((await t.client().post<ErrorBody>(url, {})).status, 401);
    const foreign = await (await adminOf(other)).post<ErrorBody>(url, {});
    assert.deepEqual([foreign.status, foreign.body.error.code], [404, 'NOT_FOUND']);
    const login = `inst-${Math.random().toString(36).slice(2, 8)}@pull`;
    await new UserRepository(t.ctx.db.kysely).insert(
      newUserRecord({
        role: 'institute_admin',
        customerId: c.id,
        login,
        email: `${login}.example`,
        givenName: 'In',
        familyName: 'Stitute',
        phone: '',
        passwordHash: await hashPassword('Institute-pw-1'),
        mustChangePassword: false,
        source: 'manual',
      }),
    );
    const institute = await (await t.client().login(login, 'Institute-pw-1')).post<ErrorBody>(url, {});
    assert.deepEqual([institute.status, institute.body.error.code], [403, 'FORBIDDEN']);
    const admin = await t.asAdmin();
    const bad = await admin.post<ErrorBody>(url, { force: 'yes', extra: 1 });
    assert.equal(bad.status, 400);
    const ok = await admin.post<RunView>(url, { force: true });
    assert.equal(ok.status, 202);
    assert.equal(ok.body.actor, 'root@lectern.test');
    await waitFor(async () => ['succeeded', 'failed'].includes((await t.ctx.runs.get(operatorActor, c.id, ok.body.runId)).status), 'the enterprise admin’s pull', 20_000);
  });

  it('retries a pull whose worker died: a finished run is left alone, a dead one is replaced once its lease lapses', { skip: skip ?? false }, async () => {
    const c = await sftpCustomer('auto');
    const job = (attempt: number) => ({ attempt, maxAttempts: 3, signal: new AbortController().signal });
    // A retry of a pull whose run already finished pulls nothing more.
    const first = await t.ctx.runs.create(operatorActor, c.id, { trigger: 'sftp', fileName: 'roster.zip', sizeBytes: 0, sha256: '', bundlePath: null, dryRun: false });
    await runPullJob(t.ctx, { customerId: c.id, runId: first.runId, actor: operatorActor }, job(1));
    assert.equal((await t.ctx.runs.get(operatorActor, c.id, first.runId)).status, 'succeeded');
    await runPullJob(t.ctx, { customerId: c.id, runId: first.runId, actor: operatorActor }, job(2));
    assert.equal((await t.ctx.runs.list(operatorActor, c.id, 10, 0)).total, 1, 'no second run');

    // What a worker killed mid-run leaves: a run marked running, holding the customer's lease.
    const dead = await t.ctx.runs.create(operatorActor, c.id, { trigger: 'sftp', fileName: 'roster.zip', sizeBytes: 0, sha256: '', bundlePath: null, dryRun: false });
    await t.ctx.db.kysely.updateTable('roster_runs').set({ status: 'running', stage: 'reading', started_at: new Date().toISOString() }).where('id', '=', dead.runId).execute();
    await t.ctx.db.kysely
      .insertInto('roster_run_leases')
      .values({ customer_id: c.id, run_id: dead.runId, expires_at: new Date(Date.now() + 1500).toISOString() })
      .execute();
    const retryStarted = Date.now();
    await runPullJob(t.ctx, { customerId: c.id, runId: dead.runId, actor: schedulerActor, force: true }, job(2));
    const runs = (await t.ctx.runs.list(operatorActor, c.id, 10, 0)).items;
    const retry = runs.find((r) => r.runId !== dead.runId && r.runId !== first.runId)!;
    assert.equal(retry.status, 'succeeded', JSON.stringify(retry.error));
    assert.equal(retry.actor, 'Auto schedule');
    assert.ok(Date.parse(retry.startedAt!) >= Date.parse(new Date(retryStarted + 1000).toISOString()), 'the retry waited for the dead run’s lease');
    assert.equal(await t.ctx.runs.failInterrupted(), 1);
    const failed = await t.ctx.runs.get(operatorActor, c.id, dead.runId);
    assert.deepEqual([failed.status, failed.error?.code], ['failed', 'INTERRUPTED']);
    assert.deepEqual(await rosterUsers(c.id), ['u-p', 'u-s1', 'u-s2', 'u-t']);
  });

  it('retries a scheduled pull whose worker died before its run began: that run is failed, not left queued to block Sync now', { skip: skip ?? false }, async () => {
    const c = await sftpCustomer('auto');
    const job = (attempt: number) => ({ attempt, maxAttempts: 3, signal: new AbortController().signal });
    // What a scheduled pull killed between recording its run and starting it leaves.
    const stranded = await t.ctx.runs.create(schedulerActor, c.id, { trigger: 'sftp', fileName: 'roster.zip', sizeBytes: 0, sha256: '', bundlePath: null, dryRun: false });
    await runPullJob(t.ctx, { customerId: c.id, actor: schedulerActor, slot: new Date().toISOString() }, job(2));
    const runs = (await t.ctx.runs.list(operatorActor, c.id, 10, 0)).items;
    const failed = runs.find((r) => r.runId === stranded.runId)!;
    assert.deepEqual([failed.status, failed.error?.code], ['failed', 'INTERRUPTED']);
    assert.match(failed.error!.message, /nothing was applied/);
    const retry = runs.find((r) => r.runId !== stranded.runId)!;
    assert.equal(retry.status, 'succeeded', JSON.stringify(retry.error));
    // Nothing is left queued or running, so Sync now is free again.
    assert.deepEqual(
      runs.filter((r) => r.status === 'queued' || r.status === 'running'),
      [],
    );
  });
});
