import type SQLite from 'better-sqlite3';
import { SqliteDialect, SqliteDriver, SqliteQueryCompiler, type CompiledQuery, type DatabaseConnection, type Driver, type QueryCompiler, type QueryResult, type SqliteDialectConfig } from 'kysely';

// Statements kept per connection. The launch and reader paths use a few dozen SQL texts; roster
// work makes many one-off texts (IN lists of varying length), which an LRU bound lets go again.
const MAX_STATEMENTS = 500;

/**
 * Kysely's SQLite dialect, except that a statement is prepared once per SQL text and reused
 * (Kysely's driver prepares every query from scratch: about a tenth of an LTI launch's server time),
 * and its parameters are written so that the statement stays prepared (see StablePlanCompiler).
 */
export class CachedStatementsSqliteDialect extends SqliteDialect {
  constructor(
    protected readonly sqlite: SQLite.Database,
    private readonly dialectConfig: SqliteDialectConfig,
  ) {
    super(dialectConfig);
  }

  /** Kysely's SQLite compiler, with parameters that never make SQLite plan a statement again. */
  override createQueryCompiler(): QueryCompiler {
    return new StablePlanCompiler();
  }

  /** Kysely's SQLite driver whose connection reuses prepared statements. */
  override createDriver(): Driver {
    return new CachedStatementsDriver(this.dialectConfig, this.sqlite);
  }
}

/**
 * Writes every parameter as `+?`. SQLite's planner looks at a bare `?` in a join's `col = ?` (is it 0
 * or 1?), in `LIKE ?` and in correlated subqueries, and then marks the statement to be planned again
 * once its bindings change; better-sqlite3 clears the bindings after every run, so each such
 * statement was parsed and planned anew on every execution (measured: a two-table lookup by key cost
 * 58 µs against 11 µs, and the joins were 40% of an LTI launch's SQL time). Unary plus is a no-op on
 * any value and, like a bare parameter, has no affinity, so results and index use are unchanged;
 * the planner just cannot peek through it (cached-sqlite.test.ts counts the re-planning).
 */
class StablePlanCompiler extends SqliteQueryCompiler {
  protected override getCurrentParameterPlaceholder(): string {
    return '+?';
  }
}

class CachedStatementsDriver extends SqliteDriver {
  private connection: DatabaseConnection | null = null;

  constructor(
    config: SqliteDialectConfig,
    private readonly sqlite: SQLite.Database,
  ) {
    super(config);
  }

  override async acquireConnection(): Promise<DatabaseConnection> {
    const inner = await super.acquireConnection();
    return (this.connection ??= new CachedStatementsConnection(this.sqlite, inner));
  }
}

// Runs queries as Kysely's SqliteConnection does, on statements kept by SQL text (least recently
// used dropped first). Execution is synchronous, so one statement is never in two runs at once.
// Streamed queries keep preparing their own: an iterating statement is busy until the stream ends,
// and another query of the same text may run meanwhile.
class CachedStatementsConnection implements DatabaseConnection {
  private readonly statements = new Map<string, SQLite.Statement>();

  constructor(
    private readonly sqlite: SQLite.Database,
    private readonly inner: DatabaseConnection,
  ) {}

  async executeQuery<R>(query: CompiledQuery): Promise<QueryResult<R>> {
    const statement = this.statement(query.sql);
    const parameters = query.parameters as unknown[];
    if (statement.reader) return { rows: statement.all(parameters) as R[] };
    const { changes, lastInsertRowid } = statement.run(parameters);
    return { insertId: BigInt(lastInsertRowid), numAffectedRows: BigInt(changes), rows: [] };
  }

  streamQuery<R>(query: CompiledQuery, chunkSize: number): AsyncIterableIterator<QueryResult<R>> {
    return this.inner.streamQuery<R>(query, chunkSize);
  }

  private statement(sql: string): SQLite.Statement {
    let statement = this.statements.get(sql);
    if (statement) {
      // Most recently used last: a Map iterates in insertion order.
      this.statements.delete(sql);
    } else {
      statement = this.sqlite.prepare(sql);
      if (this.statements.size >= MAX_STATEMENTS) this.statements.delete(this.statements.keys().next().value!);
    }
    this.statements.set(sql, statement);
    return statement;
  }
}
