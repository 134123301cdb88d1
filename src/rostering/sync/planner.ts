import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { Dialect } from '../../db/connection.js';
import type { Database, SyncOwner } from '../../db/schema.js';
import { ENTITY_TABLES, type EntityTable } from './entities.js';
import { ROSTER_ROLES, type MatchWith } from './matching.js';
import { ADOPTED_FROM_LMS, runOwner } from './ownership.js';
import type { EntityCounts } from './counts.js';
import type { EntityType, FileMode } from './snapshot.js';
import { inSet, joined, same } from './sql.js';
import type { RunStage } from './stage-tables.js';

/** What the planner needs to know about the run. */
export interface PlanInput {
  runId: string;
  customerId: string;
  /** Where the run's rows are staged. */
  stage: RunStage;
  dialect: Dialect;
  modes: Record<EntityType, FileMode>;
  /** Types whose missing records must not be deleted (empty or broken source). */
  noDeletes: Set<EntityType>;
  matchWith: MatchWith;
  /** The person who started the run: never deleted by it. */
  actorUserId: string | null;
  /** Types whose staged rows already carry their plan (StageWriter's preset). */
  preset: ReadonlySet<EntityType>;
}

/** A row the planner could not apply, for the run's issue report. */
export interface PlanIssue {
  entity: EntityType;
  line: number;
  sourcedId: string;
  code: string;
  message: string;
  /** A row error unless said otherwise (`info`: a note on a row that is applied, such as a returning person). */
  severity?: 'error' | 'info';
}

/** The plan's totals and its row-level problems; the rows themselves are in the stage tables and roster_run_changes (all but creates). */
export interface PlanResult {
  counts: Record<EntityType, EntityCounts>;
  liveCounts: Record<EntityType, number>;
  issues: PlanIssue[];
}

/**
 * Computes a run's plan with set-based statements over the staged rows and the live tables, so a
 * plan for a million users costs queries, not memory. Each staged row gets its action (create,
 * update, unchanged, restore, delete, skip) and target; deletions of records missing from a bulk
 * file are written to roster_run_changes. Nothing live is touched here.
 */
export async function planRun(db: Kysely<Database>, p: PlanInput): Promise<PlanResult> {
  const issues: PlanIssue[] = [];
  const owner = await runOwner(db, p.runId, p.customerId);
  await planUserMatching(db, p, issues);
  const counts = {} as Record<EntityType, EntityCounts>;
  const liveCounts = {} as Record<EntityType, number>;
  // Types whose rows came planned (a first import of the type) hold only creates and skips.
  const planned = new Set<EntityType>();
  for (const t of ENTITY_TABLES) {
    if (await planEntity(db, p, t)) planned.add(t.entity);
    await planBulkDeletes(db, p, t, owner);
  }
  await planCascade(db, p, issues);
  if (owner === 'oneroster') await planAdoptions(db, p);
  await recordChanges(db, p, planned);
  for (const t of ENTITY_TABLES) if (!planned.has(t.entity)) await describeUpdates(db, p, t, owner);
  for (const t of ENTITY_TABLES) {
    counts[t.entity] = await countPlan(db, p, t);
    // The threshold's base is what a sync may delete: for users, the accounts the roster created.
    const rosterOnly = t.entity === 'users' ? sql` and ${rosterOwned('users', p.customerId)}` : sql``;
    const live = await sql<{ n: number }>`select count(*) as n from ${sql.table(t.live)} where customer_id = ${p.customerId} and status = 'active'${rosterOnly}`.execute(db);
    liveCounts[t.entity] = Number(live.rows[0]?.n ?? 0);
  }
  return { counts, liveCounts, issues };
}

