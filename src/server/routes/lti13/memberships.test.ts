/*
 * Sync from LMS through the HTTP routes: the Class page's question (does this class have an LMS
 * course?) and its button (a run, queued at once, that pulls the members from the test platform).
 */
import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { operatorActor } from '../../../accounts/policy.js';
import { LmsRosterSync, rememberContext, type PlatformTokenSource } from '../../../lti13/lms-sync.js';
import { contextClassSourcedId } from '../../../lti13/nrps-source.js';
import type { RunView } from '../../../rostering/runs/run-view.js';
import { describeEachDialect, startTestApp, type TestApp, type TestClient } from '../../../../test/helpers/app.js';
import { Lti13Platform } from '../../../../test/helpers/lti13-platform.js';
import { userRow } from '../../../../test/helpers/roster-rows.js';
import { waitFor } from '../../../../test/helpers/wait.js';
import { importRoster, schoolRoster } from '../../../../test/lti/lti-server.js';
import { seedLti13Customer } from '../../../../test/helpers/lti13-customer.js';

const tokensFrom = (lms: Lti13Platform): PlatformTokenSource => ({ token: (_platform, scopes) => Promise.resolve(lms.accessToken([...scopes])), forget: () => undefined });

describeEachDialect('Sync from LMS (routes)', (dialect) => {
  let t: TestApp;
  let lms: Lti13Platform;
  let other: Lti13Platform;
  const tenants: { id: string; admin: TestClient; lmsClassId: string; rosterClassId: string }[] = [];

  // A 1.3 customer on `platform` with one OneRoster class and one class made by a first pull of the platform's course.
  const tenant = async (platform: Lti13Platform) => {
    const c = await seedLti13Customer(t.ctx, platform, { rostering: { suffix: `@lms-${Math.random().toString(36).slice(2, 8)}` } });
    await importRoster(t.ctx, c.id, schoolRoster([userRow('stu-1')]));
    const platformId = (await t.ctx.db.kysely.selectFrom('lti_platforms').select('id').where('customer_id', '=', c.id).executeTakeFirstOrThrow()).id;
    const contextRowId = await t.ctx.db.kysely
      .transaction()
      .execute((trx) => rememberContext(trx, { customerId: c.id, platformId, contextId: platform.context.id, title: platform.context.title, membershipsUrl: platform.membershipsUrl }));
    const first = await new LmsRosterSync({ db: t.ctx.db.kysely, runs: t.ctx.runs, outbound: t.ctx.outbound, tokens: tokensFrom(platform) }).pullContextNow(operatorActor, c.id, contextRowId!);
    assert.equal(first.status, 'succeeded', JSON.stringify(first));
    const classId = async (sourcedId: string) =>
      (await t.ctx.db.kysely.selectFrom('classes').select('id').where('customer_id', '=', c.id).where('sourced_id', '=', sourcedId).executeTakeFirstOrThrow()).id;
    return {
      id: c.id,
      admin: await t.client().login(c.adminEmail, c.adminPassword),
      lmsClassId: await classId(contextClassSourcedId(platform.issuer, platform.context.id)),
      rosterClassId: await classId('c1'),
    };
  };
  const path = (customerId: string, classId: string) => `/api/customers/${customerId}/classes/${classId}/lms-sync`;

  before(async () => {
    t = await startTestApp(dialect);
    lms = await Lti13Platform.start();
    other = await Lti13Platform.start({ clientId: '20000000000077' });
    // The process's access-token client, swapped: here the platform mints the tokens.
    Object.assign(t.ctx.lti13, { tokens: tokensFrom(lms) });
    tenants.push(await tenant(lms), await tenant(other));
  });
  after(async () => {
    await t.close();
    await lms.close();
    await other.close();
  });

  it('GET names the LMS course of a class made from one, and null for a OneRoster class', async () => {
    const [a] = tenants;
    const res = await a!.admin.get<{ context: { contextId: string; title: string; issuer: string; host: string } | null }>(path(a!.id, a!.lmsClassId));
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.deepEqual(res.body.context, { contextId: 'course-101', title: 'English 101', issuer: lms.issuer, host: new URL(lms.origin).host });
    const roster = await a!.admin.get<{ context: null }>(path(a!.id, a!.rosterClassId));
    assert.deepEqual(roster.body, { context: null });
  });

  it('POST answers 202 with the run id at once; the run pulls the members and appears in the run history', async () => {
    const [a] = tenants;
    const before = lms.serviceRequests.length;
    lms.members.push({
      user_id: 'late-1',
      status: 'Active',
      name: 'Lea Late',
      given_name: 'Lea',
      family_name: 'Late',
      email: 'lea@lms.example',
      lis_person_sourcedid: 'sis-late-1',
      roles: ['Learner'],
    });
    const res = await a!.admin.post<{ runId: string }>(path(a!.id, a!.lmsClassId), {});
    assert.equal(res.status, 202, JSON.stringify(res.body));
    assert.deepEqual(Object.keys(res.body), ['runId']);
    const run = await waitFor(async () => {
      const r = await a!.admin.get<RunView>(`/api/customers/${a!.id}/roster/runs/${res.body.runId}`);
      return r.body.status !== 'queued' && r.body.status !== 'running' ? r.body : null;
    }, 'the LMS sync run to end');
    assert.equal(run.status, 'succeeded', JSON.stringify(run));
    assert.equal(run.trigger, 'lms');
    assert.equal(run.counts.users.created, 1);
    assert.equal(run.counts.enrollments.created, 1);
    assert.ok(lms.serviceRequests.length > before);
    const history = await a!.admin.get<{ items: RunView[] }>(`/api/customers/${a!.id}/roster/runs`);
    assert.equal(history.body.items[0]?.runId, res.body.runId);
  });

  it('another customer’s class id answers NOT_FOUND, in its own customer’s path and in the other’s, and starts nothing', async () => {
    const [a, b] = tenants;
    const runsBefore = await t.ctx.db.kysely.selectFrom('roster_runs').select('id').execute();
    for (const url of [path(a!.id, b!.lmsClassId), path(b!.id, b!.lmsClassId)]) {
      for (const res of [await a!.admin.get<{ error: { code: string } }>(url), await a!.admin.post<{ error: { code: string } }>(url, {})]) {
        assert.equal(res.status, 404, `${url}: ${JSON.stringify(res.body)}`);
        assert.equal(res.body.error.code, 'NOT_FOUND');
      }
    }
    assert.equal((await t.ctx.db.kysely.selectFrom('roster_runs').select('id').execute()).length, runsBefore.length);
  });

  it('POST for a class that did not come from an LMS course answers 409 SYNC_NO_SOURCE', async () => {
    const [a] = tenants;
    const res = await a!.admin.post<{ error: { code: string } }>(path(a!.id, a!.rosterClassId), {});
    assert.equal(res.status, 409, JSON.stringify(res.body));
    assert.equal(res.body.error.code, 'SYNC_NO_SOURCE');
  });
});
