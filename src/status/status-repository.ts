import type { Kysely } from 'kysely';
import { containsPattern, matches } from '../accounts/user-repository.js';
import type { Database } from '../db/schema.js';
import type { StatusSource } from './status-view.js';

/** What the status page filters on in SQL (the states are worked out after, in the service). */
export interface StatusFilter {
  search?: string;
  source?: StatusSource;
}

/** A customer with the rostering settings and schedule the status page needs. */
export interface StatusCustomerRow {
  id: string;
  name: string;
  code: string;
  status: 'active' | 'disabled';
  time_zone: string;
  created_at: string;
  type: 'none' | 'oneroster';
  sync_type: 'api' | 'sftp' | 'zip' | null;
  sync_frequency: 'auto' | 'manual' | null;
  period: string | null;
  next_run_at: string | null;
}

/**
 * The platform-wide reads behind the enterprise admin's status page: a fixed handful of set-based
 * queries whatever the number of customers (never one per customer).
 */
export class StatusRepository {
  constructor(private readonly db: Kysely<Database>) {}

  /** Every customer matching the filter, with its rostering settings and next scheduled slot. */
  async customersPlatformWide(f: StatusFilter): Promise<StatusCustomerRow[]> {
    let q = this.db
      .selectFrom('customers as c')
      .innerJoin('rostering_configs as r', 'r.customer_id', 'c.id')
      .leftJoin('roster_schedules as s', 's.customer_id', 'c.id')
      .select(['c.id', 'c.name', 'c.code', 'c.status', 'c.time_zone', 'c.created_at', 'r.type', 'r.sync_type', 'r.sync_frequency', 'r.period', 's.next_run_at']);
    if (f.search) {
      const pattern = containsPattern(f.search);
      q = q.where((eb) => eb.or(['c.name', 'c.code'].map((col) => matches(col, pattern))));
    }
    if (f.source === 'none') q = q.where('r.type', '=', 'none');
    else if (f.source) q = q.where('r.type', '=', 'oneroster').where('r.sync_type', '=', f.source);
    return q.orderBy('c.name').orderBy('c.id').execute();
  }

  /** Runs held for approval, per customer: how many and the oldest one's id. */
  async heldRunsPlatformWide(): Promise<Map<string, { count: number; oldestRunId: string }>> {
    const rows = await this.db.selectFrom('roster_runs').select(['customer_id', 'id', 'created_at']).where('status', '=', 'awaiting_approval').orderBy('customer_id').orderBy('created_at').execute();
    const out = new Map<string, { count: number; oldestRunId: string }>();
    for (const r of rows) {
      const seen = out.get(r.customer_id);
      if (seen) seen.count++;
      else out.set(r.customer_id, { count: 1, oldestRunId: r.id });
    }
    return out;
  }

  /** LTI outcome calls made since `since` that failed for good, counted per customer. */
  async failedOutcomeCallsPlatformWide(since: string): Promise<Map<string, number>> {
    const rows = await this.db
      .selectFrom('lti_outcome_calls')
      .select((eb) => ['customer_id', eb.fn.countAll<number>().as('n')])
      .where('status', '=', 'failed')
      .where('created_at', '>=', since)
      .groupBy('customer_id')
      .execute();
    return new Map(rows.map((r) => [r.customer_id, Number(r.n)]));
  }
}
