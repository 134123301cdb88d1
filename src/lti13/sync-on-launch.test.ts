/*
 * Sync from LMS after a teacher's launch (lti.syncRosterOnLaunch): the option through the customer
 * API, and real LTI 1.3 launches from the test platform whose committed teacher launch queues one
 * pull (run by the app's own job queue) at most once an hour per course; students' launches and
 * customers with the option off queue nothing. Both dialects.
 */
import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { operatorActor } from '../accounts/policy.js';
import { describeEachDialect, startTestApp, type TestApp } from '../../test/helpers/app.js';
import { assertError } from '../../test/helpers/assertions.js';
import { Lti13Platform } from '../../test/helpers/lti13-platform.js';
import { seedLti13Customer } from '../../test/helpers/lti13-customer.js';
import { sleep, waitFor } from '../../test/helpers/wait.js';
import { Lti13LaunchService } from './launch-service.js';
import type { PlatformTokenSource } from './lms-sync.js';
import { contextClassSourcedId } from './nrps-source.js';
import { LAUNCH_SYNC_INTERVAL_MS, runLaunchSync, SyncOnLaunch } from './sync-on-launch.js';

const PUBLIC = 'http://lectern.test';
const LOGIN_URL = `${PUBLIC}/lti/1.3/login`;
const LAUNCH_URL = `${PUBLIC}/lti/1.3/launch`;
const TEACHER = 'lms-teacher-1';
const STUDENT = 'lms-user-1';

/** Tokens minted by the platform itself (the client-credentials grant is access-token.ts's to test). */
const tokensFrom = (lms: Lti13Platform): PlatformTokenSource => ({ token: (_platform, scopes) => Promise.resolve(lms.accessToken([...scopes])), forget: () => undefined });

