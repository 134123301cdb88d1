import crypto from 'node:crypto';
import fs from 'node:fs';
import type { Kysely } from 'kysely';
import { assertWholeCustomerAccess, type Actor } from '../../accounts/policy.js';
import { CustomerRepository } from '../../customers/customer-repository.js';
import type { Db } from '../../db/connection.js';
import type { Database, RosterRun } from '../../db/schema.js';
import { AppError, notFound } from '../../errors.js';
import { collectGarbage } from '../../memory.js';
import type { SecretBox } from '../../security/secret-box.js';
import { addMs, nowIso } from '../../time.js';
import { clearStage } from '../sync/applier.js';
import { erasedReturning } from '../../privacy/erasure/returning.js';
import { applyStaged, endUnapplied, liveFingerprint, planAndApply, rosterChangedSince, stageRows, type ApplyHooks, type Staged, type SyncOutcome } from '../sync/engine.js';
import type { MatchWith } from '../sync/matching.js';
import type { EntityCounts } from '../sync/counts.js';
import type { PlanIssue } from '../sync/planner.js';
import { ENTITY_TYPES, type EntityType, type FileMode } from '../sync/snapshot.js';
import type { RunStage } from '../sync/stage-tables.js';
import { releaseBundle } from './bundle-store.js';
import { hashPendingPasswords } from './password-hasher.js';
import { RunRepository, type RunIssue, type RunPatch } from './run-repository.js';
import type { RunView } from './run-view.js';
import type { RunSource, SourceReport } from './run-source.js';

/** How a run was started. */
export interface NewRun {
  trigger: RosterRun['trigger'];
  fileName: string;
  sizeBytes: number;
  sha256: string;
  bundlePath: string | null;
  dryRun: boolean;
}

const LEASE_MS = 2 * 60_000;
// More than this share of error rows in one file means the file, not a few rows, is wrong.
const MAX_ERROR_ROW_SHARE = 0.05;

/**
 * Told when a run ends or stops for approval (failed, held, succeeded), once, by whoever ended it.
 * The context wires notifications here, so rostering never imports them; a listener must not throw
 * or wait on the sync (it queues its work).
 */
export type RunEndListener = (run: RunView) => void | Promise<void>;

/** Roster runs: record, execute through the engine, hold, approve, discard, report. */
export class RosterRunService {
  private readonly endListeners: RunEndListener[] = [];

  constructor(
    private readonly db: Db,
    private readonly secrets: SecretBox,
    /** How long a run's lease outlives its last renewal; a dead process's run waits this long to be failed. */
    private readonly leaseMs = LEASE_MS,
  ) {}

  private get runs(): RunRepository {
    return new RunRepository(this.db.kysely);
  }

  /** Adds a listener told of each run's end (see RunEndListener). */
  onRunEnded(listener: RunEndListener): void {
    this.endListeners.push(listener);
  }

  // Tells the listeners; their failure is logged and never reaches the run.
  private async announce(customerId: string, runId: string): Promise<void> {
    if (!this.endListeners.length) return;
    try {
      const run = await this.runs.find(customerId, runId);
      if (!run) return;
      const view = presentRun(run);
      for (const listener of this.endListeners) await listener(view);
    } catch (err) {
      console.error(`${nowIso()} [run] run=${runId}: telling about its end failed: ${(err as Error).message}`);
    }
  }

  /** Checks, before an upload reaches the disk, that the actor may start a run for the customer and that the customer exists. */
  async assertMayStart(actor: Actor, customerId: string): Promise<void> {
    assertWholeCustomerAccess(actor, customerId, 'roster');
    if (!(await new CustomerRepository(this.db.kysely).findStatus(customerId))) throw notFound('Customer');
  }

  /** Records a queued run for a customer (a roster run is the whole customer's: not an institute admin's). */
  async create(actor: Actor, customerId: string, input: NewRun): Promise<RunView> {
    assertWholeCustomerAccess(actor, customerId, 'roster');
    const run = newRun(actor, customerId, input);
    await this.runs.insert(run);
    return presentRun(run);
  }

