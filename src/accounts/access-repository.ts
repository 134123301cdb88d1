import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import type { OwnershipLookup, RecordKind, ScopedKind } from './policy.js';
import { UserRepository } from './user-repository.js';

// Every kind of record a request may name, and the customer-owned table it lives in.
const TABLES = { user: 'users', class: 'classes', run: 'roster_runs', book: 'books', collection: 'collections' } as const satisfies Record<RecordKind, keyof Database>;

/** The queries behind policy.requireAccess: which ids name records of a customer, and which of them are within an institute admin's schools. */
export class AccessRepository implements OwnershipLookup {
  constructor(private readonly db: Kysely<Database>) {}

  /** The ids among `ids` of records of `kind` that belong to the customer (soft-deleted ones included: they are still its). */
  async ownedBy(customerId: string, kind: RecordKind, ids: readonly string[]): Promise<ReadonlySet<string>> {
    if (!ids.length) return new Set();
    const rows = await this.db
      .selectFrom(TABLES[kind])
      .select('id')
      .where('customer_id', '=', customerId)
      .where('id', 'in', [...ids])
      .execute();
    return new Set(rows.map((r) => r.id));
  }

  /**
   * The schools a customer's user acts for: the schools they were given in the console or hold a
   * roster role at, and, for a role at a district, the district's schools (its child orgs).
   */
  async schoolsOf(customerId: string, userId: string): Promise<string[]> {
    const own = await new UserRepository(this.db).schoolsOf(customerId, userId);
    if (!own.length) return own;
    const children = await this.db.selectFrom('orgs').select('sourced_id').where('customer_id', '=', customerId).where('parent_sourced_id', 'in', own).execute();
    return [...new Set([...own, ...children.map((o) => o.sourced_id)])];
  }

  /** The ids among `ids` of the customer's people of one of `schools` (a role at it, or listed), or of its classes at one of them. */
  async withinSchools(customerId: string, kind: ScopedKind, ids: readonly string[], schools: readonly string[]): Promise<ReadonlySet<string>> {
    if (!ids.length || !schools.length) return new Set();
    if (kind === 'user') return new UserRepository(this.db).idsWithinSchools(customerId, ids, schools);
    const rows = await this.db
      .selectFrom('classes')
      .select('id')
      .where('customer_id', '=', customerId)
      .where('id', 'in', [...ids])
      .where('school_sourced_id', 'in', [...schools])
      .execute();
    return new Set(rows.map((r) => r.id));
  }
}