// Users first: link each incoming user to the account the roster created for its sourcedId.
async function planUserMatching(db: Kysely<Database>, p: PlanInput, issues: PlanIssue[]): Promise<void> {
  const run = p.runId;
  const users = p.stage.table('users');
  const user = (column: string) => p.stage.col('users', column);
  await deriveRolesFromRoleRows(db, p);
  await sql`update ${users} set action = 'skip', reason = 'row has errors' where run_id = ${run} and row_status = 'error'`.execute(db);
  // Once linked, always by sourcedId: renames never break the link.
  await sql`update ${users} set target_id = u.id, match_rule = 'sourcedId'
    from users u where u.customer_id = ${p.customerId} and u.sourced_id = ${user('sourced_id')} and ${user('run_id')} = ${run} and ${user('action')} is null`.execute(db);
  // An account linked by an earlier rule, or promoted by an admin since, is no longer the roster's to change.
  await refuseProtected(db, p, issues, 'sourcedId', sql`exists (select 1 from users u where u.id = ${user('target_id')} and not ${rosterOwned('u', p.customerId)})`);

  if (p.matchWith !== 'sourcedId') {
    // The rule adopts nobody: an account with the row's value that the roster does not own (an admin,
    // a manual or LTI-only user) would hand its sign-in to whoever wrote the file. Logins are one
    // platform-wide namespace, so username looks everywhere; identifier and email look in the customer
    // and at the platform's own admins, never into another customer (that would reveal its people).
    const liveKey = { identifier: 'identifier', username: 'login', email: 'email' }[p.matchWith];
    const scope = p.matchWith === 'username' ? sql`` : sql` and (u.customer_id = ${p.customerId} or u.customer_id is null)`;
    await refuseProtected(
      db,
      p,
      issues,
      p.matchWith,
      sql`${user('target_id')} is null and ${user('match_key')} != '' and exists (select 1 from users u
        where ${sql.ref(`u.${liveKey}`)} = ${user('match_key')} and u.status != 'deleted'${scope} and not ${rosterOwned('u', p.customerId)})`,
    );
  }

  // Two incoming rows may not claim one account.
  const dupTargets = await sql<{ line: number; sourced_id: string }>`
    select s.line, s.sourced_id from ${users} s where s.run_id = ${run} and s.action is null and s.target_id is not null
      and exists (select 1 from ${users} o where o.run_id = ${run} and o.target_id = s.target_id and o.line < s.line and o.action is null)`.execute(db);
  for (const r of dupTargets.rows) {
    issues.push({ entity: 'users', line: r.line, sourcedId: r.sourced_id, code: 'user.duplicate_match', message: 'Matches the same account as an earlier row; this row was skipped.' });
  }
  await sql`update ${users} set action = 'skip', reason = 'duplicate match' where run_id = ${run} and action is null and target_id is not null
      and exists (select 1 from ${users} o where o.run_id = ${run} and o.target_id = ${user('target_id')} and o.line < ${user('line')} and o.action is null)`.execute(db);

  // Login names are platform-wide: a roster user's login may not belong to anyone else. The message
  // names no value: a child's username is often their password too.
  const loginTaken = sql`exists (select 1 from users u where u.login = ${user('login')} and (${user('target_id')} is null or u.id != ${user('target_id')}))
      or exists (select 1 from ${users} o where o.run_id = ${run} and o.login = ${user('login')} and o.line < ${user('line')} and o.row_status != 'error')`;
  await sql`update ${users} set action = 'skip', reason = 'login taken' where run_id = ${run} and action is null and row_status = 'active' and (${loginTaken})`.execute(db);
  // Read back by their reason, which only this statement gives (the check itself is the costly part).
  const clashes = await sql<{ line: number; sourced_id: string }>`select line, sourced_id from ${users} where run_id = ${run} and reason = 'login taken'`.execute(db);
  for (const r of clashes.rows) {
    issues.push({ entity: 'users', line: r.line, sourcedId: r.sourced_id, code: 'user.login_taken', message: 'The login name (username plus the Suffix) already belongs to another account.' });
  }
}

/**
 * An account this customer's roster owns: one a roster created, of this customer, still holding a
 * roster role. Everything else is protected from a sync: never matched, changed, re-passworded or
 * deleted by one.
 */
function rosterOwned(alias: string, customerId: string): RawBuilder<boolean> {
  const c = (column: string) => sql.ref(`${alias}.${column}`);
  return sql<boolean>`(${c('customer_id')} = ${customerId} and ${c('source')} = 'roster' and ${c('role')} in (${sql.join([...ROSTER_ROLES])}))`;
}

