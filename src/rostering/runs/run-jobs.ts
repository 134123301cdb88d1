import type { JobQueue } from '../../jobs/job-queue.js';
import type { RunSource } from './run-source.js';
import type { RosterRunService } from './run-service.js';

export const ROSTER_RUN_JOB = 'roster.run';
export const ROSTER_PURGE_JOB = 'roster.purge';

/** The payload of a roster run job. */
export interface RosterRunPayload {
  runId: string;
  customerId: string;
  bundlePath: string;
  /** Read and plan the bundle even when it is the file the roster already reflects. */
  force?: boolean;
}

/** Queues a recorded run; runs of one customer go one at a time (serial key), in order. */
export function enqueueRosterRun(jobs: JobQueue, payload: RosterRunPayload): Promise<void> {
  // One attempt: a failed run is recorded as failed and a person decides what next.
  return jobs.enqueue(ROSTER_RUN_JOB, payload, { serialKey: `customer:${payload.customerId}`, maxAttempts: 1 });
}

/** What the roster jobs need from the context. */
export interface RosterJobDeps {
  runs: RosterRunService;
  sourceForBundle: (path: string) => RunSource;
  /** What the daily purge job does (src/retention.ts). */
  purge: () => Promise<unknown>;
}

/** Registers the roster job handlers on a queue. */
export function registerRosterJobs(jobs: JobQueue, deps: RosterJobDeps): void {
  jobs.register(ROSTER_RUN_JOB, async (payload, ctx) => {
    const p = payload as RosterRunPayload;
    const run = await deps.runs.execute(p.runId, p.customerId, deps.sourceForBundle(p.bundlePath), { signal: ctx.signal, force: p.force === true });
    if (run.status === 'succeeded' || run.status === 'succeeded_with_warnings') await deps.runs.hashPasswords(p.customerId);
  });
  jobs.register(ROSTER_PURGE_JOB, async () => {
    await deps.purge();
  });
}
