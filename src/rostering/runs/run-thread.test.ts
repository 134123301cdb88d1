import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { after, before, it } from 'node:test';
import { operatorActor } from '../../accounts/policy.js';
import { AppError } from '../../errors.js';
import { describeEachDialect, seedCustomer, startTestApp, type TestApp } from '../../../test/helpers/app.js';
import { district11, writeBundle } from '../../../test/helpers/bundles.js';
import { sleep } from '../../../test/helpers/wait.js';
import { ROSTER_RUN_JOB } from './run-jobs.js';
import { RunThread, ThreadedRunService } from './run-thread.js';

// What crosses into the roster thread and back.
describeEachDialect('the roster thread', (dialect) => {
  let t: TestApp;
  before(async () => {
    t = await startTestApp(dialect);
  });
  after(() => t.close());

  it('gets the same settings: the configuration is plain data, copied whole into the thread', () => {
    assert.deepEqual(structuredClone(t.ctx.config), t.ctx.config);
  });

  it('takes runs and decisions out of the event loop on both databases (statement building blocks it on PostgreSQL too)', () => {
    assert.ok(t.ctx.runs instanceof ThreadedRunService);
  });

  it("leaves SQLite's checkpoints to their own thread too: the serving connection's commits never copy the log", async () => {
    if (dialect !== 'sqlite') return assert.equal(t.ctx.db.checkpoints, undefined);
    await t.ctx.db.checkpoints!.started;
    assert.equal(t.ctx.db.sqlite!.pragma('wal_autocheckpoint', { simple: true }), 0);
    assert.equal(t.ctx.db.checkpoints!.onCommit, false);
  });

  it('answers a task with the error the service threw, code and all', async () => {
    const { id } = await seedCustomer(t.ctx, { rostering: { suffix: `@thread-errors-${dialect}` } });
    const thread = new RunThread(t.ctx.config);
    try {
      for (const kind of ['approve', 'discard'] as const) {
        const answer = thread.call({ kind, actor: operatorActor, customerId: id, runId: crypto.randomUUID() });
        await assert.rejects(answer, (err) => err instanceof AppError && err.code === 'NOT_FOUND' && err.status === 404);
      }
    } finally {
      await thread.close();
    }
  });

  it('passes an abort on to a job in the thread: a run waiting for its lease gives up', { timeout: 60_000 }, async () => {
    const { id } = await seedCustomer(t.ctx, { rostering: { suffix: `@thread-stop-${dialect}` } });
    const bundle = await writeBundle(district11());
    const input = { trigger: 'upload' as const, fileName: 'roster.zip', sizeBytes: 1, sha256: '', bundlePath: bundle, dryRun: false };
    // Another run of the customer holds the lease, as a run of another process would, for long.
    const holder = await t.ctx.runs.create(operatorActor, id, input);
    await t.ctx.db.kysely.insertInto('roster_run_leases').values({ customer_id: id, run_id: holder.runId, expires_at: '2100-01-01T00:00:00.000Z' }).execute();
    const waiting = await t.ctx.runs.create(operatorActor, id, input);
    const thread = new RunThread(t.ctx.config);
    try {
      await thread.call({ kind: 'failInterrupted' }); // the thread is up
      const abort = new AbortController();
      const job = thread.runJob(ROSTER_RUN_JOB, { runId: waiting.runId, customerId: id, bundlePath: bundle }, { attempt: 1, maxAttempts: 1, signal: abort.signal });
      await sleep(500);
      abort.abort(); // what the queue does when the process stops
      await assert.rejects(job, /Stopped while waiting for another run/);
      assert.equal((await t.ctx.runs.get(operatorActor, id, waiting.runId)).status, 'queued', 'the run never started');
    } finally {
      await thread.close();
    }
  });
});
