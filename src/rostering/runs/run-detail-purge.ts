import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema.js';

/**
 * Deletes the row-level details of roster runs finished more than `detailDays` ago: their issues
 * (which quote sourcedIds and cells) and their changes (which name people and list the fields each
 * run changed). The run itself stays, with its counts, times and who started it, so run history and
 * its chart keep their shape. Without this, a person's former names and e-mails would outlive them
 * in old runs for as long as the customer. Returns how many detail rows went.
 */
export async function purgeRunDetails(db: Kysely<Database>, detailDays: number, now: Date = new Date()): Promise<number> {
  const cutoff = new Date(now.getTime() - detailDays * 86_400_000).toISOString();
  const old = db.selectFrom('roster_runs').select('id').where('finished_at', 'is not', null).where('finished_at', '<', cutoff);
  return db.transaction().execute(async (trx) => {
    const issues = await trx.deleteFrom('roster_run_issues').where('run_id', 'in', old).executeTakeFirst();
    const changes = await trx.deleteFrom('roster_run_changes').where('run_id', 'in', old).executeTakeFirst();
    return Number(issues.numDeletedRows) + Number(changes.numDeletedRows);
  });
}
