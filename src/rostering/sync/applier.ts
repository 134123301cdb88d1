import { SqliteAdapter, sql, type Kysely } from 'kysely';
import type { Database, SyncOwner } from '../../db/schema.js';
import { failpoint } from '../../failpoints.js';
import { ENTITY_TABLES, type EntityTable } from './entities.js';
import { uuidv7Rows } from '../../db/uuid.js';
import { runOwner } from './ownership.js';
import { inSet, joined } from './sql.js';
import { RunStage, STAGE_KINDS } from './stage-tables.js';

/** Who and when, stamped on every record a run writes. */
export interface ApplyInput {
  runId: string;
  customerId: string;
  /** Where the run's plan is staged. */
  stage: RunStage;
  now: string;
}

/**
 * Applies a planned run with set-based statements inside the caller's transaction: creates,
 * updates and restores from the stage tables, soft deletes from roster_run_changes, roles, and
 * the passwords waiting to be hashed. All or nothing: the caller commits or rolls back.
 */
export async function applyRun(trx: Kysely<Database>, a: ApplyInput): Promise<void> {
  // Statements with nothing to do still scan a table on SQLite: skip them by the plan's counts.
  const planned = await sql<{ entity: string; action: string; n: number }>`select entity, action, count(*) as n from roster_run_changes where run_id = ${a.runId} group by entity, action`.execute(trx);
  const has = (entity: string, ...actions: string[]) => planned.rows.some((r) => r.entity === entity && actions.includes(r.action) && Number(r.n) > 0);
  const owner = await runOwner(trx, a.runId, a.customerId);
  for (const t of ENTITY_TABLES) {
    if (t.entity === 'users' && has('users', 'update', 'restore')) await queueChangedPasswords(trx, a);
    const creates = await hasCreates(trx, a, t);
    if (creates) await insertCreates(trx, a, t, owner);
    if (t.entity === 'users') {
      if (creates) await queueNewUserPasswords(trx, a);
      failpoint('apply.mid');
    }
    if (has(t.entity, 'update', 'restore')) await updateExisting(trx, a, t, owner);
    if (has(t.entity, 'delete')) await softDelete(trx, a, t);
  }
  await replaceRoles(trx, a);
  // Access ends at once for deleted users: their sessions go now, not at expiry.
  await sql`delete from sessions where user_id in (select target_id from roster_run_changes where run_id = ${a.runId} and entity = 'users' and action = 'delete')`.execute(trx);
}

// Creates are planned in the stage only (see recordChanges); they have no target, which the stage's (run_id, target_id) index finds.
async function hasCreates(trx: Kysely<Database>, a: ApplyInput, t: EntityTable): Promise<boolean> {
  const r = await sql`select 1 as one from ${a.stage.table(t.entity)} where run_id = ${a.runId} and target_id is null and action = 'create' limit 1`.execute(trx);
  return r.rows.length > 0;
}

async function insertCreates(trx: Kysely<Database>, a: ApplyInput, t: EntityTable, owner: SyncOwner): Promise<void> {
  const fields = t.fields.map((f) => sql.ref(f));
  const values = t.fields.map((f) => sql.ref(`s.${f}`));
  const userColumns = t.entity === 'users' ? sql`, login, source, must_change_password, password_hash, match_rule, matched_run_id` : sql``;
  const userValues = t.entity === 'users' ? sql`, s.login, 'roster', 0, null, 'created', ${a.runId}` : sql``;
  const extraColumns = t.owned ? sql`${userColumns}, sync_owner` : userColumns;
  const extraValues = t.owned ? sql`${userValues}, ${owner}` : userValues;
  // Ids in SQL: PostgreSQL's own random UUIDs; on SQLite time-ordered ones, so the primary key is appended to.
  const id = isSqlite(trx) ? uuidv7Rows(sql.ref('s.rowid')) : sql`gen_random_uuid()`;
  await sql`insert into ${sql.table(t.live)} (id, customer_id, sourced_id, ${joined(fields, ', ')}, status, created_run_id, updated_run_id, created_at, updated_at${extraColumns})
    select ${id}, ${a.customerId}, s.sourced_id, ${joined(values, ', ')}, 'active', ${a.runId}, ${a.runId}, ${a.now}, ${a.now}${extraValues}
    from ${a.stage.table(t.entity)} s where s.run_id = ${a.runId} and s.action = 'create'`.execute(trx);
}

async function updateExisting(trx: Kysely<Database>, a: ApplyInput, t: EntityTable, owner: SyncOwner): Promise<void> {
  const live = t.live;
  const assignments = t.fields.map((f) => sql`${sql.ref(f)} = ${sql.ref(`s.${f}`)}`);
  const userExtras =
    t.entity === 'users'
      ? sql`, sourced_id = s.sourced_id,
          login = s.login,
          match_rule = case when users.sourced_id is null then s.match_rule else users.match_rule end,
          match_value = case when users.sourced_id is null then s.match_key else users.match_value end,
          matched_run_id = case when users.sourced_id is null then ${a.runId} else users.matched_run_id end`
      : sql``;
  // The planner links rows only to accounts the roster owns (match.protected_account); the apply keeps that wall too.
  const rosterOwned = t.entity === 'users' ? sql` and users.source = 'roster'` : sql``;
  // A OneRoster file takes over what it lists (the planner's adoption); an LMS pull leaves a record's owner as it is.
  const adopt = t.owned && owner === 'oneroster' ? sql`, sync_owner = 'oneroster'` : sql``;
  // An account an admin disabled in the console stays disabled through updates; a restore brings it back active.
  const status = t.entity === 'users' ? sql`case when users.status = 'disabled' and s.action = 'update' then 'disabled' else 'active' end` : sql`'active'`;
  await sql`update ${sql.table(live)} set ${joined(assignments, ', ')}, status = ${status}, deleted_at = null, updated_run_id = ${a.runId}, updated_at = ${a.now}${userExtras}${adopt}
    from ${a.stage.table(t.entity)} s
    where s.run_id = ${a.runId} and s.action in ('update', 'restore') and ${sql.ref(`${live}.id`)} = s.target_id${rosterOwned}`.execute(trx);
}

