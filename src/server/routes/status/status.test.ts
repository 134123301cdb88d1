import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { after, before, it } from 'node:test';
import { operatorActor } from '../../../accounts/policy.js';
import { describeEachDialect, seedCustomer, startTestApp, type TestApp, type TestClient } from '../../../../test/helpers/app.js';
import type { StatusPage } from '../../../status/status-view.js';

describeEachDialect('Status page API', (dialect) => {
  let t: TestApp;
  let root: TestClient;
  // failing: SFTP Auto whose last pull failed; held: API Auto with a run held for approval; fine: ZIP
  // upload applied; grades: ZIP with a failed LTI grade report this week; stale: Auto, never synced, added long ago.
  const c: Record<'failing' | 'held' | 'fine' | 'grades' | 'stale', Awaited<ReturnType<typeof seedCustomer>>> = {} as never;
  const tag = crypto.randomBytes(3).toString('hex');

  const run = async (customerId: string, trigger: 'sftp' | 'api' | 'upload', status: 'failed' | 'awaiting_approval' | 'succeeded') => {
    const r = await t.ctx.runs.create(operatorActor, customerId, { trigger, fileName: 'x', sizeBytes: 0, sha256: '', bundlePath: null, dryRun: false });
    if (status === 'failed') await t.ctx.runs.fail(r.runId, 'SOURCE_UNREACHABLE', 'The SFTP server did not answer.');
    else await t.ctx.db.kysely.updateTable('roster_runs').set({ status, stage: 'done', finished_at: new Date().toISOString() }).where('id', '=', r.runId).execute();
    return r.runId;
  };

  before(async () => {
    t = await startTestApp(dialect);
    root = await t.asAdmin();
    const zip = { rostering: { syncType: 'zip', syncFrequency: 'manual' } } as const;
    c.failing = await seedCustomer(t.ctx, { profile: { name: `Alpha ${tag}` } });
    c.held = await seedCustomer(t.ctx, {
      profile: { name: `Bravo ${tag}` },
      rostering: { syncType: 'api', url: 'https://sis.bravo.example/ims/oneroster/v1p1', consumerKey: 'k', secretKey: 'Bravo-secret-1', period: 'daily' },
    });
    c.fine = await seedCustomer(t.ctx, { ...zip, profile: { name: `Charlie ${tag}` } });
    c.grades = await seedCustomer(t.ctx, { ...zip, profile: { name: `Delta ${tag}` } });
    c.stale = await seedCustomer(t.ctx, { profile: { name: `Echo ${tag}` }, rostering: { period: 'hourly' } });
    await t.ctx.db.kysely.updateTable('customers').set({ created_at: '2020-01-01T00:00:00.000Z' }).where('id', '=', c.stale.id).execute();
    await run(c.failing.id, 'sftp', 'failed');
    await run(c.held.id, 'api', 'awaiting_approval');
    await run(c.fine.id, 'upload', 'succeeded');
    await run(c.grades.id, 'upload', 'succeeded');
    const k = t.ctx.db.kysely;
    const now = new Date().toISOString();
    const binding = crypto.randomUUID();
    const user = c.grades.created.administrator.userId!;
    await k
      .insertInto('lti_outcome_bindings')
      .values({
        id: binding,
        customer_id: c.grades.id,
        user_id: user,
        consumer_guid: 'g',
        resource_link_id: 'l',
        target_type: 'book',
        target_id: 'b',
        service_url: 'https://lms.example/o',
        result_sourcedid: 'r',
        consumer_key: 'k',
        reported_score: null,
        created_at: now,
        updated_at: now,
      })
      .execute();
    const call = (status: 'failed' | 'succeeded', at: string) => ({
      id: crypto.randomUUID(),
      customer_id: c.grades.id,
      binding_id: binding,
      score: 0.5,
      status,
      attempts: 5,
      last_error: 'HTTP 500',
      created_at: at,
      updated_at: at,
    });
    // Two failures this week count; one of last month and a success do not.
    await k
      .insertInto('lti_outcome_calls')
      .values([call('failed', now), call('failed', now), call('failed', '2020-01-01T00:00:00.000Z'), call('succeeded', now)])
      .execute();
  });
  after(() => t.close());

  const status = async (query = '') => {
    const res = await root.get<StatusPage>(`/api/status?search=${tag}${query}`);
    assert.equal(res.status, 200, JSON.stringify(res.body));
    return res.body;
  };

  it('lists every customer with its last sync, next run, stale feed, held runs and failed grade reports', async () => {
    const page = await status();
    assert.equal(page.total, 5);
    const row = (name: string) => page.items.find((i) => i.name.startsWith(name))!;
    assert.deepEqual(
      page.items.map((i) => [i.name.split(' ')[0], i.state]),
      [
        ['Alpha', 'failed'],
        ['Bravo', 'held'],
        ['Charlie', 'ok'],
        ['Delta', 'outcomes'],
        ['Echo', 'stale'],
      ],
    );
    assert.equal(row('Alpha').source, 'sftp');
    assert.equal(row('Alpha').lastSync?.status, 'failed');
    assert.equal(row('Alpha').lastSync?.trigger, 'sftp');
    assert.equal(row('Bravo').heldRuns, 1);
    assert.ok(row('Bravo').oldestHeldRunId);
    assert.equal(row('Charlie').source, 'zip');
    assert.equal(row('Charlie').nextRunAt, null, 'ZIP upload customers are never scheduled');
    assert.ok(Date.parse(row('Bravo').nextRunAt ?? '') > Date.now(), 'an Auto customer has its next daily slot');
    assert.equal(row('Delta').failedOutcomeCalls, 2);
    assert.equal(row('Echo').stale, true);
    assert.equal(row('Echo').lastSync, null);
    assert.deepEqual(page.counts, { failed: 1, held: 1, stale: 1, outcomes: 1, ok: 1, idle: 0 });
  });

  it('filters by problems, source and name or code, and pages', async () => {
    const problems = await status('&problems=true');
    assert.deepEqual(problems.items.map((i) => i.state).sort(), ['failed', 'held', 'outcomes', 'stale']);
    assert.equal(problems.counts.ok, 0);
    const held = await status('&state=held');
    assert.deepEqual(
      held.items.map((i) => i.customerId),
      [c.held.id],
    );
    assert.equal(held.counts.ok, 1, 'the counts cover every state whatever state is shown');
    const api = await status('&source=api');
    assert.deepEqual(
      api.items.map((i) => i.customerId),
      [c.held.id],
    );
    const byCode = await root.get<StatusPage>(`/api/status?search=${encodeURIComponent(c.fine.code)}`);
    assert.deepEqual(
      byCode.body.items.map((i) => i.customerId),
      [c.fine.id],
    );
    const second = await status('&pageSize=2&page=2');
    assert.deepEqual(
      second.items.map((i) => i.name.split(' ')[0]),
      ['Charlie', 'Delta'],
    );
    assert.equal(second.total, 5);
    const bad = await root.get<{ error: { code: string } }>('/api/status?source=fax');
    assert.equal(bad.status, 400);
    assert.equal(bad.body.error.code, 'VALIDATION_FAILED');
  });

  it('is the enterprise admins’ page: a customer admin is FORBIDDEN, a stranger must sign in', async () => {
    const admin = await t.client().login(c.fine.adminEmail, c.fine.adminPassword);
    const res = await admin.get<{ error: { code: string } }>('/api/status');
    assert.equal(res.status, 403);
    assert.equal(res.body.error.code, 'FORBIDDEN');
    assert.equal((await t.client().get('/api/status')).status, 401);
  });

  it('answers for 500 customers in a few queries', async () => {
    const k = t.ctx.db.kysely;
    const template = await k.selectFrom('customers').selectAll().where('id', '=', c.failing.id).executeTakeFirstOrThrow();
    const config = await k.selectFrom('rostering_configs').selectAll().where('customer_id', '=', c.failing.id).executeTakeFirstOrThrow();
    const many = Array.from({ length: 500 }, (_, n) => ({
      ...template,
      id: crypto.randomUUID(),
      code: `bulk-${tag}-${n}`,
      name: `Bulk ${tag} ${n}`,
      lti_consumer_key: `bulk-${tag}-${n}`,
      admin_user_id: null,
    }));
    for (let i = 0; i < many.length; i += 100) {
      const chunk = many.slice(i, i + 100);
      await k.insertInto('customers').values(chunk).execute();
      await k
        .insertInto('rostering_configs')
        .values(chunk.map((m) => ({ ...config, customer_id: m.id, client_partner_id: `P-${m.code}` })))
        .execute();
      for (const m of chunk) await run(m.id, 'sftp', m.code.endsWith('7') ? 'failed' : 'succeeded');
    }
    await root.get(`/api/status?search=Bulk`); // warm
    const started = performance.now();
    const res = await root.get<StatusPage>(`/api/status?search=Bulk%20${tag}&problems=true&pageSize=25`);
    const ms = performance.now() - started;
    assert.equal(res.status, 200);
    assert.equal(res.body.total, 50);
    process.stderr.write(`[status] ${dialect}: 500 customers in ${ms.toFixed(1)} ms\n`);
    assert.ok(ms < 2000, `${ms} ms`);
  });
});
