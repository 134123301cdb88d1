import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { after, before, it } from 'node:test';
import { operatorActor } from '../../accounts/policy.js';
import { describeEachDialect, seedCustomer, startTestApp, type TestApp, type TestClient } from '../../../test/helpers/app.js';
import { HEADERS, district11, table, zipBuffer } from '../../../test/helpers/bundles.js';
import { waitFor } from '../../../test/helpers/wait.js';
import { purgeAll, purgeSettings } from '../../retention.js';
import { storeBundle } from './bundle-store.js';
import type { RunView } from './run-view.js';

// A child's password, stored uncompressed in the zip so that a plain copy would hold it as is.
const PASSWORD = 'Kid-Pa55word-7731';
const DAY = 86_400_000;

/** A multipart/form-data body with one file (and optional fields), as a browser sends it. */
function form(file: Buffer, fields: Record<string, string> = {}) {
  const boundary = `----lectern${crypto.randomBytes(6).toString('hex')}`;
  const parts: Buffer[] = [];
  for (const [k, v] of Object.entries(fields)) parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`));
  parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="roster.zip"\r\nContent-Type: application/zip\r\n\r\n`), file, Buffer.from('\r\n'));
  parts.push(Buffer.from(`--${boundary}--\r\n`));
  return { body: Buffer.concat(parts), headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } };
}

// Every entry stored, not deflated: the zip's own bytes then hold every value of every CSV.
const stored = (files: Record<string, string>) => zipBuffer(Object.fromEntries(Object.entries(files).map(([name, data]) => [name, { data, store: true }])));

const withPassword = () =>
  district11({
    'users.csv': table(HEADERS.users11, [
      { sourcedId: 'u-t', enabledUser: 'true', orgSourcedIds: 'org-s', role: 'teacher', username: 'tpark', givenName: 'Ada', familyName: 'Park' },
      { sourcedId: 'u-s1', enabledUser: 'true', orgSourcedIds: 'org-s', role: 'student', username: 'sone', givenName: 'Sam', familyName: 'One', password: PASSWORD },
      { sourcedId: 'u-s2', enabledUser: 'true', orgSourcedIds: 'org-s', role: 'student', username: 'stwo', givenName: 'Sue', familyName: 'Two' },
      { sourcedId: 'u-p', enabledUser: 'false', orgSourcedIds: 'org-s', role: 'parent', username: 'pone', givenName: 'Pat', familyName: 'One' },
    ]),
  });

// Three of the four users gone: over the threshold once its minimum is 1.
const onlyTeacher = () =>
  district11({
    'users.csv': table(HEADERS.users11, [{ sourcedId: 'u-t', enabledUser: 'true', orgSourcedIds: 'org-s', role: 'teacher', username: 'tpark', givenName: 'Ada', familyName: 'Park' }]),
    'enrollments.csv': table(HEADERS.enrollments, [{ sourcedId: 'e-1', classSourcedId: 'cl-1', schoolSourcedId: 'org-s', userSourcedId: 'u-t', role: 'teacher' }]),
  });

