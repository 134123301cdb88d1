import { sql, type Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import { addMs, nowIso } from '../time.js';
import { releaseBundle } from './runs/bundle-store.js';
import { RunRepository } from './runs/run-repository.js';
import { endUnapplied } from './sync/engine.js';
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
      const expired = sql`from ${sql.table(t.live)} where customer_id = ${c.customer_id} and status = 'deleted' and deleted_at < ${cutoff}`;
      const res = await db.transaction().execute(async (trx) => {
        // A purged record's history goes with it: the run changes that named it (with its former
        // values) and the issues that quoted its sourcedId; runs keep their counts.
        await sql`delete from roster_run_changes where entity = ${t.entity} and target_id in (select id ${expired})`.execute(trx);
        await sql`delete from roster_run_issues where sourced_id in (select sourced_id ${expired})
          and run_id in (select id from roster_runs where customer_id = ${c.customer_id})`.execute(trx);
        return sql`delete ${expired}`.execute(trx);
      });
      removed += Number(res.numAffectedRows ?? 0);
    }
    result[t.entity] = removed;
  }
  // Roles hang off users by sourcedId; drop those whose user is gone.
  await sql`delete from user_roles where not exists (select 1 from users u where u.customer_id = user_roles.customer_id and u.sourced_id = user_roles.user_sourced_id)`.execute(db);
  return result;
}

/**
 * Discards runs held for approval longer than `retentionDays` (counted from the run's start, a few
 * minutes before the hold): their plan, staged personal data and sealed passwords do not wait
 * forever. Each takes the customer's lease, as an approval does, and changes the status only from
 * `awaiting_approval`, so an approval and this discard never both act. Returns how many it discarded.
 */
export async function expireHeldRuns(db: Kysely<Database>, retentionDays: number, now: Date = new Date()): Promise<number> {
  const cutoff = new Date(now.getTime() - retentionDays * 86_400_000).toISOString();
  const held = await db
    .selectFrom('roster_runs')
    .select(['id', 'customer_id'])
    .where('status', '=', 'awaiting_approval')
    .where('stage', '=', 'awaiting_approval')
    .where((eb) => eb(eb.fn.coalesce('started_at', 'created_at'), '<', cutoff))
    .execute();
  const runs = new RunRepository(db);
  let discarded = 0;
  for (const run of held) {
    // Real time, not `now`: a lease is about processes alive at this moment.
    if (!(await runs.acquireLease(run.customer_id, run.id, nowIso(), addMs(nowIso(), 60_000)))) continue;
    try {
      const at = now.toISOString();
      // The discard and the clearing of its plan commit together (an approval racing it waits, then loses).
      const won = await db.transaction().execute(async (trx) => {
        const ended = await new RunRepository(trx).transition(run.id, 'awaiting_approval', {
          status: 'discarded',
          stage: 'done',
          decided_by: 'Lectern (retention)',
          decided_at: at,
          finished_at: at,
          error_code: 'HOLD_EXPIRED',
          error_message: `Not approved within ${retentionDays} days (LECTERN_BUNDLE_RETENTION_DAYS), so it was discarded: nothing was applied. Run the sync again to make a new plan.`,
        });
        if (ended) await endUnapplied(trx, run.id);
        return ended;
      });
      if (!won) continue;
      await releaseBundle(db, run.id);
      discarded++;
    } finally {
      await runs.releaseLease(run.customer_id, run.id);
    }
  }
  return discarded;
}
