import crypto from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import type { Db } from '../../db/connection.js';
import type { Database } from '../../db/schema.js';
import { failpoint, failpointPerStatement } from '../../failpoints.js';
import type { SecretBox } from '../../security/secret-box.js';
import { nowIso } from '../../time.js';
import { applyRun, clearStage } from './applier.js';
import { ENTITY_TABLES } from './entities.js';
import type { MatchSettings } from './matching.js';
import type { EntityCounts } from './counts.js';
import { planRun, recordCreates, type PlanIssue } from './planner.js';
import { ENTITY_TYPES, type EntityType, type FileMode, type RoleRow, type RowOf } from './snapshot.js';
import { RunStage, STAGE_KINDS } from './stage-tables.js';
import { StageWriter } from './stage-writer.js';

/** One incoming record of any type (1.2 roles arrive as records of their own). */
export type AnyRow = { [E in EntityType]: { entity: E; row: RowOf[E] } }[EntityType] | { entity: 'roles'; row: RoleRow };

/** The customer's deletion safeguard: hold a run that deletes more than this share of a type. */
export interface DeletionThreshold {
  percent: number;
  min: number;
}

/**
 * Feeds a run's rows to the engine, one by one. `add` returns a promise only when it is writing a
 * batch: await it then (backpressure); most rows cost no promise at all.
 */
export type RowFeed = (add: (row: AnyRow) => Promise<void> | undefined) => Promise<void>;

/** A feed over rows already in hand (tests, small sources). */
export function feedOf(rows: Iterable<AnyRow>): RowFeed {
  return async (add) => {
    for (const row of rows) await add(row);
  };
}

/** What planning needs once the rows are staged. */
export interface PlanRequest {
  runId: string;
  customerId: string;
  modes: Record<EntityType, FileMode>;
  matching: MatchSettings;
  threshold: DeletionThreshold;
  actorUserId: string | null;
  /** Types whose absent records must not be deleted (empty or broken source). */
  noDeletes: Set<EntityType>;
  dryRun: boolean;
  /** Types staged already planned (stageRows' result); none when absent. */
  preset?: ReadonlySet<EntityType>;
  /** Where the rows are staged (stageRows' result); the shared stage when absent. */
  stage?: RunStage;
  /** Notes on the planned rows beyond the planner's own (people erased before who come back: privacy/erasure/returning.ts). */
  notes?: (db: Kysely<Database>, stage: RunStage) => Promise<PlanIssue[]>;
}

/** What stageRows leaves for planning: where the rows are, and the types staged already planned. */
export interface Staged {
  stage: RunStage;
  preset: ReadonlySet<EntityType>;
}

/** Everything the engine needs for one run. */
export interface SyncRequest extends PlanRequest {
  rows: Iterable<AnyRow>;
}

/** How a run ended, with its counts and the rows it could not apply. */
export interface SyncOutcome {
  result: 'applied' | 'held' | 'previewed';
  counts: Record<EntityType, EntityCounts>;
  issues: PlanIssue[];
  holdReason: string;
  fingerprint: string;
}

/** Stages, plans and applies rows in hand: the whole engine in one call. A preview ends here (endUnapplied). */
export async function runSync(db: Db, secrets: SecretBox, req: SyncRequest): Promise<SyncOutcome> {
  const staged = await stageRows(db, secrets, req, feedOf(req.rows));
  try {
    const outcome = await planAndApply(db, { ...req, ...staged });
    if (outcome.result === 'previewed') await endUnapplied(db.kysely, req.runId, staged.stage);
    return outcome;
  } finally {
    await staged.stage.drop(db.kysely);
  }
}

/**
 * Writes a run's incoming rows into its stage (a scratch stage on SQLite, see stage-tables.ts), in
 * batches. Returns the stage and the types whose rows were staged already planned (the customer
 * had none of them: a first import). The caller drops the stage when the run ends (RunStage.drop;
 * applying or ending a run unapplied clears it too).
 */
export async function stageRows(db: Db, secrets: SecretBox, req: Pick<PlanRequest, 'runId' | 'customerId' | 'matching'>, feed: RowFeed): Promise<Staged> {
  const preset = new Set<EntityType>();
  for (const t of ENTITY_TABLES) {
    if (t.entity === 'users') continue;
    const any = await sql`select 1 as one from ${sql.table(t.live)} where customer_id = ${req.customerId} limit 1`.execute(db.kysely);
    if (!any.rows.length) preset.add(t.entity);
  }
  const stage = await RunStage.open(db, req.runId);
  try {
    const writer = new StageWriter(db, stage, req.runId, req.customerId, secrets, req.matching, preset);
    try {
      await feed((r) => {
        failpoint('read.row');
        return r.entity === 'roles' ? writer.addRole(r.row) : writer.add(r.entity, r.row);
      });
      await writer.flush();
    } catch (err) {
      await writer.discard();
      throw err;
    }
    // The plan looks rows up by sourcedId and target in the types the customer has records of; a
    // first import's types it reads whole (their rows came planned), so they need no index.
    await stage.index(
      db.kysely,
      STAGE_KINDS.filter((k) => k === 'roles' || !preset.has(k)),
    );
  } catch (err) {
    await stage.drop(db.kysely);
    throw err;
  }
  return { stage, preset };
}

