import crypto from 'node:crypto';
import { sql } from 'kysely';
import type { Db } from '../../db/connection.js';
import type { SecretBox } from '../../security/secret-box.js';
import { ENTITY_TABLES } from './entities.js';
import { lecternRole, loginFor, matchKey, type MatchSettings } from './matching.js';
import { joined } from './sql.js';
import type { EntityType, RoleRow, RowOf, UserRow, UserRoleRow } from './snapshot.js';

type StageTable = 'stage_orgs' | 'stage_academic_sessions' | 'stage_courses' | 'stage_classes' | 'stage_users' | 'stage_enrollments' | 'stage_user_roles';

/** The staging table of each entity type. */
export const STAGE_TABLE: Record<EntityType, StageTable> = {
  orgs: 'stage_orgs',
  academicSessions: 'stage_academic_sessions',
  courses: 'stage_courses',
  classes: 'stage_classes',
  users: 'stage_users',
  enrollments: 'stage_enrollments',
};

// Rows per multi-row INSERT: below SQLite's 32,766 and PostgreSQL's 65,535 bound parameters for
// the widest table (24 columns). The SQLite path runs one prepared statement per row instead.
const BATCH = 1000;

// The columns of each stage table in the order `add` lists their values: the row's place and
// status, then the fields a sync owns (entities.ts, metadata last), then stage-only columns. Rows
// travel as arrays in this order: a million-row import builds no object per row on its way in.
// Every type but users ends with the plan columns, set at staging for a type the customer has no
// records of yet (see `preset`); users are always planned by the planner (they are matched).
const USER_STAGE_ONLY = ['password_sealed', 'match_key', 'login'];
const PLAN_COLUMNS = ['action', 'reason'];
const COLUMNS = Object.fromEntries([
  ...ENTITY_TABLES.map((t) => [t.stage, ['run_id', 'line', 'sourced_id', 'row_status', ...t.fields, ...(t.entity === 'users' ? USER_STAGE_ONLY : PLAN_COLUMNS)]]),
  ['stage_user_roles', ['run_id', 'user_sourced_id', 'org_sourced_id', 'role', 'role_type', 'begin_date', 'end_date']],
]) as Record<StageTable, readonly string[]>;

/**
 * Writes one run's incoming rows into the staging tables in batches, so memory holds one batch,
 * not the bundle. Passwords never reach the database in clear: each gets a keyed digest (to tell
 * a changed password from an unchanged one) and is sealed for the hashing pool.
 */
export class StageWriter {
  private readonly buffers = new Map<StageTable, unknown[][]>();
  private readonly digestKey: Buffer;
  private readonly statements = new Map<StageTable, ReturnType<NonNullable<Db['sqlite']>['prepare']>>();
  private readonly pgTypes = new Map<StageTable, string[]>();

  constructor(
    private readonly db: Db,
    private readonly runId: string,
    private readonly customerId: string,
    private readonly secrets: SecretBox,
    private readonly matching: MatchSettings,
    /**
     * Types the customer has no records of (not even deleted ones): each row's plan is known from
     * its status alone, so it is written with the row instead of by an UPDATE of every staged row.
     */
    private readonly preset: ReadonlySet<EntityType> = new Set(),
  ) {
    this.digestKey = secrets.deriveKey(`password-digest:${customerId}`);
  }

  /** Adds one incoming row of an entity type; returns a promise only when a batch is being written. */
  add<E extends EntityType>(entity: E, row: RowOf[E]): Promise<void> | undefined {
    const { runId } = this;
    const meta = json(row.metadata);
    const [action, reason] = this.preset.has(entity) ? PRESET_PLAN[row.status] : UNPLANNED;
    switch (entity) {
      case 'orgs': {
        const r = row as RowOf['orgs'];
        return this.push('stage_orgs', [runId, r.line, r.sourcedId, r.status, r.name, r.type, r.identifier, r.parentSourcedId, meta, action, reason]);
      }
      case 'academicSessions': {
        const r = row as RowOf['academicSessions'];
        return this.push('stage_academic_sessions', [runId, r.line, r.sourcedId, r.status, r.title, r.type, r.startDate, r.endDate, r.parentSourcedId, r.schoolYear, meta, action, reason]);
      }
      case 'courses': {
        const r = row as RowOf['courses'];
        return this.push('stage_courses', [runId, r.line, r.sourcedId, r.status, r.title, r.courseCode, list(r.grades), r.orgSourcedId, r.schoolYearSourcedId, list(r.subjects), meta, action, reason]);
      }
      case 'classes': {
        const r = row as RowOf['classes'];
        return this.push('stage_classes', [
          runId,
          r.line,
          r.sourcedId,
          r.status,
          r.title,
          r.classCode,
          r.classType,
          r.schoolSourcedId,
          r.courseSourcedId,
          list(r.grades),
          r.location,
          list(r.termSourcedIds),
          list(r.subjects),
          list(r.periods),
          meta,
          action,
          reason,
        ]);
      }
      case 'users':
        return this.addUser(row as UserRow, meta);
      case 'enrollments': {
        const r = row as RowOf['enrollments'];
        return this.push('stage_enrollments', [
          runId,
          r.line,
          r.sourcedId,
          r.status,
          r.classSourcedId,
          r.userSourcedId,
          r.schoolSourcedId,
          r.role,
          r.primary ? 1 : 0,
          r.beginDate,
          r.endDate,
          meta,
          action,
          reason,
        ]);
      }
    }
    return undefined;
  }

