import crypto from 'node:crypto';
import { sql, type Insertable } from 'kysely';
import type { Db } from '../../db/connection.js';
import type { Database } from '../../db/schema.js';
import type { SecretBox } from '../../security/secret-box.js';
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

/**
 * Writes one run's incoming rows into the staging tables in batches, so memory holds one batch,
 * not the bundle. Passwords never reach the database in clear: each gets a keyed digest (to tell
 * a changed password from an unchanged one) and is sealed for the hashing pool.
 */
export class StageWriter {
  private readonly buffers = new Map<StageTable, unknown[]>();
  private readonly digestKey: Buffer;
  private readonly pgTypes = new Map<StageTable, Map<string, string>>();
  private readonly statements = new Map<StageTable, { sql: ReturnType<NonNullable<Db['sqlite']>['prepare']>; columns: string[] }>();

  constructor(
    private readonly db: Db,
    private readonly runId: string,
    private readonly customerId: string,
    private readonly secrets: SecretBox,
    private readonly matching: MatchSettings,
  ) {
    this.digestKey = secrets.deriveKey(`password-digest:${customerId}`);
  }

  /** Adds one incoming row of an entity type. */
  async add<E extends EntityType>(entity: E, row: RowOf[E]): Promise<void> {
    const base = { run_id: this.runId, line: row.line, sourced_id: row.sourcedId, row_status: row.status, metadata: json(row.metadata) };
    switch (entity) {
      case 'orgs': {
        const r = row as RowOf['orgs'];
        await this.push('stage_orgs', { ...base, name: r.name, type: r.type, identifier: r.identifier, parent_sourced_id: r.parentSourcedId });
        break;
      }
      case 'academicSessions': {
        const r = row as RowOf['academicSessions'];
        await this.push('stage_academic_sessions', {
          ...base,
          title: r.title,
          type: r.type,
          start_date: r.startDate,
          end_date: r.endDate,
          parent_sourced_id: r.parentSourcedId,
          school_year: r.schoolYear,
        });
        break;
      }
      case 'courses': {
        const r = row as RowOf['courses'];
        await this.push('stage_courses', {
          ...base,
          title: r.title,
          course_code: r.courseCode,
          grades: list(r.grades),
          org_sourced_id: r.orgSourcedId,
          school_year_sourced_id: r.schoolYearSourcedId,
          subjects: list(r.subjects),
        });
        break;
      }
      case 'classes': {
        const r = row as RowOf['classes'];
        await this.push('stage_classes', {
          ...base,
          title: r.title,
          class_code: r.classCode,
          class_type: r.classType,
          school_sourced_id: r.schoolSourcedId,
          course_sourced_id: r.courseSourcedId,
          grades: list(r.grades),
          location: r.location,
          term_sourced_ids: list(r.termSourcedIds),
          subjects: list(r.subjects),
          periods: list(r.periods),
        });
        break;
      }
      case 'users':
        await this.addUser(row as UserRow, base);
        break;
      case 'enrollments': {
        const r = row as RowOf['enrollments'];
        await this.push('stage_enrollments', {
          ...base,
          class_sourced_id: r.classSourcedId,
          user_sourced_id: r.userSourcedId,
          school_sourced_id: r.schoolSourcedId,
          role: r.role,
          is_primary: r.primary ? 1 : 0,
          begin_date: r.beginDate,
          end_date: r.endDate,
        });
        break;
      }
    }
  }

  /** Writes what is still buffered. */
  async flush(): Promise<void> {
    for (const table of this.buffers.keys()) await this.write(table);
  }

  private async addUser(r: UserRow, base: { run_id: string; line: number; sourced_id: string; row_status: UserRow['status']; metadata: string }): Promise<void> {
    const password = r.password || null;
    await this.push('stage_users', {
      ...base,
      username: r.username,
      identifier: r.identifier,
      email: r.email.trim().toLowerCase(),
      given_name: r.givenName,
      family_name: r.familyName,
      middle_name: r.middleName,
      // Blank for 1.2 users: the planner derives it from their roles.csv rows.
      role: r.role ? lecternRole(r.role) : '',
      enabled_user: r.enabledUser ? 1 : 0,
      grades: list(r.grades),
      user_ids: list(r.userIds),
      agent_sourced_ids: list(r.agentSourcedIds),
      org_sourced_ids: list(r.orgSourcedIds),
      phone: r.phone,
      sms: r.sms,
      password_digest: password ? crypto.createHmac('sha256', this.digestKey).update(password).digest('base64url') : null,
      password_sealed: password ? this.secrets.seal(password, stagedPasswordContext(this.customerId, this.runId)) : null,
      match_key: matchKey(r, this.matching),
      login: loginFor(r.username, this.matching.suffix),
    });
    for (const role of r.roles) await this.pushRole(r.sourcedId, role);
  }

