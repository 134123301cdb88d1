import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { sql } from 'kysely';
import { operatorActor } from '../accounts/policy.js';
import { createContext, type AppContext } from '../context.js';
import { describeEachDialect, seedCustomer, startTestApp, type TestApp } from '../../test/helpers/app.js';
import { RosterScheduler } from './scheduler.js';
import { isStale } from './scheduler-feeds.js';
import { scheduleBasis } from './scheduler-repository.js';

/*
 * The Auto scheduler on both dialects: due and not due, Manual and ZIP customers never, a settings
 * change re-plans, slots across daylight-saving changes are claimed once each, and two schedulers
 * (two connections, as two processes would have) racing over the same due slots queue each once.
 */
describeEachDialect('Auto scheduler', (dialect) => {
  let t: TestApp;
  let second: AppContext;
  before(async () => {
    t = await startTestApp(dialect);
    // PostgreSQL: a second pool, as another process would have. SQLite's embedded mode is one process
    // (better-sqlite3 waits for a lock synchronously, so two connections in one process deadlock):
    // there both schedulers share the connection, and still both read every due slot before claiming.
    second = dialect === 'postgres' ? await createContext(t.ctx.config) : t.ctx;
  });
  after(async () => {
    if (second !== t.ctx) await second.close();
    await t.close();
  });

  const customer = (rostering: Record<string, unknown> = {}, timeZone = 'America/New_York') =>
    seedCustomer(t.ctx, { profile: { timeZone }, rostering: { syncFrequency: 'auto', period: 'hourly', suffix: `@sch-${Math.random().toString(36).slice(2, 8)}`, ...rostering } });
  const schedule = (customerId: string) => t.ctx.db.kysely.selectFrom('roster_schedules').selectAll().where('customer_id', '=', customerId).executeTakeFirst();
  const setSlot = (customerId: string, slot: string, period = 'hourly', timeZone = 'America/New_York') =>
    t.ctx.db.kysely
      .insertInto('roster_schedules')
      .values({ customer_id: customerId, next_run_at: slot, basis: scheduleBasis(period, timeZone), last_claimed_at: null, updated_at: slot })
      .onConflict((oc) => oc.column('customer_id').doUpdateSet({ next_run_at: slot, basis: scheduleBasis(period, timeZone) }))
      .execute();
  // The customers a queued roster.pull job is for, whichever engine holds it.
  const queuedPulls = async (): Promise<string[]> => {
    const rows =
      t.ctx.jobs.engine === 'embedded'
        ? await t.ctx.db.kysely.selectFrom('jobs').select('payload').where('name', '=', 'roster.pull').execute()
        : (
            await sql<{ payload: unknown }>`select j.payload from graphile_worker._private_jobs j join graphile_worker._private_tasks t on t.id = j.task_id where t.identifier = 'roster.pull'`.execute(
              t.ctx.db.kysely,
            )
          ).rows;
    return rows.map((r) => (typeof r.payload === 'string' ? JSON.parse(r.payload) : r.payload) as { customerId: string }).map((p) => p.customerId);
  };
  const pullsFor = async (id: string) => (await queuedPulls()).filter((c) => c === id).length;

  it('plans a new Auto customer for its next slot, queues nothing before it, and queues one pull when it comes', async () => {
    const c = await customer();
    const scheduler = new RosterScheduler(t.ctx);
    const t0 = new Date('2026-06-10T14:20:00Z');
    const first = await scheduler.tick(t0);
    assert.ok(first.planned.includes(c.id));
    assert.ok(!first.queued.includes(c.id));
    assert.equal((await schedule(c.id))?.next_run_at, '2026-06-10T15:00:00.000Z');

    assert.ok(!(await scheduler.tick(new Date('2026-06-10T14:59:59Z'))).queued.includes(c.id), 'not due yet');
    const due = await scheduler.tick(new Date('2026-06-10T15:00:20Z'));
    assert.ok(due.queued.includes(c.id));
    const row = await schedule(c.id);
    assert.deepEqual([row?.last_claimed_at, row?.next_run_at], ['2026-06-10T15:00:00.000Z', '2026-06-10T16:00:00.000Z']);
    assert.equal(await pullsFor(c.id), 1);
    assert.ok(!(await scheduler.tick(new Date('2026-06-10T15:00:40Z'))).queued.includes(c.id), 'the same slot is not queued again');
    assert.equal(await pullsFor(c.id), 1);

    // Slots missed while nothing ran collapse into one pull, and the next slot is in the future.
    await setSlot(c.id, '2026-06-10T16:00:00.000Z');
    assert.ok((await scheduler.tick(new Date('2026-06-10T19:30:00Z'))).queued.includes(c.id));
    assert.equal((await schedule(c.id))?.next_run_at, '2026-06-10T20:00:00.000Z');
  });

  it('never schedules Manual or ZIP Upload customers, nor disabled ones', async () => {
    const manual = await customer({ syncFrequency: 'manual' });
    const zip = await customer({ syncType: 'zip', syncFrequency: 'manual' });
    const disabled = await customer();
    await t.ctx.db.kysely.updateTable('customers').set({ status: 'disabled' }).where('id', '=', disabled.id).execute();
    for (const c of [manual, zip, disabled]) await setSlot(c.id, '2026-06-10T15:00:00.000Z');
    const result = await new RosterScheduler(t.ctx).tick(new Date('2026-06-10T15:00:20Z'));
    for (const c of [manual, zip, disabled]) {
      assert.ok(!result.queued.includes(c.id) && !result.planned.includes(c.id));
      assert.equal(await pullsFor(c.id), 0);
    }
  });

  it('re-plans a customer whose period or time zone changed instead of running the old slot', async () => {
    const c = await customer({ period: 'daily' }, 'Europe/Berlin');
    await setSlot(c.id, '2026-06-10T15:00:00.000Z', 'hourly', 'Europe/Berlin');
    const result = await new RosterScheduler(t.ctx).tick(new Date('2026-06-10T15:00:20Z'));
    assert.ok(result.planned.includes(c.id) && !result.queued.includes(c.id));
    // Daily runs at 02:00 in Berlin (CEST, UTC+2).
    assert.deepEqual([(await schedule(c.id))?.next_run_at, (await schedule(c.id))?.basis], ['2026-06-11T00:00:00.000Z', 'daily@Europe/Berlin']);
  });

  it('claims each slot once across both daylight-saving changes', async () => {
    const scheduler = new RosterScheduler(t.ctx);
    // Daily at 02:00 New York: on 8 March 2026 02:00 does not exist and the run is at 03:00 EDT.
    const daily = await customer({ period: 'daily' });
    await setSlot(daily.id, '2026-03-08T07:00:00.000Z', 'daily');
    assert.ok((await scheduler.tick(new Date('2026-03-08T07:00:05Z'))).queued.includes(daily.id));
    assert.equal((await schedule(daily.id))?.next_run_at, '2026-03-09T06:00:00.000Z', 'back to 02:00, now EDT');
    // On 1 November 2026 01:00 happens twice; 02:00 EST is 07:00Z.
    await setSlot(daily.id, '2026-11-01T07:00:00.000Z', 'daily');
    assert.ok((await scheduler.tick(new Date('2026-11-01T07:00:05Z'))).queued.includes(daily.id));
    assert.equal((await schedule(daily.id))?.next_run_at, '2026-11-02T07:00:00.000Z');

    // Hourly through the repeated hour: every real hour is one slot, claimed once.
    const hourly = await customer();
    await setSlot(hourly.id, '2026-11-01T05:00:00.000Z');
    const claimed: string[] = [];
    for (let m = 0; m < 4 * 60; m += 20) {
      const at = new Date(Date.parse('2026-11-01T05:00:10Z') + m * 60_000);
      const before = (await schedule(hourly.id))?.next_run_at;
      if ((await scheduler.tick(at)).queued.includes(hourly.id)) claimed.push(before!);
    }
    assert.deepEqual(claimed, ['2026-11-01T05:00:00.000Z', '2026-11-01T06:00:00.000Z', '2026-11-01T07:00:00.000Z', '2026-11-01T08:00:00.000Z']);
  });

  it('queues each due slot exactly once when two schedulers race', async () => {
    const customers = await Promise.all(Array.from({ length: 8 }, () => customer()));
    const a = new RosterScheduler(t.ctx);
    const b = new RosterScheduler(second);
    const queuedBy = new Map<string, number>();
    for (let round = 0; round < 3; round++) {
      const slot = new Date(Date.parse('2026-07-01T10:00:00Z') + round * 3600_000);
      for (const c of customers) await setSlot(c.id, slot.toISOString());
      const now = new Date(slot.getTime() + 5_000);
      const [ra, rb] = await Promise.all([a.tick(now), b.tick(now)]);
      for (const id of [...ra.queued, ...rb.queued]) queuedBy.set(id, (queuedBy.get(id) ?? 0) + 1);
      assert.equal(ra.queued.filter((id) => rb.queued.includes(id)).length, 0, 'no slot queued by both');
    }
    for (const c of customers) assert.equal(queuedBy.get(c.id), 3, 'one claim per slot');
    // A scheduled pull still waiting absorbs the next slot's: one waiting pull per customer.
    for (const c of customers) assert.equal(await pullsFor(c.id), 1);
  });

  it('flags an Auto customer without a successful sync for two periods as stale, in the list and in /api/health', async () => {
    const now = new Date();
    const stale = await customer({ period: 'daily' });
    const fresh = await customer({ period: 'daily' });
    const manual = await customer({ syncFrequency: 'manual' });
    const longAgo = new Date(now.getTime() - 3 * 86_400_000).toISOString();
    await t.ctx.db.kysely.updateTable('customers').set({ created_at: longAgo }).where('id', 'in', [stale.id, fresh.id, manual.id]).execute();
    // fresh succeeded a day ago; stale failed a day ago and never succeeded.
    for (const [c, status] of [
      [fresh, 'succeeded'],
      [stale, 'failed'],
    ] as const) {
      const run = await t.ctx.runs.create(operatorActor, c.id, { trigger: 'sftp', fileName: 'roster.zip', sizeBytes: 0, sha256: '', bundlePath: null, dryRun: false });
      const at = new Date(now.getTime() - 86_400_000).toISOString();
      await t.ctx.db.kysely.updateTable('roster_runs').set({ status, stage: 'done', created_at: at, started_at: at, finished_at: at }).where('id', '=', run.runId).execute();
    }
    const admin = await t.asAdmin();
    const list = await admin.get<{ items: { id: string; rostering: { stale: boolean; lastRun: { status: string } | null } }[] }>('/api/customers?pageSize=500');
    const byId = new Map(list.body.items.map((i) => [i.id, i.rostering]));
    assert.deepEqual([byId.get(stale.id)?.stale, byId.get(stale.id)?.lastRun?.status], [true, 'failed']);
    assert.deepEqual([byId.get(fresh.id)?.stale, byId.get(fresh.id)?.lastRun?.status], [false, 'succeeded']);
    assert.deepEqual([byId.get(manual.id)?.stale, byId.get(manual.id)?.lastRun], [false, null]);
    const one = await admin.get<{ rostering: { stale: boolean } }>(`/api/customers/${stale.id}`);
    assert.equal(one.body.rostering.stale, true);
    // Editing the customer neither clears the flag nor records it as a change.
    const edited = await admin.patch<{ rostering: { stale: boolean; lastRun: { status: string } | null } }>(`/api/customers/${stale.id}`, { profile: { name: 'Renamed District' } });
    assert.equal(edited.status, 200);
    assert.deepEqual([edited.body.rostering.stale, edited.body.rostering.lastRun?.status], [true, 'failed']);
    const audit = await t.ctx.db.kysely.selectFrom('audit_log').select('fields').where('customer_id', '=', stale.id).where('action', '=', 'customer.updated').executeTakeFirstOrThrow();
    assert.deepEqual(JSON.parse(audit.fields), ['profile.name']);

    const health = await t.client().get<{ status: string; database: string; staleFeeds: number }>('/api/health');
    assert.equal(health.status, 200);
    assert.deepEqual([health.body.status, health.body.database], ['ok', dialect]);
    const expected = list.body.items.filter((i) => i.rostering.stale).length;
    assert.ok(expected >= 1);
    assert.equal(health.body.staleFeeds, expected);
  });
});

it('isStale counts two of the customer’s periods on its own calendar', () => {
  const r = { type: 'oneroster' as const, sync_type: 'sftp' as const, sync_frequency: 'auto' as const, period: 'monthly' };
  const added = '2026-01-31T12:00:00.000Z';
  // Two calendar months after 31 January is 31 March.
  assert.equal(isStale(r, 'UTC', null, added, new Date('2026-03-30T12:00:00Z')), false);
  assert.equal(isStale(r, 'UTC', null, added, new Date('2026-03-31T12:00:00Z')), true);
  assert.equal(isStale({ ...r, period: 'hourly' }, 'UTC', '2026-03-31T10:30:00.000Z', added, new Date('2026-03-31T12:29:00Z')), false);
  assert.equal(isStale({ ...r, period: 'hourly' }, 'UTC', '2026-03-31T10:30:00.000Z', added, new Date('2026-03-31T12:30:00Z')), true);
  assert.equal(isStale({ ...r, sync_frequency: 'manual' }, 'UTC', null, added, new Date('2030-01-01T00:00:00Z')), false);
  assert.equal(isStale({ ...r, sync_type: 'zip' }, 'UTC', null, added, new Date('2030-01-01T00:00:00Z')), false);
});
