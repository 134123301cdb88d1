import type { Worker } from 'node:worker_threads';
import { ROSTER_THREAD_LIMITS, siblingModule, startWorker } from '../../threads/start-worker.js';
import type { Actor } from '../../accounts/policy.js';
import type { Config } from '../../config.js';
import { isInMemory, type Db } from '../../db/connection.js';
import type { JobContext, JobQueue } from '../../jobs/job-queue.js';
import { OffloadingJobQueue } from '../../jobs/offloading-queue.js';
import { AppError } from '../../errors.js';
import type { SecretBox } from '../../security/secret-box.js';
import { fromThreadError, type ThreadError } from '../../threads/thread-error.js';
import { ROSTER_PULL_JOB } from '../sources/pull.js';
import { ROSTER_PURGE_JOB, ROSTER_RUN_JOB } from './run-jobs.js';
import { nowIso } from '../../time.js';
import { RunRepository } from './run-repository.js';
import { RosterRunService } from './run-service.js';
import type { RunView } from './run-view.js';

/** The jobs whose work is roster SQL (read, stage, plan, apply, purge) and so runs in the thread. */
export const THREAD_JOBS: ReadonlySet<string> = new Set([ROSTER_RUN_JOB, ROSTER_PULL_JOB, ROSTER_PURGE_JOB]);

/** One piece of work for the thread: a job by name, or a decision on a held run. */
export type ThreadTask =
  | { kind: 'job'; name: string; payload: unknown; attempt: number; maxAttempts: number }
  | { kind: 'approve' | 'discard'; actor: Actor; customerId: string; runId: string }
  | { kind: 'failInterrupted' };

/** Messages to the thread. */
export type ToThread = { type: 'task'; id: number; task: ThreadTask } | { type: 'abort'; id: number } | { type: 'close' };

/** Messages from the thread. */
export type FromThread = { type: 'done'; id: number; value: unknown } | { type: 'failed'; id: number; error: ThreadError };

/**
 * Whether roster work should leave the main thread: always, but for an in-memory database (which a
 * second connection cannot share). SQLite (better-sqlite3) is synchronous: staging, planning and
 * applying a big roster block the event loop for seconds, so `lectern serve` stops answering. A
 * worker thread with its own connection keeps it answering (WAL lets the server's readers go on while
 * it writes; the main connection waits for its write lock on a timer, see patient-sqlite.ts).
 * PostgreSQL's driver is asynchronous, but building and compiling a run's big statements is not:
 * measured on two cores during a 50,000-user import (`npm run bench:availability`), health p99 was
 * 489 ms with the run on the main thread and 38 ms with it in the thread.
 */
export function wantsRunThread(config: Config): boolean {
  return !isInMemory(config.databaseUrl);
}

const ENTRY = siblingModule(import.meta.url, 'run-thread-worker');

interface Pending {
  resolve(value: unknown): void;
  reject(err: Error): void;
}

/**
 * One worker thread per process for roster work, started at its first task (about two seconds on a
 * loaded two-core machine: it loads the app and opens its own database connection) and kept for the next. It builds its own
 * context (`createContext` with `inThread`), so a job runs there exactly as it would here: lease and
 * its renewal, progress, cancellation (the job's signal is forwarded), failpoints (they kill the
 * process), errors. If the thread dies, its tasks fail and the next task starts a new one; a run it
 * left `running` is failed INTERRUPTED when its lease runs out, as after a crash.
 */
export class RunThread {
  private worker: Worker | null = null;
  private exited: Promise<void> = Promise.resolve();
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private closed = false;

  constructor(private readonly config: Config) {}

  /** The queue with the roster jobs handed to this thread; claiming and retries stay the engine's. */
  offload(queue: JobQueue): JobQueue {
    return new OffloadingJobQueue(queue, THREAD_JOBS, (name, payload, ctx) => this.runJob(name, payload, ctx));
  }

