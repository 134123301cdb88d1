import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { Db } from '../../db/connection.js';
import type { Database } from '../../db/schema.js';
import { ENTITY_TABLES } from './entities.js';
import type { EntityType } from './snapshot.js';

/** What a run stages: each entity type, and the roles of 1.2 users. */
export type StageKind = EntityType | 'roles';

/** Every kind, in the order a stage is created, copied and cleared. */
export const STAGE_KINDS: readonly StageKind[] = [...ENTITY_TABLES.map((t) => t.entity), 'roles'];

/** The shared stage table of each kind (migrations 0004/0010). */
const SHARED_NAMES = Object.fromEntries([...ENTITY_TABLES.map((t) => [t.entity, t.stage]), ['roles', 'stage_user_roles']]) as Record<StageKind, string>;

/**
 * Where one run's staged rows are, for the statements that stage, plan, apply and clear them.
 *
 * Shared: the stage_* tables every connection sees. PostgreSQL stages there, and there a held
 * run's plan waits for its approval on SQLite too.
 *
 * Scratch (SQLite): temporary tables of the connection running the run, one set per run. Staging a
 * big roster into the database file wrote every row to the WAL, checkpointed it into the file and
 * deleted it again; a temporary table is written once to a file that is never synced, and dropping
 * it frees it at once. Nothing in it outlives the run or the process: a crash leaves no stage to
 * clear, and the roster as it was (the apply is one transaction of the database file). A run that
 * ends held copies its plan to the shared tables (keep), where any process can approve it.
 */
export class RunStage {
  private constructor(
    private readonly names: Record<StageKind, string>,
    /** `temp` for a scratch stage (SQLite's schema of the connection's temporary tables). */
    private readonly schema: 'temp' | null,
  ) {}

  /** The shared stage tables. */
  static readonly shared = new RunStage(SHARED_NAMES, null);

  /** Whether this is a run's scratch stage (temporary tables of its connection). */
  get scratch(): boolean {
    return this.schema !== null;
  }

  /** The table of `kind`, to select from, insert into or update. */
  table(kind: StageKind): RawBuilder<unknown> {
    return sql.table(this.schema ? `${this.schema}.${this.names[kind]}` : this.names[kind]);
  }

  /** The name of the table of `kind`, as its columns are referred to (`name.column`). */
  name(kind: StageKind): string {
    return this.names[kind];
  }

  /** `table.column` of the table of `kind`. */
  col(kind: StageKind, column: string): RawBuilder<unknown> {
    return sql.ref(`${this.names[kind]}.${column}`);
  }

  /**
   * A run's scratch stage on SQLite: an empty temporary twin of each shared table (same columns, the
   * run's id as run_id's default so rows need not carry it, no indexes until `index`); the shared
   * stage on PostgreSQL.
   */
  static async open(db: Db, runId: string): Promise<RunStage> {
    if (!db.sqlite) return RunStage.shared;
    const stage = new RunStage(Object.fromEntries(STAGE_KINDS.map((k) => [k, `${SHARED_NAMES[k]}_${++scratchSeq}`])) as Record<StageKind, string>, 'temp');
    for (const kind of STAGE_KINDS) {
      const columns = await sharedColumns(db.kysely, kind);
      const defs = columns.map((c) => {
        const dflt = c.name === 'run_id' ? ` default '${runId.replaceAll("'", "''")}'` : '';
        return sql.raw(`"${c.name}" ${c.type}${c.notnull ? ' not null' : ''}${dflt}`);
      });
      await sql`create temp table ${sql.id(stage.names[kind])} (${sql.join(defs)})`.execute(db.kysely);
    }
    return stage;
  }

  /**
   * Gives a scratch stage the shared tables' indexes, once its rows are in (one sort per index,
   * instead of keeping every index in order through a million inserts). `kinds`: those the plan
   * looks rows up in; the others it reads whole. Indexing a kind again is harmless.
   */
  async index(db: Kysely<Database>, kinds: Iterable<StageKind>): Promise<void> {
    if (!this.scratch) return;
    for (const kind of kinds) {
      const indexes = await sql<{ name: string }>`select name from pragma_index_list(${SHARED_NAMES[kind]}, 'main') order by name`.execute(db);
      for (const [i, index] of indexes.rows.entries()) {
        const columns = await sql<{ name: string }>`select name from pragma_index_info(${index.name}, 'main') order by seqno`.execute(db);
        const name = `${this.names[kind]}_${i}`;
        await sql`create index if not exists ${sql.raw(`temp."${name}"`)} on ${sql.id(this.names[kind])} (${sql.join(columns.rows.map((c) => sql.id(c.name)))})`.execute(db);
      }
    }
  }

  /** Copies a scratch stage to the shared tables (a held plan, for its approval anywhere) and drops it. */
  async keep(db: Kysely<Database>): Promise<void> {
    if (!this.scratch) return;
    for (const kind of STAGE_KINDS) {
      const columns = sql.join((await sharedColumns(db, kind)).map((c) => sql.id(c.name)));
      await sql`insert into ${RunStage.shared.table(kind)} (${columns}) select ${columns} from ${this.table(kind)}`.execute(db);
    }
    await this.drop(db);
  }

  /** Drops a scratch stage's tables (inside `db`'s transaction, if it is one); nothing for the shared stage. */
  async drop(db: Kysely<Database>): Promise<void> {
    if (!this.scratch) return;
    for (const kind of STAGE_KINDS) await sql`drop table if exists ${this.table(kind)}`.execute(db);
  }
}

// Scratch tables are named per run (temporary tables are the connection's own, so a counter is enough).
let scratchSeq = 0;

// The columns of a shared stage table on SQLite, in order.
async function sharedColumns(db: Kysely<Database>, kind: StageKind): Promise<{ name: string; type: string; notnull: number }[]> {
  return (await sql<{ name: string; type: string; notnull: number }>`select name, type, "notnull" from pragma_table_info(${SHARED_NAMES[kind]}, 'main') order by cid`.execute(db)).rows;
}