describeEachDialect('roster bundles: kept only while a run needs them, sealed at rest', (dialect) => {
  let t: TestApp;
  before(async () => {
    t = await startTestApp(dialect);
    await t.ctx.jobs.start({ concurrency: 1 });
  });
  after(() => t.close());

  const dir = () => path.join(t.ctx.config.dataDir, 'bundles');
  const files = () => (fs.existsSync(dir()) ? fs.readdirSync(dir()).sort() : []);
  const bundlePath = async (runId: string) => (await t.ctx.db.kysely.selectFrom('roster_runs').select('bundle_path').where('id', '=', runId).executeTakeFirstOrThrow()).bundle_path;

  /**
   * The runs that still name a file are exactly `runIds`, and bundles/ holds exactly their files.
   * A run lets go of its file just after its status is written, so this waits a moment for it.
   */
  async function assertKept(runIds: string[], why: string) {
    const state = async () => {
      const named = await t.ctx.db.kysely.selectFrom('roster_runs').select(['id', 'bundle_path']).where('bundle_path', 'is not', null).execute();
      return { runs: named.map((r) => r.id).sort(), files: files(), named: [...new Set(named.map((r) => path.basename(r.bundle_path!)))].sort() };
    };
    const expected = [...runIds].sort();
    const settled = await waitFor(
      async () => {
        const s = await state();
        return JSON.stringify([s.runs, s.files]) === JSON.stringify([expected, s.named]) ? s : null;
      },
      `bundles to settle: ${why}`,
      // Generous: on a loaded machine a finished run may let go of its file a few seconds late.
      15_000,
    ).catch(() => null);
    const s = settled ?? (await state());
    assert.deepEqual(s.runs, expected, `runs naming a file: ${why}`);
    assert.deepEqual(s.files, s.named, `files in bundles/: ${why}`);
  }

  async function customer() {
    const c = await seedCustomer(t.ctx, { rostering: { suffix: `@${crypto.randomBytes(3).toString('hex')}` } });
    await t.ctx.db.kysely.updateTable('rostering_configs').set({ deletion_threshold_min: 1 }).where('customer_id', '=', c.id).execute();
    const client = await t.client().login(c.adminEmail, c.adminPassword);
    const finished = (runId: string) =>
      waitFor(
        async () => {
          const res = await client.get<RunView>(`/api/customers/${c.id}/roster/runs/${runId}`);
          return ['queued', 'running'].includes(res.body.status) ? null : res.body;
        },
        `run ${runId} to finish`,
        20_000,
      );
    const upload = async (zip: Buffer, fields: Record<string, string> = {}) => {
      const f = form(zip, fields);
      const res = await client.request<RunView>('POST', `/api/customers/${c.id}/roster/uploads`, f.body, f.headers);
      assert.equal(res.status, 202, JSON.stringify(res.body));
      return finished(res.body.runId);
    };
    const students = async () => (await client.get<{ total: number }>(`/api/customers/${c.id}/users?role=student`)).body.total;
    return { id: c.id, client: client as TestClient, upload, finished, students };
  }

  it('keeps nothing once a run has applied, found the file unchanged, or failed', async () => {
    const c = await customer();
    const applied = await c.upload(await stored(withPassword()));
    assert.equal(applied.status, 'succeeded', JSON.stringify(applied));
    await assertKept([], 'an applied run');
    const same = await c.upload(await stored(withPassword()));
    assert.deepEqual([same.status, same.stage], ['succeeded', 'unchanged'], 'the same-file check needs no kept file: it compares SHA-256 from the run records');
    await assertKept([], 'an unchanged run');
    const broken = await c.upload(Buffer.from('this is not a zip file'));
    assert.equal(broken.status, 'failed');
    await assertKept([], 'a failed run');

    // A run whose process died mid-read: failed once its lease is gone, and its file with it.
    const bundle = await storeBundle(Readable.from([await stored(withPassword())]), t.ctx.bundles, 1 << 20);
    const dead = await t.ctx.runs.create(operatorActor, c.id, { trigger: 'cli', fileName: 'r.zip', sizeBytes: bundle.sizeBytes, sha256: bundle.sha256, bundlePath: bundle.path, dryRun: false });
    await t.ctx.db.kysely.updateTable('roster_runs').set({ status: 'running', stage: 'reading', started_at: new Date().toISOString() }).where('id', '=', dead.runId).execute();
    await assertKept([dead.runId], 'a running run reads its file');
    assert.equal(await t.ctx.runs.failInterrupted(), 1);
    await assertKept([], 'a run interrupted by a crash');
  });

  it("keeps a preview's file sealed until the preview is applied, then deletes it", async () => {
    const c = await customer();
    const zip = await stored(withPassword());
    assert.ok(zip.includes(PASSWORD), 'the uploaded zip holds the password in plain text');
    const preview = await c.upload(zip, { dryRun: 'true' });
    assert.equal(preview.status, 'succeeded', JSON.stringify(preview));
    await assertKept([preview.runId], 'a finished preview keeps its file for "Apply this preview"');
    const onDisk = fs.readFileSync((await bundlePath(preview.runId))!);
    for (const secret of [PASSWORD, 'Sam', 'users.csv', 'sourcedId']) assert.ok(!onDisk.includes(secret), `the kept file does not hold "${secret}"`);

    const apply = await c.client.post<RunView>(`/api/customers/${c.id}/roster/runs/${preview.runId}/apply`);
    assert.equal(apply.status, 202, JSON.stringify(apply.body));
    const run = await c.finished(apply.body.runId);
    assert.equal(run.status, 'succeeded', JSON.stringify(run));
    assert.equal(await c.students(), 2, 'the sealed file was read and applied');
    await assertKept([], 'an applied preview');
    const again = await c.client.post<{ error: { code: string; message: string } }>(`/api/customers/${c.id}/roster/runs/${preview.runId}/apply`);
    assert.equal(again.status, 409);
    assert.match(again.body.error.message, /no longer kept/);
  });

  it('keeps no file for a held run: approving applies the plan stored in the database', async () => {
    const c = await customer();
    assert.equal((await c.upload(await stored(withPassword()))).status, 'succeeded');
    const held = await c.upload(await stored(onlyTeacher()));
    assert.equal(held.status, 'awaiting_approval', JSON.stringify(held));
    await assertKept([], 'a held run');
    const approved = await c.client.post<RunView>(`/api/customers/${c.id}/roster/runs/${held.runId}/approve`);
    assert.equal(approved.status, 200, JSON.stringify(approved.body));
    assert.equal(approved.body.status, 'succeeded');
    assert.equal(await c.students(), 0);
  });

  it('expires previews and held runs after the retention: the purge deletes the file and discards the hold', async () => {
    const c = await customer();
    assert.equal((await c.upload(await stored(withPassword()))).status, 'succeeded');
    const preview = await c.upload(await stored(onlyTeacher()), { dryRun: 'true' });
    const held = await c.upload(await stored(onlyTeacher()));
    assert.equal(held.status, 'awaiting_approval');
    const retention = t.ctx.bundles.retentionDays;
    assert.equal(retention, 7, 'LECTERN_BUNDLE_RETENTION_DAYS defaults to 7');
    // The held run lets go of its file just after its status is written; a purge seeing that file
    // meanwhile would count it an orphan, so the purge starts from the settled folder.
    await assertKept([preview.runId], 'before the purge');

    const early = await purgeAll(t.ctx.db.kysely, t.ctx.contentStore, t.ctx.bundles, { ...purgeSettings(t.ctx.config), now: new Date(Date.now() + (retention - 1) * DAY) });
    assert.deepEqual([early.bundles, early.heldRuns], [0, 0]);
    await assertKept([preview.runId], 'within the retention');

    const late = await purgeAll(t.ctx.db.kysely, t.ctx.contentStore, t.ctx.bundles, { ...purgeSettings(t.ctx.config), now: new Date(Date.now() + (retention + 1) * DAY) });
    assert.deepEqual([late.bundles, late.heldRuns], [1, 1]);
    await assertKept([], 'after the retention');
    const expired = await c.client.get<RunView>(`/api/customers/${c.id}/roster/runs/${held.runId}`);
    assert.equal(expired.body.status, 'discarded');
    assert.equal(expired.body.error?.code, 'HOLD_EXPIRED');
    assert.match(expired.body.error?.message ?? '', /not approved within 7 days.*nothing was applied/i);
    const approve = await c.client.post<{ error: { code: string } }>(`/api/customers/${c.id}/roster/runs/${held.runId}/approve`);
    assert.equal(approve.status, 409);
    const apply = await c.client.post<{ error: { message: string } }>(`/api/customers/${c.id}/roster/runs/${preview.runId}/apply`);
    assert.equal(apply.status, 409);
    assert.match(apply.body.error.message, /no longer kept/);
    assert.equal(await c.students(), 2, 'nothing was applied');
    const stage = await t.ctx.db.kysely.selectFrom('stage_users').select('run_id').where('run_id', '=', held.runId).execute();
    assert.equal(stage.length, 0, "the discarded hold's staged rows are cleared");
  });

  it('purges orphans older than a day, and plain-text bundles kept by an older version', async () => {
    const c = await customer();
    fs.mkdirSync(dir(), { recursive: true });
    const oldOrphan = path.join(dir(), `${crypto.randomUUID()}.zip`);
    const newOrphan = path.join(dir(), `${crypto.randomUUID()}.zip`);
    for (const f of [oldOrphan, newOrphan]) fs.writeFileSync(f, 'left by a crash');
    const twoDaysAgo = new Date(Date.now() - 2 * DAY);
    fs.utimesSync(oldOrphan, twoDaysAgo, twoDaysAgo);
    // A preview from before bundles were sealed: its file is a plain zip.
    const legacy = path.join(dir(), `${crypto.randomUUID()}.zip`);
    fs.writeFileSync(legacy, await stored(withPassword()));
    const run = await t.ctx.runs.create(operatorActor, c.id, { trigger: 'upload', fileName: 'old.zip', sizeBytes: 1, sha256: 'x', bundlePath: legacy, dryRun: true });
    await t.ctx.db.kysely.updateTable('roster_runs').set({ status: 'succeeded', stage: 'done', finished_at: new Date().toISOString() }).where('id', '=', run.runId).execute();

    const result = await purgeAll(t.ctx.db.kysely, t.ctx.contentStore, t.ctx.bundles, purgeSettings(t.ctx.config));
    assert.equal(result.bundles, 2);
    assert.deepEqual(files(), [path.basename(newOrphan)], 'a fresh file may be an upload whose run is being recorded');
    assert.equal(await bundlePath(run.runId), null);
    fs.rmSync(newOrphan);
    await assertKept([], 'after the purge');
  });

  it('fails a run whose kept file was altered, and applies nothing', async () => {
    const c = await customer();
    for (const where of ['start', 'end'] as const) {
      const preview = await c.upload(await stored(withPassword()), { dryRun: 'true' });
      const file = (await bundlePath(preview.runId))!;
      const bytes = fs.readFileSync(file);
      const at = where === 'start' ? 40 : bytes.length - 20;
      bytes[at] = bytes[at]! ^ 0x01;
      fs.writeFileSync(file, bytes);
      const apply = await c.client.post<RunView>(`/api/customers/${c.id}/roster/runs/${preview.runId}/apply`);
      assert.equal(apply.status, 202, JSON.stringify(apply.body));
      const run = await c.finished(apply.body.runId);
      assert.equal(run.status, 'failed', where);
      assert.equal(run.error?.code, 'BUNDLE_DAMAGED', where);
      assert.match(run.error?.message ?? '', /altered or damaged/);
      assert.equal(await c.students(), 0, 'nothing was applied');
      await assertKept([], 'a damaged file is deleted with its failed run');
    }
  });
});
