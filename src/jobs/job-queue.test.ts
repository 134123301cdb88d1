import assert from 'node:assert/strict';
import os from 'node:os';
import { after, before, describe, it } from 'node:test';
import { openDatabase, type Db } from '../db/connection.js';
import { migrateToLatest } from '../db/migrate.js';
import { createTestDatabase, postgresSkipReason, type TestDatabase, type TestDialect } from '../../test/helpers/databases.js';
import { sleep, waitFor } from '../../test/helpers/wait.js';
import { EmbeddedJobQueue } from './embedded-queue.js';
import type { JobQueue } from './job-queue.js';
import { PostgresJobQueue } from './postgres-queue.js';

type Engine = 'embedded' | 'postgres';
const setups: [Engine, TestDialect][] = [
  ['embedded', 'sqlite'],
  ['embedded', 'postgres'],
  ['postgres', 'postgres'],
];

for (const [engine, dialect] of setups) {
  const skip = dialect === 'postgres' ? postgresSkipReason() : null;
  describe(`job queue: ${engine} on ${dialect}`, skip ? { skip } : {}, () => {
    let database: TestDatabase;
    let db: Db;
    const queues: JobQueue[] = [];

    const newQueue = (): JobQueue => {
      const q = engine === 'embedded' ? new EmbeddedJobQueue(db.kysely, { pollMs: 50, retryDelayMs: () => 50 }) : new PostgresJobQueue(db.pgPool!, db.kysely, { intervalMs: 200, deadAfterMs: 1000 });
      queues.push(q);
      return q;
    };

    before(async () => {
      database = await createTestDatabase(dialect);
      db = openDatabase(database.url);
      await migrateToLatest(db);
    });
    after(async () => {
      for (const q of queues) await q.stop();
      await db.close();
      await database.drop();
    });

    it('runs queued jobs with their payload', async () => {
      const q = newQueue();
      const seen: unknown[] = [];
      q.register('hello', async (payload) => {
        seen.push(payload);
      });
      await q.enqueue('hello', { n: 1 });
      await q.start({ concurrency: 2 });
      await q.enqueue('hello', { n: 2 });
      await waitFor(() => seen.length === 2, 'two jobs');
      assert.deepEqual(
        seen.sort((a, b) => (a as { n: number }).n - (b as { n: number }).n),
        [{ n: 1 }, { n: 2 }],
      );
      await q.stop();
    });

    it('never runs two jobs with the same serial key at once, but runs different keys side by side', async () => {
      const q = newQueue();
      const active = new Map<string, number>();
      const maxActive = new Map<string, number>();
      let overallMax = 0;
      let current = 0;
      let done = 0;
      q.register('sync', async (payload) => {
        const key = (payload as { customer: string }).customer;
        active.set(key, (active.get(key) ?? 0) + 1);
        current++;
        maxActive.set(key, Math.max(maxActive.get(key) ?? 0, active.get(key)!));
        overallMax = Math.max(overallMax, current);
        // The first job of each customer runs long enough for any engine's poll to start the other one.
        await sleep((payload as { i: number }).i === 0 ? 1200 : 100);
        active.set(key, active.get(key)! - 1);
        current--;
        done++;
      });
      for (let i = 0; i < 3; i++) {
        await q.enqueue('sync', { customer: 'a', i }, { serialKey: 'customer:a' });
        await q.enqueue('sync', { customer: 'b', i }, { serialKey: 'customer:b' });
      }
      await q.start({ concurrency: 4 });
      await waitFor(() => done === 6, 'six jobs', 20_000);
      assert.equal(maxActive.get('a'), 1);
      assert.equal(maxActive.get('b'), 1);
      assert.equal(overallMax, 2, 'customers a and b should sync at the same time');
      await q.stop();
    });

    it('retries a failing job and stops after its attempts', async () => {
      const q = newQueue();
      let flakyCalls = 0;
      let brokenCalls = 0;
      q.register('flaky', async (_p, ctx) => {
        flakyCalls++;
        if (ctx.attempt === 1) throw new Error('first try fails');
      });
      q.register('broken', async () => {
        brokenCalls++;
        throw new Error('always fails');
      });
      await q.enqueue('flaky', {}, { maxAttempts: 3 });
      await q.enqueue('broken', {}, { maxAttempts: 2 });
      await q.start({ concurrency: 2 });
      await waitFor(() => flakyCalls === 2 && brokenCalls === 2, 'retries', 20_000);
      await sleep(engine === 'postgres' ? 3000 : 300);
      assert.equal(flakyCalls, 2);
      assert.equal(brokenCalls, 2, 'no third attempt');
      await q.stop();
    });

    it('queues a job inside a transaction: it exists only if the transaction commits', async () => {
      const q = newQueue();
      const seen: unknown[] = [];
      q.register('atomic', async (payload) => {
        seen.push(payload);
      });
      await db.kysely.transaction().execute((trx) => q.enqueueWithin(trx, 'atomic', { committed: true }));
      const rolledBack = db.kysely.transaction().execute(async (trx) => {
        await q.enqueueWithin(trx, 'atomic', { committed: false });
        throw new Error('roll back');
      });
      await assert.rejects(rolledBack, /roll back/);
      await q.start({ concurrency: 1 });
      await waitFor(() => seen.length === 1, 'the committed job');
      await sleep(engine === 'postgres' ? 1500 : 300);
      assert.deepEqual(seen, [{ committed: true }]);
      await q.stop();
    });

    it('keeps one waiting job per job key', async () => {
      const q = newQueue();
      let runs = 0;
      q.register('tick', async () => {
        runs++;
      });
      await q.enqueue('tick', { from: 1 }, { jobKey: 'schedule:x' });
      await q.enqueue('tick', { from: 2 }, { jobKey: 'schedule:x' });
      await q.start({ concurrency: 1 });
      await waitFor(() => runs >= 1, 'the tick');
      await sleep(300);
      assert.equal(runs, 1);
      await q.stop();
    });

    // The embedded engine is one process; graphile's worker pool must beat, or a dead one's jobs stay locked.
    if (engine === 'postgres') {
      it('records a heartbeat for the worker pool it starts, and forgets it on a clean stop', async () => {
        const q = newQueue();
        q.register('noop', async () => undefined);
        const mine = () => db.kysely.selectFrom('job_workers').selectAll().where('host', '=', `${os.hostname()}:${process.pid}`).execute();
        const before = (await mine()).length;
        await q.start({ concurrency: 3 });
        assert.ok((await mine()).length > before, 'the worker pool beats');
        await q.stop();
        assert.equal((await mine()).length, before, 'a clean stop forgets its heartbeats');
      });
    }

    if (engine === 'embedded') {
      it('survives a claim the database refuses (busy, or the table away): the next poll claims again', async () => {
        const q = newQueue();
        let runs = 0;
        q.register('after-outage', async () => {
          runs++;
        });
        await q.start({ concurrency: 1 });
        // Every poll's claim now fails; an unhandled rejection there would end the whole process.
        await db.kysely.schema.alterTable('jobs').renameTo('jobs_away').execute();
        await sleep(300);
        await db.kysely.schema.alterTable('jobs_away').renameTo('jobs').execute();
        await q.enqueue('after-outage', {});
        await waitFor(() => runs === 1, 'the job queued after the outage to run', 5000);
        await q.stop();
      });
    }

    it('recovers a job whose worker died mid-run: it runs again, once', async () => {
      let runs = 0;
      if (engine === 'embedded') {
        const now = new Date().toISOString();
        // What a killed process leaves behind: a job marked running.
        await db.kysely
          .insertInto('jobs')
          .values({
            id: 'orphan',
            name: 'orphaned',
            payload: '{}',
            serial_key: 'customer:z',
            job_key: null,
            run_at: now,
            attempts: 1,
            max_attempts: 3,
            status: 'running',
            locked_by: 'embedded:gone',
            locked_at: now,
            last_error: '',
            created_at: now,
            updated_at: now,
          })
          .execute();
      } else {
        const producer = newQueue();
        await producer.enqueue('orphaned', {}, { serialKey: 'customer:z' });
        // What a killed worker leaves behind: graphile's lock, and a heartbeat that stopped long ago.
        await db.pgPool!.query(
          `update graphile_worker._private_jobs set locked_by = 'dead-worker', locked_at = now(), attempts = 1 where task_id = (select id from graphile_worker._private_tasks where identifier = 'orphaned')`,
        );
        await db.kysely
          .insertInto('job_workers')
          .values({ worker_id: 'dead-worker', engine: 'postgres', host: 'gone', started_at: '2000-01-01T00:00:00.000Z', last_seen_at: '2000-01-01T00:00:00.000Z' })
          .execute();
      }
      const q = newQueue();
      q.register('orphaned', async () => {
        runs++;
      });
      await q.start({ concurrency: 1 });
      await waitFor(() => runs === 1, 'the orphaned job to run again', 15_000);
      await sleep(500);
      assert.equal(runs, 1);
      await q.stop();
    });
  });
}