  /** Runs a job's handler in the thread. */
  runJob(name: string, payload: unknown, ctx: JobContext): Promise<void> {
    return this.call({ kind: 'job', name, payload, attempt: ctx.attempt, maxAttempts: ctx.maxAttempts }, ctx.signal) as Promise<void>;
  }

  /** Runs a task in the thread; `signal` aborting is passed on to the task's own signal there. */
  call(task: ThreadTask, signal?: AbortSignal): Promise<unknown> {
    if (this.closed) return Promise.reject(new AppError('UNAVAILABLE', 'The server is shutting down.'));
    const worker = this.start();
    const id = this.nextId++;
    const result = new Promise<unknown>((resolve, reject) => this.pending.set(id, { resolve, reject }));
    const onAbort = () => worker.postMessage({ type: 'abort', id } satisfies ToThread);
    if (signal?.aborted) onAbort();
    else signal?.addEventListener('abort', onAbort, { once: true });
    worker.ref();
    worker.postMessage({ type: 'task', id, task } satisfies ToThread);
    return result.finally(() => {
      signal?.removeEventListener('abort', onAbort);
      // An idle thread must not keep the process alive.
      if (!this.pending.size) this.worker?.unref();
    });
  }

  /** Lets the thread finish (its context closes, in-flight native work ends) and waits for it to exit. */
  async close(): Promise<void> {
    this.closed = true;
    const worker = this.worker;
    if (!worker) return;
    worker.postMessage({ type: 'close' } satisfies ToThread);
    const timer = setTimeout(() => void worker.terminate(), 30_000);
    await this.exited;
    clearTimeout(timer);
  }

  private start(): Worker {
    if (this.worker) return this.worker;
    const worker = startWorker(ENTRY, { workerData: { config: this.config }, resourceLimits: ROSTER_THREAD_LIMITS });
    this.worker = worker;
    worker.on('message', (msg: FromThread) => {
      const p = this.pending.get(msg.id);
      if (!p) return;
      this.pending.delete(msg.id);
      if (msg.type === 'done') p.resolve(msg.value);
      else p.reject(fromThreadError(msg.error));
    });
    let failure: Error | null = null;
    worker.on('error', (err) => (failure = err));
    this.exited = new Promise((resolve) =>
      worker.once('exit', (code) => {
        this.worker = null;
        const err = failure ?? new Error(`The roster thread stopped (exit code ${code}).`);
        for (const p of this.pending.values()) p.reject(err);
        this.pending.clear();
        resolve();
      }),
    );
    return worker;
  }
}

/**
 * The run service of a process whose roster work runs in the thread: approving a held run applies
 * its plan and discarding one copies its planned creates, both big writes, so they go there too.
 */
export class ThreadedRunService extends RosterRunService {
  constructor(
    private readonly database: Db,
    secrets: SecretBox,
    leaseMs: number,
    private readonly thread: RunThread,
  ) {
    super(database, secrets, leaseMs);
  }

  /** Applies a held run's stored plan, in the thread. */
  override approve(actor: Actor, customerId: string, runId: string): Promise<RunView> {
    return this.thread.call({ kind: 'approve', actor, customerId, runId }) as Promise<RunView>;
  }

  /** Ends a held run without applying it, in the thread. */
  override discard(actor: Actor, customerId: string, runId: string): Promise<RunView> {
    return this.thread.call({ kind: 'discard', actor, customerId, runId }) as Promise<RunView>;
  }

  /**
   * Fails runs a dead process left running. Every process asks every half lease, so the cheap
   * question is asked here; clearing a dead run's stage (a big DELETE after a big run) goes to the thread.
   */
  override async failInterrupted(): Promise<number> {
    if (!(await new RunRepository(this.database.kysely).listAbandonedPlatformWide(nowIso())).length) return 0;
    return this.thread.call({ kind: 'failInterrupted' }) as Promise<number>;
  }
}
