import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { operatorActor } from '../../accounts/policy.js';
import { AppError } from '../../errors.js';
import { storeBundleFile } from '../../rostering/runs/bundle-store.js';
import { describeEachDialect, seedCustomer, startTestApp, type TestApp } from '../../../test/helpers/app.js';
import { district11, writeBundle } from '../../../test/helpers/bundles.js';
import { executeOnThread } from './import-thread.js';

/*
 * The import thread runs a big bundle's run for `lectern roster import` (the CLI test imports a
 * small one, which runs in the process): the same run, its progress posted back, its errors kept.
 */
describeEachDialect('the import thread', (dialect) => {
  let t: TestApp;
  before(async () => {
    t = await startTestApp(dialect);
  });
  after(() => t.close());

  async function recorded(customerId: string) {
    const stored = await storeBundleFile(await writeBundle(district11()), t.ctx.bundles, t.ctx.config.maxBundleBytes);
    const run = await t.ctx.runs.create(operatorActor, customerId, {
      trigger: 'cli',
      fileName: 'roster.zip',
      sizeBytes: stored.sizeBytes,
      sha256: stored.sha256,
      bundlePath: stored.path,
      dryRun: false,
    });
    return { stored, runId: run.runId };
  }

  it('executes a recorded run on its own connection and posts its progress to the end', async () => {
    const { id } = await seedCustomer(t.ctx);
    const { stored, runId } = await recorded(id);
    const progress: number[] = [];
    const run = await executeOnThread({ config: t.ctx.config, runId, customerId: id, bundlePath: stored.path, force: false }, (done, total) => progress.push(done / total));
    assert.equal(run.status, 'succeeded', JSON.stringify(run));
    assert.equal(run.counts.users.created, 4);
    assert.equal(progress.at(-1), 1, 'the last progress is the whole bundle');
    const users = await t.ctx.db.kysely.selectFrom('users').select('id').where('customer_id', '=', id).where('source', '=', 'roster').execute();
    assert.equal(users.length, 4, 'what the thread applied is in the database');
  });

  it('ends a run whose file is gone as failed, with the reason, as it would here', async () => {
    const { id } = await seedCustomer(t.ctx);
    const { stored, runId } = await recorded(id);
    const run = await executeOnThread({ config: t.ctx.config, runId, customerId: id, bundlePath: `${stored.path}.gone`, force: false }, () => undefined);
    assert.deepEqual([run.status, run.error?.code], ['failed', 'BUNDLE_NOT_KEPT']);
  });

  it('throws what execute throws, its code kept across the thread', async () => {
    const { id } = await seedCustomer(t.ctx);
    const other = await seedCustomer(t.ctx);
    const { stored, runId } = await recorded(id);
    // Another customer's run is not found (execute checks the run against the customer).
    await assert.rejects(
      executeOnThread({ config: t.ctx.config, runId, customerId: other.id, bundlePath: stored.path, force: false }, () => undefined),
      (err) => err instanceof AppError && err.code === 'NOT_FOUND',
    );
  });
});