// Skips the unplanned user rows meeting `condition` (a reference to a protected account) as row errors.
async function refuseProtected(db: Kysely<Database>, p: PlanInput, issues: PlanIssue[], rule: string, condition: RawBuilder<unknown>): Promise<void> {
  const users = p.stage.table('users');
  const where = sql`run_id = ${p.runId} and action is null and ${condition}`;
  const rows = await sql<{ line: number; sourced_id: string }>`select line, sourced_id from ${users} where ${where}`.execute(db);
  for (const r of rows.rows) {
    issues.push({
      entity: 'users',
      line: r.line,
      sourcedId: r.sourced_id,
      code: 'match.protected_account',
      message: `The row's ${rule} belongs to an account the roster did not create (an administrator, a manual or LTI-only user, or an account outside this roster); the row was skipped and that account left unchanged.`,
    });
  }
  await sql`update ${users} set action = 'skip', reason = 'protected account', target_id = null where ${where}`.execute(db);
}

// 1.2 users carry no role: it is their primary role in roles.csv, mapped as lecternRole() does.
async function deriveRolesFromRoleRows(db: Kysely<Database>, p: PlanInput): Promise<void> {
  const run = p.runId;
  await sql`update ${p.stage.table('users')} set role = coalesce((
      select case when r.role in ('administrator', 'siteAdministrator', 'districtAdministrator', 'principal', 'systemAdministrator') then 'institute_admin'
                  when r.role = 'teacher' then 'teacher' when r.role = 'student' then 'student' else 'reader' end
      from ${p.stage.table('roles')} r where r.run_id = ${run} and r.user_sourced_id = ${p.stage.col('users', 'sourced_id')}
      order by case when r.role_type = 'primary' then 0 else 1 end limit 1), 'reader')
    where run_id = ${run} and role = ''`.execute(db);
}

// Plans one type's staged rows; true when they came planned (StageWriter's preset) and still are.
async function planEntity(db: Kysely<Database>, p: PlanInput, t: EntityTable): Promise<boolean> {
  const stage = p.stage.table(t.entity);
  const staged = (column: string) => p.stage.col(t.entity, column);
  const run = p.runId;
  // Whether the customer has records of the type: a first import has nothing to link to.
  let live = true;
  if (t.entity !== 'users') {
    live = (await sql`select 1 as one from ${sql.table(t.live)} where customer_id = ${p.customerId} limit 1`.execute(db)).rows.length > 0;
    if (p.preset.has(t.entity)) {
      // Staged already planned as all creates: still right unless records appeared since (then plan
      // afresh, with the indexes a scratch stage leaves out for planned types).
      if (!live) return true;
      await p.stage.index(db, [t.entity]);
      await sql`update ${stage} set action = null, reason = null where run_id = ${run}`.execute(db);
    }
    await sql`update ${stage} set action = 'skip', reason = 'row has errors' where run_id = ${run} and row_status = 'error'`.execute(db);
  }
  // Rows that name a record get their action in the statement that links them (users were linked
  // by matching): each staged row is written once, which on PostgreSQL is a new row version each time.
  const status = staged('row_status');
  const equal = joined(
    t.fields.map((f) => same(p.dialect, sql.ref(`l.${f}`), staged(f))),
    ' and ',
  );
  const planned = sql`action = case when ${status} = 'active' and l.status = 'deleted' then 'restore'
        when ${status} = 'tobedeleted' and l.status = 'active' then 'delete'
        when ${status} = 'tobedeleted' then 'skip'
        when ${equal} then 'unchanged' else 'update' end,
      reason = case when ${status} = 'active' and l.status = 'deleted' then 'back in the roster'
        when ${status} = 'tobedeleted' and l.status = 'active' then 'marked tobedeleted'
        when ${status} = 'tobedeleted' then 'already deleted' end`;
  if (t.entity === 'users') {
    await sql`update ${stage} set ${planned} from users l where l.id = ${staged('target_id')} and ${staged('run_id')} = ${run} and ${staged('action')} is null`.execute(db);
  } else if (live) {
    await sql`update ${stage} set target_id = l.id, ${planned} from ${sql.table(t.live)} l
      where l.customer_id = ${p.customerId} and l.sourced_id = ${staged('sourced_id')} and ${staged('run_id')} = ${run} and ${staged('action')} is null`.execute(db);
  }
  await sql`update ${stage} set action = 'create' where run_id = ${run} and action is null and target_id is null and row_status = 'active'`.execute(db);
  await sql`update ${stage} set action = 'skip', reason = 'nothing to delete' where run_id = ${run} and action is null and target_id is null`.execute(db);
  return false;
}

