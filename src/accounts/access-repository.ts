import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import type { OwnershipLookup, RecordKind } from './policy.js';

// Every kind of record a request may name, and the customer-owned table it lives in.
const TABLES = { user: 'users', class: 'classes', run: 'roster_runs', book: 'books', collection: 'collections' } as const satisfies Record<RecordKind, keyof Database>;

/** The one query behind policy.requireAccess: which ids name records of a customer. */
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
}
