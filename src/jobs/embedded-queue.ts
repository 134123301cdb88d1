import crypto from 'node:crypto';
import os from 'node:os';
import { sql, type Kysely } from 'kysely';
import type { Database, Job } from '../db/schema.js';
import { addMs, nowIso } from '../time.js';
import { retryDelayMs, type JobHandler, type JobOptions, type JobQueue, type JobTransaction } from './job-queue.js';

const DEFAULT_MAX_ATTEMPTS = 3;

/**
 * Jobs in a table of the app's own database, run inside `lectern serve`. Meant for one process (the
 * embedded default); the table makes queued work survive restarts, and a job found running at start
 * belonged to a process that died, so it is retried or, with no attempts left, failed.
 */
export class EmbeddedJobQueue implements JobQueue {
  readonly engine = 'embedded';
  private readonly handlers = new Map<string, JobHandler>();
  private readonly running = new Map<string, Promise<void>>();
  private readonly workerId = `embedded:${os.hostname()}:${process.pid}:${crypto.randomBytes(3).toString('hex')}`;
  private readonly abort = new AbortController();
  private concurrency = 0;
  private timer: NodeJS.Timeout | null = null;
  private stopped = false;
  private pumping = false;

  constructor(
    private readonly db: Kysely<Database>,
    private readonly opts: { pollMs?: number; retryDelayMs?: (attempt: number) => number } = {},
  ) {}

  /** Declares a handler. */
  register(name: string, handler: JobHandler): void {
    this.handlers.set(name, handler);
  }

  /** The handler declared for a job name. */
  handlerOf(name: string): JobHandler | undefined {
    return this.handlers.get(name);
  }

  /** Queues a job; with a jobKey that already waits, the waiting job stands and this one is dropped. */
  async enqueue(name: string, payload: object, opts: JobOptions = {}): Promise<void> {
    await this.enqueueWithin(this.db, name, payload, opts);
    if (this.concurrency > 0) void this.pump();
  }

  /** Queues a job in the caller's transaction; the next poll after the commit picks it up. */
  async enqueueWithin(trx: JobTransaction, name: string, payload: object, opts: JobOptions = {}): Promise<void> {
    const now = nowIso();
    await trx
      .insertInto('jobs')
      .values({
        id: crypto.randomUUID(),
        name,
        payload: JSON.stringify(payload),
        serial_key: opts.serialKey ?? null,
        job_key: opts.jobKey ?? null,
        run_at: (opts.runAt ?? new Date()).toISOString(),
        attempts: 0,
        max_attempts: opts.maxAttempts ?? DEFAULT_MAX_ATTEMPTS,
        status: 'queued',
        locked_by: null,
        locked_at: null,
        last_error: '',
        created_at: now,
        updated_at: now,
      })
      // The predicate must be a literal for SQLite to match it to the partial unique index.
      .onConflict((oc) => oc.column('job_key').where(sql.ref('status'), '=', sql.lit('queued')).doNothing())
      .execute();
  }

  /** Recovers jobs of a dead process, then polls for due jobs. */
  async start(opts: { concurrency: number }): Promise<void> {
    this.concurrency = Math.max(1, opts.concurrency);
    await this.recoverInterrupted();
    this.timer = setInterval(() => void this.pump(), this.opts.pollMs ?? 1000);
    this.timer.unref();
    void this.pump();
  }

  /** Stops claiming, signals running jobs, and waits for them. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    this.abort.abort();
    await Promise.allSettled(this.running.values());
  }

  /** Jobs that failed for good, newest first (for operators). */
  listFailed(limit = 50): Promise<Job[]> {
    return this.db.selectFrom('jobs').selectAll().where('status', '=', 'failed').orderBy('updated_at', 'desc').limit(limit).execute();
  }

  private async recoverInterrupted(): Promise<void> {
    const now = nowIso();
    const interrupted = await this.db.selectFrom('jobs').selectAll().where('status', '=', 'running').execute();
    for (const job of interrupted) await this.settleFailure(job, 'The process running this job stopped before it finished.', now);
  }

  // Claims due jobs until the concurrency is used up; one pump at a time so claims never race here.
  private async pump(): Promise<void> {
    if (this.pumping || this.stopped) return;
    this.pumping = true;
    try {
      while (!this.stopped && this.running.size < this.concurrency) {
        const job = await this.claim();
        if (!job) break;
        const run = this.execute(job)
          .catch((err: unknown) => logFailure(`settling job ${job.id}`, err))
          .finally(() => {
            this.running.delete(job.id);
            void this.pump();
          });
        this.running.set(job.id, run);
      }
    } catch (err) {
      // A busy or unreachable database is tried again at the next poll; it must not end the process.
      logFailure('claiming a job', err);
    } finally {
      this.pumping = false;
    }
  }

  private async claim(): Promise<Job | undefined> {
    const now = nowIso();
    const names = [...this.handlers.keys()];
    if (!names.length) return undefined;
    return this.db.transaction().execute(async (trx) => {
      const candidate = await trx
        .selectFrom('jobs as j')
        .selectAll()
        .where('j.status', '=', 'queued')
        .where('j.run_at', '<=', now)
        .where('j.name', 'in', names)
        .where((eb) =>
          eb.or([
            eb('j.serial_key', 'is', null),
            eb.not(eb.exists(eb.selectFrom('jobs as r').select(sql.lit(1).as('one')).where('r.status', '=', 'running').whereRef('r.serial_key', '=', 'j.serial_key'))),
          ]),
        )
        .orderBy('j.run_at')
        .orderBy('j.created_at')
        .limit(1)
        .executeTakeFirst();
      if (!candidate) return undefined;
      const updated = await trx
        .updateTable('jobs')
        .set({ status: 'running', locked_by: this.workerId, locked_at: now, attempts: candidate.attempts + 1, updated_at: now })
        .where('id', '=', candidate.id)
        .where('status', '=', 'queued')
        .executeTakeFirst();
      return Number(updated.numUpdatedRows) === 1 ? { ...candidate, status: 'running' as const, attempts: candidate.attempts + 1 } : undefined;
    });
  }

  private async execute(job: Job): Promise<void> {
    const handler = this.handlers.get(job.name);
    try {
      if (!handler) throw new Error(`No handler for job "${job.name}"`);
      await handler(JSON.parse(job.payload), { attempt: job.attempts, maxAttempts: job.max_attempts, signal: this.abort.signal });
      await this.db.deleteFrom('jobs').where('id', '=', job.id).execute();
    } catch (err) {
      await this.settleFailure(job, err instanceof Error ? err.message : String(err), nowIso());
    }
  }

  private async settleFailure(job: Job, message: string, now: string): Promise<void> {
    const exhausted = job.attempts >= job.max_attempts;
    await this.db
      .updateTable('jobs')
      .set({
        status: exhausted ? 'failed' : 'queued',
        run_at: exhausted ? job.run_at : addMs(now, (this.opts.retryDelayMs ?? retryDelayMs)(job.attempts)),
        locked_by: null,
        locked_at: null,
        last_error: message.slice(0, 2000),
        updated_at: now,
      })
      .where('id', '=', job.id)
      .execute()
      .catch(async () => {
        // A waiting job with the same key already exists: this retry joins it.
        await this.db.deleteFrom('jobs').where('id', '=', job.id).execute();
      });
  }
}

function logFailure(what: string, err: unknown): void {
  console.error(`[jobs] ${what} failed: ${err instanceof Error ? err.message : String(err)}`);
}
