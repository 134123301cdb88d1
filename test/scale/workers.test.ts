/*
 * The job engine at scale, with real processes: one `lectern serve` and two `lectern worker` on a
 * fresh PostgreSQL database, 20 Auto customers each pulling its own bundle from a real OpenSSH
 * sftp-server. All 20 come due at once; three schedulers (serve runs jobs too) race to claim the
 * slots. Worker A is killed (SIGKILL, by the `apply.mid` failpoint, inside its first apply
 * transaction). Every customer must end with exactly its roster, each slot claimed once, the dead
 * runs failed as INTERRUPTED, and no customer pulled by two processes at once (from the pull
 * start/end lines every process writes, with the killed process's death as the end of its pulls).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { sql } from 'kysely';
import { ADMIN_EMAIL, ADMIN_PASSWORD } from '../helpers/app.js';
import { postgresSkipReason } from '../helpers/databases.js';
import { sftpSkipReason } from '../helpers/sftp-server.js';
import { waitFor } from '../helpers/wait.js';
import { freePort } from '../helpers/listening.js';
import { describeProcesses, makeDue, rosterOf, seedSftpCustomers, useScaleFixture } from './processes.js';

const CUSTOMERS = 20;
const TIME_ZONE = 'America/Chicago';
const skip = postgresSkipReason() ?? sftpSkipReason();

describe('serve + two workers on PostgreSQL, one killed mid-run', { skip: skip ?? false }, () => {
  const fx = useScaleFixture('postgres', { LECTERN_JOBS: 'postgres' });
  const start = fx.start;

  it('pulls every customer exactly once to exactly its roster, never two at once, despite a worker killed mid-apply', { timeout: 150_000 }, async () => {
    const began = Date.now();
    const expected = await seedSftpCustomers(fx.ctx, fx.sftp, CUSTOMERS, TIME_ZONE);

    const port = await freePort();
    const serve = start('serve', ['serve'], { PORT: String(port), HOST: '127.0.0.1', LECTERN_PUBLIC_URL: `http://127.0.0.1:${port}` });
    const doomed = start('worker A', ['worker'], { LECTERN_FAILPOINT: 'apply.mid', LECTERN_JOB_CONCURRENCY: '4' });
    const survivor = start('worker B', ['worker']);
    const base = `http://127.0.0.1:${port}`;
    // A process that died or waits says why: its last lines, and what each database session is doing.
    const explain = async (err: Error) => {
      const sessions = await sql<{
        line: string;
      }>`select concat_ws(' ', pid, state, wait_event_type || ':' || wait_event, left(query, 160)) as line from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid()`.execute(
        fx.ctx.db.kysely,
      );
      throw new Error(`${err.message}\n${describeProcesses([serve, doomed, survivor])}\n--- database sessions\n${sessions.rows.map((r) => r.line).join('\n')}`);
    };
    await waitFor(
      async () => {
        if (serve.proc.exitCode !== null) throw new Error('serve exited before it listened');
        return (await fetch(`${base}/api/health`).catch(() => null))?.ok;
      },
      'serve to listen',
      60_000,
      200,
    ).catch(explain);
    // Each process loads the program and migrates before it says it is ready: on a 2-core machine
    // loaded by the other test files that can take many seconds.
    await waitFor(() => [doomed, survivor].every((w) => w.output.some((l) => l.startsWith('Lectern worker (postgres jobs)'))), 'both workers to start', 60_000, 100).catch(explain);

    // The hour comes for all 20 at once.
    const slot = await makeDue(fx.ctx, expected.keys(), TIME_ZONE);

    const death = await Promise.race([doomed.exited, new Promise<null>((r) => setTimeout(() => r(null), 30_000))]);
    assert.ok(death, `worker A should have been killed inside an apply:\n${describeProcesses([doomed], 20)}`);
    assert.equal(death.signal, 'SIGKILL');

    const ids = [...expected.keys()];
    const runsOf = () =>
      fx.ctx.db.kysely.selectFrom('roster_runs').select(['id', 'customer_id', 'status', 'error_code', 'actor_label', 'started_at', 'finished_at']).where('customer_id', 'in', ids).execute();
    await waitFor(
      async () => {
        const runs = await runsOf();
        return ids.every((id) => runs.some((r) => r.customer_id === id && r.status === 'succeeded')) && runs.every((r) => r.status !== 'queued' && r.status !== 'running');
      },
      'every customer to finish a successful pull and no run left open',
      45_000,
      250,
    ).catch(async (err: unknown) => {
      // Say where things stood: the runs, and what each process said last.
      const runs = await runsOf();
      const summary = runs.map((r) => `${r.customer_id.slice(0, 8)} ${r.status} ${r.error_code ?? ''} ${r.started_at ?? ''}`).join('\n');
      const jobs = await sql`select id, attempts, max_attempts, locked_by, locked_at, last_error from graphile_worker._private_jobs`.execute(fx.ctx.db.kysely);
      const workers = await fx.ctx.db.kysely.selectFrom('job_workers').selectAll().execute();
      console.error(JSON.stringify({ jobs: jobs.rows, workers }, null, 1));
      throw new Error(`${(err as Error).message}\n${summary}\n${describeProcesses(fx.children)}`);
    });

    // Exactly the expected roster per customer.
    for (const [id, sourcedIds] of expected) assert.deepEqual(await rosterOf(fx.ctx, id), sourcedIds, `customer ${id}`);
    // One claim per customer for the slot, one success each, and only the killed runs failed.
    const schedules = await fx.ctx.db.kysely.selectFrom('roster_schedules').select(['customer_id', 'last_claimed_at']).where('customer_id', 'in', ids).execute();
    assert.ok(schedules.every((s) => s.last_claimed_at === slot));
    const runs = await runsOf();
    for (const id of ids) assert.equal(runs.filter((r) => r.customer_id === id && r.status === 'succeeded').length, 1, `one successful pull of ${id}`);
    const failed = runs.filter((r) => r.status === 'failed');
    assert.ok(failed.length >= 1, 'the killed worker left at least one run behind');
    assert.ok(
      failed.every((r) => r.error_code === 'INTERRUPTED'),
      JSON.stringify(failed),
    );
    assert.ok(runs.every((r) => r.actor_label === 'Auto schedule'));

    // From every process's pull lines: no customer's pulls overlap in time.
    const spans = new Map<string, { from: number; to: number; who: string }[]>();
    for (const child of fx.children) {
      const open = new Map<string, number>();
      const died = child === doomed ? death.at : Number.POSITIVE_INFINITY;
      for (const line of child.output) {
        const m = /^(\S+) \[pull\] pid=\d+ (start|end) customer=(\S+)/.exec(line);
        if (!m) continue;
        const [, at, what, customer] = m as unknown as [string, string, string, string];
        if (what === 'start') open.set(customer, Date.parse(at));
        else {
          spans.set(customer, [...(spans.get(customer) ?? []), { from: open.get(customer)!, to: Date.parse(at), who: child.name }]);
          open.delete(customer);
        }
      }
      for (const [customer, from] of open) spans.set(customer, [...(spans.get(customer) ?? []), { from, to: died, who: child.name }]);
    }
    for (const id of ids) {
      const s = (spans.get(id) ?? []).sort((a, b) => a.from - b.from);
      assert.ok(s.length >= 1, `a pull of ${id} was logged`);
      for (let k = 1; k < s.length; k++) assert.ok(s[k]!.from >= s[k - 1]!.to, `pulls of ${id} overlap: ${JSON.stringify(s)}`);
    }
    assert.ok(
      [...spans.values()].some((s) => s.some((x) => x.who === 'worker A')),
      'worker A pulled before it died',
    );

    // The stateless web side reports it: no stale feed, and each customer's last sync succeeded.
    const health = (await (await fetch(`${base}/api/health`)).json()) as { status: string; staleFeeds: number };
    assert.deepEqual(health, { status: 'ok', database: 'postgres', staleFeeds: 0 });
    const login = await fetch(`${base}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: base },
      body: JSON.stringify({ login: ADMIN_EMAIL, password: ADMIN_PASSWORD }),
    });
    assert.equal(login.status, 200);
    const cookie = login.headers
      .getSetCookie()
      .map((c) => c.split(';')[0])
      .join('; ');
    const list = (await (await fetch(`${base}/api/customers?pageSize=100`, { headers: { cookie } })).json()) as { items: { id: string; rostering: { lastRun: { status: string } | null } }[] };
    for (const id of ids) assert.equal(list.items.find((c) => c.id === id)?.rostering.lastRun?.status, 'succeeded');
    assert.ok(serve.proc.exitCode === null && survivor.proc.exitCode === null, 'serve and worker B are still running');
    console.error(`scale test: ${CUSTOMERS} customers, ${runs.length} runs (${failed.length} interrupted) in ${((Date.now() - began) / 1000).toFixed(1)} s`);
  });
});
