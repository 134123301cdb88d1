/*
 * Crash semantics survive the roster thread: `lectern serve` on SQLite applies an uploaded roster in
 * its worker thread and is killed there (SIGKILL by the `apply.mid` failpoint, inside the apply
 * transaction). The previous roster stays as it was; a serve started again fails the run INTERRUPTED
 * once its lease runs out; uploading the file again applies it.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { loadConfig } from '../../src/config.js';
import { createContext, type AppContext } from '../../src/context.js';
import { seedCustomer } from '../helpers/app.js';
import { HEADERS, district11, table, writeBundle } from '../helpers/bundles.js';
import { createTestDatabase, type TestDatabase } from '../helpers/databases.js';
import { freePort } from '../helpers/listening.js';
import { waitFor } from '../helpers/wait.js';
import { signIn, uploadBundle } from './availability-probe.js';
import { sharedEnv, spawnLectern, stopAll, type LecternProcess } from './processes.js';

const CHANGED_USERS = [
  { sourcedId: 'u-t', enabledUser: 'true', orgSourcedIds: 'org-s', role: 'teacher', username: 'tpark', givenName: 'Renamed', familyName: 'Park' },
  { sourcedId: 'u-s1', enabledUser: 'true', orgSourcedIds: 'org-s', role: 'student', username: 'sone', givenName: 'Sam', familyName: 'One' },
  { sourcedId: 'u-s2', enabledUser: 'true', orgSourcedIds: 'org-s', role: 'student', username: 'stwo', givenName: 'Sue', familyName: 'Two' },
  { sourcedId: 'u-new', enabledUser: 'true', orgSourcedIds: 'org-s', role: 'student', username: 'snew', givenName: 'New', familyName: 'Kid' },
];

describe('lectern serve on SQLite killed inside its roster thread', () => {
  let database: TestDatabase;
  let ctx: AppContext;
  let env: NodeJS.ProcessEnv;
  const children: LecternProcess[] = [];

  before(async () => {
    database = await createTestDatabase('sqlite');
    env = sharedEnv(database);
    ctx = await createContext(loadConfig(env));
  });
  after(async () => {
    await stopAll(children);
    await ctx.close();
    await database.drop();
  });

  const users = (customerId: string) =>
    ctx.db.kysely.selectFrom('users').select(['sourced_id', 'status', 'given_name']).where('customer_id', '=', customerId).where('source', '=', 'roster').orderBy('sourced_id').execute();

  it('leaves the previous roster, fails the run INTERRUPTED after its lease, and imports again', { timeout: 180_000 }, async () => {
    const customer = await seedCustomer(ctx, { rostering: { syncType: 'zip', syncFrequency: 'manual', suffix: '@thread-crash' } });
    const first = spawnSync(process.execPath, ['bin/lectern.js', 'roster', 'import', '--customer', customer.code, await writeBundle(district11())], { env, encoding: 'utf8' });
    assert.equal(first.status, 0, first.stderr);
    const before = await users(customer.id);
    const changed = await writeBundle(district11({ 'users.csv': table(HEADERS.users11, CHANGED_USERS) }));

    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    const serveEnv = { PORT: String(port), HOST: '127.0.0.1', LECTERN_PUBLIC_URL: base };
    const doomed = spawnLectern('serve (failpoint)', ['serve'], { ...env, ...serveEnv, LECTERN_FAILPOINT: 'apply.mid' });
    children.push(doomed);
    const runId = await uploadBundle(base, await signIn(base, doomed.output), customer.id, changed, doomed.output);
    const exit = await doomed.exited;
    assert.equal(exit.signal, 'SIGKILL', `serve should have been killed in the apply:\n${doomed.output.join('\n')}`);
    assert.deepEqual(await users(customer.id), before, 'nothing of the killed apply is visible');
    const run = () => ctx.db.kysely.selectFrom('roster_runs').select(['status', 'error_code']).where('id', '=', runId).executeTakeFirstOrThrow();
    assert.equal((await run()).status, 'running', 'the killed run was left running');

    const serve = spawnLectern('serve', ['serve'], { ...env, ...serveEnv });
    children.push(serve);
    const headers = await signIn(base, serve.output);
    await waitFor(async () => (await run()).status === 'failed', 'the dead run to be failed once its lease ran out', 30_000, 200);
    assert.equal((await run()).error_code, 'INTERRUPTED');

    const again = await uploadBundle(base, headers, customer.id, changed, serve.output);
    const status = await waitFor(
      async () => {
        const r = await ctx.db.kysely.selectFrom('roster_runs').select('status').where('id', '=', again).executeTakeFirstOrThrow();
        return r.status === 'queued' || r.status === 'running' ? null : r.status;
      },
      'the new upload to finish',
      60_000,
      200,
    );
    assert.equal(status, 'succeeded', serve.output.join('\n'));
    assert.deepEqual(
      (await users(customer.id)).map((u) => [u.sourced_id, u.status, u.given_name]),
      [
        ['u-new', 'active', 'New'],
        ['u-p', 'deleted', 'Pat'],
        ['u-s1', 'active', 'Sam'],
        ['u-s2', 'active', 'Sue'],
        ['u-t', 'active', 'Renamed'],
      ],
    );
  });
});