// Records of a bulk type that earlier syncs of the run's kind created and that this file no longer has.
async function planBulkDeletes(db: Kysely<Database>, p: PlanInput, t: EntityTable, owner: SyncOwner): Promise<void> {
  if (p.modes[t.entity] !== 'bulk' || p.noDeletes.has(t.entity)) return;
  const protectedUsers = t.entity === 'users' ? sql` and ${rosterOwned('l', p.customerId)}${p.actorUserId ? sql` and l.id != ${p.actorUserId}` : sql``}` : sql``;
  // What another kind of sync keeps is not this file's to delete: the class, people and enrollments
  // of a Sync from LMS outlive a OneRoster file that never knew them.
  const ownRecords = t.owned ? sql` and l.sync_owner = ${owner}` : sql``;
  await sql`insert into roster_run_changes (run_id, entity, action, sourced_id, target_id, fields, reason)
    select ${p.runId}, ${t.entity}, 'delete', l.sourced_id, l.id, '{}', 'missing from the bulk file'
    from ${sql.table(t.live)} l
    where l.customer_id = ${p.customerId} and l.status = 'active' and l.sourced_id is not null${protectedUsers}${ownRecords}
      and not exists (select 1 from ${p.stage.table(t.entity)} s where s.run_id = ${p.runId} and s.sourced_id = l.sourced_id)`.execute(db);
}

/** A required single reference: its record cannot outlive the record it names. */
interface Dependency {
  entity: 'courses' | 'classes' | 'enrollments';
  /** The column in the live and the stage table, and its name in the roster file. */
  column: string;
  csvColumn: string;
  target: 'orgs' | 'courses' | 'classes' | 'users';
}

// In dependency order, so what ends with a course (its classes) is known before what ends with a class.
// References to many (a user's orgs, a class's terms) and optional ones (a parent org) end nothing.
const DEPENDENCIES: readonly Dependency[] = [
  { entity: 'courses', column: 'org_sourced_id', csvColumn: 'orgSourcedId', target: 'orgs' },
  { entity: 'classes', column: 'course_sourced_id', csvColumn: 'courseSourcedId', target: 'courses' },
  { entity: 'classes', column: 'school_sourced_id', csvColumn: 'schoolSourcedId', target: 'orgs' },
  { entity: 'enrollments', column: 'user_sourced_id', csvColumn: 'userSourcedId', target: 'users' },
  { entity: 'enrollments', column: 'class_sourced_id', csvColumn: 'classSourcedId', target: 'classes' },
  { entity: 'enrollments', column: 'school_sourced_id', csvColumn: 'schoolSourcedId', target: 'orgs' },
];
const REFERS_TO_DELETED = 'refers to a deleted record';

/**
 * Deleting a record ends what hangs on it, whichever way it was deleted (missing from a bulk file,
 * marked tobedeleted in a bulk or a delta file, or ending with its own parent): one path for all.
 * A row of this run that still names a deleted record is a row error (`ref.to_deleted`) and is not
 * applied; the live record it would have kept ends with its parent, in this plan and so in the one
 * apply transaction. Its user ends an enrollment, its course a class, its school a course, class or
 * enrollment.
 */
