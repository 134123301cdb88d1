import { sql, type Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import { ENTITY_TABLES } from './sync/entities.js';

/** How many records of each table a purge removed. */
export type PurgeResult = Record<string, number>;

/**
 * Removes soft-deleted roster records whose customer's retention period has passed. Until then a
 * record (and everything hanging off it) is restorable; after, it is gone. Run daily and by
 * `lectern purge`.
 */
export async function purgeExpired(db: Kysely<Database>, now: Date = new Date()): Promise<PurgeResult> {
  const result: PurgeResult = {};
  const customers = await db.selectFrom('rostering_configs').select(['customer_id', 'retention_days']).execute();
  // Children first, so nothing is left pointing at a purged parent.
  for (const t of [...ENTITY_TABLES].reverse()) {
    let removed = 0;
    for (const c of customers) {
      const cutoff = new Date(now.getTime() - c.retention_days * 86_400_000).toISOString();
      const res = await sql`delete from ${sql.table(t.live)} where customer_id = ${c.customer_id} and status = 'deleted' and deleted_at < ${cutoff}`.execute(db);
      removed += Number(res.numAffectedRows ?? 0);
    }
    result[t.entity] = removed;
  }
  // Roles hang off users by sourcedId; drop those whose user is gone.
  await sql`delete from user_roles where not exists (select 1 from users u where u.customer_id = user_roles.customer_id and u.sourced_id = user_roles.user_sourced_id)`.execute(db);
  return result;
}
