import type SQLite from 'better-sqlite3';
import { CompiledQuery, SelectQueryNode, SqliteAdapter, type DatabaseConnection, type DialectAdapter, type Driver, type QueryResult, type SqliteDialectConfig } from 'kysely';
import { AppError } from '../errors.js';
import { CachedStatementsSqliteDialect } from './cached-sqlite.js';

/**
 * SQLite for a process whose roster work writes from a second connection (the roster thread):
 * better-sqlite3 waits for a lock by sleeping in `busy_timeout`, which would stop the event loop for
 * as long as the thread holds the write lock (seconds, during an apply) and then fail the write.
 * Here a statement that finds the database locked gives Kysely's connection back, waits on a timer
 * and tries again, so reads and other requests go on meanwhile. Transactions begin IMMEDIATE: they
 * take the write lock (waiting the same way) before their first statement, so none can fail
 * half-way on a lock. Raw better-sqlite3 calls on the connection keep the usual busy_timeout.
 * Statements are prepared once per SQL text (cached-sqlite.ts). `holdWrites` says when the checkpoint
 * thread asks writers to step aside (checkpoints.ts): a write that would begin then waits the same way.
 */
export class PatientSqliteDialect extends CachedStatementsSqliteDialect {
  constructor(
    sqlite: SQLite.Database,
    config: SqliteDialectConfig,
    private readonly maxWaitMs: number,
    private readonly holdWrites: () => boolean = () => false,
  ) {
    super(sqlite, config);
  }

  /** Kysely's SQLite driver, wrapped so that locks are waited for on a timer. */
  override createDriver(): Driver {
    return new PatientDriver(super.createDriver(), this.sqlite, this.maxWaitMs, this.holdWrites);
  }

  /** SQLite's adapter, except that the driver takes turns on its one connection itself (see PatientDriver). */
  override createAdapter(): DialectAdapter {
    return new OwnTurnsSqliteAdapter();
  }
}

// Kysely serialises a single-connection driver with a lock it holds around each use; PatientDriver
// must hand the connection over while it waits for SQLite's lock, so it keeps the turns itself.
class OwnTurnsSqliteAdapter extends SqliteAdapter {
  override get supportsMultipleConnections(): boolean {
    return true;
  }
}

// Whose turn it is on the one connection: a queue of waiters, first come first served.
class Turns {
  private held = false;
  private readonly waiting: (() => void)[] = [];

  async take(): Promise<void> {
    if (!this.held) {
      this.held = true;
      return;
    }
    await new Promise<void>((resolve) => this.waiting.push(resolve));
  }

  give(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.held = false;
  }
}

const BUSY = new Set(['SQLITE_BUSY', 'SQLITE_BUSY_RECOVERY', 'SQLITE_BUSY_TIMEOUT']);

function isBusy(err: unknown): boolean {
  return BUSY.has((err as { code?: string } | null)?.code ?? '');
}

class PatientDriver implements Driver {
  private readonly turns = new Turns();
  private connection: DatabaseConnection | null = null;
  // Prepared once: `sqlite.pragma()` prepares its statement on every call, twice per statement here.
  private readonly noBusyWait: SQLite.Statement;
  private readonly usualBusyWait: SQLite.Statement;
  // This driver's BEGIN IMMEDIATE is open: the connection holds the write lock (see once()).
  private inImmediate = false;

  constructor(
    private readonly inner: Driver,
    private readonly sqlite: SQLite.Database,
    private readonly maxWaitMs: number,
    private readonly holdWrites: () => boolean,
  ) {
    const busyTimeout = Number(sqlite.pragma('busy_timeout', { simple: true }));
    this.noBusyWait = sqlite.prepare('pragma busy_timeout = 0');
    this.usualBusyWait = sqlite.prepare(`pragma busy_timeout = ${busyTimeout}`);
  }

  init(): Promise<void> {
    return this.inner.init();
  }

  async acquireConnection(): Promise<DatabaseConnection> {
    await this.turns.take();
    if (!this.connection) {
      const inner = await this.inner.acquireConnection();
      this.connection = { executeQuery: (q) => this.execute(inner, q), streamQuery: (q, chunk) => inner.streamQuery(q, chunk) };
    }
    return this.connection;
  }

  async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('begin immediate'));
    this.inImmediate = true;
  }

  async commitTransaction(connection: DatabaseConnection): Promise<void> {
    try {
      await connection.executeQuery(CompiledQuery.raw('commit'));
    } finally {
      this.inImmediate = this.sqlite.inTransaction;
    }
  }

  async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    try {
      await connection.executeQuery(CompiledQuery.raw('rollback'));
    } finally {
      this.inImmediate = false;
    }
  }

  async releaseConnection(): Promise<void> {
    this.turns.give();
  }

  destroy(): Promise<void> {
    return this.inner.destroy();
  }

  // Runs one statement; if the database is locked (or writers are asked to wait) and this statement
  // is not inside a transaction (so it has done nothing yet), lets others use the connection while it
  // waits, then tries again. Never inside a transaction: it holds the log that a restart waits for.
  private async execute<R>(connection: DatabaseConnection, query: CompiledQuery): Promise<QueryResult<R>> {
    const deadline = Date.now() + this.maxWaitMs;
    for (let delay = 2; ; delay = Math.min(50, delay * 2)) {
      if (this.sqlite.inTransaction || SelectQueryNode.is(query.query) || !this.holdWrites()) {
        try {
          return await this.once<R>(connection, query);
        } catch (err) {
          if (!isBusy(err) || this.sqlite.inTransaction) throw err;
        }
      }
      if (Date.now() > deadline) throw new AppError('UNAVAILABLE', 'The database is busy with a roster import; try again in a minute.');
      this.turns.give();
      await new Promise((r) => setTimeout(r, delay));
      await this.turns.take();
    }
  }

  // Runs one statement with busy_timeout 0, so a lock fails it at once instead of blocking the event
  // loop, and then puts the usual timeout back for raw better-sqlite3 calls. Two kinds never wait for
  // the write lock and run without the two pragmas (profiled: an eighth of an LTI launch's SQL time): a SELECT
  // (in WAL mode readers never wait on a writer), and any statement inside this driver's own BEGIN
  // IMMEDIATE (the connection holds the lock already). Any other transaction (a raw deferred one)
  // still gets them: its first write may find the lock taken.
  private once<R>(connection: DatabaseConnection, query: CompiledQuery): Promise<QueryResult<R>> {
    if ((this.inImmediate && this.sqlite.inTransaction) || SelectQueryNode.is(query.query)) return connection.executeQuery<R>(query);
    this.noBusyWait.get();
    try {
      return connection.executeQuery<R>(query);
    } finally {
      this.usualBusyWait.get();
    }
  }
}