async function planCascade(db: Kysely<Database>, p: PlanInput, issues: PlanIssue[]): Promise<void> {
  const run = p.runId;
  for (const d of DEPENDENCIES) {
    const stage = p.stage.table(d.entity);
    const targetStage = p.stage.table(d.target);
    // The deleted ids as one uncorrelated set, built once and probed per row (a correlated lookup
    // per enrollment into two tables was most of a churn run's plan). A record the file marks
    // tobedeleted counts even when it is already gone, and so does a new one that ended unapplied.
    const deletedIds = sql`select c.sourced_id from roster_run_changes c where c.run_id = ${run} and c.entity = ${d.target} and c.action = 'delete'
        union all select s.sourced_id from ${targetStage} s where s.run_id = ${run} and (s.row_status = 'tobedeleted' or s.reason = ${REFERS_TO_DELETED})`;
    // Most runs delete nothing of a type: then nothing of the run's rows need be probed.
    if (!(await sql`select 1 as one from (${deletedIds}) d limit 1`.execute(db)).rows.length) continue;
    const deleted = (ref: RawBuilder<unknown>) => inSet(ref, deletedIds);
    const staleRow = sql`run_id = ${run} and action in ('create', 'update', 'restore', 'unchanged') and ${deleted(sql.ref(d.column))}`;
    const stale = await sql<{ line: number; sourced_id: string }>`select line, sourced_id from ${stage} where ${staleRow}`.execute(db);
    for (const r of stale.rows) {
      issues.push({
        entity: d.entity,
        line: r.line,
        sourcedId: r.sourced_id,
        code: 'ref.to_deleted',
        message: `${d.csvColumn} names a record this roster deletes; the row was not applied, and what it describes ends with that record.`,
      });
    }
    await sql`update ${stage} set action = 'skip', reason = ${REFERS_TO_DELETED} where ${staleRow}`.execute(db);
    await sql`insert into roster_run_changes (run_id, entity, action, sourced_id, target_id, fields, reason)
      select ${run}, ${d.entity}, 'delete', l.sourced_id, l.id, '{}', ${`its ${d.target.replace(/s$/, '')} was deleted`}
      from ${sql.table(d.entity)} l
      where l.customer_id = ${p.customerId} and l.status = 'active' and ${deleted(sql.ref(`l.${d.column}`))}
        and not exists (select 1 from roster_run_changes c where c.run_id = ${run} and c.entity = ${d.entity} and c.action = 'delete' and c.target_id = l.id)
        and not exists (select 1 from ${stage} s where s.run_id = ${run} and s.target_id = l.id and s.action in ('delete', 'update', 'restore', 'unchanged'))`.execute(db);
  }
}

/*
 * A OneRoster file that lists a record a Sync from LMS made (the same sourcedId: with Match with
 * sourcedId, an LMS member's roster account carries their LIS person sourcedId) takes it over rather
 * than duplicating it: the record is updated, an unchanged one too so that the report and the
 * record's history say so (sync_owner lms → oneroster, ADOPTED_FROM_LMS), and from then on a bulk file
 * that leaves it out deletes it. Rows the cascade skipped adopt nothing.
 */
async function planAdoptions(db: Kysely<Database>, p: PlanInput): Promise<void> {
  for (const t of ENTITY_TABLES) {
    if (!t.owned) continue;
    const lmsMade = sql`select id from ${sql.table(t.live)} where customer_id = ${p.customerId} and sync_owner = 'lms'`;
    await sql`update ${p.stage.table(t.entity)} set action = 'update', reason = ${ADOPTED_FROM_LMS}
      where run_id = ${p.runId} and action in ('update', 'unchanged') and ${inSet(sql.ref('target_id'), lmsMade)}`.execute(db);
  }
}

// Updates, restores and delta deletes join the bulk deletes in roster_run_changes. Creates do not:
// until applied they are the stage's create rows, then the records whose created_run_id is the run
// (copying them was an eighth of a first import, for rows the live tables already say). A run that
// ends unapplied but stays readable (a preview, a discarded hold) copies them then: recordCreates.
async function recordChanges(db: Kysely<Database>, p: PlanInput, planned: ReadonlySet<EntityType>): Promise<void> {
  await copyPlanRows(db, p.runId, p.stage, ['update', 'restore', 'delete'], planned);
}

/** Keeps a run's planned creates in roster_run_changes, for a plan that ends without being applied. */
export async function recordCreates(db: Kysely<Database>, runId: string, stage: RunStage): Promise<void> {
  // Enrollments are named from their person and class in the stage: a first import's stage has no
  // index on them (its rows came planned), and a lookup per enrollment must not scan.
  await stage.index(db, ['users', 'classes']);
  await copyPlanRows(db, runId, stage, ['create'], new Set(), true);
}

// `named`: keep each record's name, for creates whose stage is about to go (the others are named
// from their live records when listed).
async function copyPlanRows(db: Kysely<Database>, runId: string, stage: RunStage, actions: string[], skip: ReadonlySet<EntityType> = new Set(), named = false): Promise<void> {
  for (const t of ENTITY_TABLES) {
    if (skip.has(t.entity)) continue;
    await sql`insert into roster_run_changes (run_id, entity, action, sourced_id, target_id, fields, reason, name)
      select run_id, ${t.entity}, action, sourced_id, target_id, '{}', coalesce(reason, ''), ${named ? stagedName(t.entity, stage) : sql`''`}
      from ${stage.table(t.entity)} s where run_id = ${runId} and action in (${sql.join(actions)})`.execute(db);
  }
}