  /**
   * Executes a queued run: waits for the customer's lease (one run per customer, across processes),
   * reads the source into the stage, checks it, plans, and applies or holds. Never throws for bad
   * input: the run ends `failed` with the reason. Throws RUN_STATE_CHANGED when the run is no longer
   * queued (another process started or ended it).
   */
  async execute(runId: string, customerId: string, source: RunSource, opts: { signal?: AbortSignal; force?: boolean } = {}): Promise<RunView> {
    const runs = this.runs;
    const run = await runs.find(customerId, runId);
    if (!run) throw notFound('Run');
    await this.waitForLease(customerId, runId, opts.signal);
    const heartbeat = setInterval(() => void runs.renewLease(customerId, runId, addMs(nowIso(), this.leaseMs)).catch(() => undefined), this.leaseMs / 4);
    heartbeat.unref();
    let seq = 0;
    let claimed = false;
    // Where the rows are staged, once they are (a scratch stage on SQLite is dropped whatever happens).
    let staged: Staged | null = null;
    try {
      // Another process (a retried job) may have started or ended this run meanwhile: it is not ours then.
      if (!(await runs.transition(runId, 'queued', { status: 'running', stage: 'reading', started_at: nowIso() }))) throw await this.lost(runs, customerId, runId, 'start');
      claimed = true;
      if (!opts.force && (await this.alreadyApplied(run))) return await this.finishUnchanged(runId);
      const record = await new CustomerRepository(this.db.kysely).find(customerId);
      if (!record) throw notFound('Customer');
      const r = record.rostering;
      const matching = { matchWith: (r.match_with ?? 'sourcedId') as MatchWith, suffix: r.suffix };
      const pendingIssues: RunIssue[] = [];
      const flushIssues = async () => {
        const batch = pendingIssues.splice(0);
        await runs.insertIssues(runId, seq, batch);
        seq += batch.length;
      };
      let lastProgress = 0;
      let report: SourceReport | null = null;
      staged = await stageRows(this.db, this.secrets, { runId, customerId, matching }, async (add) => {
        report = await source.read({
          add,
          onIssue: (issue) => pendingIssues.push(issue),
          onProgress: (done, total) => {
            if (Date.now() - lastProgress < 500) return;
            lastProgress = Date.now();
            void runs.transition(runId, 'running', { progress_done: done, progress_total: total }).catch(() => undefined);
          },
        });
      });
      await flushIssues();
      const rep = report as SourceReport | null;
      if (!rep) throw new AppError('INTERNAL', 'The source ended without a report.');
      // Only a big roster leaves id indexes worth a full collection (a pause for everything else in the process).
      if (rep.files.reduce((n, f) => n + f.rows, 0) >= GC_AFTER_ROWS) collectGarbage();
      const modes = modesOf(rep);
      await runs.transition(runId, 'running', { oneroster_version: rep.version, modes: JSON.stringify(modes), issue_counts: JSON.stringify(rep.issueCounts), stage: 'planning' });
      const refusal = refuse(rep);
      if (refusal) return await this.finishFailed(runId, 'BUNDLE_UNUSABLE', refusal);

      // The plan's row errors join the run's issues in the transaction that ends the run.
      const ending = (o: SyncOutcome): RunEnd => {
        const notes = o.issues.filter((i) => i.severity === 'info').length;
        const issueCounts = { ...rep.issueCounts, error: rep.issueCounts.error + o.issues.length - notes, info: rep.issueCounts.info + notes };
        const patch = { counts: JSON.stringify(o.counts), issue_counts: JSON.stringify(issueCounts), plan_fingerprint: o.fingerprint };
        return { issues: o.issues.map((i) => planIssueToRunIssue(i, rep)), seq, issueCounts, patch };
      };
      const outcome = await planAndApply(
        this.db,
        {
          runId,
          customerId,
          modes,
          matching,
          threshold: { percent: r.deletion_threshold_percent, min: r.deletion_threshold_min },
          actorUserId: run.actor_user_id,
          noDeletes: noDeletesOf(rep),
          dryRun: run.dry_run === 1,
          ...staged,
          notes: (db, stage) => erasedReturning(db, this.secrets, customerId, runId, stage),
        },
        (planned) => this.applyHooks(customerId, runId, 'running', {}, ending(planned)),
      );
      return await this.finishPlanned(runId, customerId, outcome, ending(outcome), staged.stage);
    } catch (err) {
      if (!claimed) throw err;
      return await this.finishFailed(runId, ...failureOf(runId, err));
    } finally {
      clearInterval(heartbeat);
      // A temporary table that cannot be dropped now goes with its connection: nothing to report.
      await (staged as Staged | null)?.stage.drop(this.db.kysely).catch(() => undefined);
      await runs.releaseLease(customerId, runId);
      await releaseBundle(this.db.kysely, runId);
    }
  }

