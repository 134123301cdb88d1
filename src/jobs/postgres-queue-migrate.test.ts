/*
 * Several processes starting at once on a fresh PostgreSQL database (serve and workers after a
 * deploy) each bring graphile-worker's schema up to date. graphile runs its migrations one
 * transaction at a time and, when two processes interleave, one may run a later migration before
 * the other's earlier one has committed ("column job_count of relation job_queues does not
 * exist"). Each process here has its own pool, as separate processes do.
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { openDatabase, type Db } from '../db/connection.js';
import { migrateToLatest } from '../db/migrate.js';
import { createTestDatabase, postgresSkipReason, type TestDatabase } from '../../test/helpers/databases.js';
import { sleep } from '../../test/helpers/wait.js';
import { GRAPHILE_MIGRATION_LOCK, PostgresJobQueue } from './postgres-queue.js';

const skip = postgresSkipReason();
const PROCESSES = 6;
const ROUNDS = 3;

describe('graphile-worker schema set up by processes starting together', skip ? { skip } : {}, () => {
  const cleanups: (() => Promise<void>)[] = [];
  after(async () => {
    for (const c of cleanups.reverse()) await c();
  });

  it('a process waits for the one already migrating before it touches the schema', async () => {
    const database: TestDatabase = await createTestDatabase('postgres');
    cleanups.push(() => database.drop());
    const holder = openDatabase(database.url);
    const db = openDatabase(database.url);
    cleanups.push(async () => {
      await db.close();
      await holder.close();
    });
    await migrateToLatest(db);
    // Another process is migrating: it holds the lock every Lectern process takes first.
    const other = await holder.pgPool!.connect();
    await other.query('select pg_advisory_lock($1)', [GRAPHILE_MIGRATION_LOCK]);
    const queue = new PostgresJobQueue(db.pgPool!, db.kysely);
    let done = false;
    const queued = queue.enqueue('hello', {}).then(() => (done = true));
    try {
      await sleep(800);
      const schema = await other.query("select 1 from information_schema.schemata where schema_name = 'graphile_worker'");
      assert.equal(done, false, 'the job waits for the schema');
      assert.equal(schema.rowCount, 0, 'nothing of graphile-worker was created while another process held the lock');
    } finally {
      await other.query('select pg_advisory_unlock($1)', [GRAPHILE_MIGRATION_LOCK]);
      other.release();
    }
    await queued;
    const jobs = await db.pgPool!.query('select count(*)::int as n from graphile_worker.jobs');
    assert.equal(jobs.rows[0].n, 1);
    await queue.stop();
  });

  for (let round = 1; round <= ROUNDS; round++) {
    it(`${PROCESSES} processes on a fresh database all start, round ${round}`, async () => {
      const database: TestDatabase = await createTestDatabase('postgres');
      cleanups.push(() => database.drop());
      const dbs: Db[] = Array.from({ length: PROCESSES }, () => openDatabase(database.url));
      cleanups.push(async () => {
        for (const db of dbs) await db.close();
      });
      await migrateToLatest(dbs[0]!);
      const queues = dbs.map((db) => new PostgresJobQueue(db.pgPool!, db.kysely));
      // Workers start their pools while serve queues its first jobs, as after a deploy.
      const outcomes = await Promise.allSettled(queues.map((q, i) => (i % 2 ? q.start({ concurrency: 1 }).then(() => q.enqueue('hello', { from: i })) : q.enqueue('hello', { from: i }))));
      const failures = outcomes.flatMap((o) => (o.status === 'rejected' ? [String(o.reason)] : []));
      assert.deepEqual(failures, []);
      const jobs = await dbs[0]!.pgPool!.query('select count(*)::int as n from graphile_worker.jobs');
      assert.equal(jobs.rows[0].n, PROCESSES);
      for (const q of queues) await q.stop();
      for (const db of dbs.splice(0)) await db.close();
    });
  }
});