// What people call a staged record `s` (its stage is about to be cleared): a person's name, a title,
// an enrollment as "person in class" (the person and class from this run's stage, else live).
function stagedName(entity: EntityType, stage: RunStage): RawBuilder<unknown> {
  const person = (a: string) => sql`trim(${sql.ref(`${a}.given_name`)} || ' ' || ${sql.ref(`${a}.family_name`)})`;
  if (entity === 'users') return sql`coalesce(${person('s')}, '')`;
  if (entity === 'orgs') return sql`coalesce(s.name, '')`;
  if (entity !== 'enrollments') return sql`coalesce(s.title, '')`;
  const customer = sql`(select customer_id from roster_runs where id = s.run_id)`;
  return sql`coalesce(
      (select ${person('su')} from ${stage.table('users')} su where su.run_id = s.run_id and su.sourced_id = s.user_sourced_id),
      (select ${person('lu')} from users lu where lu.customer_id = ${customer} and lu.sourced_id = s.user_sourced_id),
      s.user_sourced_id)
    || ' in ' || coalesce(
      (select sk.title from ${stage.table('classes')} sk where sk.run_id = s.run_id and sk.sourced_id = s.class_sourced_id),
      (select lk.title from classes lk where lk.customer_id = ${customer} and lk.sourced_id = s.class_sourced_id),
      s.class_sourced_id)`;
}

// Which fields an update changes, old → new, for the preview and each record's history.
// Updates are the few rows that differ, so they are compared here in pages rather than in SQL.
async function describeUpdates(db: Kysely<Database>, p: PlanInput, t: EntityTable, owner: SyncOwner): Promise<void> {
  const pick = joined(
    [...t.fields.flatMap((f) => [sql`${sql.ref(`s.${f}`)} as ${sql.ref(`new_${f}`)}`, sql`${sql.ref(`l.${f}`)} as ${sql.ref(`old_${f}`)}`]), ...(t.owned ? [sql`l.sync_owner as old_sync_owner`] : [])],
    ', ',
  );
  for (let offset = 0; ; offset += 500) {
    const page = await sql<Record<string, unknown>>`select s.target_id as target_id, ${pick}
      from ${p.stage.table(t.entity)} s join ${sql.table(t.live)} l on l.id = s.target_id
      where s.run_id = ${p.runId} and s.action in ('update', 'restore') order by s.sourced_id limit 500 offset ${offset}`.execute(db);
    for (const row of page.rows) {
      const changed: Record<string, [unknown, unknown]> = {};
      for (const f of t.fields) {
        const before = row[`old_${f}`] ?? null;
        const after = row[`new_${f}`] ?? null;
        // Never a password digest in a report: only that the password changed.
        if (before !== after) changed[f] = f === 'password_digest' ? ['(hidden)', '(changed)'] : [before, after];
      }
      // The apply gives OneRoster every record its file lists (planAdoptions); an LMS pull takes none.
      if (owner === 'oneroster' && row.old_sync_owner === 'lms') changed.sync_owner = ['lms', 'oneroster'];
      await sql`update roster_run_changes set fields = ${JSON.stringify(changed)}
        where run_id = ${p.runId} and entity = ${t.entity} and target_id = ${row.target_id as string} and action in ('update', 'restore')`.execute(db);
    }
    if (page.rows.length < 500) return;
  }
}

async function countPlan(db: Kysely<Database>, p: PlanInput, t: EntityTable): Promise<EntityCounts> {
  const staged = await sql<{ action: string; n: number }>`select action, count(*) as n from ${p.stage.table(t.entity)} where run_id = ${p.runId} group by action`.execute(db);
  const deletes = await sql<{ n: number }>`select count(*) as n from roster_run_changes where run_id = ${p.runId} and entity = ${t.entity} and action = 'delete'`.execute(db);
  const by = new Map(staged.rows.map((r) => [r.action, Number(r.n)]));
  return {
    created: by.get('create') ?? 0,
    updated: by.get('update') ?? 0,
    unchanged: by.get('unchanged') ?? 0,
    deleted: Number(deletes.rows[0]?.n ?? 0),
    restored: by.get('restore') ?? 0,
    skipped: by.get('skip') ?? 0,
  };
}
