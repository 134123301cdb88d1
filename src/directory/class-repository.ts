import { sql, type Kysely, type SqlBool } from 'kysely';
import type { ClassRow, Database } from '../db/schema.js';
import { containsPattern, matches } from '../accounts/user-repository.js';

/** Filters for a customer's class list. */
export interface ClassListQuery {
  search?: string;
  includeDeleted?: boolean;
  /** Only classes of these schools (an institute admin's scope); undefined for no limit. */
  withinSchools?: readonly string[];
  limit: number;
  offset: number;
}

/** Class queries, always within one customer. */
export class ClassRepository {
  constructor(private readonly db: Kysely<Database>) {}

  /** One page of a customer's classes, with the total that matches. */
  async listInCustomer(customerId: string, q: ClassListQuery): Promise<{ items: ClassRow[]; total: number }> {
    let base = this.db.selectFrom('classes').where('customer_id', '=', customerId);
    if (!q.includeDeleted) base = base.where('status', '!=', 'deleted');
    if (q.withinSchools) base = q.withinSchools.length ? base.where('school_sourced_id', 'in', [...q.withinSchools]) : base.where(sql<SqlBool>`1 = 0`);
    if (q.search) {
      const pattern = containsPattern(q.search);
      base = base.where((eb) => eb.or(['title', 'class_code', 'sourced_id'].map((c) => matches(c, pattern))));
    }
    const [items, total] = await Promise.all([
      base.selectAll().orderBy('title').orderBy('id').limit(q.limit).offset(q.offset).execute(),
      base.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
    ]);
    return { items, total: Number(total.n) };
  }
}
