import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import type SQLite from 'better-sqlite3';
import { Kysely, PostgresDialect, type LogEvent } from 'kysely';
import type pg from 'pg';
import type Cursor from 'pg-cursor';
import { CachedStatementsSqliteDialect } from './cached-sqlite.js';
import { BackgroundCheckpoints, type CheckpointSettings } from './checkpoints.js';
import { PatientSqliteDialect } from './patient-sqlite.js';
import type { Database } from './schema.js';
import { uuidv7 } from './uuid.js';

export type Dialect = 'sqlite' | 'postgres';

/** An open database: the Kysely handle plus what a caller needs to know about it. */
export interface Db {
  kysely: Kysely<Database>;
  dialect: Dialect;
  /** Human-readable location without credentials, for logs. */
  describe: string;
  /** The PostgreSQL pool, for libraries that take one (graphile-worker, COPY); null on SQLite. */
  pgPool: pg.Pool | null;
  /**
   * The SQLite connection, for bulk paths that reuse one prepared statement per table. Use it only
   * inside `kysely.connection().execute(…)`, which holds Kysely's lock on this single connection.
   */
  sqlite: SQLite.Database | null;
  /** SQLite opened with checkpointInBackground: its checkpoint thread. */
  checkpoints?: BackgroundCheckpoints | null;
  close(): Promise<void>;
}

// Each process loads the driver of its database only (a SQLite CLI command skips pg's modules).
const require = createRequire(import.meta.url);

// LECTERN_SLOW_QUERY_MS=200 prints every statement slower than that to stderr (operators, benchmarks).
const slowMs = Number(process.env.LECTERN_SLOW_QUERY_MS || 0);
const log = slowMs
  ? (event: LogEvent) => {
      if (event.queryDurationMillis >= slowMs) console.error(`[slow ${Math.round(event.queryDurationMillis)} ms] ${event.query.sql.replace(/\s+/g, ' ').slice(0, 300)}`);
    }
  : undefined;

// How long a statement of a patient connection waits for another's write lock (an apply holds it for seconds).
const PATIENT_WAIT_MS = 120_000;

function isPostgres(url: string): boolean {
  return /^postgres(ql)?:\/\//.test(url);
}

/** Whether `url` names an in-memory SQLite database, which no second connection can share. */
export function isInMemory(url: string): boolean {
  return /^(sqlite:)?:memory:$/.test(url);
}

/** Whether `url` names a SQLite file (not PostgreSQL, not in memory): a database other connections of this process may share. */
export function isSqliteFile(url: string): boolean {
  return !isPostgres(url) && !isInMemory(url);
}

/** How openDatabase opens a SQLite file; PostgreSQL takes neither. */
export interface SqliteOptions {
  /** Wait for another connection's write lock on a timer, not by blocking (patient-sqlite.ts). */
  patientLocks?: boolean;
  /** With patientLocks: checkpoint in a thread of its own, never in this connection's commits (checkpoints.ts); settings for tests. */
  checkpointInBackground?: boolean | Partial<CheckpointSettings>;
}

/** Opens `sqlite:/path/file.db` (or a bare path) or `postgres://…`, ready for queries. */
export function openDatabase(url: string, opts: SqliteOptions = {}): Db {
  if (isPostgres(url)) {
    const pg = require('pg') as typeof import('pg');
    // PostgreSQL returns int8 (COUNT(*), bigserial) as text by default; our counts fit in a double.
    pg.types.setTypeParser(20, (v) => Number(v));
    const pool = new pg.Pool({ connectionString: url, max: 10 });
    // An idle client losing its connection must not crash the process; the pool replaces it.
    pool.on('error', (err) => console.error(`PostgreSQL pool: ${err.message}`));
    pool.on('connect', (client) => client.on('error', (err) => console.error(`PostgreSQL client: ${err.message}`)));
    const kysely = new Kysely<Database>({ dialect: new PostgresDialect({ pool, cursor: require('pg-cursor') as typeof Cursor }), log });
    const safe = new URL(url);
    safe.password = '';
    return { kysely, dialect: 'postgres', describe: safe.toString(), pgPool: pool, sqlite: null, close: () => kysely.destroy() };
  }
  const file = url.replace(/^sqlite:/, '');
  if (file !== ':memory:') fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  const sqlite = new (require('better-sqlite3') as typeof SQLite)(file);
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('synchronous = NORMAL');
  sqlite.pragma('foreign_keys = ON');
  // Deleted and overwritten content is zeroed in the file, not left in free space: what an erasure
  // (or any delete, or an update that moves a row) removes is gone from the file itself. Measured
  // (privacy/erasure): set only around an erasure, earlier updates' old copies of a person's row
  // stayed in the file. Inserts and updates cost the same; a delete of 400k rows 0.05 → 0.3 s.
  // Temporary tables (a run's scratch stage) keep it off: their file is not in the data folder.
  sqlite.pragma('secure_delete = ON');
  sqlite.pragma('busy_timeout = 5000');
  // 64 MiB of page cache (the default is 2 MiB): a roster's secondary indexes take inserts in random
  // order, and a small cache turns each into a disk read.
  sqlite.pragma('cache_size = -65536');
  // Sorts and IN-lists over millions of staged rows spill to a temporary file instead of growing the
  // process (a million-user plan held ~200 MB of temporary b-trees in memory).
  sqlite.pragma('temp_store = file');
  // The name PostgreSQL uses, so set-based inserts can mint ids in SQL on both dialects.
  sqlite.function('gen_random_uuid', uuidv7);
  const checkpoints =
    opts.patientLocks && opts.checkpointInBackground && file !== ':memory:' ? new BackgroundCheckpoints(sqlite, file, opts.checkpointInBackground === true ? {} : opts.checkpointInBackground) : null;
  const dialect = opts.patientLocks
    ? new PatientSqliteDialect(sqlite, { database: sqlite }, PATIENT_WAIT_MS, () => checkpoints?.restarting ?? false)
    : new CachedStatementsSqliteDialect(sqlite, { database: sqlite });
  const kysely = new Kysely<Database>({ dialect, log });
  const close = async () => {
    await checkpoints?.stop();
    await kysely.destroy();
  };
  return { kysely, dialect: 'sqlite', describe: `sqlite:${file}`, pgPool: null, sqlite, checkpoints, close };
}