  /** Writes what is still buffered. */
  async flush(): Promise<void> {
    for (const table of this.buffers.keys()) await this.write(table);
  }

  private addUser(r: UserRow, meta: string): Promise<void> | undefined {
    const password = r.password || null;
    const written = this.push('stage_users', [
      this.runId,
      r.line,
      r.sourcedId,
      r.status,
      r.username,
      r.identifier,
      r.email.trim().toLowerCase(),
      r.givenName,
      r.familyName,
      r.middleName,
      // Blank for 1.2 users: the planner derives it from their roles.csv rows.
      r.role ? lecternRole(r.role) : '',
      r.enabledUser ? 1 : 0,
      list(r.grades),
      list(r.userIds),
      list(r.agentSourcedIds),
      list(r.orgSourcedIds),
      r.phone,
      r.sms,
      meta,
      password ? crypto.createHmac('sha256', this.digestKey).update(password).digest('base64url') : null,
      password ? this.secrets.seal(password, stagedPasswordContext(this.customerId, this.runId)) : null,
      matchKey(r, this.matching),
      loginFor(r.username, this.matching.suffix),
    ]);
    if (!r.roles.length) return written;
    return (async () => {
      await written;
      for (const role of r.roles) await this.pushRole(r.sourcedId, role);
    })();
  }

  /** Adds a 1.2 roles.csv row. */
  addRole(r: RoleRow): Promise<void> | undefined {
    return this.pushRole(r.userSourcedId, r);
  }

  private pushRole(userSourcedId: string, role: UserRoleRow): Promise<void> | undefined {
    return this.push('stage_user_roles', [this.runId, userSourcedId, role.orgSourcedId, role.role, role.roleType, role.beginDate, role.endDate]);
  }

  private push(table: StageTable, values: unknown[]): Promise<void> | undefined {
    let buffer = this.buffers.get(table);
    if (!buffer) {
      buffer = [];
      this.buffers.set(table, buffer);
    }
    buffer.push(values);
    return buffer.length >= BATCH ? this.write(table) : undefined;
  }

  private async write(table: StageTable): Promise<void> {
    const rows = this.buffers.get(table);
    if (!rows?.length) return;
    this.buffers.set(table, []);
    if (rows[0]!.length !== COLUMNS[table].length) throw new Error(`${table}: ${rows[0]!.length} values for ${COLUMNS[table].length} columns`);
    const sqlite = this.db.sqlite;
    if (!sqlite) {
      await this.writePostgres(table, rows);
      return;
    }
    // SQLite: one prepared statement, reused for every row, in one transaction per batch — several
    // times faster than building a multi-row statement per batch. Kysely's lock keeps others off.
    await this.db.kysely.connection().execute(async () => {
      let statement = this.statements.get(table);
      if (!statement) {
        const columns = COLUMNS[table];
        statement = sqlite.prepare(`insert into ${table} (${columns.join(', ')}) values (${columns.map(() => '?').join(', ')})`);
        this.statements.set(table, statement);
      }
      const insert = statement;
      sqlite.transaction(() => {
        for (const values of rows) insert.run(values);
      })();
    });
  }

  /**
   * PostgreSQL: one array parameter per column, spread back into rows by `unnest` — the server parses
   * a few parameters instead of one per cell, several times faster than a multi-row VALUES.
   */
  private async writePostgres(table: StageTable, rows: unknown[][]): Promise<void> {
    const columns = COLUMNS[table];
    const types = await this.columnTypes(table);
    const arrays = columns.map((_, i) => sql`${rows.map((values) => values[i] ?? null)}::${sql.raw(types[i]!)}[]`);
    await sql`insert into ${sql.table(table)} (${joined(
      columns.map((c) => sql.ref(c)),
      ', ',
    )}) select * from unnest(${joined(arrays, ', ')})`.execute(this.db.kysely);
  }

  // The PostgreSQL element type of each column of a stage table (in COLUMNS order), read once per table.
  private async columnTypes(table: StageTable): Promise<string[]> {
    let types = this.pgTypes.get(table);
    if (!types) {
      const r = await sql<{ column_name: string; udt_name: string }>`select column_name, udt_name from information_schema.columns
        where table_schema = current_schema() and table_name = ${table}`.execute(this.db.kysely);
      const byName = new Map(r.rows.map((c) => [c.column_name, c.udt_name]));
      types = COLUMNS[table].map((c) => {
        const type = byName.get(c);
        if (!type) throw new Error(`${table} has no column ${c}`);
        return type;
      });
      this.pgTypes.set(table, types);
    }
    return types;
  }
}

/** The context a staged password is sealed under, for the hashing step to open it. */
export function stagedPasswordContext(customerId: string, runId: string): string {
  return `stage-password:${customerId}:${runId}`;
}

// The planner's action and reason for a row of a type the customer has no records of (planEntity's rules).
const PRESET_PLAN: Record<RowOf[EntityType]['status'], readonly [string, string | null]> = {
  active: ['create', null],
  error: ['skip', 'row has errors'],
  tobedeleted: ['skip', 'nothing to delete'],
};
const UNPLANNED = [null, null] as const;

// Most lists and metadata are empty: skip JSON.stringify for them (a million-row import calls this millions of times).
function list(values: string[]): string {
  return values.length ? JSON.stringify(values) : '[]';
}

function json(metadata: Record<string, string>): string {
  for (const _ in metadata) return JSON.stringify(metadata);
  return '{}';
}
