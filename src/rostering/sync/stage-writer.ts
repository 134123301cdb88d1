import crypto from 'node:crypto';
import { once } from 'node:events';
import { finished } from 'node:stream/promises';
import type { Client, Pool } from 'pg';
import type { CopyStreamQuery } from 'pg-copy-streams';
import type { Db } from '../../db/connection.js';
import type { SecretBox } from '../../security/secret-box.js';
import { ENTITY_TABLES } from './entities.js';
import { lecternRole, loginFor, matchKey, type MatchSettings } from './matching.js';
import type { EntityType, RoleRow, RowOf, UserRow, UserRoleRow } from './snapshot.js';
import { STAGE_KINDS, type RunStage, type StageKind } from './stage-tables.js';

// Rows buffered per kind before they are written: one SQLite transaction, or one piece of a COPY.
const BATCH = 1024;
// Rows per SQLite INSERT statement: one native call binds them all (a call costs as much as binding
// ten values). Measured on the district's 400,000 enrollments: 1 row 2.1 s, 32 rows 1.5 s, 256 rows 2.0 s.
const ROWS_PER_INSERT = 32;

// The columns of each stage table in the order `add` writes their values: the row's place and
// status, then the fields a sync owns (entities.ts, metadata last), then stage-only columns.
// run_id is not among them: a scratch table has the run's id as its default, and a COPY adds it.
// Every type but users ends with the plan columns, set at staging for a type the customer has no
// records of yet (see `preset`); users are always planned by the planner (they are matched).
const USER_STAGE_ONLY = ['password_sealed', 'match_key', 'login'];
const PLAN_COLUMNS = ['action', 'reason'];
const COLUMNS = Object.fromEntries([
  ...ENTITY_TABLES.map((t) => [t.entity, ['line', 'sourced_id', 'row_status', ...t.fields, ...(t.entity === 'users' ? USER_STAGE_ONLY : PLAN_COLUMNS)]]),
  ['roles', ['user_sourced_id', 'org_sourced_id', 'role', 'role_type', 'begin_date', 'end_date']],
]) as Record<StageKind, readonly string[]>;

type Statement = ReturnType<NonNullable<Db['sqlite']>['prepare']>;

/**
 * Writes one run's incoming rows into its stage (stage-tables.ts) in batches, so memory holds one
 * batch, not the bundle. Values go straight into one flat buffer per table (no array or object per
 * row): SQLite binds them ROWS_PER_INSERT rows per statement into the run's scratch tables;
 * PostgreSQL streams them with COPY into the shared stage, one COPY per table for the whole run.
 * Passwords never reach the database in clear: each gets a keyed digest (to tell a changed password
 * from an unchanged one) and is sealed for the hashing pool.
 */
export class StageWriter {
  private readonly batches = Object.fromEntries(STAGE_KINDS.map((k) => [k, new Batch(k)])) as Record<StageKind, Batch>;
  private readonly digestKey: Buffer;
  private readonly statements = new Map<string, Statement>();
  private readonly copies = new Map<StageKind, Copy>();

  constructor(
    private readonly db: Db,
    private readonly stage: RunStage,
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
    if (entity === 'users') return this.addUser(row as UserRow);
    const meta = json(row.metadata);
    const [action, reason] = this.preset.has(entity) ? PRESET_PLAN[row.status] : UNPLANNED;
    const b = this.batches[entity];
    const v = b.values;
    let i = b.size;
    v[i++] = row.line;
    v[i++] = row.sourcedId;
    v[i++] = row.status;
    switch (entity) {
      case 'orgs': {
        const r = row as RowOf['orgs'];
        v[i++] = r.name;
        v[i++] = r.type;
        v[i++] = r.identifier;
        v[i++] = r.parentSourcedId;
        break;
      }
      case 'academicSessions': {
        const r = row as RowOf['academicSessions'];
        v[i++] = r.title;
        v[i++] = r.type;
        v[i++] = r.startDate;
        v[i++] = r.endDate;
        v[i++] = r.parentSourcedId;
        v[i++] = r.schoolYear;
        break;
      }
      case 'courses': {
        const r = row as RowOf['courses'];
        v[i++] = r.title;
        v[i++] = r.courseCode;
        v[i++] = list(r.grades);
        v[i++] = r.orgSourcedId;
        v[i++] = r.schoolYearSourcedId;
        v[i++] = list(r.subjects);
        break;
      }
      case 'classes': {
        const r = row as RowOf['classes'];
        v[i++] = r.title;
        v[i++] = r.classCode;
        v[i++] = r.classType;
        v[i++] = r.schoolSourcedId;
        v[i++] = r.courseSourcedId;
        v[i++] = list(r.grades);
        v[i++] = r.location;
        v[i++] = list(r.termSourcedIds);
        v[i++] = list(r.subjects);
        v[i++] = list(r.periods);
        break;
      }
      case 'enrollments': {
        const r = row as RowOf['enrollments'];
        v[i++] = r.classSourcedId;
        v[i++] = r.userSourcedId;
        v[i++] = r.schoolSourcedId;
        v[i++] = r.role;
        v[i++] = r.primary ? 1 : 0;
        v[i++] = r.beginDate;
        v[i++] = r.endDate;
        break;
      }
    }
    v[i++] = meta;
    v[i++] = action;
    v[i++] = reason;
    return this.filled(b, i);
  }

