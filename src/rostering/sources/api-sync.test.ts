import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { operatorActor } from '../../accounts/policy.js';
import { describeEachDialect, seedCustomer, startTestApp, type TestApp } from '../../../test/helpers/app.js';
import { waitFor } from '../../../test/helpers/wait.js';
import { district11, writeBundle } from '../../../test/helpers/bundles.js';
import { restDataFromBundle, startOneRosterProvider, type OneRosterProvider, type ProviderOptions } from '../../../test/helpers/oneroster-provider.js';
import { addMs, nowIso } from '../../time.js';
import type { RunView } from '../runs/run-view.js';
import { zipSource } from '../runs/zip-source.js';
import { pullFromApi } from './api-sync.js';
import type { RestOptions } from './rest-client.js';

// Two rows a page, so the small district pages several times; short waits so retries stay quick.
const CLIENT: Partial<RestOptions> = { pageSize: 2, retryBaseMs: 5, pageTimeoutMs: 3000 };
const KEY = 'lincoln-key';
const SECRET = 'Lincoln-api-secret-1';
const TWO_DAYS_AGO = addMs(nowIso(), -2 * 24 * 3600_000);

describeEachDialect('OneRoster API pulls', (dialect) => {
  let t: TestApp;
  let bundle: string;
  const providers: OneRosterProvider[] = [];
  before(async () => {
    t = await startTestApp(dialect);
    bundle = await writeBundle(district11());
  });
  after(async () => {
    for (const p of providers) await p.close();
    await t.close();
  });

  const provider = async (opts: Partial<ProviderOptions> = {}) => {
    const p = await startOneRosterProvider({ auth: { kind: 'oauth1', key: KEY, secret: SECRET }, ...opts });
    p.data = await restDataFromBundle(bundle, p.url, TWO_DAYS_AGO);
    providers.push(p);
    return p;
  };
  const customerOn = (p: OneRosterProvider, r: Record<string, unknown> = {}) =>
    seedCustomer(t.ctx, {
      rostering: {
        syncType: 'api',
        suffix: `@api-${Math.random().toString(36).slice(2, 8)}`,
        authorization: 'oauth1-hmac-sha256',
        consumerKey: KEY,
        secretKey: SECRET,
        url: p.url,
        ...r,
      },
    });
  const users = async (customerId: string) =>
    (
      await t.ctx.db.kysely
        .selectFrom('users')
        .select(['sourced_id', 'given_name', 'family_name', 'username', 'email', 'role', 'status'])
        .where('customer_id', '=', customerId)
        .where('source', '=', 'roster')
        .orderBy('sourced_id')
        .execute()
    ).map((u) => `${u.sourced_id} ${u.given_name} ${u.family_name} ${u.username} ${u.email} ${u.role} ${u.status}`);
  const enrollments = async (customerId: string) =>
    (
      await t.ctx.db.kysely
        .selectFrom('enrollments')
        .select(['sourced_id', 'class_sourced_id', 'user_sourced_id', 'role', 'is_primary', 'status'])
        .where('customer_id', '=', customerId)
        .orderBy('sourced_id')
        .execute()
    ).map((e) => Object.values(e).join(' '));
  const issueCodes = async (runId: string) =>
    (await t.ctx.db.kysely.selectFrom('roster_run_issues').select(['code', 'message']).where('run_id', '=', runId).orderBy('seq').execute()).map((i) => i.code);
  // What went wrong with a run, for assertion messages.
  const why = async (run: { runId: string; error: unknown }) =>
    JSON.stringify({
      error: run.error,
      issues: await t.ctx.db.kysely.selectFrom('roster_run_issues').select(['file', 'line', 'code', 'message']).where('run_id', '=', run.runId).orderBy('seq').execute(),
    });

  it('a full pull creates the roster a ZIP import of the same data creates (limit/offset paging, OAuth 1.0a HMAC-SHA256)', async () => {
    const p = await provider({ paging: 'offset' });
    const { id } = await customerOn(p);
    const run = await pullFromApi(t.ctx, operatorActor, id, { client: CLIENT });
    assert.equal(run.status, 'succeeded', await why(run));
    assert.equal(run.trigger, 'api');
    assert.deepEqual(run.modes, { orgs: 'bulk', academicSessions: 'bulk', courses: 'bulk', classes: 'bulk', users: 'bulk', enrollments: 'bulk' });
    assert.deepEqual(Object.fromEntries(Object.entries(run.counts).map(([k, c]) => [k, c.created])), { orgs: 2, academicSessions: 2, courses: 1, classes: 1, users: 4, enrollments: 3 });
    // The same bundle imported as a ZIP into another customer.
    const zipCustomer = await seedCustomer(t.ctx, { rostering: { suffix: `@zip-${Math.random().toString(36).slice(2, 8)}` } });
    const zipRun = await t.ctx.runs.create(operatorActor, zipCustomer.id, { trigger: 'cli', fileName: 'roster.zip', sizeBytes: 0, sha256: '', bundlePath: null, dryRun: false });
    assert.match((await t.ctx.runs.execute(zipRun.runId, zipCustomer.id, zipSource(bundle))).status, /^succeeded/);
    assert.deepEqual(await users(id), await users(zipCustomer.id));
    assert.deepEqual(await enrollments(id), await enrollments(zipCustomer.id));
    // Every request was signed with HMAC-SHA256 and paged two rows at a time by offset.
    assert.deepEqual([...new Set(p.requests.map((r) => r.auth))], ['HMAC-SHA256']);
    assert.deepEqual(
      p.requests.filter((r) => r.collection === 'users').map((r) => [r.query.limit, r.query.offset]),
      [
        ['2', '0'],
        ['2', '2'],
      ],
    );
    assert.ok(p.requests.every((r) => r.query.filter === undefined));
  });

  it('follows Link rel="next" paging, appends the 1.1 base path to a bare host URL, and signs with HMAC-SHA1', async () => {
    const p = await provider({ paging: 'link' });
    const { id } = await customerOn(p, { url: p.origin, authorization: 'oauth1-hmac-sha1' });
    const run = await pullFromApi(t.ctx, operatorActor, id, { client: CLIENT });
    assert.equal(run.status, 'succeeded', await why(run));
    assert.equal(run.counts.users.created, 4);
    assert.deepEqual([...new Set(p.requests.map((r) => r.auth))], ['HMAC-SHA1']);
    // Page 2 onwards came from the provider's opaque cursors, never from offsets the client made up.
    const userPages = p.requests.filter((r) => r.collection === 'users');
    assert.equal(userPages.length, 2);
    assert.ok(userPages[1]?.query.cursor && userPages[1].query.offset === undefined);
  });

  it('OAuth 2: fetches one token for the whole pull and a fresh one, once, after a 401', async () => {
    const p = await provider({ auth: { kind: 'oauth2', clientId: KEY, clientSecret: SECRET } });
    const { id } = await customerOn(p, { authorization: 'oauth2-client-credentials', tokenUrl: p.tokenUrl, scope: 'https://purl.imsglobal.org/spec/or/v1p1/scope/roster-core.readonly' });
    const run = await pullFromApi(t.ctx, operatorActor, id, { client: CLIENT });
    assert.equal(run.status, 'succeeded', await why(run));
    assert.equal(p.tokensIssued, 1);
    assert.ok(p.requests.length > 6 && p.requests.every((r) => r.auth === 'bearer'));
    p.requests.length = 0;
    p.faults.revokeTokensAfter = 3;
    const again = await pullFromApi(t.ctx, operatorActor, id, { client: CLIENT, full: true });
    assert.equal(again.status, 'succeeded', await why(again));
    assert.equal(p.tokensIssued, 3);
    assert.deepEqual(p.requests.filter((r) => r.status === 401).length, 1);
    assert.equal(again.counts.users.unchanged, 4);
  });

  it('retries a 429 after its Retry-After and 500s with backoff, then succeeds', async () => {
    const p = await provider();
    const { id } = await customerOn(p);
    p.faults.tooMany = { count: 1, retryAfter: '1' };
    p.faults.serverErrors = 2;
    const started = Date.now();
    const run = await pullFromApi(t.ctx, operatorActor, id, { client: CLIENT });
    assert.equal(run.status, 'succeeded', await why(run));
    assert.ok(Date.now() - started >= 1000, 'waited for Retry-After');
    assert.deepEqual(
      p.requests.slice(0, 4).map((r) => r.status),
      [429, 500, 500, 200],
    );
    assert.equal(run.counts.users.created, 4);
  });

  it('a page that stays too slow fails the run and deletes nothing', async () => {
    const p = await provider();
    const { id } = await customerOn(p);
    assert.equal((await pullFromApi(t.ctx, operatorActor, id, { client: CLIENT })).status, 'succeeded');
    const before = await users(id);
    // A full pull now would delete u-s2; the slow second page of users must stop it.
    p.data.users = p.data.users.filter((u) => u.sourcedId !== 'u-s2');
    p.faults.slow = { collection: 'users', offset: 2, ms: 5000 };
    const run = await pullFromApi(t.ctx, operatorActor, id, { client: { ...CLIENT, pageTimeoutMs: 200, maxAttempts: 2 }, full: true });
    assert.deepEqual([run.status, run.error?.code], ['failed', 'SOURCE_TIMEOUT']);
    assert.match(run.error?.message ?? '', /users\?limit=2&offset=2: no complete answer within 0.2 s; gave up after 2 attempts/);
    assert.deepEqual(await users(id), before);
  });

  for (const [kind, paging, code] of [
    ['short', 'offset', 'api.truncated_paging'],
    ['repeat', 'offset', 'api.page_repeated'],
    ['loop', 'link', 'api.link_loop'],
  ] as const) {
    it(`truncated paging (${kind}) makes the pull unusable and deletes nothing`, async () => {
      const p = await provider({ paging });
      const { id } = await customerOn(p);
      assert.equal((await pullFromApi(t.ctx, operatorActor, id, { client: CLIENT })).status, 'succeeded');
      const before = await users(id);
      p.data.users.push({ ...p.data.users[0]!, sourcedId: 'u-extra', username: 'extra' });
      p.data.users = p.data.users.filter((u) => u.sourcedId !== 'u-s2');
      p.data.enrollments = p.data.enrollments.filter((e) => e.sourcedId !== 'e-3');
      p.faults.truncate = { collection: 'users', kind };
      p.requests.length = 0;
      const run = await pullFromApi(t.ctx, operatorActor, id, { client: CLIENT, full: true });
      assert.deepEqual([run.status, run.error?.code], ['failed', 'BUNDLE_UNUSABLE']);
      assert.ok((await issueCodes(run.runId)).includes(code), `${code} in ${await issueCodes(run.runId)}`);
      assert.deepEqual(await users(id), before);
      // Nothing after the broken collection was asked for.
      assert.equal(p.requests.filter((r) => r.collection === 'enrollments').length, 0);
    });
  }

  it("checks every object with the reader's row rules, reporting collection, position, column and sourcedId", async () => {
    const p = await provider();
    const { id } = await customerOn(p);
    const [teacher, student] = p.data.users;
    // JSON booleans are what many providers send: accepted as they are.
    teacher!.enabledUser = true;
    student!.enabledUser = 'maybe';
    const run = await pullFromApi(t.ctx, operatorActor, id, { client: CLIENT });
    assert.deepEqual([run.status, run.error?.code], ['failed', 'BUNDLE_UNUSABLE']);
    assert.match(run.error?.message ?? '', /users: 1 of 4 rows have errors/);
    const issues = await t.ctx.db.kysely.selectFrom('roster_run_issues').select(['file', 'line', 'col', 'sourced_id', 'code']).where('run_id', '=', run.runId).execute();
    assert.deepEqual(issues, [{ file: 'users', line: 2, col: 'enabledUser', sourced_id: 'u-s1', code: 'row.boolean' }]);
    assert.deepEqual(await users(id), []);
  });

  it('a 200 answer that is not a OneRoster collection makes the pull unusable', async () => {
    const p = await provider();
    const { id } = await customerOn(p);
    p.faults.badBody = 'classes';
    const run = await pullFromApi(t.ctx, operatorActor, id, { client: CLIENT });
    assert.deepEqual([run.status, run.error?.code], ['failed', 'BUNDLE_UNUSABLE']);
    assert.deepEqual(await issueCodes(run.runId), ['api.bad_body']);
    assert.deepEqual(await users(id), []);
  });

  it('an incremental pull asks only for changes since the last pull (less an hour) and applies them as a delta', async () => {
    const p = await provider();
    const { id } = await customerOn(p);
    assert.equal((await pullFromApi(t.ctx, operatorActor, id, { client: CLIENT })).status, 'succeeded');
    const state = await t.ctx.db.kysely.selectFrom('rest_sync_states').selectAll().where('customer_id', '=', id).executeTakeFirstOrThrow();
    p.requests.length = 0;
    p.put('users', { sourcedId: 'u-s1', givenName: 'Samuel' });
    p.put('users', { sourcedId: 'u-p', status: 'tobedeleted' });
    p.put('users', { ...p.data.users.find((u) => u.sourcedId === 'u-s2')!, sourcedId: 'u-s3', username: 'sthree', givenName: 'Sid' });
    // Gone from the provider without a tobedeleted: an incremental pull must not notice.
    p.data.users = p.data.users.filter((u) => u.sourcedId !== 'u-s2');
    const run = await pullFromApi(t.ctx, operatorActor, id, { client: CLIENT });
    assert.equal(run.status, 'succeeded', await why(run));
    assert.equal(run.modes.users, 'delta');
    const since = addMs(state.last_pull_at, -3600_000);
    assert.ok(p.requests.every((r) => r.query.filter === `dateLastModified>'${since}'`));
    assert.deepEqual([run.counts.users.created, run.counts.users.updated, run.counts.users.deleted, run.counts.users.unchanged, run.counts.enrollments.created], [1, 1, 1, 0, 0]);
    const now = await users(id);
    assert.ok(now.some((u) => u.startsWith('u-s1 Samuel ')));
    assert.ok(now.some((u) => u.startsWith('u-s2 ') && u.endsWith(' active')));
    assert.ok(now.some((u) => u.startsWith('u-p ') && u.endsWith(' deleted')));
    const after = await t.ctx.db.kysely.selectFrom('rest_sync_states').selectAll().where('customer_id', '=', id).executeTakeFirstOrThrow();
    assert.equal(after.last_full_at, state.last_full_at);
    assert.ok(after.last_pull_at > state.last_pull_at);
  });

  it('reconciles in full a week after the last full pull, and whenever asked', async () => {
    const p = await provider();
    const { id } = await customerOn(p);
    assert.equal((await pullFromApi(t.ctx, operatorActor, id, { client: CLIENT })).status, 'succeeded');
    p.data.users = p.data.users.filter((u) => u.sourcedId !== 'u-s2');
    p.data.enrollments = p.data.enrollments.filter((e) => e.sourcedId !== 'e-3');
    await t.ctx.db.kysely
      .updateTable('rest_sync_states')
      .set({ last_full_at: addMs(nowIso(), -8 * 24 * 3600_000) })
      .where('customer_id', '=', id)
      .execute();
    p.requests.length = 0;
    const weekly = await pullFromApi(t.ctx, operatorActor, id, { client: CLIENT });
    assert.equal(weekly.status, 'succeeded', await why(weekly));
    assert.equal(weekly.modes.users, 'bulk');
    assert.ok(p.requests.every((r) => r.query.filter === undefined));
    assert.equal(weekly.counts.users.deleted, 1);
    const incremental = await pullFromApi(t.ctx, operatorActor, id, { client: CLIENT });
    assert.equal(incremental.modes.users, 'delta');
    const asked = await pullFromApi(t.ctx, operatorActor, id, { client: CLIENT, full: true });
    assert.deepEqual([asked.modes.users, asked.counts.users.unchanged], ['bulk', 3]);
  });

  it('bad credentials and an unreachable API end as failed runs that say why', async () => {
    const p = await provider();
    const wrong = await customerOn(p, { secretKey: 'Not-the-secret-1' });
    const refused = await pullFromApi(t.ctx, operatorActor, wrong.id, { client: CLIENT });
    assert.deepEqual([refused.status, refused.error?.code], ['failed', 'SOURCE_AUTH_FAILED']);
    assert.match(refused.error?.message ?? '', /refused the credentials \(HTTP 401 for GET .*\/orgs\?limit=2&offset=0: Unauthorized\)/);
    assert.doesNotMatch(JSON.stringify(refused), /Not-the-secret-1/);

    const p2 = await provider({ auth: { kind: 'oauth2', clientId: KEY, clientSecret: SECRET } });
    const wrong2 = await customerOn(p2, { authorization: 'oauth2-client-credentials', tokenUrl: p2.tokenUrl, secretKey: 'Not-the-secret-2' });
    const refused2 = await pullFromApi(t.ctx, operatorActor, wrong2.id, { client: CLIENT });
    assert.deepEqual([refused2.status, refused2.error?.code], ['failed', 'SOURCE_AUTH_FAILED']);
    assert.match(refused2.error?.message ?? '', /token URL refused the client credentials \(HTTP 401\)/);

    const gone = await provider();
    const unreachable = await customerOn(gone);
    await gone.close();
    providers.splice(providers.indexOf(gone), 1);
    const failed = await pullFromApi(t.ctx, operatorActor, unreachable.id, { client: { ...CLIENT, maxAttempts: 2 } });
    assert.deepEqual([failed.status, failed.error?.code], ['failed', 'SOURCE_UNREACHABLE']);
    assert.match(failed.error?.message ?? '', /network error \(ECONNREFUSED\); gave up after 2 attempts/);
  });

  it('carries on with a run already queued, and refuses customers that do not sync from an API', async () => {
    const p = await provider();
    const { id } = await customerOn(p);
    const queued = await t.ctx.runs.create(operatorActor, id, { trigger: 'api', fileName: 'OneRoster API', sizeBytes: 0, sha256: '', bundlePath: null, dryRun: false });
    const run = await pullFromApi(t.ctx, operatorActor, id, { runId: queued.runId, client: CLIENT });
    assert.deepEqual([run.runId, run.status], [queued.runId, 'succeeded']);
    await assert.rejects(pullFromApi(t.ctx, operatorActor, id, { runId: queued.runId }), /Only a queued run/);
    const sftp = await seedCustomer(t.ctx);
    await assert.rejects(pullFromApi(t.ctx, operatorActor, sftp.id), /does not sync from a OneRoster API/);
  });

  it('reads a OneRoster 1.2 provider (OAuth 2 only), with roles inside users', async () => {
    const p = await provider({ version: '1.2', auth: { kind: 'oauth2', clientId: KEY, clientSecret: SECRET } });
    const { id } = await customerOn(p, { url: p.origin, oneRosterVersion: '1.2', authorization: 'oauth2-client-credentials', tokenUrl: p.tokenUrl });
    const run = await pullFromApi(t.ctx, operatorActor, id, { client: CLIENT });
    assert.equal(run.status, 'succeeded', await why(run));
    assert.equal(run.version, '1.2');
    assert.equal(run.counts.users.created, 4);
    const roles = Object.fromEntries((await users(id)).map((u) => [u.split(' ')[0], u.split(' ')[5]]));
    assert.deepEqual(roles, { 'u-p': 'reader', 'u-s1': 'student', 'u-s2': 'student', 'u-t': 'teacher' });
    assert.ok(p.requests.some((r) => r.collection === 'users'));
  });

  it('the Sync with OneRoster – API route queues a pull that the job engine runs to the customer admin’s roster', async () => {
    const p = await provider();
    const c = await customerOn(p);
    await t.ctx.jobs.start({ concurrency: 1 });
    const admin = await t.client().login(c.adminEmail, c.adminPassword);
    const started = await admin.post<RunView>(`/api/customers/${c.id}/roster/sync`, {});
    assert.equal(started.status, 202, JSON.stringify(started.body));
    assert.equal(started.body.trigger, 'api');
    const done = await waitFor(
      async () => {
        const r = (await admin.get<RunView>(`/api/customers/${c.id}/roster/runs/${started.body.runId}`)).body;
        return r.status === 'queued' || r.status === 'running' ? null : r;
      },
      'the API pull to finish',
      20_000,
    );
    assert.equal(done.status, 'succeeded', await why(done));
    assert.equal(done.counts.users.created, 4);
    assert.ok(
      p.requests.some((r) => r.collection === 'enrollments'),
      'the provider was asked for every collection',
    );
  });

  it('asks for pages of the operator’s size (LECTERN_API_PAGE_SIZE) and stops at the page cap', async () => {
    const p = await provider({ paging: 'offset' });
    const { id } = await customerOn(p);
    const saved = t.ctx.config.apiPaging;
    try {
      t.ctx.config.apiPaging = { pageSize: 3, maxPages: 100 };
      const run = await pullFromApi(t.ctx, operatorActor, id);
      assert.equal(run.status, 'succeeded', await why(run));
      assert.ok(
        p.requests.every((r) => r.query.limit === '3'),
        JSON.stringify(p.requests.map((r) => r.query)),
      );
      t.ctx.config.apiPaging = { pageSize: 1, maxPages: 2 };
      const capped = await pullFromApi(t.ctx, operatorActor, id, { force: true });
      assert.equal(capped.status, 'failed');
      assert.ok((await issueCodes(capped.runId)).includes('api.too_many_pages'));
    } finally {
      t.ctx.config.apiPaging = saved;
    }
  });
});
