import type pg from 'pg';

/** Any fixed number: it names the lock a Lectern process holds while it changes a schema, its own or graphile-worker's. */
export const SCHEMA_CHANGE_LOCK = 7_340_215_016;

/**
 * Runs `change` while holding a PostgreSQL session advisory lock, so processes starting together
 * (serve and workers after a deploy) change the database's schemas one after another. Two races
 * need it:
 * - graphile-worker migrates one transaction per step and, interleaved, one process can run a step
 *   whose predecessor another has not yet committed;
 * - Kysely's migrator lists every table and column of every schema before it takes its own lock,
 *   and a column that graphile is adding in another process's open transaction fails that listing.
 *
 * Both were seen as `column "job_count" of relation "job_queues" does not exist`. The lock is held
 * on a connection of its own, so the change's queries come from the rest of the pool. SQLite (no
 * pool) serialises writers itself.
 */
export async function changingSchemaAlone<T>(pool: pg.Pool | null, change: () => Promise<T>): Promise<T> {
  if (!pool) return change();
  const client = await pool.connect();
  try {
    await client.query('select pg_advisory_lock($1)', [SCHEMA_CHANGE_LOCK]);
    try {
      return await change();
    } finally {
      await client.query('select pg_advisory_unlock($1)', [SCHEMA_CHANGE_LOCK]);
    }
  } finally {
    client.release();
  }
}