  /** Adds a 1.2 roles.csv row. */
  addRole(r: RoleRow): Promise<void> | undefined {
    return this.addRoleOf(r.userSourcedId, r);
  }

  /** Writes what is still buffered and ends the COPYs. */
  async flush(): Promise<void> {
    for (const kind of STAGE_KINDS) await this.write(this.batches[kind]);
    for (const [kind, copy] of this.copies) {
      this.copies.delete(kind);
      await copy.end();
    }
  }

  /** Abandons what is buffered and rolls back the COPYs in progress (a run that failed while reading). */
  async discard(): Promise<void> {
    const copies = [...this.copies.values()];
    this.copies.clear();
    await Promise.all(copies.map((c) => c.fail()));
  }

  private addUser(r: UserRow): Promise<void> | undefined {
    const password = r.password || null;
    const b = this.batches.users;
    const v = b.values;
    let i = b.size;
    v[i++] = r.line;
    v[i++] = r.sourcedId;
    v[i++] = r.status;
    v[i++] = r.username;
    v[i++] = r.identifier;
    v[i++] = r.email.trim().toLowerCase();
    v[i++] = r.givenName;
    v[i++] = r.familyName;
    v[i++] = r.middleName;
    // Blank for 1.2 users: the planner derives it from their roles.csv rows.
    v[i++] = r.role ? lecternRole(r.role) : '';
    v[i++] = r.enabledUser ? 1 : 0;
    v[i++] = list(r.grades);
    v[i++] = list(r.userIds);
    v[i++] = list(r.agentSourcedIds);
    v[i++] = list(r.orgSourcedIds);
    v[i++] = r.phone;
    v[i++] = r.sms;
    v[i++] = json(r.metadata);
    v[i++] = password ? crypto.createHmac('sha256', this.digestKey).update(password).digest('base64url') : null;
    v[i++] = password ? this.secrets.seal(password, stagedPasswordContext(this.customerId, this.runId)) : null;
    v[i++] = matchKey(r, this.matching);
    v[i++] = loginFor(r.username, this.matching.suffix);
    const written = this.filled(b, i);
    if (written) return written.then(() => this.addRoles(r.sourcedId, r.roles, 0));
    return this.addRoles(r.sourcedId, r.roles, 0);
  }

  // Adds a user's roles from `from` on; a promise only when a batch fills on the way.
  private addRoles(userSourcedId: string, roles: UserRoleRow[], from: number): Promise<void> | undefined {
    for (let k = from; k < roles.length; k++) {
      const written = this.addRoleOf(userSourcedId, roles[k]!);
      if (written) return written.then(() => this.addRoles(userSourcedId, roles, k + 1));
    }
    return undefined;
  }

  private addRoleOf(userSourcedId: string, role: UserRoleRow): Promise<void> | undefined {
    const b = this.batches.roles;
    const v = b.values;
    let i = b.size;
    v[i++] = userSourcedId;
    v[i++] = role.orgSourcedId;
    v[i++] = role.role;
    v[i++] = role.roleType;
    v[i++] = role.beginDate;
    v[i++] = role.endDate;
    return this.filled(b, i);
  }

  // Records how far a batch is filled after a row; writes it when it is full.
  private filled(b: Batch, size: number): Promise<void> | undefined {
    if (size - b.size !== b.width) throw new Error(`${b.kind}: a row of ${size - b.size} values for ${b.width} columns`);
    b.size = size;
    return size === b.values.length ? this.write(b) : undefined;
  }

  private async write(b: Batch): Promise<void> {
    if (!b.size) return;
    if (this.db.sqlite) await this.writeSqlite(b);
    else await (await this.copy(b.kind)).write(b.values, b.size, b.width, this.runId);
    b.size = 0;
  }

  // SQLite: the run's scratch table, ROWS_PER_INSERT rows per prepared statement, one transaction
  // per batch. Values are bound from two arrays reused for every statement: nothing is allocated
  // per row (new-space garbage made V8 grow its young generation by 100 MB on the large bundle).
  // Kysely's lock keeps the connection's other users off meanwhile.
  private async writeSqlite(b: Batch): Promise<void> {
    const sqlite = this.db.sqlite!;
    const many = this.statement(b.kind, ROWS_PER_INSERT);
    const one = this.statement(b.kind, 1);
    const { values, size, width, chunk, row } = b;
    await this.db.kysely.connection().execute(async () => {
      sqlite.transaction(() => {
        let at = 0;
        for (; at + chunk.length <= size; at += chunk.length) {
          for (let k = 0; k < chunk.length; k++) chunk[k] = values[at + k];
          many.run(chunk);
        }
        for (; at < size; at += width) {
          for (let k = 0; k < width; k++) row[k] = values[at + k];
          one.run(row);
        }
      })();
    });
  }

