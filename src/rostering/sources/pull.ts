import { assertCustomerSettingsAccess, type Actor } from '../../accounts/policy.js';
import type { AppContext } from '../../context.js';
import { CustomerRepository, type CustomerRecord } from '../../customers/customer-repository.js';
import { AppError } from '../../errors.js';
import type { JobContext, JobQueue, JobTransaction } from '../../jobs/job-queue.js';
import type { RunView } from '../runs/run-view.js';
import { pullFromApi } from './api-sync.js';
import { pullFromSftp } from './sftp-sync.js';

export const ROSTER_PULL_JOB = 'roster.pull';

/** Where a customer's roster is pulled from. */
export type PullSource = 'sftp' | 'api';

/** What to pull, and for whom. */
export interface PullOptions {
  /** Read the source even when it is what the roster already reflects. */
  force?: boolean;
  /** REST: read every collection in full instead of the changes since the last pull. */
  full?: boolean;
}

/** The payload of a `roster.pull` job. */
export interface RosterPullPayload extends PullOptions {
  customerId: string;
  /** The queued run to carry on with (on-demand pulls); scheduled pulls record theirs when they start. */
  runId?: string;
  /** Who asked: a person (on demand) or the Auto scheduler. */
  actor: Actor;
  /** The scheduled slot this pull is for (ISO-8601 UTC), for logs and the run history. */
  slot?: string;
}

// A pull job is retried only when its process died (or the database failed) mid-pull; the source's
// own failures end as failed runs, not as job errors.
const PULL_MAX_ATTEMPTS = 3;

/** The actor of scheduled pulls; runs show "Auto schedule" as who started them. */
export const schedulerActor: Actor = { userId: null, role: 'operator', customerId: null, label: 'Auto schedule' };

/** The pull source of a customer, or a clear SYNC_NO_SOURCE for ZIP Upload customers and those without rostering. */
export function pullSourceOf(record: CustomerRecord): PullSource {
  const r = record.rostering;
  if (r.type !== 'oneroster') throw new AppError('SYNC_NO_SOURCE', 'This customer has no OneRoster rostering, so there is nothing to pull.');
  if (r.sync_type === 'sftp' || r.sync_type === 'api') return r.sync_type;
  throw new AppError('SYNC_NO_SOURCE', 'This customer’s roster arrives by ZIP upload: use Upload Roster File instead of a pull.');
}

/**
 * Pulls a customer's roster from its configured source now, in this process (`lectern sync run`,
 * and the body of every `roster.pull` job). `runId`: a queued run to carry on with.
 */
export async function pullNow(ctx: AppContext, actor: Actor, customerId: string, opts: PullOptions & { runId?: string } = {}): Promise<RunView> {
  const record = await new CustomerRepository(ctx.db.kysely).find(customerId);
  if (!record) throw new AppError('NOT_FOUND', 'Customer not found.');
  return pullSourceOf(record) === 'sftp'
    ? pullFromSftp(ctx, actor, customerId, { force: opts.force, runId: opts.runId, settleMs: ctx.config.sftpSettleMs })
    : pullFromApi(ctx, actor, customerId, opts);
}

/**
 * Sync with OneRoster (the Class tab's button, `POST …/roster/sync`): records a queued run at once,
 * so the console can follow it, and queues the pull. One sync per customer at a time: a run already
 * queued or running is a SYNC_IN_PROGRESS conflict. Customer and enterprise admins only.
 */
