import crypto from 'node:crypto';
import fs from 'node:fs';
import { assertCustomerAccess, type Actor } from '../../accounts/policy.js';
import { CustomerRepository } from '../../customers/customer-repository.js';
import type { Db } from '../../db/connection.js';
import type { RosterRun } from '../../db/schema.js';
import { AppError, notFound } from '../../errors.js';
import { collectGarbage } from '../../memory.js';
import type { SecretBox } from '../../security/secret-box.js';
import { addMs, nowIso } from '../../time.js';
import { clearStage } from '../sync/applier.js';
import { applyStaged, endUnapplied, liveFingerprint, planAndApply, rosterChangedSince, stageRows, type SyncOutcome } from '../sync/engine.js';
import type { MatchWith } from '../sync/matching.js';
import type { EntityCounts } from '../sync/counts.js';
import type { PlanIssue } from '../sync/planner.js';
import { ENTITY_TYPES, type EntityType, type FileMode } from '../sync/snapshot.js';
import { releaseBundle } from './bundle-store.js';
import { hashPendingPasswords } from './password-hasher.js';
import { RunRepository, type RunIssue } from './run-repository.js';
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

/** Roster runs: record, execute through the engine, hold, approve, discard, report. */
export class RosterRunService {
  constructor(
    private readonly db: Db,
    private readonly secrets: SecretBox,
    /** How long a run's lease outlives its last renewal; a dead process's run waits this long to be failed. */
    private readonly leaseMs = LEASE_MS,
  ) {}

  private get runs(): RunRepository {
    return new RunRepository(this.db.kysely);
  }

