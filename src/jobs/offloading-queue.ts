import type { JobContext, JobHandler, JobOptions, JobQueue, JobTransaction } from './job-queue.js';

/** Runs one job somewhere else (a worker thread) by its name; resolves or rejects as the handler there does. */
export type RunElsewhere = (name: string, payload: unknown, ctx: JobContext) => Promise<void>;

/**
 * A queue whose named jobs run elsewhere: the engine gets a handler that hands each of those jobs to
 * `runElsewhere`, so claiming, retries, serial keys and failures stay the engine's, and only the
 * work moves. Every other job and call goes to the engine unchanged.
 */
export class OffloadingJobQueue implements JobQueue {
  constructor(
    private readonly inner: JobQueue,
    private readonly offloaded: ReadonlySet<string>,
    private readonly runElsewhere: RunElsewhere,
  ) {}

  get engine(): JobQueue['engine'] {
    return this.inner.engine;
  }

  /** Declares a handler; an offloaded job's handler runs elsewhere, so the engine gets the hand-over instead. */
  register(name: string, handler: JobHandler): void {
    this.inner.register(name, this.offloaded.has(name) ? (payload, ctx) => this.runElsewhere(name, payload, ctx) : handler);
  }

  /** The handler the engine runs for a job name. */
  handlerOf(name: string): JobHandler | undefined {
    return this.inner.handlerOf(name);
  }

  /** Queues a job (the engine's). */
  enqueue(name: string, payload: object, opts?: JobOptions): Promise<void> {
    return this.inner.enqueue(name, payload, opts);
  }

  /** Queues a job in the caller's transaction (the engine's). */
  enqueueWithin(trx: JobTransaction, name: string, payload: object, opts?: JobOptions): Promise<void> {
    return this.inner.enqueueWithin(trx, name, payload, opts);
  }

  /** Starts the engine. */
  start(opts: { concurrency: number }): Promise<void> {
    return this.inner.start(opts);
  }

  /** Stops the engine and waits for its running jobs (offloaded ones included). */
  stop(): Promise<void> {
    return this.inner.stop();
  }
}
