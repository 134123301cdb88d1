/*
 * The embedded default, as a real process: one `lectern serve` on SQLite runs the web app, the
 * in-process job queue and the Auto scheduler. Three Auto SFTP customers come due; a Manual one and
 * a ZIP Upload one do not get pulled; an on-demand sync through the HTTP API runs beside them. The
 * server is then stopped and started again: nothing is pulled twice.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ADMIN_EMAIL, ADMIN_PASSWORD, seedCustomer } from '../helpers/app.js';
import { sftpSkipReason } from '../helpers/sftp-server.js';
import { waitFor } from '../helpers/wait.js';
import { freePort } from '../helpers/listening.js';
import { makeDue, rosterOf, seedSftpCustomers, useScaleFixture } from './processes.js';

const TIME_ZONE = 'Europe/Berlin';

describe('lectern serve on SQLite: embedded jobs and scheduler', { skip: sftpSkipReason() ?? false }, () => {
  const fx = useScaleFixture('sqlite');

  it('pulls the due Auto customers once, Manual ones only on demand, ZIP Upload ones never', { timeout: 150_000 }, async () => {
    const expected = await seedSftpCustomers(fx.ctx, fx.sftp, 4, TIME_ZONE);
    const [onDemand, ...scheduled] = [...expected.keys()];
    await fx.ctx.db.kysely.updateTable('rostering_configs').set({ sync_frequency: 'manual', period: null }).where('customer_id', '=', onDemand!).execute();
    const zip = await seedCustomer(fx.ctx, { profile: { timeZone: TIME_ZONE }, rostering: { syncType: 'zip', syncFrequency: 'manual', suffix: '@zip-embedded' } });
    const slot = await makeDue(fx.ctx, [...expected.keys(), zip.id], TIME_ZONE);

    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    const serveEnv = { PORT: String(port), HOST: '127.0.0.1', LECTERN_PUBLIC_URL: base };
    const serve = fx.start('serve', ['serve'], serveEnv);
    await waitFor(async () => (await fetch(`${base}/api/health`).catch(() => null))?.ok, 'serve to listen', 60_000, 200);
    const login = await fetch(`${base}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: base },
      body: JSON.stringify({ login: ADMIN_EMAIL, password: ADMIN_PASSWORD }),
    });
    const { csrfToken } = (await login.json()) as { csrfToken: string };
    const cookie = login.headers
      .getSetCookie()
      .map((c) => c.split(';')[0])
      .join('; ');
    const sync = await fetch(`${base}/api/customers/${onDemand}/roster/sync`, {
      method: 'POST',
      headers: { cookie, 'x-csrf-token': csrfToken, origin: base, 'content-type': 'application/json' },
      body: '{}',
    });
    assert.equal(sync.status, 202);

    const succeeded = async () => fx.ctx.db.kysely.selectFrom('roster_runs').select(['customer_id', 'actor_label']).where('status', '=', 'succeeded').execute();
    await waitFor(async () => (await succeeded()).length === 4, 'the three scheduled pulls and the on-demand one', 40_000, 250);
    for (const [id, sourcedIds] of expected) assert.deepEqual(await rosterOf(fx.ctx, id), sourcedIds);
    const byCustomer = new Map((await succeeded()).map((r) => [r.customer_id, r.actor_label]));
    for (const id of scheduled) assert.equal(byCustomer.get(id), 'Auto schedule');
    assert.equal(byCustomer.get(onDemand!), ADMIN_EMAIL);
    const schedules = await fx.ctx.db.kysely.selectFrom('roster_schedules').selectAll().execute();
    for (const id of scheduled) assert.equal(schedules.find((s) => s.customer_id === id)?.last_claimed_at, slot);
    for (const id of [onDemand!, zip.id]) assert.equal(schedules.find((s) => s.customer_id === id)?.last_claimed_at, null, 'never claimed');

    // A restart finds nothing due: the slots were claimed, the next ones are an hour away.
    serve.proc.kill('SIGTERM');
    assert.equal((await serve.exited).code, 0, 'a clean shutdown');
    fx.start('serve again', ['serve'], serveEnv);
    await waitFor(async () => (await fetch(`${base}/api/health`).catch(() => null))?.ok, 'serve to listen again', 60_000, 200);
    await new Promise((r) => setTimeout(r, 2500));
    assert.equal((await fx.ctx.db.kysely.selectFrom('roster_runs').select('id').execute()).length, 4, 'no second pull');
    assert.equal((await fx.ctx.db.kysely.selectFrom('jobs').select('id').where('name', '=', 'roster.pull').execute()).length, 0, 'no pull left waiting');
  });
});
