/*
 * Which sync keeps a roster record (sync_owner, migration 0019). A run's owner is its trigger's:
 * a Sync from LMS (trigger 'lms') keeps what it makes; every other run is OneRoster's (a file, an
 * SFTP or API pull). A bulk file deletes only what its own kind of sync keeps, and a OneRoster file
 * that lists a record an LMS pull made takes it over (the planner's adoption).
 */
import { sql, type Kysely } from 'kysely';
import type { Database, SyncOwner } from '../../db/schema.js';

/** The owner a run gives the records it creates, from its trigger ('oneroster' for a run with no record, as the engine's own tests run). */
export async function runOwner(db: Kysely<Database>, runId: string, customerId: string): Promise<SyncOwner> {
  const run = await sql<{ trigger: string }>`select trigger from roster_runs where id = ${runId} and customer_id = ${customerId}`.execute(db);
  return run.rows[0]?.trigger === 'lms' ? 'lms' : 'oneroster';
}

/** The reason an adopted record's change carries in the run report and the record's history. */
export const ADOPTED_FROM_LMS = 'made by a Sync from LMS; the roster keeps it from now on';