export async function requestPull(ctx: AppContext, actor: Actor, customerId: string, opts: PullOptions): Promise<RunView> {
  assertCustomerSettingsAccess(actor, customerId);
  const record = await new CustomerRepository(ctx.db.kysely).find(customerId);
  if (!record) throw new AppError('NOT_FOUND', 'Customer not found.');
  const source = pullSourceOf(record);
  const active = await ctx.db.kysely
    .selectFrom('roster_runs')
    .select(['id', 'status'])
    .where('customer_id', '=', customerId)
    .where('status', 'in', ['queued', 'running'])
    .orderBy('created_at')
    .executeTakeFirst();
  if (active) throw new AppError('SYNC_IN_PROGRESS', `A roster sync of this customer is already ${active.status} (run ${active.id}); wait for it to finish.`);
  const r = record.rostering;
  const fileName = source === 'sftp' ? r.sftp_file_name : hostOf(r.api_url);
  const run = await ctx.runs.create(actor, customerId, { trigger: source, fileName, sizeBytes: 0, sha256: '', bundlePath: null, dryRun: false });
  try {
    await enqueuePull(ctx.jobs, { customerId, runId: run.runId, actor, force: opts.force, full: opts.full });
  } catch (err) {
    // A run nobody will ever start must not stay queued (it would block the next sync).
    await ctx.runs.fail(run.runId, 'UNAVAILABLE', 'The sync could not be queued; try again.');
    throw err;
  }
  return run;
}

/**
 * Queues a pull; a customer's pulls and uploads run one at a time (serial key). `within` queues it
 * in the caller's transaction; `jobKey` keeps at most one such job waiting.
 */
export function enqueuePull(jobs: JobQueue, payload: RosterPullPayload, opts: { within?: JobTransaction; jobKey?: string } = {}): Promise<void> {
  const jobOpts = { serialKey: `customer:${payload.customerId}`, maxAttempts: PULL_MAX_ATTEMPTS, jobKey: opts.jobKey };
  return opts.within ? jobs.enqueueWithin(opts.within, ROSTER_PULL_JOB, payload, jobOpts) : jobs.enqueue(ROSTER_PULL_JOB, payload, jobOpts);
}

/** Registers the `roster.pull` handler (it needs the whole context, so it is wired after it). */
export function registerPullJob(ctx: AppContext): void {
  ctx.jobs.register(ROSTER_PULL_JOB, (payload, job) => runPullJob(ctx, payload as RosterPullPayload, job));
}

/**
 * One pull job. A retry means the process of the earlier attempt died (or the database failed):
 * a run it finished is left alone (never pulled twice); one it never started is carried on with;
 * one it left running gets a fresh run, which waits for the dead run's lease to lapse (so the two
 * never overlap) while the dead one is failed by `failInterrupted`.
 */
export async function runPullJob(ctx: AppContext, p: RosterPullPayload, job: JobContext): Promise<void> {
  const started = Date.now();
  // One line as a pull starts and one as it ends, with the process id: what operators (and the scale test) follow.
  log(`start customer=${p.customerId} attempt=${job.attempt}${p.slot ? ` slot=${p.slot}` : ''}`);
  let runId = p.runId;
  // A scheduled pull records its run as it starts: a dead earlier attempt may have left one queued.
  if (!runId && job.attempt > 1) await ctx.runs.failStranded(p.customerId, p.actor.label, new Date(started).toISOString());
  if (runId && job.attempt > 1) {
    const earlier = await ctx.runs.get(p.actor, p.customerId, runId).catch(() => null);
    if (!earlier || earlier.status !== 'queued') {
      if (earlier && earlier.status !== 'running') return log(`end customer=${p.customerId} run=${runId} status=${earlier.status} (already finished)`);
      runId = undefined;
    }
  }
  let run: RunView;
  try {
    run = await pullNow(ctx, p.actor, p.customerId, { force: p.force, full: p.full, runId });
  } catch (err) {
    // The customer changed (no longer a pull source, deleted…) since the pull was asked for: say so on its run.
    if (!(err instanceof AppError)) throw err;
    if (runId) await ctx.runs.fail(runId, err.code, err.message);
    return log(`end customer=${p.customerId} refused code=${err.code}`);
  }
  if (run.status === 'succeeded' || run.status === 'succeeded_with_warnings') await ctx.runs.hashPasswords(p.customerId);
  log(`end customer=${p.customerId} run=${run.runId} status=${run.status} ms=${Date.now() - started}`);
}

function log(message: string): void {
  console.error(`${new Date().toISOString()} [pull] pid=${process.pid} ${message}`);
}

function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
}
