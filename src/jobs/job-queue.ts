import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';

/** How a job is queued. */
export interface JobOptions {
  /** Jobs with the same serial key never run at the same time (one roster sync per customer). */
  serialKey?: string;
  /** At most one waiting job per key: a second enqueue while one waits joins it. */
  jobKey?: string;
  runAt?: Date;
  maxAttempts?: number;
}

/** What a handler learns about its run. */
export interface JobContext {
  /** 1 on the first try. */
  attempt: number;
  maxAttempts: number;
  /** Aborted when the process shuts down; long jobs should stop at a safe point. */
  signal: AbortSignal;
}

/** A transaction (or the database) of the app, to queue a job atomically with other writes. */
export type JobTransaction = Kysely<Database>;

/** A job's work. Throwing retries it with backoff until its attempts are used up. */
export type JobHandler = (payload: unknown, ctx: JobContext) => Promise<void>;

/**
 * The one job-runner interface. `embedded` runs jobs inside the server process from a table in
 * the app's own database; `postgres` is graphile-worker, shared by any number of worker processes.
 */
export interface JobQueue {
  readonly engine: 'embedded' | 'postgres';
  /** Declares the handler for a job name (before start). */
  register(name: string, handler: JobHandler): void;
  /** The handler declared for a job name (a worker thread runs it outside the queue). */
  handlerOf(name: string): JobHandler | undefined;
  /** Queues a job; safe from any process. */
  enqueue(name: string, payload: object, opts?: JobOptions): Promise<void>;
  /** Queues a job inside the caller's transaction: the job exists if and only if that transaction commits. */
  enqueueWithin(trx: JobTransaction, name: string, payload: object, opts?: JobOptions): Promise<void>;
  /** Starts processing jobs in this process. */
  start(opts: { concurrency: number }): Promise<void>;
  /** Stops taking jobs and waits for running ones (they see `signal` aborted). */
  stop(): Promise<void>;
}

/** Delay before retry `attempt` (1-based): exponential from 2 s, capped at 10 minutes, with jitter. */
export function retryDelayMs(attempt: number): number {
  const base = Math.min(600_000, 2000 * 2 ** (attempt - 1));
  return Math.round(base * (0.75 + Math.random() * 0.5));
}
