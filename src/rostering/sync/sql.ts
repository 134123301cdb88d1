import { sql, type RawBuilder } from 'kysely';
import type { Dialect } from '../../db/connection.js';

/** `a = b` that also holds when both are NULL: `IS` on SQLite, `IS NOT DISTINCT FROM` on PostgreSQL. */
export function same(dialect: Dialect, a: RawBuilder<unknown>, b: RawBuilder<unknown>): RawBuilder<boolean> {
  return dialect === 'postgres' ? sql<boolean>`${a} is not distinct from ${b}` : sql<boolean>`${a} is ${b}`;
}

/** `table.column` as an identifier reference. */
export function col(table: string, column: string): RawBuilder<unknown> {
  return sql.ref(`${table}.${column}`);
}

/** Joins SQL fragments with a separator. */
export function joined(parts: RawBuilder<unknown>[], separator: string): RawBuilder<unknown> {
  return sql.join(parts, sql.raw(separator));
}