  /** Applies a held run's stored plan, if the roster has not changed since it was made. */
  async approve(actor: Actor, customerId: string, runId: string): Promise<RunView> {
    const run = await this.load(actor, customerId, runId);
    if (run.status !== 'awaiting_approval') throw stateChanged('approve', run.status);
    await this.waitForLease(customerId, runId);
    try {
      const end: RunEnd = { issues: [], seq: 0, issueCounts: JSON.parse(run.issue_counts) as RunView['issueCounts'], patch: {} };
      const hooks = this.applyHooks(customerId, runId, 'awaiting_approval', { decided_by: actor.label, decided_at: nowIso() }, end, async (trx) => {
        if ((await liveFingerprint(trx, customerId)) !== run.plan_fingerprint) {
          throw new AppError('CONFLICT', 'The roster changed since this plan was made. Discard it and run the sync again.');
        }
      });
      await applyStaged(this.db.kysely, runId, customerId, hooks);
    } finally {
      await this.runs.releaseLease(customerId, runId);
    }
    await this.hashPasswords(customerId);
    return this.get(actor, customerId, runId);
  }

  /**
   * Records a run that applies a finished preview's bundle (the same stored file, read and planned
   * afresh, since the roster may have moved on). The caller queues it. Pulls from an API keep no
   * file: they are previewed and applied by pulling again.
   */
  async applyPreview(actor: Actor, customerId: string, runId: string): Promise<RunView & { bundlePath: string }> {
    const run = await this.load(actor, customerId, runId);
    if (!run.dry_run || (run.status !== 'succeeded' && run.status !== 'succeeded_with_warnings')) {
      throw new AppError('CONFLICT', 'Only a finished preview can be applied.');
    }
    const file = run.bundle_path;
    if (!file) throw new AppError('RUN_STATE_CHANGED', 'This preview has been applied already, or its file is no longer kept; upload the file again.');
    if (!fs.existsSync(file)) throw new AppError('CONFLICT', 'The file of this preview is no longer kept; upload it again.');
    const next = newRun(actor, customerId, { trigger: run.trigger, fileName: run.file_name, sizeBytes: run.size_bytes, sha256: run.sha256, bundlePath: file, dryRun: false });
    await this.db.kysely.transaction().execute(async (trx) => {
      const runs = new RunRepository(trx);
      // The preview hands its file to the run that applies it: one apply per preview, even on two clicks at once.
      if (!(await runs.takePreviewBundle(runId, file))) throw new AppError('RUN_STATE_CHANGED', 'This preview has just been applied by another run.');
      await runs.insert(next);
    });
    return { ...presentRun(next), bundlePath: file };
  }

