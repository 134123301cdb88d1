import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { operatorActor } from '../../accounts/policy.js';
import { AppError } from '../../errors.js';
import { seedCustomer, startTestApp, type TestApp } from '../../../test/helpers/app.js';
import { district11, writeBundle } from '../../../test/helpers/bundles.js';
import { waitFor } from '../../../test/helpers/wait.js';
import { enqueueRosterRun } from './run-jobs.js';
import { ThreadedRunService } from './run-thread.js';

// The roster thread is SQLite's (PostgreSQL runs stay in the process): what crosses into it and back.
describe('the roster thread (SQLite)', () => {
  let t: TestApp;
  before(async () => {
    t = await startTestApp('sqlite');
  });
  after(() => t.close());

  it('gets the same settings: the configuration is plain data, copied whole into the thread', () => {
    assert.deepEqual(structuredClone(t.ctx.config), t.ctx.config);
  });

  it('answers a decision on a run with the error the service threw, code and all', async () => {
    assert.ok(t.ctx.runs instanceof ThreadedRunService, 'approve and discard go to the thread');
    const { id } = await seedCustomer(t.ctx, { rostering: { suffix: '@thread-errors' } });
    await assert.rejects(t.ctx.runs.approve(operatorActor, id, crypto.randomUUID()), (err) => err instanceof AppError && err.code === 'NOT_FOUND' && err.status === 404);
    await assert.rejects(t.ctx.runs.discard(operatorActor, id, crypto.randomUUID()), (err) => err instanceof AppError && err.code === 'NOT_FOUND');
  });

  it('passes the queue stopping on to a job in the thread: a run waiting for its lease gives up, and stop returns', { timeout: 60_000 }, async () => {
    const { id } = await seedCustomer(t.ctx, { rostering: { suffix: '@thread-stop' } });
    const bundle = await writeBundle(district11());
    const input = { trigger: 'upload' as const, fileName: 'roster.zip', sizeBytes: 1, sha256: '', bundlePath: bundle, dryRun: false };
    // Another run of the customer holds the lease, as a run of another process would, for long.
    const holder = await t.ctx.runs.create(operatorActor, id, input);
    await t.ctx.db.kysely.insertInto('roster_run_leases').values({ customer_id: id, run_id: holder.runId, expires_at: '2100-01-01T00:00:00.000Z' }).execute();
    const waiting = await t.ctx.runs.create(operatorActor, id, input);
    await enqueueRosterRun(t.ctx.jobs, { runId: waiting.runId, customerId: id, bundlePath: bundle });
    await t.ctx.jobs.start({ concurrency: 1 });
    await waitFor(async () => (await t.ctx.db.kysely.selectFrom('jobs').select('status').executeTakeFirst())?.status === 'running', 'the job to be claimed');

    const started = Date.now();
    await t.ctx.jobs.stop();
    assert.ok(Date.now() - started < 30_000, 'stop waited for the run in the thread to give up');
    const job = await t.ctx.db.kysely.selectFrom('jobs').select(['status', 'last_error']).executeTakeFirstOrThrow();
    assert.equal(job.status, 'failed');
    assert.match(job.last_error, /Stopped while waiting for another run/);
    assert.equal((await t.ctx.runs.get(operatorActor, id, waiting.runId)).status, 'queued', 'the run never started');
  });
});