describeEachDialect('Sync from LMS after a teacher launch (lti.syncRosterOnLaunch)', (dialect) => {
  let t: TestApp;
  let lms: Lti13Platform;
  let customerId: string;
  let syncOnLaunch: SyncOnLaunch;
  let service: Lti13LaunchService;

  before(async () => {
    t = await startTestApp(dialect);
    lms = await Lti13Platform.start({ toolTargetLinkUri: LAUNCH_URL, toolRedirectUris: [LAUNCH_URL] });
    customerId = (await seedLti13Customer(t.ctx, lms)).id;
    // The process's access-token client, swapped: here the platform mints the tokens.
    Object.assign(t.ctx.lti13, { tokens: tokensFrom(lms) });
    await t.ctx.jobs.start({ concurrency: 1 });
    syncOnLaunch = new SyncOnLaunch(t.ctx.db.kysely, t.ctx.jobs);
    service = new Lti13LaunchService(t.ctx.db.kysely, { publicUrl: PUBLIC, outbound: t.ctx.outbound, syncOnLaunch });
  });
  after(async () => {
    await t.close();
    await lms.close();
  });

  /** A whole verified resource-link launch of `userId` (login, then the platform's id_token for its nonce); resolves once its queueing ended. */
  const launch = async (userId: string) => {
    const { redirect } = await service.login(lms.loginInitiation(LOGIN_URL, { userId }).fields);
    const url = new URL(redirect);
    const outcome = await service.launch(
      { id_token: await lms.idToken({ userId }, url.searchParams.get('nonce')!), state: url.searchParams.get('state')! },
      { ip: '127.0.0.1', userAgent: 'test', framed: false },
    );
    assert.equal(outcome.kind, 'session');
    await syncOnLaunch.settled();
  };
  const lmsRuns = () => t.ctx.db.kysely.selectFrom('roster_runs').select(['id', 'status', 'actor_label']).where('customer_id', '=', customerId).where('trigger', '=', 'lms').execute();
  const queuedAt = async () =>
    (await t.ctx.db.kysely.selectFrom('lti13_contexts').select('launch_sync_queued_at').where('customer_id', '=', customerId).executeTakeFirstOrThrow()).launch_sync_queued_at;
  const setOption = (on: boolean) => t.ctx.customers.update(operatorActor, customerId, { lti: { syncRosterOnLaunch: on } });
  /** "given role status" of the course class's enrollments. */
  const enrollments = async () =>
    (
      await t.ctx.db.kysely
        .selectFrom('enrollments as e')
        .innerJoin('users as u', (j) => j.onRef('u.sourced_id', '=', 'e.user_sourced_id').onRef('u.customer_id', '=', 'e.customer_id'))
        .select(['u.given_name', 'e.role', 'e.status'])
        .where('e.customer_id', '=', customerId)
        .where('e.class_sourced_id', '=', contextClassSourcedId(lms.issuer, lms.context.id))
        .orderBy('u.given_name')
        .execute()
    ).map((e) => `${e.given_name} ${e.role} ${e.status}`);

  it('lti.syncRosterOnLaunch is false by default, round-trips through the API (audited) and must be a boolean', async () => {
    const admin = await t.asAdmin();
    const fresh = await admin.get<{ lti: { syncRosterOnLaunch: boolean } }>(`/api/customers/${customerId}`);
    assert.equal(fresh.status, 200);
    assert.equal(fresh.body.lti.syncRosterOnLaunch, false);
    const on = await admin.patch<{ lti: { syncRosterOnLaunch: boolean } }>(`/api/customers/${customerId}`, { lti: { syncRosterOnLaunch: true } });
    assert.equal(on.status, 200, JSON.stringify(on.body));
    assert.equal(on.body.lti.syncRosterOnLaunch, true);
    assert.equal((await admin.get<{ lti: { syncRosterOnLaunch: boolean } }>(`/api/customers/${customerId}`)).body.lti.syncRosterOnLaunch, true);
    const [last] = (await admin.get<{ action: string; fields: string[] }[]>(`/api/customers/${customerId}/audit`)).body;
    assert.deepEqual([last!.action, last!.fields], ['customer.updated', ['lti.syncRosterOnLaunch']]);
    const off = await admin.patch<{ lti: { syncRosterOnLaunch: boolean } }>(`/api/customers/${customerId}`, { lti: { syncRosterOnLaunch: false } });
    assert.equal(off.body.lti.syncRosterOnLaunch, false);
  });

  it('a value that is not a boolean is VALIDATION_FAILED on lti.syncRosterOnLaunch, and changes nothing', async () => {
    const admin = await t.asAdmin();
    for (const value of ['yes', 1, null]) {
      assertError(await admin.patch(`/api/customers/${customerId}`, { lti: { syncRosterOnLaunch: value } }), 400, 'VALIDATION_FAILED', ['lti.syncRosterOnLaunch']);
    }
    assert.equal((await t.ctx.customers.get(operatorActor, customerId)).lti.syncRosterOnLaunch, false);
  });

  it('with the option off, a teacher launch queues nothing', async () => {
    await launch(TEACHER);
    assert.equal(await queuedAt(), null);
    assert.deepEqual(await lmsRuns(), []);
  });

  it("with the option on, a student's launch queues nothing", async () => {
    await setOption(true);
    await launch(STUDENT);
    assert.equal(await queuedAt(), null);
    assert.deepEqual(await lmsRuns(), []);
  });

  it("with the option on, a teacher's launch queues one pull that makes the course's class and enrollments; a second within the hour queues nothing", async () => {
    await launch(TEACHER);
    assert.ok(await queuedAt(), 'the course is marked queued');
    const [run] = await waitFor(
      async () => {
        const runs = await lmsRuns();
        return runs.length && runs.every((r) => r.status !== 'queued' && r.status !== 'running') ? runs : null;
      },
      'the pull a teacher launch queued',
      30_000,
    );
    assert.equal(run!.status, 'succeeded', JSON.stringify(run));
    assert.equal(run!.actor_label, 'Teacher launch');
    assert.deepEqual(await enrollments(), ['Ada teacher active', 'Siân student active', 'Tomás student active']);

    const first = await queuedAt();
    await launch(TEACHER);
    assert.equal(await queuedAt(), first);
    // Time for a job, had one been queued, to start.
    await sleep(500);
    assert.equal((await lmsRuns()).length, 1);
  });

  it('concurrent teacher launches claim a course once; an hour later it is due again', async () => {
    const contextRowId = (await t.ctx.db.kysely.selectFrom('lti13_contexts').select('id').where('customer_id', '=', customerId).executeTakeFirstOrThrow()).id;
    const enqueued: string[] = [];
    const jobs = { enqueueWithin: (_trx: unknown, name: string) => Promise.resolve(void enqueued.push(name)) };
    const later = new SyncOnLaunch(t.ctx.db.kysely, jobs, () => new Date(Date.now() + LAUNCH_SYNC_INTERVAL_MS + 60_000));
    const results = await Promise.all([1, 2, 3, 4].map(() => later.queue({ customerId, contextRowId })));
    assert.equal(results.filter(Boolean).length, 1);
    assert.deepEqual(enqueued, ['lti13.launch_sync']);
  });

  it('a queueing that fails never reaches the launch, and leaves the course unclaimed (the claim and its job commit together)', async () => {
    const contextRowId = (await t.ctx.db.kysely.selectFrom('lti13_contexts').select('id').where('customer_id', '=', customerId).executeTakeFirstOrThrow()).id;
    const before = await queuedAt();
    const broken = { enqueueWithin: () => Promise.reject(new Error('queue unavailable')) };
    const later = new SyncOnLaunch(t.ctx.db.kysely, broken, () => new Date(Date.now() + 3 * LAUNCH_SYNC_INTERVAL_MS));
    assert.doesNotThrow(() => later.afterLaunch({ customerId, contextRowId, role: 'teacher' }));
    await later.settled();
    assert.equal(await queuedAt(), before);
  });

  it('a queued pull whose customer turned the option off since pulls nothing', async () => {
    const contextRowId = (await t.ctx.db.kysely.selectFrom('lti13_contexts').select('id').where('customer_id', '=', customerId).executeTakeFirstOrThrow()).id;
    await setOption(false);
    const runs = (await lmsRuns()).length;
    await runLaunchSync(t.ctx, { customerId, contextRowId });
    assert.equal((await lmsRuns()).length, runs);
  });
});
