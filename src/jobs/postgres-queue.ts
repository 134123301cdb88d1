import { EventEmitter } from 'node:events';
import os from 'node:os';
import { Logger, makeWorkerUtils, run, type Runner, type TaskList, type WorkerEvents, type WorkerUtils } from 'graphile-worker';
import { sql, type Kysely } from 'kysely';
import type pg from 'pg';
import type { Database } from '../db/schema.js';
import { changingSchemaAlone } from '../db/schema-lock.js';
import { addMs, nowIso } from '../time.js';
import type { JobHandler, JobOptions, JobQueue, JobTransaction } from './job-queue.js';

const DEFAULT_MAX_ATTEMPTS = 3;

// graphile logs every worker start at info level; only its warnings and errors are worth a line.
const quietLogger = new Logger(() => (level, message) => {
  if (level === 'error' || level === 'warning') console.error(`[jobs] ${message}`);
});

/** How often live workers say so, and how long silence means a worker died. */
export interface HeartbeatTimings {
  intervalMs: number;
  deadAfterMs: number;
}

const defaultTimings: HeartbeatTimings = { intervalMs: 10_000, deadAfterMs: 60_000 };

/**
 * graphile-worker on the app's PostgreSQL database, for many `lectern worker` processes. Serial keys
 * become graphile queue names (one job of a queue at a time). graphile keeps a dead worker's jobs
 * locked for hours, so every worker writes a heartbeat and any worker unlocks the jobs of workers
 * that fell silent: those jobs are then retried, or failed when out of attempts, never run twice at once.
 */
export class PostgresJobQueue implements JobQueue {
  readonly engine = 'postgres';
  private readonly tasks: TaskList = {};
  private readonly handlers = new Map<string, JobHandler>();
  private runner: Runner | null = null;
  private utils: Promise<WorkerUtils> | null = null;
  private readonly workerIds = new Set<string>(); // the ids graphile locks jobs under (its pools)
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly pool: pg.Pool,
    private readonly db: Kysely<Database>,
    private readonly timings: HeartbeatTimings = defaultTimings,
  ) {}

  /** Declares a handler. */
  register(name: string, handler: JobHandler): void {
    this.handlers.set(name, handler);
    this.tasks[name] = async (payload, helpers) => {
      await handler(payload, { attempt: helpers.job.attempts, maxAttempts: helpers.job.max_attempts, signal: helpers.abortSignal });
    };
  }

  /** The handler declared for a job name. */
  handlerOf(name: string): JobHandler | undefined {
    return this.handlers.get(name);
  }

  /** Queues a job through graphile's add_job; works from processes that do not run workers. */
  async enqueue(name: string, payload: object, opts: JobOptions = {}): Promise<void> {
    const utils = await this.workerUtils();
    await utils.addJob(name, payload, {
      queueName: opts.serialKey,
      jobKey: opts.jobKey,
      // A waiting job keeps its place; a running one is left alone and a new job waits behind it.
      jobKeyMode: opts.jobKey ? 'preserve_run_at' : undefined,
      runAt: opts.runAt,
      maxAttempts: opts.maxAttempts ?? DEFAULT_MAX_ATTEMPTS,
    });
  }

  /** Queues a job with graphile's SQL `add_job` inside the caller's transaction (same database). */
  async enqueueWithin(trx: JobTransaction, name: string, payload: object, opts: JobOptions = {}): Promise<void> {
    await this.workerUtils();
    await sql`select graphile_worker.add_job(
        identifier => ${name},
        payload => ${JSON.stringify(payload)}::json,
        queue_name => ${opts.serialKey ?? null}::text,
        run_at => ${opts.runAt?.toISOString() ?? null}::timestamptz,
        max_attempts => ${opts.maxAttempts ?? DEFAULT_MAX_ATTEMPTS}::int,
        job_key => ${opts.jobKey ?? null}::text,
        job_key_mode => ${opts.jobKey ? 'preserve_run_at' : 'replace'}::text
      )`.execute(trx);
  }

  /** Starts graphile's worker pool in this process, with heartbeats and dead-worker recovery. */
  async start(opts: { concurrency: number }): Promise<void> {
    // run() migrates too, unlocked: after this, it finds nothing left to do.
    await this.workerUtils();
    // graphile 0.17 locks jobs in the name of the worker pool, so the pool is what beats. Listening
    // before run(), which creates the pool: a pool missed here would never beat, and its jobs would
    // stay locked for hours after this process died.
    const events = new EventEmitter() as WorkerEvents;
    events.on('pool:create', ({ workerPool }) => {
      this.workerIds.add(workerPool.id);
      void this.beat();
    });
    events.on('pool:release', ({ workerPool }) => {
      this.workerIds.delete(workerPool.id);
    });
    this.runner = await run({ pgPool: this.pool, logger: quietLogger, taskList: this.tasks, concurrency: Math.max(1, opts.concurrency), noHandleSignals: true, pollInterval: 1000, events });
    await this.beat();
    await this.unlockDeadWorkers();
    this.timer = setInterval(() => {
      void this.beat()
        .then(() => this.unlockDeadWorkers())
        .catch(() => undefined);
    }, this.timings.intervalMs);
    this.timer.unref();
  }

  /** Stops the worker pool gracefully and forgets this process's heartbeats. */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    // Taken before stopping: the pool releases (and forgets) its workers as it stops.
    const ids = [...this.workerIds];
    await this.runner?.stop();
    if (ids.length) await this.db.deleteFrom('job_workers').where('worker_id', 'in', ids).execute();
    await (await this.utils?.catch(() => null))?.release();
    this.runner = null;
    this.utils = null;
  }

  // One set-up per queue, shared by callers that arrive together; a failed one is tried again next call.
  private workerUtils(): Promise<WorkerUtils> {
    this.utils ??= this.openUtils().catch((err: unknown) => {
      this.utils = null;
      throw err;
    });
    return this.utils;
  }

  // graphile brings its schema up to date as it makes the utils.
  private openUtils(): Promise<WorkerUtils> {
    return changingSchemaAlone(this.pool, () => makeWorkerUtils({ pgPool: this.pool, logger: quietLogger }));
  }

  private async beat(): Promise<void> {
    const now = nowIso();
    for (const workerId of this.workerIds) {
      await this.db
        .insertInto('job_workers')
        .values({ worker_id: workerId, engine: 'postgres', host: `${os.hostname()}:${process.pid}`, started_at: now, last_seen_at: now })
        .onConflict((oc) => oc.column('worker_id').doUpdateSet({ last_seen_at: now }))
        .execute();
    }
  }

  // Any live worker may do this; forceUnlockWorkers is idempotent, so two doing it at once is harmless.
  private async unlockDeadWorkers(): Promise<void> {
    const cutoff = addMs(nowIso(), -this.timings.deadAfterMs);
    const dead = await this.db.selectFrom('job_workers').select('worker_id').where('engine', '=', 'postgres').where('last_seen_at', '<', cutoff).execute();
    if (!dead.length) return;
    const ids = dead.map((d) => d.worker_id);
    await (await this.workerUtils()).forceUnlockWorkers(ids);
    await this.db.deleteFrom('job_workers').where('worker_id', 'in', ids).execute();
  }
}
