import type { AppContext } from '../context.js';
import { nowIso } from '../time.js';
import { nextRunAt, type Period } from './schedule.js';
import { SchedulerRepository, scheduleBasis } from './scheduler-repository.js';
import { enqueuePull, schedulerActor } from './sources/pull.js';

/** What one pass of the scheduler did. */
export interface TickResult {
  /** Customers whose due slot this pass claimed and queued a pull for. */
  queued: string[];
  /** Customers planned for the first time or re-planned after a settings change. */
  planned: string[];
}

/**
 * The Auto scheduler. Each pass finds Auto customers (SFTP or API) whose next slot has come, claims
 * the slot with a compare-and-set on `roster_schedules.next_run_at` and queues one pull in the same
 * transaction, so several servers and workers running it queue each slot once. Slots are computed
 * in the customer's time zone by `schedule.ts`; slots missed while nothing ran collapse into one
 * pull. Manual customers are pulled only on demand, ZIP Upload customers never.
 */
export class RosterScheduler {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<unknown> | null = null;

  constructor(private readonly ctx: AppContext) {}

  /** One pass at `now`. */
  async tick(now = new Date()): Promise<TickResult> {
    const at = now.toISOString();
    const result: TickResult = { queued: [], planned: [] };
    const repo = new SchedulerRepository(this.ctx.db.kysely);
    for (const c of await repo.listCandidatesPlatformWide(at)) {
      const basis = scheduleBasis(c.period, c.timeZone);
      let next: string;
      try {
        next = nextRunAt(c.period as Period, c.timeZone, now).toISOString();
      } catch {
        continue; // An unknown time zone is refused when customers are saved; never stop the others for one.
      }
      if (c.nextRunAt === null || c.basis === null) {
        await repo.insertPlan(c.customerId, next, basis, nowIso());
        result.planned.push(c.customerId);
      } else if (c.basis !== basis) {
        await repo.replan(c.customerId, { nextRunAt: c.nextRunAt, basis: c.basis }, next, basis, nowIso());
        result.planned.push(c.customerId);
      } else if (await this.claimAndQueue(c.customerId, c.nextRunAt, basis, next)) {
        result.queued.push(c.customerId);
      }
    }
    return result;
  }

  /** Ticks every `intervalMs` (the first at once); a pass never overlaps the previous one. */
  start(intervalMs: number): void {
    const pass = () => {
      if (this.running) return;
      this.running = this.tick()
        .catch((err: unknown) => console.error(`scheduler: ${(err as Error).message}`))
        .finally(() => {
          this.running = null;
        });
    };
    pass();
    this.timer = setInterval(pass, intervalMs);
    this.timer.unref();
  }

  /** Stops ticking and waits for a pass in progress. */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.running;
  }

  // The claim and the job commit together: a slot is never claimed without its pull, nor queued twice.
  private claimAndQueue(customerId: string, slot: string, basis: string, next: string): Promise<boolean> {
    return this.ctx.db.kysely.transaction().execute(async (trx) => {
      if (!(await new SchedulerRepository(trx).claim(customerId, slot, basis, next, nowIso()))) return false;
      // At most one scheduled pull waits per customer: a slow source does not pile slots up.
      await enqueuePull(this.ctx.jobs, { customerId, actor: schedulerActor, slot }, { within: trx, jobKey: `schedule:${customerId}` });
      return true;
    });
  }
}