  /** Records a queued run for a customer. */
  async create(actor: Actor, customerId: string, input: NewRun): Promise<RunView> {
    assertCustomerAccess(actor, customerId);
    const run: RosterRun = {
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
    await this.runs.insert(run);
    return presentRun(run);
  }

  /**
   * Executes a queued run: waits for the customer's lease (one run per customer, across processes),
   * reads the source into the stage, checks it, plans, and applies or holds. Never throws for bad
   * input: the run ends `failed` with the reason.
   */
  async execute(runId: string, customerId: string, source: RunSource, opts: { signal?: AbortSignal; force?: boolean } = {}): Promise<RunView> {
    const runs = this.runs;
    const run = await runs.find(customerId, runId);
    if (!run) throw notFound('Run');
    await this.waitForLease(customerId, runId, opts.signal);
    const heartbeat = setInterval(() => void runs.renewLease(customerId, runId, addMs(nowIso(), this.leaseMs)).catch(() => undefined), this.leaseMs / 4);
    heartbeat.unref();
    let seq = 0;
    try {
      if (!opts.force && (await this.alreadyApplied(run))) return await this.finishUnchanged(runId);
      await runs.update(runId, { status: 'running', stage: 'reading', started_at: nowIso() });
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
      const preset = await withSmallPageCache(this.db, () =>
        stageRows(this.db, this.secrets, { runId, customerId, matching }, async (add) => {
          report = await source.read({
            add,
            onIssue: (issue) => pendingIssues.push(issue),
            onProgress: (done, total) => {
              if (Date.now() - lastProgress < 500) return;
              lastProgress = Date.now();
              void runs.update(runId, { progress_done: done, progress_total: total }).catch(() => undefined);
            },
          });
        }),
      );
      await flushIssues();
      const rep = report as SourceReport | null;
      if (!rep) throw new AppError('INTERNAL', 'The source ended without a report.');
      // Only a big roster leaves id indexes worth a full collection (a pause for everything else in the process).
      if (rep.files.reduce((n, f) => n + f.rows, 0) >= GC_AFTER_ROWS) collectGarbage();
      const modes = modesOf(rep);
      await runs.update(runId, { oneroster_version: rep.version, modes: JSON.stringify(modes), issue_counts: JSON.stringify(rep.issueCounts), stage: 'planning' });
      const refusal = refuse(rep);
      if (refusal) return await this.finishFailed(runId, 'BUNDLE_UNUSABLE', refusal);

      const outcome = await planAndApply(this.db, {
        runId,
        customerId,
        modes,
        matching,
        threshold: { percent: r.deletion_threshold_percent, min: r.deletion_threshold_min },
        actorUserId: run.actor_user_id,
        noDeletes: noDeletesOf(rep),
        dryRun: run.dry_run === 1,
        preset,
      });
      pendingIssues.push(...outcome.issues.map((i) => planIssueToRunIssue(i, rep)));
      await flushIssues();
      const issueCounts = { ...rep.issueCounts, error: rep.issueCounts.error + outcome.issues.length };
      return await this.finishPlanned(runId, customerId, outcome, issueCounts);
    } catch (err) {
      const e = err instanceof AppError ? err : new AppError('INTERNAL', err instanceof Error ? err.message : String(err));
      return await this.finishFailed(runId, e.code, e.message);
    } finally {
      clearInterval(heartbeat);
      await runs.releaseLease(customerId, runId);
      await releaseBundle(this.db.kysely, runId);
    }
  }

  /** Applies a held run's stored plan, if the roster has not changed since it was made. */
  async approve(actor: Actor, customerId: string, runId: string): Promise<RunView> {
    const run = await this.load(actor, customerId, runId);
    if (run.status !== 'awaiting_approval') throw new AppError('CONFLICT', `Only a run awaiting approval can be approved; this one is ${run.status}.`);
    await this.waitForLease(customerId, runId);
    try {
      if ((await liveFingerprint(this.db.kysely, customerId)) !== run.plan_fingerprint) {
        throw new AppError('CONFLICT', 'The roster changed since this plan was made. Discard it and run the sync again.');
      }
      await this.runs.update(runId, { stage: 'applying', decided_by: actor.label, decided_at: nowIso() });
      await applyStaged(this.db.kysely, runId, customerId);
      const issues = JSON.parse(run.issue_counts) as RunView['issueCounts'];
      await this.runs.update(runId, {
        status: issues.error || issues.warning ? 'succeeded_with_warnings' : 'succeeded',
        stage: 'done',
        finished_at: nowIso(),
        passwords_queued: await this.runs.pendingPasswords(runId),
      });
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
    if (!run.bundle_path || !fs.existsSync(run.bundle_path)) {
      throw new AppError('CONFLICT', 'The file of this preview is no longer kept; upload it again.');
    }
    const next = await this.create(actor, customerId, { trigger: run.trigger, fileName: run.file_name, sizeBytes: run.size_bytes, sha256: run.sha256, bundlePath: run.bundle_path, dryRun: false });
    return { ...next, bundlePath: run.bundle_path };
  }

  /** Ends a held run without applying it. */
  async discard(actor: Actor, customerId: string, runId: string): Promise<RunView> {
    const run = await this.load(actor, customerId, runId);
    if (run.status !== 'awaiting_approval') throw new AppError('CONFLICT', `Only a run awaiting approval can be discarded; this one is ${run.status}.`);
    await endUnapplied(this.db.kysely, runId);
    await this.runs.update(runId, { status: 'discarded', stage: 'done', decided_by: actor.label, decided_at: nowIso(), finished_at: nowIso() });
    return this.get(actor, customerId, runId);
  }

  /** One run. */
  async get(actor: Actor, customerId: string, runId: string): Promise<RunView> {
    const run = await this.load(actor, customerId, runId);
    return presentRun(run, run.passwords_queued ? await this.runs.pendingPasswords(runId) : 0);
  }

  /** A customer's runs, newest first. */
  async list(actor: Actor, customerId: string, limit: number, offset: number): Promise<{ items: RunView[]; total: number }> {
    assertCustomerAccess(actor, customerId);
    const { items, total } = await this.runs.list(customerId, limit, offset);
    return { items: items.map(presentRun), total };
  }

  /** Marks runs left running by a stopped process as failed (their transaction never committed). */
  async failInterrupted(): Promise<number> {
    const stale = await this.runs.listAbandoned(nowIso());
    for (const run of stale) {
      await clearStage(this.db.kysely, run.id);
      await this.runs.update(run.id, { status: 'failed', stage: 'done', error_code: 'INTERRUPTED', error_message: 'The process running this sync stopped; nothing was applied.', finished_at: nowIso() });
      await this.runs.releaseLease(run.customer_id, run.id);
      await releaseBundle(this.db.kysely, run.id);
    }
    return stale.length;
  }

  /** Hashes the customer's waiting roster passwords (see password-hasher.ts). */
  hashPasswords(customerId?: string, onProgress?: (done: number) => void): Promise<number> {
    return hashPendingPasswords(this.db.kysely, this.secrets, { customerId, onProgress });
  }

  private async load(actor: Actor, customerId: string, runId: string): Promise<RosterRun> {
    assertCustomerAccess(actor, customerId);
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

  private async finishPlanned(runId: string, customerId: string, outcome: SyncOutcome, issueCounts: RunView['issueCounts']): Promise<RunView> {
    const base = { counts: JSON.stringify(outcome.counts), issue_counts: JSON.stringify(issueCounts), stage: 'done', plan_fingerprint: outcome.fingerprint };
    if (outcome.result === 'held') {
      await this.runs.update(runId, { ...base, status: 'awaiting_approval', stage: 'awaiting_approval', hold_reason: outcome.holdReason });
    } else {
      if (outcome.result === 'previewed') await endUnapplied(this.db.kysely, runId);
      const status = issueCounts.error || issueCounts.warning ? 'succeeded_with_warnings' : 'succeeded';
      const passwords = outcome.result === 'applied' ? await this.runs.pendingPasswords(runId) : 0;
      await this.runs.update(runId, { ...base, status, finished_at: nowIso(), passwords_queued: passwords });
    }
    const run = await this.runs.find(customerId, runId);
    return presentRun(run!);
  }

  /** Ends a run that failed before it could be read (e.g. its source was unreachable). */
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
    await this.runs.update(runId, { status: 'succeeded', stage: 'unchanged', started_at: nowIso(), finished_at: nowIso() });
    const customerId = await this.runs.customerOf(runId);
    return presentRun((await this.runs.find(customerId!, runId))!);
  }

  /** Records where the bundle of a run came from once it has been fetched. */
  async attachBundle(runId: string, bundle: { path: string; sizeBytes: number; sha256: string }): Promise<void> {
    await this.runs.update(runId, { bundle_path: bundle.path, size_bytes: bundle.sizeBytes, sha256: bundle.sha256 });
  }

  private async finishFailed(runId: string, code: string, message: string): Promise<RunView> {
    await clearStage(this.db.kysely, runId);
    await this.runs.update(runId, { status: 'failed', stage: 'done', error_code: code, error_message: message, finished_at: nowIso() });
    const customerId = await this.runs.customerOf(runId);
    return presentRun((await this.runs.find(customerId!, runId))!);
  }
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

/**
 * SQLite: staging appends rows in file order and needs little page cache, while the reader's id
 * indexes need the memory; planning and applying get the full cache back (a million-user import
 * stays within its memory bound this way).
 */
async function withSmallPageCache<T>(db: Db, work: () => Promise<T>): Promise<T> {
  const sqlite = db.sqlite;
  if (!sqlite) return work();
  const full = sqlite.pragma('cache_size', { simple: true }) as number;
  sqlite.pragma('cache_size = -16384');
  try {
    return await work();
  } finally {
    sqlite.pragma(`cache_size = ${Number(full)}`);
  }
}

// A plan issue is placed where its row came from: the file of a bundle, the collection of a REST pull.
function planIssueToRunIssue(i: PlanIssue, source: SourceReport): RunIssue {
  const file = source.files.find((f) => f.entity === i.entity)?.name ?? `${i.entity}.csv`;
  return { file, line: i.line, column: null, sourcedId: i.sourcedId, severity: 'error', code: i.code, message: i.message };
}

function emptyCounts(): Record<EntityType, EntityCounts> {
  return Object.fromEntries(ENTITY_TYPES.map((e) => [e, { created: 0, updated: 0, unchanged: 0, deleted: 0, restored: 0, skipped: 0 }])) as Record<EntityType, EntityCounts>;
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
