/*
 * Several processes starting at once on a fresh PostgreSQL database (serve and workers after a
 * deploy) each bring Lectern's schema, then graphile-worker's, up to date. Interleaved, graphile
 * can run a later step of its migration before another process's earlier step has committed, and
 * Kysely's migrator, listing every column of every schema, can trip over a column graphile is
 * adding in another process (both seen as "column job_count of relation job_queues does not
 * exist"; the second killed `lectern serve` in the workers test). Each process here has its own
 * pool, as separate processes do, and starts as a process does: migrate, then the queue.
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { openDatabase, type Db } from '../db/connection.js';
import { migrateToLatest } from '../db/migrate.js';
import { createTestDatabase, postgresSkipReason, type TestDatabase } from '../../test/helpers/databases.js';
import { sleep } from '../../test/helpers/wait.js';
import { SCHEMA_CHANGE_LOCK } from '../db/schema-lock.js';
import { PostgresJobQueue } from './postgres-queue.js';

const skip = postgresSkipReason();
const PROCESSES = 6;
const ROUNDS = 3;
const STAGGER_MS = 120;

describe('graphile-worker schema set up by processes starting together', skip ? { skip } : {}, () => {
  const cleanups: (() => Promise<void>)[] = [];
  after(async () => {
    for (const c of cleanups.reverse()) await c();
  });

  it('a process waits for the one already changing a schema before it touches either', async () => {
    const database: TestDatabase = await createTestDatabase('postgres');
    cleanups.push(() => database.drop());
    const holder = openDatabase(database.url);
    const db = openDatabase(database.url);
    cleanups.push(async () => {
      await db.close();
      await holder.close();
    });
    // Another process is migrating: it holds the lock every Lectern process takes first.
    const other = await holder.pgPool!.connect();
    await other.query('select pg_advisory_lock($1)', [SCHEMA_CHANGE_LOCK]);
    const queue = new PostgresJobQueue(db.pgPool!, db.kysely);
    cleanups.push(() => queue.stop());
    let done = false;
    const started = migrateToLatest(db)
      .then(() => queue.enqueue('hello', {}))
      .then(() => (done = true));
    try {
      await sleep(800);
      const schemas = await other.query("select table_schema, table_name from information_schema.tables where table_schema in ('public', 'graphile_worker')");
      assert.equal(done, false, 'the process waits for the lock');
      assert.deepEqual(schemas.rows, [], 'no table of Lectern or graphile-worker was created while another process held the lock');
    } finally {
      await other.query('select pg_advisory_unlock($1)', [SCHEMA_CHANGE_LOCK]);
      other.release();
    }
    await started;
    const jobs = await db.pgPool!.query('select count(*)::int as n from graphile_worker.jobs');
    assert.equal(jobs.rows[0].n, 1);
  });

  for (let round = 1; round <= ROUNDS; round++) {
    it(`${PROCESSES} processes on a fresh database all start, round ${round}`, async () => {
      const database: TestDatabase = await createTestDatabase('postgres');
      cleanups.push(() => database.drop());
      const dbs: Db[] = Array.from({ length: PROCESSES }, () => openDatabase(database.url));
      const queues = dbs.map((db) => new PostgresJobQueue(db.pgPool!, db.kysely));
      // A started queue holds its pool's connections (LISTEN): stopped first, even when the test failed.
      cleanups.push(async () => {
        for (const q of queues) await q.stop();
        for (const db of dbs) await db.close();
      });
      // Each migrates; then workers start their pools while serve queues its first jobs, as after a
      // deploy. They start staggered, as processes that load at different speeds do, so one lists
      // the schemas while another is changing graphile's.
      const outcomes = await Promise.allSettled(
        queues.map(async (q, i) => {
          await sleep(i * STAGGER_MS);
          await migrateToLatest(dbs[i]!);
          if (i % 2) await q.start({ concurrency: 1 });
          await q.enqueue('hello', { from: i });
        }),
      );
      const failures = outcomes.flatMap((o) => (o.status === 'rejected' ? [String(o.reason)] : []));
      assert.deepEqual(failures, []);
      const jobs = await dbs[0]!.pgPool!.query('select count(*)::int as n from graphile_worker.jobs');
      assert.equal(jobs.rows[0].n, PROCESSES);
    });
  }
});
