import type { Kysely } from 'kysely';
import { DateTime, type DurationLike } from 'luxon';
import type { Database, RosterRun, RosteringConfig } from '../db/schema.js';
import type { Period } from './schedule.js';

/** How a customer's roster feed is doing: its last sync and its last successful one. */
export interface FeedStatus {
  lastRun: { runId: string; status: RosterRun['status']; trigger: string; actor: string; createdAt: string; finishedAt: string | null } | null;
  lastSuccessAt: string | null;
}

const SUCCEEDED = ['succeeded', 'succeeded_with_warnings'] as const;

// Two periods, in calendar units: two months after 31 January is 31 March, not 28 March.
const TWO_PERIODS: Record<Period, DurationLike> = {
  hourly: { hours: 2 },
  every6Hours: { hours: 12 },
  every12Hours: { hours: 24 },
  daily: { days: 2 },
  weekly: { weeks: 2 },
  monthly: { months: 2 },
};

/** Whether the Auto scheduler pulls this customer (Auto, with a period, from SFTP or an API). */
export function isScheduled(r: Pick<RosteringConfig, 'type' | 'sync_type' | 'sync_frequency' | 'period'>): boolean {
  return r.type === 'oneroster' && (r.sync_type === 'sftp' || r.sync_type === 'api') && r.sync_frequency === 'auto' && Boolean(r.period);
}

/**
 * A stale feed: an Auto customer without a successful sync for two of its periods, counted on the
 * customer's own calendar from its last success or, before any, from when the customer was added
 * (a feed that has never delivered is stale too; edits to the customer do not reset the clock).
 */
export function isStale(r: Pick<RosteringConfig, 'type' | 'sync_type' | 'sync_frequency' | 'period'>, timeZone: string, lastSuccessAt: string | null, addedAt: string, now: Date): boolean {
  if (!isScheduled(r)) return false;
  const since = DateTime.fromISO(lastSuccessAt ?? addedAt, { zone: timeZone });
  const twoPeriods = TWO_PERIODS[r.period as Period];
  if (!since.isValid || !twoPeriods) return false;
  return since.plus(twoPeriods).toMillis() <= now.getTime();
}

/** The last sync (previews aside) and last success of each of `customerIds`. */
export async function feedStatuses(db: Kysely<Database>, customerIds: string[]): Promise<Map<string, FeedStatus>> {
  const out = new Map<string, FeedStatus>(customerIds.map((id) => [id, { lastRun: null, lastSuccessAt: null }]));
  if (!customerIds.length) return out;
  const [latest, successes] = await Promise.all([
    db
      .selectFrom('roster_runs as r')
      .select(['r.id', 'r.customer_id', 'r.status', 'r.trigger', 'r.actor_label', 'r.created_at', 'r.finished_at'])
      .where('r.customer_id', 'in', customerIds)
      .where('r.dry_run', '=', 0)
      .where((eb) =>
        eb(
          'r.created_at',
          '=',
          eb
            .selectFrom('roster_runs as l')
            .select((e) => e.fn.max('l.created_at').as('m'))
            .whereRef('l.customer_id', '=', 'r.customer_id')
            .where('l.dry_run', '=', 0),
        ),
      )
      .execute(),
    lastSuccesses(db, customerIds),
  ]);
  for (const r of latest) {
    out.get(r.customer_id)!.lastRun = { runId: r.id, status: r.status, trigger: r.trigger, actor: r.actor_label, createdAt: r.created_at, finishedAt: r.finished_at };
  }
  for (const [id, at] of successes) out.get(id)!.lastSuccessAt = at;
  return out;
}

/** How many Auto customers have a stale feed now (for `/api/health`). Platform-wide. */
export async function countStaleFeedsPlatformWide(db: Kysely<Database>, now: Date): Promise<number> {
  return (await staleFeedsPlatformWide(db, now)).length;
}

/** The active Auto customers whose feed is stale now, with their last success (null: never). Platform-wide. */
export async function staleFeedsPlatformWide(db: Kysely<Database>, now: Date): Promise<{ customerId: string; lastSuccessAt: string | null }[]> {
  const scheduled = await db
    .selectFrom('customers as c')
    .innerJoin('rostering_configs as r', 'r.customer_id', 'c.id')
    .select(['c.id', 'c.time_zone', 'c.created_at', 'r.type', 'r.sync_type', 'r.sync_frequency', 'r.period'])
    .where('c.status', '=', 'active')
    .where('r.type', '=', 'oneroster')
    .where('r.sync_type', 'in', ['sftp', 'api'])
    .where('r.sync_frequency', '=', 'auto')
    .execute();
  const successes = await lastSuccesses(db, null);
  return scheduled.filter((c) => isStale(c, c.time_zone, successes.get(c.id) ?? null, c.created_at, now)).map((c) => ({ customerId: c.id, lastSuccessAt: successes.get(c.id) ?? null }));
}

// customer id → when its last applied (not preview) run finished; all customers when `ids` is null.
async function lastSuccesses(db: Kysely<Database>, ids: string[] | null): Promise<Map<string, string>> {
  let q = db
    .selectFrom('roster_runs')
    .select((eb) => ['customer_id', eb.fn.max('finished_at').as('at')])
    .where('status', 'in', [...SUCCEEDED])
    .where('dry_run', '=', 0)
    .groupBy('customer_id');
  if (ids) q = q.where('customer_id', 'in', ids);
  const rows = await q.execute();
  return new Map(rows.filter((r) => r.at).map((r) => [r.customer_id, String(r.at)]));
}