/**
 * Plans a staged run and, unless it is held or a preview, applies it. The apply is one transaction,
 * so a crash leaves the previous state. Held and previewed runs keep their staged plan for approval.
 * `hooks`, given the plan, say what the caller does inside the apply transaction (see ApplyHooks).
 */
export async function planAndApply(db: Db, req: PlanRequest, hooks?: (planned: SyncOutcome) => ApplyHooks): Promise<SyncOutcome> {
  const planning = failpointPerStatement(db.kysely, 'plan.step');
  const stage = req.stage ?? RunStage.shared;
  const plan = await planRun(planning, {
    runId: req.runId,
    customerId: req.customerId,
    stage,
    dialect: db.dialect,
    modes: req.modes,
    noDeletes: req.noDeletes,
    matchWith: req.matching.matchWith,
    actorUserId: req.actorUserId,
    preset: req.preset ?? new Set(),
  });
  if (req.notes) plan.issues.push(...(await req.notes(planning, stage)));
  const holdReason = thresholdExceeded(plan.counts, plan.liveCounts, req.threshold);
  const fingerprint = await liveFingerprint(planning, req.customerId);
  if (req.dryRun || holdReason) {
    // A held plan waits in the shared stage, where any process can approve it.
    if (!req.dryRun) await stage.keep(db.kysely);
    return { result: req.dryRun ? 'previewed' : 'held', counts: plan.counts, issues: plan.issues, holdReason, fingerprint };
  }
  const outcome: SyncOutcome = { result: 'applied', counts: plan.counts, issues: plan.issues, holdReason: '', fingerprint };
  await applyStaged(db.kysely, req.runId, req.customerId, hooks?.(outcome), stage);
  return outcome;
}

/**
 * What the caller of an apply does inside its transaction, so that a run's record commits with the
 * roster change it describes (a crash can never leave one without the other): `claim` first, a
 * compare-and-set on the run that throws when another actor changed it (nothing is written then,
 * and the run's row stays locked until the commit); `record` last, the run's final status and counts.
 */
export interface ApplyHooks {
  claim(trx: Kysely<Database>): Promise<void>;
  record(trx: Kysely<Database>): Promise<void>;
}

/** Applies a staged plan and clears the stage, in one transaction with the caller's `hooks`. */
export async function applyStaged(db: Kysely<Database>, runId: string, customerId: string, hooks?: ApplyHooks, stage: RunStage = RunStage.shared): Promise<void> {
  // For the progress display only; a held run being approved shows its stage once it is done.
  await db.updateTable('roster_runs').set({ stage: 'applying' }).where('id', '=', runId).where('status', '=', 'running').execute();
  await db.transaction().execute(async (trx) => {
    const t = failpointPerStatement<Database>(trx, 'apply.step');
    await hooks?.claim(t);
    await applyRun(t, { runId, customerId, stage, now: nowIso() });
    await clearStage(t, runId, stage);
    await hooks?.record(t);
  });
  failpoint('apply.committed');
}

/** Ends a run whose plan is not applied but stays readable (a preview, a discarded hold): keeps its creates, clears the stage (inside `db`'s transaction, if it is one). */
export async function endUnapplied(db: Kysely<Database>, runId: string, stage: RunStage = RunStage.shared): Promise<void> {
  await recordCreates(db, runId, stage);
  await clearStage(db, runId, stage);
}

/** Which type would lose more than the customer allows, as a sentence; '' when none. */
export function thresholdExceeded(counts: Record<EntityType, EntityCounts>, live: Record<EntityType, number>, t: DeletionThreshold): string {
  const over = ENTITY_TYPES.filter((e) => {
    const deleted = counts[e].deleted;
    return deleted >= Math.max(1, t.min) && deleted > (live[e] * t.percent) / 100;
  });
  return over.map((e) => `${counts[e].deleted} of ${live[e]} ${e} would be deleted, more than the ${t.percent}% allowed`).join('; ');
}

/**
 * A digest of the customer's live roster (per table: rows and latest change). Approving a held run
 * applies its stored plan only while this is unchanged; otherwise the plan is stale.
 */
export async function liveFingerprint(db: Kysely<Database>, customerId: string): Promise<string> {
  const hash = crypto.createHash('sha256');
  for (const t of ENTITY_TABLES) {
    const r = await sql<{ n: number; latest: string | null }>`select count(*) as n, max(updated_at) as latest from ${sql.table(t.live)} where customer_id = ${customerId}`.execute(db);
    hash.update(`${t.live}:${r.rows[0]?.n}:${r.rows[0]?.latest ?? ''};`);
  }
  return hash.digest('hex');
}

/**
 * Whether anything the roster depends on changed after `since`: the customer's settings (matching,
 * suffix, thresholds) or any live roster record (a restore, a manual edit, another run).
 */
export async function rosterChangedSince(db: Kysely<Database>, customerId: string, since: string): Promise<boolean> {
  const settings = await sql<{ n: number }>`select (select count(*) from customers where id = ${customerId} and updated_at > ${since})
      + (select count(*) from rostering_configs where customer_id = ${customerId} and updated_at > ${since}) as n`.execute(db);
  if (Number(settings.rows[0]?.n ?? 0) > 0) return true;
  for (const t of ENTITY_TABLES) {
    const r = await sql<{ n: number }>`select count(*) as n from (select 1 from ${sql.table(t.live)} where customer_id = ${customerId} and updated_at > ${since} limit 1) x`.execute(db);
    if (Number(r.rows[0]?.n ?? 0) > 0) return true;
  }
  return false;
}