async function softDelete(trx: Kysely<Database>, a: ApplyInput, t: EntityTable): Promise<void> {
  await sql`update ${sql.table(t.live)} set status = 'deleted', deleted_at = ${a.now}, updated_run_id = ${a.runId}, updated_at = ${a.now}
    where customer_id = ${a.customerId} and status = 'active'${t.entity === 'users' ? sql` and source = 'roster'` : sql``}
      and ${inSet(sql.ref('id'), sql`select target_id from roster_run_changes where run_id = ${a.runId} and entity = ${t.entity} and action = 'delete'`)}`.execute(trx);
}

// Before updates overwrite the digest: a password counts as changed when its keyed digest differs.
async function queueChangedPasswords(trx: Kysely<Database>, a: ApplyInput): Promise<void> {
  await sql`insert into pending_passwords (user_id, customer_id, password_sealed, run_id)
    select s.target_id, ${a.customerId}, s.password_sealed, ${a.runId}
    from ${a.stage.table('users')} s join users u on u.id = s.target_id
    where s.run_id = ${a.runId} and s.action in ('update', 'restore') and s.password_sealed is not null
      and (u.password_digest is null or u.password_digest != s.password_digest or u.password_hash is null)
    on conflict (user_id) do update set password_sealed = excluded.password_sealed, run_id = excluded.run_id`.execute(trx);
}

async function queueNewUserPasswords(trx: Kysely<Database>, a: ApplyInput): Promise<void> {
  await sql`insert into pending_passwords (user_id, customer_id, password_sealed, run_id)
    select u.id, ${a.customerId}, s.password_sealed, ${a.runId}
    from ${a.stage.table('users')} s join users u on u.customer_id = ${a.customerId} and u.sourced_id = s.sourced_id
    where s.run_id = ${a.runId} and s.action = 'create' and s.password_sealed is not null
    on conflict (user_id) do update set password_sealed = excluded.password_sealed, run_id = excluded.run_id`.execute(trx);
}

// Roles are derived data: replaced for every user this run wrote.
async function replaceRoles(trx: Kysely<Database>, a: ApplyInput): Promise<void> {
  const written = sql`select sourced_id from ${a.stage.table('users')} where run_id = ${a.runId} and action in ('create', 'update', 'restore')`;
  await sql`delete from user_roles where customer_id = ${a.customerId} and user_sourced_id in (${written})`.execute(trx);
  await sql`insert into user_roles (customer_id, user_sourced_id, org_sourced_id, role, role_type, begin_date, end_date)
    select distinct ${a.customerId}, r.user_sourced_id, r.org_sourced_id, r.role, r.role_type, r.begin_date, r.end_date
    from ${a.stage.table('roles')} r where r.run_id = ${a.runId} and r.user_sourced_id in (${written})
    on conflict do nothing`.execute(trx);
}

/**
 * Removes a run's staged rows once it has ended (applied, discarded or failed): drops its scratch
 * stage, or deletes its rows from the shared one. Given a transaction, it works inside it, so a
 * run's end and its stage's removal commit together.
 */
export async function clearStage(db: Kysely<Database>, runId: string, stage: RunStage = RunStage.shared): Promise<void> {
  if (stage.scratch) return stage.drop(db);
  const sqlite = isSqlite(db);
  for (const kind of STAGE_KINDS) {
    const table = stage.name(kind) as SharedStageTable;
    if (!sqlite) await db.deleteFrom(table).where('run_id', '=', runId).execute();
    else if (db.isTransaction) await clearSqliteStage(db, table, runId);
    else await db.transaction().execute((trx) => clearSqliteStage(trx, table, runId));
  }
}

type SharedStageTable = EntityTable['stage'] | 'stage_user_roles';

function isSqlite(db: Kysely<Database>): boolean {
  return db.getExecutor().adapter instanceof SqliteAdapter;
}

/*
 * Deleting a big run's rows one by one (with their index entries) took seconds. When the table
 * holds no other run's rows, as it almost always does, SQLite's DELETE without WHERE empties it by
 * freeing whole pages. The check and the delete share a write transaction, so no run can stage
 * rows in between (SQLite has one writer at a time).
 */
async function clearSqliteStage(trx: Kysely<Database>, table: SharedStageTable, runId: string): Promise<void> {
  await sql`delete from ${sql.table(table)} where run_id = ${runId} and 0`.execute(trx); // takes the write lock first
  const bounds = await sql<{ low: string | null; high: string | null }>`select min(run_id) as low, max(run_id) as high from ${sql.table(table)}`.execute(trx);
  const { low, high } = bounds.rows[0] ?? { low: null, high: null };
  if (low === null) return;
  if (low === runId && high === runId) await sql`delete from ${sql.table(table)}`.execute(trx);
  else await trx.deleteFrom(table).where('run_id', '=', runId).execute();
}