  /** Ends a held run without applying it. */
  async discard(actor: Actor, customerId: string, runId: string): Promise<RunView> {
    const run = await this.load(actor, customerId, runId);
    if (run.status !== 'awaiting_approval') throw stateChanged('discard', run.status);
    await this.db.kysely.transaction().execute(async (trx) => {
      const runs = new RunRepository(trx);
      const patch: RunPatch = { status: 'discarded', stage: 'done', decided_by: actor.label, decided_at: nowIso(), finished_at: nowIso() };
      if (!(await runs.transition(runId, 'awaiting_approval', patch))) throw await this.lost(runs, customerId, runId, 'discard');
      await endUnapplied(trx, runId);
    });
    return this.get(actor, customerId, runId);
  }

  /** One run. */
  async get(actor: Actor, customerId: string, runId: string): Promise<RunView> {
    const run = await this.load(actor, customerId, runId);
    return presentRun(run, run.passwords_queued ? await this.runs.pendingPasswords(runId) : 0);
  }

  /** A customer's runs, newest first. */
  async list(actor: Actor, customerId: string, limit: number, offset: number): Promise<{ items: RunView[]; total: number }> {
    assertWholeCustomerAccess(actor, customerId, 'roster');
    const { items, total } = await this.runs.list(customerId, limit, offset);
    return { items: items.map(presentRun), total };
  }

  /**
   * Fails the runs left `running` by a stopped process (their lease lapsed); returns how many. A run
   * still `running` never committed an apply, since its final status commits with the apply (see
   * applyHooks), so "nothing was applied" is true; and a run that wakes up after this never applies.
   */
  async failInterrupted(): Promise<number> {
    let failed = 0;
    for (const run of await this.runs.listAbandonedPlatformWide(nowIso())) {
      const patch: RunPatch = { status: 'failed', stage: 'done', error_code: 'INTERRUPTED', error_message: interruptedMessage(run.stage), finished_at: nowIso() };
      const won = await this.db.kysely.transaction().execute(async (trx) => {
        if (!(await new RunRepository(trx).failAbandoned(run.id, nowIso(), patch))) return false;
        await clearStage(trx, run.id);
        return true;
      });
      if (!won) continue;
      failed++;
      await this.runs.releaseLease(run.customer_id, run.id);
      await releaseBundle(this.db.kysely, run.id);
      await this.announce(run.customer_id, run.id);
    }
    return failed;
  }

  /** Hashes the customer's waiting roster passwords (see password-hasher.ts). */
  hashPasswords(customerId?: string, onProgress?: (done: number) => void): Promise<number> {
    return hashPendingPasswords(this.db.kysely, this.secrets, { customerId, onProgress });
  }

  private async load(actor: Actor, customerId: string, runId: string): Promise<RosterRun> {
    assertWholeCustomerAccess(actor, customerId, 'roster');
    const run = await this.runs.find(customerId, runId);
    if (!run) throw notFound('Run');
    return run;
  }

  private async waitForLease(customerId: string, runId: string, signal?: AbortSignal): Promise<void> {
    for (;;) {
      if (await this.runs.acquireLease(customerId, runId, nowIso(), addMs(nowIso(), this.leaseMs))) return;
      if (signal?.aborted) throw new AppError('UNAVAILABLE', 'Stopped while waiting for another run of this customer.');
      await new Promise((r) => setTimeout(r, 250));
    }
  }

  /**
   * The run's side of an apply transaction (engine's ApplyHooks): claim the run from `from` (and
   * run `check` under that claim), then record its end as succeeded, with the plan's issues. So the
   * record says "applied" exactly when the roster changed, whatever dies when.
   */
  private applyHooks(customerId: string, runId: string, from: RosterRun['status'], claim: RunPatch, end: RunEnd, check?: (trx: Kysely<Database>) => Promise<void>): ApplyHooks {
    const action = from === 'awaiting_approval' ? 'approve' : 'apply';
    return {
      claim: async (trx) => {
        const runs = new RunRepository(trx);
        if (!(await runs.transition(runId, from, { ...claim, stage: 'applying' }))) throw await this.lost(runs, customerId, runId, action);
        await check?.(trx);
      },
      record: async (trx) => {
        const runs = new RunRepository(trx);
        await runs.insertIssues(runId, end.seq, end.issues);
        const patch: RunPatch = { ...end.patch, status: succeededStatus(end.issueCounts), stage: 'done', finished_at: nowIso(), passwords_queued: await runs.pendingPasswords(runId) };
        if (!(await runs.transition(runId, from, patch))) throw await this.lost(runs, customerId, runId, action);
      },
    };
  }

