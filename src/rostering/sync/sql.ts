import { sql, type RawBuilder } from 'kysely';
import type { Dialect } from '../../db/connection.js';

/** `a = b` that also holds when both are NULL: `IS` on SQLite, `IS NOT DISTINCT FROM` on PostgreSQL. */
export function same(dialect: Dialect, a: RawBuilder<unknown>, b: RawBuilder<unknown>): RawBuilder<boolean> {
  return dialect === 'postgres' ? sql<boolean>`${a} is not distinct from ${b}` : sql<boolean>`${a} is ${b}`;
}

/** Joins SQL fragments with a separator. */
export function joined(parts: RawBuilder<unknown>[], separator: string): RawBuilder<unknown> {
  return sql.join(parts, sql.raw(separator));
}

/**
 * `ref in (set)`, where the set is built once and probed per row. Written `(… in (…)) is true` so
 * that PostgreSQL hashes the set (as SQLite does) instead of turning it into a join whose method
 * it would pick from statistics: a stage has none, or ones taken before the plan set its actions,
 * and a nested loop over a churn run's stage scanned the set 400,000 times (26 s for one statement).
 */
export function inSet(ref: RawBuilder<unknown>, set: RawBuilder<unknown>): RawBuilder<boolean> {
  return sql<boolean>`(${ref} in (${set})) is true`;
}
