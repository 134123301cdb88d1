import { sql, type Kysely } from 'kysely';
import type { Database } from '../db/schema.js';

/** A customer the scheduler has to look at: due, never planned, or planned from old settings. */
export interface ScheduleCandidate {
  customerId: string;
  timeZone: string;
  period: string;
  /** null when the scheduler has not planned this customer yet. */
  nextRunAt: string | null;
  basis: string | null;
}

/** `period@timeZone`: what a slot was computed from; a change of either re-plans the customer. */
export function scheduleBasis(period: string, timeZone: string): string {
  return `${period}@${timeZone}`;
}

/** The claim rows of the Auto scheduler (`roster_schedules`); every write names its customer. */
export class SchedulerRepository {
  constructor(private readonly db: Kysely<Database>) {}

  /**
   * Active Auto customers pulling from SFTP or an API that are due at `now`, not yet planned, or
   * planned from another period or time zone. Platform-wide: the scheduler serves every customer.
   */
  listCandidatesPlatformWide(now: string): Promise<ScheduleCandidate[]> {
    return this.db
      .selectFrom('customers as c')
      .innerJoin('rostering_configs as r', 'r.customer_id', 'c.id')
      .leftJoin('roster_schedules as s', 's.customer_id', 'c.id')
      .select(['c.id as customerId', 'c.time_zone as timeZone', 'r.period as period', 's.next_run_at as nextRunAt', 's.basis as basis'])
      .where('c.status', '=', 'active')
      .where('r.type', '=', 'oneroster')
      .where('r.sync_type', 'in', ['sftp', 'api'])
      .where('r.sync_frequency', '=', 'auto')
      .where('r.period', 'is not', null)
      .where((eb) => eb.or([eb('s.customer_id', 'is', null), eb('s.next_run_at', '<=', now), eb('s.basis', '!=', sql<string>`r.period || '@' || c.time_zone`)]))
      .orderBy('s.next_run_at')
      .execute() as Promise<ScheduleCandidate[]>;
  }

  /** Plans a customer's first slot; a row another scheduler wrote first stands. */
  async insertPlan(customerId: string, nextRunAt: string, basis: string, now: string): Promise<void> {
    await this.db
      .insertInto('roster_schedules')
      .values({ customer_id: customerId, next_run_at: nextRunAt, basis, last_claimed_at: null, updated_at: now })
      .onConflict((oc) => oc.column('customer_id').doNothing())
      .execute();
  }

  /** Re-plans a customer whose period or time zone changed, if nobody did since `seen` was read. */
  async replan(customerId: string, seen: { nextRunAt: string; basis: string }, nextRunAt: string, basis: string, now: string): Promise<void> {
    await this.db
      .updateTable('roster_schedules')
      .set({ next_run_at: nextRunAt, basis, updated_at: now })
      .where('customer_id', '=', customerId)
      .where('next_run_at', '=', seen.nextRunAt)
      .where('basis', '=', seen.basis)
      .execute();
  }

  /**
   * Claims the slot `slot` of a customer by moving its next run on to `next` (compare-and-set):
   * true for exactly one caller per slot, whatever the number of schedulers and processes.
   */
  async claim(customerId: string, slot: string, basis: string, next: string, now: string): Promise<boolean> {
    const result = await this.db
      .updateTable('roster_schedules')
      .set({ next_run_at: next, last_claimed_at: slot, updated_at: now })
      .where('customer_id', '=', customerId)
      .where('next_run_at', '=', slot)
      .where('basis', '=', basis)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }
}
