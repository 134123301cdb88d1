/*
 * Sync from LMS after a teacher's launch (the customer option `lti.syncRosterOnLaunch`, issue 14).
 * A verified LTI 1.3 resource-link launch whose course was remembered (rememberContext) tells
 * SyncOnLaunch after its transaction commits; when the launching person is a teacher, the customer
 * has the option on and the course was not queued in the last hour, a compare-and-set on the
 * course's `launch_sync_queued_at` and the job are written in one transaction, so concurrent
 * launches queue one pull and a claim never stands without its job. The job runs the pull the
 * Class page's button runs (LmsRosterSync: same run engine, safeguards, report, trigger 'lms').
 * The launch never waits for any of this, and nothing here can fail it.
 */
import type { Kysely } from 'kysely';
import type { Actor } from '../accounts/policy.js';
import type { AppContext } from '../context.js';
import type { Database, User } from '../db/schema.js';
import { AppError } from '../errors.js';
import type { JobQueue } from '../jobs/job-queue.js';
import { addMs } from '../time.js';
import { LaunchSyncRepository } from './launch-sync-repository.js';
import { LmsRosterSync } from './lms-sync.js';

export const LAUNCH_SYNC_JOB = 'lti13.launch_sync';

/** At most one pull per course this often, however many teachers open it. */
export const LAUNCH_SYNC_INTERVAL_MS = 60 * 60_000;

// A pull that finds another sync of the customer running waits for it by the engine's retries
// (2 s doubling, capped at 10 minutes: about 17 minutes in all) rather than giving up for the hour.
const LAUNCH_SYNC_MAX_ATTEMPTS = 10;

/** Who the run history shows as having started a pull queued by a launch. */
export const launchSyncActor: Actor = { userId: null, role: 'operator', customerId: null, label: 'Teacher launch' };

/** The payload of a launch sync job. */
export interface LaunchSyncPayload {
  customerId: string;
  /** The lti13_contexts row (rememberContext's id). */
  contextRowId: string;
}

/** What a committed launch tells SyncOnLaunch. */
export interface CommittedLaunch {
  customerId: string;
  /** rememberContext's id for the launch's course. */
  contextRowId: string;
  /** launchRole13 of the launch's roles: only 'teacher' queues a pull. */
  role: User['role'];
}

/** Queues Sync from LMS after teachers' launches (see the top of this file). */
export class SyncOnLaunch {
  private readonly pending = new Set<Promise<unknown>>();

  constructor(
    private readonly db: Kysely<Database>,
    private readonly jobs: Pick<JobQueue, 'enqueueWithin'>,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /** Called after a launch committed: starts the queueing in the background and returns at once; never throws. */
  afterLaunch(launch: CommittedLaunch): void {
    if (launch.role !== 'teacher') return;
    const queued = this.queue(launch)
      .catch((err: unknown) => console.error(`${new Date().toISOString()} [lms-sync] customer=${launch.customerId} context=${launch.contextRowId} queueing after a launch failed:`, err))
      .finally(() => this.pending.delete(queued));
    this.pending.add(queued);
  }

  /**
   * Queues a pull of the course when the customer has the option on and no launch queued one in the
   * last hour; true when this call queued it.
   */
  async queue(launch: Omit<CommittedLaunch, 'role'>): Promise<boolean> {
    const now = this.now().toISOString();
    const cutoff = addMs(now, -LAUNCH_SYNC_INTERVAL_MS);
    // Most launches are not due: a read answers them without taking the write lock.
    if (!(await new LaunchSyncRepository(this.db).isDue(launch.customerId, launch.contextRowId, cutoff))) return false;
    return this.db.transaction().execute(async (trx) => {
      if (!(await new LaunchSyncRepository(trx).claim(launch.customerId, launch.contextRowId, now, cutoff))) return false;
      const payload: LaunchSyncPayload = { customerId: launch.customerId, contextRowId: launch.contextRowId };
      // One course's pulls one after the other; the run engine's lease orders them with the customer's other syncs.
      await this.jobs.enqueueWithin(trx, LAUNCH_SYNC_JOB, payload, { serialKey: `lti13-context:${launch.contextRowId}`, maxAttempts: LAUNCH_SYNC_MAX_ATTEMPTS });
      return true;
    });
  }

  /** Resolves once every queueing started so far has ended (tests; a process about to stop). */
  async settled(): Promise<void> {
    while (this.pending.size) await Promise.all([...this.pending]);
  }
}

/** Registers the launch sync job's handler (it needs the run service, the outbound client and the token cache). */
export function registerLaunchSyncJob(ctx: Pick<AppContext, 'db' | 'jobs' | 'runs' | 'outbound' | 'lti13'>): void {
  ctx.jobs.register(LAUNCH_SYNC_JOB, (payload) => runLaunchSync(ctx, payload as LaunchSyncPayload));
}

/**
 * One launch sync job: the course's pull through LmsRosterSync, unless the option was turned off or
 * the course is gone since. Another sync of the customer under way (SYNC_IN_PROGRESS) throws, so the
 * engine tries again later; other refusals end the job.
 */
export async function runLaunchSync(ctx: Pick<AppContext, 'db' | 'runs' | 'outbound' | 'lti13'>, p: LaunchSyncPayload): Promise<void> {
  const db = ctx.db.kysely;
  if (!(await new LaunchSyncRepository(db).optionOn(p.customerId))) return log(`customer=${p.customerId} context=${p.contextRowId} skipped: lti.syncRosterOnLaunch is off`);
  const sync = new LmsRosterSync({ db, runs: ctx.runs, outbound: ctx.outbound, tokens: ctx.lti13.tokens });
  try {
    const run = await sync.pullContextNow(launchSyncActor, p.customerId, p.contextRowId);
    log(`customer=${p.customerId} context=${p.contextRowId} run=${run.runId} status=${run.status}`);
  } catch (err) {
    if (!(err instanceof AppError) || err.code === 'SYNC_IN_PROGRESS') throw err;
    log(`customer=${p.customerId} context=${p.contextRowId} refused code=${err.code}`);
  }
}

function log(message: string): void {
  console.error(`${new Date().toISOString()} [lms-sync] after launch: ${message}`);
}