  /** Adds a 1.2 roles.csv row. */
  async addRole(r: RoleRow): Promise<void> {
    await this.pushRole(r.userSourcedId, r);
  }

  private async pushRole(userSourcedId: string, role: UserRoleRow): Promise<void> {
    await this.push('stage_user_roles', {
      run_id: this.runId,
      user_sourced_id: userSourcedId,
      org_sourced_id: role.orgSourcedId,
      role: role.role,
      role_type: role.roleType,
      begin_date: role.beginDate,
      end_date: role.endDate,
    });
  }

  private async push<T extends StageTable>(table: T, row: Insertable<Database[T]>): Promise<void> {
    let buffer = this.buffers.get(table);
    if (!buffer) {
      buffer = [];
      this.buffers.set(table, buffer);
    }
    buffer.push(row);
    if (buffer.length >= BATCH) await this.write(table);
  }

  private async write(table: StageTable): Promise<void> {
    const rows = this.buffers.get(table) as Record<string, unknown>[] | undefined;
    if (!rows?.length) return;
    this.buffers.set(table, []);
    const sqlite = this.db.sqlite;
    if (!sqlite) {
      await this.writePostgres(table, rows);
      return;
    }
    // SQLite: one prepared statement, reused for every row, in one transaction per batch — several
    // times faster than building a multi-row statement per batch. Kysely's lock keeps others off.
    await this.db.kysely.connection().execute(async () => {
      let prepared = this.statements.get(table);
      if (!prepared) {
        const columns = Object.keys(rows[0]!);
        prepared = { columns, sql: sqlite.prepare(`insert into ${table} (${columns.join(', ')}) values (${columns.map(() => '?').join(', ')})`) };
        this.statements.set(table, prepared);
      }
      const { columns, sql } = prepared;
      sqlite.transaction(() => {
        for (const row of rows) sql.run(columns.map((c) => row[c] ?? null));
      })();
    });
  }

  /**
   * PostgreSQL: one array parameter per column, spread back into rows by `unnest` — the server parses
   * a few parameters instead of one per cell, several times faster than a multi-row VALUES.
   */
  private async writePostgres(table: StageTable, rows: Record<string, unknown>[]): Promise<void> {
    const columns = Object.keys(rows[0]!);
    const types = await this.columnTypes(table);
    const arrays = columns.map((c) => {
      const type = types.get(c);
      if (!type) throw new Error(`${table} has no column ${c}`);
      return sql`${rows.map((r) => r[c] ?? null)}::${sql.raw(type)}[]`;
    });
    await sql`insert into ${sql.table(table)} (${joined(columns.map((c) => sql.ref(c)), ', ')}) select * from unnest(${joined(arrays, ', ')})`.execute(this.db.kysely);
  }

  // The PostgreSQL element type of each column of a stage table, read once per table.
  private async columnTypes(table: StageTable): Promise<Map<string, string>> {
    let types = this.pgTypes.get(table);
    if (!types) {
      const r = await sql<{ column_name: string; udt_name: string }>`select column_name, udt_name from information_schema.columns
        where table_schema = current_schema() and table_name = ${table}`.execute(this.db.kysely);
      types = new Map(r.rows.map((c) => [c.column_name, c.udt_name]));
      this.pgTypes.set(table, types);
    }
    return types;
  }
}

/** The context a staged password is sealed under, for the hashing step to open it. */
export function stagedPasswordContext(customerId: string, runId: string): string {
  return `stage-password:${customerId}:${runId}`;
}

// Most lists and metadata are empty: skip JSON.stringify for them (a million-row import calls this millions of times).
function list(values: string[]): string {
  return values.length ? JSON.stringify(values) : '[]';
}

function json(metadata: Record<string, string>): string {
  for (const _ in metadata) return JSON.stringify(metadata);
  return '{}';
}
