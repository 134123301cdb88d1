import type { Kysely } from 'kysely';
import { assertPlatformAdmin, type Actor } from '../accounts/policy.js';
import type { Database } from '../db/schema.js';
import { nextRunAt, type Period } from '../rostering/schedule.js';
import { feedStatuses, isScheduled, isStale, type FeedStatus } from '../rostering/scheduler-feeds.js';
import { StatusRepository, type StatusCustomerRow } from './status-repository.js';
import { STATUS_STATES, type CustomerStatus, type StatusPage, type StatusSource, type StatusState } from './status-view.js';

/** What the status page asks for. */
export interface StatusQuery {
  search?: string;
  source?: StatusSource;
  /** Only customers whose state is a problem (failed, held, stale, failed grade reports). */
  problems?: boolean;
  /** Only customers in this state (the counts still cover every state, so the bar stays whole). */
  state?: StatusState;
  limit: number;
  offset: number;
}

const OUTCOME_WINDOW_MS = 7 * 24 * 3600 * 1000;
const PROBLEMS: ReadonlySet<StatusState> = new Set(['failed', 'held', 'stale', 'outcomes']);

/**
 * The enterprise admin's status page: every customer's last sync, next run, stale feed, held runs
 * and failed grade reports. Stale feeds are judged on each customer's own calendar (luxon), so the
 * states are worked out here over the whole filtered list, read in four queries; then the page is
 * cut. A platform has hundreds to a few thousand customers, which this reads in milliseconds.
 */
export class StatusService {
  constructor(private readonly db: Kysely<Database>) {}

  /** A page of customer statuses, with the count of each state over every customer the filter keeps. */
  async list(actor: Actor, q: StatusQuery, now = new Date()): Promise<Omit<StatusPage, 'page' | 'pageSize'>> {
    assertPlatformAdmin(actor);
    const repo = new StatusRepository(this.db);
    const customers = await repo.customersPlatformWide({ search: q.search, source: q.source });
    const ids = customers.map((c) => c.id);
    const [feeds, held, outcomes] = await Promise.all([
      feedStatuses(this.db, ids),
      repo.heldRunsPlatformWide(),
      repo.failedOutcomeCallsPlatformWide(new Date(now.getTime() - OUTCOME_WINDOW_MS).toISOString()),
    ]);
    const rows = customers.map((c) => statusOf(c, feeds.get(c.id) ?? { lastRun: null, lastSuccessAt: null }, held.get(c.id), outcomes.get(c.id) ?? 0, now));
    const kept = q.problems ? rows.filter((r) => PROBLEMS.has(r.state)) : rows;
    const counts = Object.fromEntries(STATUS_STATES.map((s) => [s, 0])) as Record<StatusState, number>;
    for (const r of kept) counts[r.state]++;
    const shown = q.state ? kept.filter((r) => r.state === q.state) : kept;
    // Before the scheduler's first tick a customer has no planned slot: say the one it will plan (as
    // the Customers list does), worked out for the page only (a calendar sum per customer).
    const byId = new Map(customers.map((c) => [c.id, c]));
    const items = shown.slice(q.offset, q.offset + q.limit).map((r) => {
      const c = byId.get(r.customerId);
      return c && !r.nextRunAt && isScheduled(c) && c.status === 'active' ? { ...r, nextRunAt: nextRunAt(c.period as Period, c.time_zone, now).toISOString() } : r;
    });
    return { items, total: shown.length, counts, generatedAt: now.toISOString() };
  }
}

function sourceOf(c: StatusCustomerRow): StatusSource {
  return c.type === 'oneroster' && c.sync_type ? c.sync_type : 'none';
}

// One customer's row; its state is the worst thing about it.
function statusOf(c: StatusCustomerRow, feed: FeedStatus, held: { count: number; oldestRunId: string } | undefined, failedOutcomeCalls: number, now: Date): CustomerStatus {
  const stale = isStale(c, c.time_zone, feed.lastSuccessAt, c.created_at, now);
  const last = feed.lastRun;
  const state: StatusState = last?.status === 'failed' ? 'failed' : held ? 'held' : stale ? 'stale' : failedOutcomeCalls > 0 ? 'outcomes' : last || isScheduled(c) ? 'ok' : 'idle';
  return {
    customerId: c.id,
    name: c.name,
    code: c.code,
    customerStatus: c.status,
    timeZone: c.time_zone,
    source: sourceOf(c),
    syncFrequency: c.sync_frequency,
    period: c.period,
    lastSync: last ? { runId: last.runId, trigger: last.trigger, status: last.status, createdAt: last.createdAt, finishedAt: last.finishedAt } : null,
    lastSuccessAt: feed.lastSuccessAt,
    nextRunAt: isScheduled(c) && c.status === 'active' ? c.next_run_at : null,
    stale,
    heldRuns: held?.count ?? 0,
    oldestHeldRunId: held?.oldestRunId ?? null,
    failedOutcomeCalls,
    state,
  };
}