  private statement(kind: StageKind, rows: number): Statement {
    const key = `${kind}:${rows}`;
    let statement = this.statements.get(key);
    if (!statement) {
      const columns = COLUMNS[kind];
      const row = `(${columns.map(() => '?').join(', ')})`;
      statement = this.db.sqlite!.prepare(`insert into temp."${this.stage.name(kind)}" (${columns.join(', ')}) values ${Array(rows).fill(row).join(', ')}`);
      this.statements.set(key, statement);
    }
    return statement;
  }

  private async copy(kind: StageKind): Promise<Copy> {
    let copy = this.copies.get(kind);
    if (!copy) {
      // Files arrive one after another: the previous file's COPY is complete (users and roles interleave).
      for (const [other, open] of this.copies) {
        if ((kind === 'users' && other === 'roles') || (kind === 'roles' && other === 'users')) continue;
        this.copies.delete(other);
        await open.end();
      }
      copy = new Copy(this.db.pgPool!, `copy ${this.stage.name(kind)} (run_id, ${COLUMNS[kind].join(', ')}) from stdin`);
      this.copies.set(kind, copy);
    }
    return copy;
  }
}

/** One table's rows waiting to be written: their values row after row, in arrays allocated once. */
class Batch {
  readonly width: number;
  readonly values: unknown[];
  /** Values filled so far. */
  size = 0;
  /** The values of one multi-row INSERT, and of one row, as they are bound. */
  readonly chunk: unknown[];
  readonly row: unknown[];

  constructor(readonly kind: StageKind) {
    this.width = COLUMNS[kind].length;
    this.values = new Array<unknown>(BATCH * this.width).fill(null);
    this.chunk = new Array<unknown>(ROWS_PER_INSERT * this.width).fill(null);
    this.row = new Array<unknown>(this.width).fill(null);
  }
}

/**
 * One COPY … FROM STDIN into a stage table, on a connection of its own that it closes when done
 * (it never holds one of the pool's, and leaves nothing open behind it). Open while its file's rows
 * arrive: users and their roles interleave, so two may be. Text format: a row is its values joined
 * by tabs; \N is NULL; backslash, tab, newline and carriage return are escaped.
 */
class Copy {
  private readonly client: Promise<Client>;
  private readonly stream: Promise<CopyStreamQuery>;
  // An error the COPY or its connection reported while no write was waiting: the next write or the end throws it.
  private failure: Error | null = null;

  constructor(pool: Pool, text: string) {
    this.client = import('pg').then(async ({ default: pg }) => {
      const client = new pg.Client(pool.options);
      client.on('error', (err) => (this.failure ??= err));
      await client.connect();
      return client;
    });
    this.stream = Promise.all([this.client, import('pg-copy-streams')]).then(([client, { from }]) => {
      const stream = client.query(from(text));
      stream.on('error', (err: Error) => (this.failure ??= err));
      return stream;
    });
    // A failed connect surfaces at the next write or the end.
    this.stream.catch(() => undefined);
  }

  async write(values: unknown[], size: number, width: number, runId: string): Promise<void> {
    const stream = await this.stream;
    if (this.failure) throw this.failure;
    let text = '';
    for (let at = 0; at < size; at += width) {
      text += runId;
      for (let i = at; i < at + width; i++) text += '\t' + copyText(values[i]);
      text += '\n';
    }
    if (!stream.write(text)) await once(stream, 'drain');
    if (this.failure) throw this.failure;
  }

  /** Ends the COPY (its rows commit) and closes its connection. */
  async end(): Promise<void> {
    try {
      const stream = await this.stream;
      stream.end();
      await finished(stream);
      if (this.failure) throw this.failure;
    } finally {
      await this.close();
    }
  }

  /** Rolls the COPY back (CopyFail) and closes its connection. */
  async fail(): Promise<void> {
    try {
      const stream = await this.stream;
      stream.destroy(new Error('The run stopped while staging.'));
      await finished(stream).catch(() => undefined);
    } catch {
      // It never started: nothing to roll back.
    } finally {
      await this.close();
    }
  }

  private async close(): Promise<void> {
    const client = await this.client.catch(() => null);
    await client?.end().catch(() => undefined);
  }
}

// One value in COPY's text format.
function copyText(value: unknown): string {
  if (value === null || value === undefined) return '\\N';
  const text = typeof value === 'string' ? value : String(value);
  return SPECIAL.test(text) ? text.replace(SPECIAL_ALL, (c) => ESCAPES[c]!) : text;
}
const SPECIAL = /[\\\t\n\r]/;
const SPECIAL_ALL = /[\\\t\n\r]/g;
const ESCAPES: Record<string, string> = { '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' };

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