  // Ends a run that applies nothing (held, previewed) in one transaction with its plan's issues; an applied run recorded its end with the apply.
  private async finishPlanned(runId: string, customerId: string, outcome: SyncOutcome, end: RunEnd, stage: RunStage): Promise<RunView> {
    if (outcome.result !== 'applied') {
      await this.db.kysely.transaction().execute(async (trx) => {
        const runs = new RunRepository(trx);
        const held = outcome.result === 'held';
        const patch: RunPatch = held
          ? { ...end.patch, status: 'awaiting_approval', stage: 'awaiting_approval', hold_reason: outcome.holdReason }
          : { ...end.patch, status: succeededStatus(end.issueCounts), stage: 'done', finished_at: nowIso() };
        if (!(await runs.transition(runId, 'running', patch))) throw await this.lost(runs, customerId, runId, 'finish');
        await runs.insertIssues(runId, end.seq, end.issues);
        if (!held) await endUnapplied(trx, runId, stage);
      });
    }
    await this.announce(customerId, runId);
    return presentRun((await this.runs.find(customerId, runId))!);
  }

  // The error for the loser of a race for a run: what the run's status is now.
  private async lost(runs: RunRepository, customerId: string, runId: string, action: RunAction): Promise<AppError> {
    return stateChanged(action, (await runs.find(customerId, runId))?.status ?? 'gone');
  }

  /**
   * Fails the runs a dead attempt of a scheduled pull recorded but never started. Such a run has no
   * job of its own to carry it on (a scheduled pull records its run when it starts), so without this
   * it would stay queued and block "Sync now" for good. Only the retry of the customer's one pull job
   * calls it (jobs of a customer run one at a time), so none of these runs is still wanted.
   */
  async failStranded(customerId: string, actorLabel: string, before: string): Promise<number> {
    const stranded = await this.runs.listQueuedBy(customerId, actorLabel, before);
    for (const run of stranded) await this.finishFailed(run.id, 'INTERRUPTED', 'The process that started this sync stopped before it began reading; nothing was applied.');
    return stranded.length;
  }

  /** Ends a run that failed before it could be read (e.g. its source was unreachable); a run that already ended keeps its end. */
  fail(runId: string, code: string, message: string): Promise<RunView> {
    return this.finishFailed(runId, code, message);
  }

  /**
   * Whether the run's bundle is the one the roster already reflects: byte for byte (SHA-256) the
   * bundle of the last applied run, with no setting or roster record changed since. Re-sending the
   * same file is then a no-op that takes milliseconds instead of a full read and plan.
   */
  private async alreadyApplied(run: RosterRun): Promise<boolean> {
    if (run.dry_run || !run.sha256) return false;
    const last = await this.runs.lastApplied(run.customer_id, run.id);
    if (!last?.finished_at || last.sha256 !== run.sha256) return false;
    return !(await rosterChangedSince(this.db.kysely, run.customer_id, last.finished_at));
  }

  /** Ends a run whose source file is the one already imported: nothing to do, and it says so. */
  async finishUnchanged(runId: string): Promise<RunView> {
    const runs = this.runs;
    const customerId = (await runs.customerOfRunPlatformWide(runId))!;
    if (!(await runs.transition(runId, 'running', { status: 'succeeded', stage: 'unchanged', finished_at: nowIso() }))) throw await this.lost(runs, customerId, runId, 'finish');
    return presentRun((await runs.find(customerId, runId))!);
  }

