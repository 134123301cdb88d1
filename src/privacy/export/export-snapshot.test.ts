/*
 * The export reads one snapshot and gives it back: a person added while the export runs is in
 * none of its files (the next export has them), the app goes on writing meanwhile, and an export
 * whose reader goes away ends its snapshot (no transaction left open, no connection held). The
 * probe of an open snapshot is shown to see one, so its "none" means something.
 */
import assert from 'node:assert/strict';
import { buffer } from 'node:stream/consumers';
import { after, before, it } from 'node:test';
import { operatorActor } from '../../accounts/policy.js';
import { describeEachDialect, seedCustomer, startTestApp, type TestApp } from '../../../test/helpers/app.js';
import { userRow } from '../../../test/helpers/roster-rows.js';
import { importRoster, schoolRoster } from '../../../test/lti/lti-server.js';
import { csvRows, readZip } from '../../../test/privacy/export-fixtures.js';
import { ExportCancelled, type ExportEntry } from './export-zip.js';

describeEachDialect('Customer export snapshot', (dialect) => {
  let t: TestApp;
  let customerId: string;

  // Whether a read snapshot is open: a checked-out PostgreSQL client, or a SQLite reader that keeps a checkpoint from finishing.
  const snapshotOpen = async (): Promise<boolean> => {
    const { pgPool, sqlite } = t.ctx.db;
    if (pgPool) return pgPool.totalCount - pgPool.idleCount > 0;
    // Without waiting for the reader (busy_timeout would wait 5 s for it first).
    const wait = sqlite!.pragma('busy_timeout', { simple: true }) as number;
    sqlite!.pragma('busy_timeout = 0');
    try {
      const [result] = sqlite!.pragma('wal_checkpoint(TRUNCATE)') as { busy: number }[];
      return result!.busy !== 0;
    } finally {
      sqlite!.pragma(`busy_timeout = ${wait}`);
    }
  };

  before(async () => {
    t = await startTestApp(dialect);
    customerId = (await seedCustomer(t.ctx, { rostering: { suffix: '@snap' } })).id;
    await importRoster(t.ctx, customerId, schoolRoster(['s-1', 's-2', 's-3'].map((id) => userRow(id))));
  });
  after(() => t.close());

  it('holds the data as it was when it began: a person added meanwhile is in no file, and in the next export', async () => {
    let openDuring: boolean | null = null;
    const onEntry = async (entry: ExportEntry) => {
      if (entry.path !== 'roster/orgs.csv') return;
      // The app writes while the export holds its snapshot (on SQLite, on a connection of the app's own).
      await t.ctx.people.createUser(operatorActor, customerId, { role: 'student', givenName: 'Late', familyName: 'Comer', login: 'late.comer', password: 'Late-comer-4242' });
      openDuring = await snapshotOpen();
    };
    const started = await t.ctx.exports.start(operatorActor, customerId, { onEntry });
    const [bytes] = await Promise.all([buffer(started.stream), started.done]);
    assert.equal(openDuring, true, 'the probe sees the open snapshot');
    assert.equal(await snapshotOpen(), false, 'and sees it closed once the export is done');
    const files = await readZip(bytes);
    assert.deepEqual(
      csvRows(files, 'roster/users.csv').filter((u) => u.givenName === 'Late'),
      [],
    );
    assert.deepEqual(
      csvRows(files, 'people.csv').filter((p) => p.login === 'late.comer'),
      [],
    );
    assert.equal(csvRows(files, 'roster/users.csv').length, 4, 'the three students and the customer admin');

    const next = await t.ctx.exports.start(operatorActor, customerId);
    const again = await readZip((await Promise.all([buffer(next.stream), next.done]))[0]);
    assert.deepEqual(
      csvRows(again, 'people.csv')
        .filter((p) => p.login === 'late.comer')
        .map((p) => p.givenName),
      ['Late'],
    );
  });

  it('ends its snapshot when its reader goes away mid-export', async () => {
    let openAtCancel: boolean | null = null;
    const started = await t.ctx.exports.start(operatorActor, customerId, {
      onEntry: async (entry) => {
        if (entry.path !== 'roster/classes.csv') return;
        openAtCancel = await snapshotOpen();
        started.stream.destroy();
      },
    });
    started.stream.resume();
    await assert.rejects(started.done, ExportCancelled);
    assert.equal(openAtCancel, true);
    assert.equal(await snapshotOpen(), false, 'no transaction or connection left behind');
  });
});
