import type { Kysely } from 'kysely';
import type { Database, RestSyncStatesTable } from '../../db/schema.js';

/** A customer's REST pull memory (see migration 0007); every query names the customer. */
export class RestStateRepository {
  constructor(private readonly db: Kysely<Database>) {}

  /** The customer's state, if a pull ever succeeded. */
  find(customerId: string): Promise<RestSyncStatesTable | undefined> {
    return this.db.selectFrom('rest_sync_states').selectAll().where('customer_id', '=', customerId).executeTakeFirst();
  }

  /** Records a successful pull that started at `startedAt`; a full one also restarts the weekly clock. */
  async recordSuccess(customerId: string, runId: string, startedAt: string, full: boolean, now: string): Promise<void> {
    const current = await this.find(customerId);
    if (!current) {
      // Only a full pull creates the state: an incremental one needs a full one before it.
      if (!full) return;
      await this.db.insertInto('rest_sync_states').values({ customer_id: customerId, last_pull_at: startedAt, last_full_at: startedAt, last_run_id: runId, updated_at: now }).execute();
      return;
    }
    await this.db
      .updateTable('rest_sync_states')
      .set({ last_pull_at: startedAt, ...(full ? { last_full_at: startedAt } : {}), last_run_id: runId, updated_at: now })
      .where('customer_id', '=', customerId)
      .execute();
  }
}
