import { sql, type Kysely } from 'kysely';

/** The embedded job queue's table, and the heartbeat table both engines use to spot dead workers. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('jobs')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('payload', 'text', (c) => c.notNull())
    .addColumn('serial_key', 'text')
    .addColumn('job_key', 'text')
    .addColumn('run_at', 'text', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull())
    .addColumn('max_attempts', 'integer', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('locked_by', 'text')
    .addColumn('locked_at', 'text')
    .addColumn('last_error', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('jobs_due').on('jobs').columns(['status', 'run_at']).execute();
  // At most one *waiting* job per key: a trigger while one waits joins it; one while it runs queues anew.
  await db.schema.createIndex('jobs_pending_key').on('jobs').column('job_key').unique().where(sql.ref('status'), '=', 'queued').execute();

  await db.schema
    .createTable('job_workers')
    .addColumn('worker_id', 'text', (c) => c.primaryKey())
    .addColumn('engine', 'text', (c) => c.notNull())
    .addColumn('host', 'text', (c) => c.notNull())
    .addColumn('started_at', 'text', (c) => c.notNull())
    .addColumn('last_seen_at', 'text', (c) => c.notNull())
    .execute();
}