  /** Records where the bundle of a run came from once it has been fetched. */
  async attachBundle(runId: string, bundle: { path: string; sizeBytes: number; sha256: string }): Promise<void> {
    await this.runs.update(runId, { bundle_path: bundle.path, size_bytes: bundle.sizeBytes, sha256: bundle.sha256 });
  }

  // Fails a run not yet ended. Whoever ended it (this run, or failInterrupted while this process
  // stalled), an ended run's stage is of no more use; a held run keeps its plan.
  private async finishFailed(runId: string, code: string, message: string): Promise<RunView> {
    const customerId = (await this.runs.customerOfRunPlatformWide(runId))!;
    const won = await this.db.kysely.transaction().execute(async (trx) => {
      const runs = new RunRepository(trx);
      const ended = await runs.transition(runId, ['queued', 'running'], { status: 'failed', stage: 'done', error_code: code, error_message: message, finished_at: nowIso() });
      const status = (await runs.find(customerId, runId))?.status;
      if (status && !UNENDED.includes(status)) await clearStage(trx, runId);
      return ended;
    });
    if (won) await this.announce(customerId, runId);
    return presentRun((await this.runs.find(customerId, runId))!);
  }
}

/** How a run ends: the plan's row errors to add to its issues (numbered from `seq`), its issue totals and final fields. */
interface RunEnd {
  issues: RunIssue[];
  seq: number;
  issueCounts: RunView['issueCounts'];
  patch: RunPatch;
}

// Statuses of a run that is not over: it may still read, plan or apply (held: on approval).
const UNENDED: RosterRun['status'][] = ['queued', 'running', 'awaiting_approval'];

type RunAction = 'start' | 'apply' | 'finish' | 'approve' | 'discard';

function succeededStatus(issues: RunView['issueCounts']): RosterRun['status'] {
  return issues.error || issues.warning ? 'succeeded_with_warnings' : 'succeeded';
}

// RUN_STATE_CHANGED: another actor moved the run first (or it never was in the state the action needs).
function stateChanged(action: RunAction, status: string): AppError {
  const now = status.replaceAll('_', ' ');
  const message = {
    start: `This run was started or ended elsewhere; it is ${now}.`,
    apply: `This run changed while it was being applied (it is ${now}); nothing was applied.`,
    finish: `This run was ended elsewhere while it ran; it is ${now}.`,
    approve: `Only a run awaiting approval can be approved; this one is ${now}.`,
    discard: `Only a run awaiting approval can be discarded; this one is ${now}.`,
  }[action];
  return new AppError('RUN_STATE_CHANGED', message);
}

// What an interrupted run was doing when its process stopped, in its failure message.
function interruptedMessage(stage: string): string {
  const doing =
    ({ reading: ' while reading the roster', planning: ' while planning the changes', applying: ' while applying the changes, which were rolled back' } as Record<string, string>)[stage] ?? '';
  return `The process running this sync stopped${doing}; nothing was applied. Run the sync again.`;
}

/*
 * A failure as the run records it. An AppError says what went wrong in words for people; anything
 * else (a database error, a bug) could show table names or values, so it is logged in full for the
 * operator and recorded as INTERNAL. Nothing was applied: an apply that throws rolls back, and a
 * run that ended before the error keeps its end.
 */
function failureOf(runId: string, err: unknown): [code: string, message: string] {
  if (err instanceof AppError) return [err.code, err.message];
  console.error(`${nowIso()} [run] run=${runId} failed on an unexpected error:`, err);
  return ['INTERNAL', 'The sync stopped on an unexpected error; nothing was applied. The error has been logged for the operator.'];
}

// Why a source must not be applied at all, or '' when it may.
function refuse(rep: SourceReport): string {
  if (rep.unusable) return 'The roster could not be used as a whole; nothing was applied. See the issues for why.';
  const bad = rep.files.filter((f) => f.rows > 0 && f.errorRows / f.rows > MAX_ERROR_ROW_SHARE);
  if (bad.length) {
    return bad.map((f) => `${f.name}: ${f.errorRows} of ${f.rows} rows have errors (more than ${MAX_ERROR_ROW_SHARE * 100}%)`).join('; ') + '. Nothing was applied.';
  }
  return '';
}

function modesOf(rep: SourceReport): Record<EntityType, FileMode> {
  const modes = Object.fromEntries(ENTITY_TYPES.map((e) => [e, 'absent'])) as Record<EntityType, FileMode>;
  for (const f of rep.files) if (f.entity) modes[f.entity] = f.mode;
  return modes;
}

// A bulk type with no rows at all is an empty source, not a district that lost everyone.
function noDeletesOf(rep: SourceReport): Set<EntityType> {
  return new Set(rep.files.filter((f) => f.entity && f.mode === 'bulk' && f.rows === 0).map((f) => f.entity as EntityType));
}

// About 40 bytes of id index per row: from here on they are tens of MB, worth handing back.
const GC_AFTER_ROWS = 500_000;

// A plan issue is placed where its row came from: the file of a bundle, the collection of a REST pull.
function planIssueToRunIssue(i: PlanIssue, source: SourceReport): RunIssue {
  const file = source.files.find((f) => f.entity === i.entity)?.name ?? `${i.entity}.csv`;
  return { file, line: i.line, column: null, sourcedId: i.sourcedId, severity: i.severity ?? 'error', code: i.code, message: i.message };
}

function emptyCounts(): Record<EntityType, EntityCounts> {
  return Object.fromEntries(ENTITY_TYPES.map((e) => [e, { created: 0, updated: 0, unchanged: 0, deleted: 0, restored: 0, skipped: 0 }])) as Record<EntityType, EntityCounts>;
}

/** A new run record, queued. */
function newRun(actor: Actor, customerId: string, input: NewRun): RosterRun {
  return {
    id: crypto.randomUUID(),
    customer_id: customerId,
    trigger: input.trigger,
    actor_user_id: actor.userId,
    actor_label: actor.label,
    dry_run: input.dryRun ? 1 : 0,
    file_name: input.fileName,
    size_bytes: input.sizeBytes,
    sha256: input.sha256,
    bundle_path: input.bundlePath,
    oneroster_version: null,
    modes: '{}',
    status: 'queued',
    stage: 'queued',
    progress_done: 0,
    progress_total: 0,
    counts: JSON.stringify(emptyCounts()),
    issue_counts: JSON.stringify({ error: 0, warning: 0, info: 0 }),
    hold_reason: '',
    error_code: null,
    error_message: '',
    plan_fingerprint: null,
    decided_by: null,
    decided_at: null,
    created_at: nowIso(),
    started_at: null,
    finished_at: null,
    passwords_queued: 0,
  };
}

/** Shapes a run for the API and CLI. */
export function presentRun(run: RosterRun, pendingPasswords: number | null = null): RunView {
  return {
    runId: run.id,
    customerId: run.customer_id,
    status: run.status,
    stage: run.stage,
    dryRun: run.dry_run === 1,
    trigger: run.trigger,
    actor: run.actor_label,
    fileName: run.file_name,
    sizeBytes: run.size_bytes,
    sha256: run.sha256,
    version: run.oneroster_version,
    modes: JSON.parse(run.modes) as Record<string, string>,
    progress: { done: run.progress_done, total: run.progress_total },
    counts: JSON.parse(run.counts) as RunView['counts'],
    issueCounts: JSON.parse(run.issue_counts) as RunView['issueCounts'],
    holdReason: run.hold_reason,
    error: run.error_code ? { code: run.error_code, message: run.error_message } : null,
    createdAt: run.created_at,
    startedAt: run.started_at,
    finishedAt: run.finished_at,
    passwords: { queued: run.passwords_queued, pending: pendingPasswords },
  };
}
