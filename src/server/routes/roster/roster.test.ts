import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, it } from 'node:test';
import { describeEachDialect, seedCustomer, startTestApp, type TestApp, type TestClient } from '../../../../test/helpers/app.js';
import { HEADERS, district11, table, zipBuffer } from '../../../../test/helpers/bundles.js';
import { waitFor } from '../../../../test/helpers/wait.js';
import type { RunView } from '../../../rostering/runs/run-view.js';

/** A multipart/form-data body with one file (and optional fields), as a browser sends it. */
function form(file: Buffer | null, fields: Record<string, string> = {}, name = 'roster.zip') {
  const boundary = `----lectern${crypto.randomBytes(6).toString('hex')}`;
  const parts: Buffer[] = [];
  for (const [k, v] of Object.entries(fields)) parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`));
  if (file) {
    parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${name}"\r\nContent-Type: application/zip\r\n\r\n`), file, Buffer.from('\r\n'));
  }
  parts.push(Buffer.from(`--${boundary}--\r\n`));
  return { body: Buffer.concat(parts), headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } };
}

describeEachDialect('Upload Roster File API', (dialect) => {
  let t: TestApp;
  let admin: TestClient;
  let customer: Awaited<ReturnType<typeof seedCustomer>>;
  before(async () => {
    t = await startTestApp(dialect, { maxBundleBytes: 64 * 1024 });
    await t.ctx.jobs.start({ concurrency: 1 });
    customer = await seedCustomer(t.ctx, { rostering: { suffix: `@${dialect}` } });
    admin = await t.client().login(customer.adminEmail, customer.adminPassword);
  });
  after(() => t.close());

  // As the suite's customer's admin unless `as` names another customer and its signed-in admin.
  type As = { client: TestClient; customerId: string };
  const upload = async (files: Record<string, string>, fields: Record<string, string> = {}, as: As = { client: admin, customerId: customer.id }) => {
    const f = form(await zipBuffer(files), fields);
    const res = await as.client.request<RunView>('POST', `/api/customers/${as.customerId}/roster/uploads`, f.body, f.headers);
    assert.equal(res.status, 202, JSON.stringify(res.body));
    return res.body;
  };
  const finished = (runId: string, as: As = { client: admin, customerId: customer.id }) =>
    waitFor(
      async () => {
        const res = await as.client.get<RunView>(`/api/customers/${as.customerId}/roster/runs/${runId}`);
        return ['queued', 'running'].includes(res.body.status) ? null : res.body;
      },
      `run ${runId} to finish`,
      20_000,
    );

  it('uploads a bundle, runs it in the job queue, and reports counts and history', async () => {
    const queued = await upload(district11());
    assert.equal(queued.status, 'queued');
    assert.equal(queued.trigger, 'upload');
    const run = await finished(queued.runId);
    assert.equal(run.status, 'succeeded');
    assert.equal(run.counts.users?.created, 4);
    // An applied bundle is not kept: the run deletes it just after writing its status.
    await waitFor(() => fs.readdirSync(path.join(t.ctx.config.dataDir, 'bundles')).length === 0, 'the applied bundle to be deleted');
    const history = await admin.get<{ items: RunView[]; total: number }>(`/api/customers/${customer.id}/roster/runs`);
    assert.equal(history.body.total, 1);
    const users = await admin.get<{ total: number; items: { id: string; sourcedId: string }[] }>(`/api/customers/${customer.id}/users?role=student`);
    assert.equal(users.body.total, 2);
    // Each create of the report links to the record it made.
    const creates = await admin.get<{ items: { sourcedId: string; targetId: string | null; name: string }[] }>(
      `/api/customers/${customer.id}/roster/runs/${run.runId}/changes?entity=users&action=create`,
    );
    const s1 = users.body.items.find((u) => u.sourcedId === 'u-s1');
    assert.equal(creates.body.items.find((c) => c.sourcedId === 'u-s1')?.targetId, s1?.id);
    assert.equal(creates.body.items.find((c) => c.sourcedId === 'u-s1')?.name, 'Sam One');
    assert.ok(creates.body.items.every((c) => c.targetId));
  });

  it('groups a note repeated on every row into one finding, keeps every row in the CSV, and stays green', async () => {
    // Many SIS exports fill status and dateLastModified in bulk files: `active` says nothing a bulk row does not.
    const eol = district11()['users.csv']!.includes('\r\n') ? '\r\n' : '\n';
    const users = district11()['users.csv']!.split(eol);
    const header = users[0]!.split(',');
    const at = (name: string) => header.indexOf(name);
    const filled = users.map((line, n) => {
      if (n === 0 || !line) return line;
      const cells = line.split(',');
      cells[at('status')] = 'active';
      cells[at('dateLastModified')] = '2024-08-01T00:00:00.000Z';
      return cells.join(',');
    });
    const preview = await finished((await upload(district11({ 'users.csv': filled.join(eol) }), { dryRun: 'true' })).runId);
    assert.equal(preview.status, 'succeeded', 'notes do not make a run yellow');
    assert.deepEqual(preview.issueCounts, { error: 0, warning: 0, info: 4 });
    const grouped = await admin.get<{ items: { code: string; count: number; lines: number[]; file: string; message: string }[]; total: number }>(
      `/api/customers/${customer.id}/roster/runs/${preview.runId}/issues?grouped=true`,
    );
    assert.equal(grouped.status, 200, JSON.stringify(grouped.body));
    assert.equal(grouped.body.total, 1);
    assert.deepEqual(
      grouped.body.items.map((i) => [i.file, i.code, i.count, i.lines]),
      [['users.csv', 'row.lifecycle_in_bulk', 4, [2, 3, 4, 5]]],
    );
    assert.match(grouped.body.items[0]!.message, /\(4 rows, lines 2, 3, 4, 5\)$/);
    const every = await admin.get<{ items: { count: number }[]; total: number }>(`/api/customers/${customer.id}/roster/runs/${preview.runId}/issues`);
    assert.equal(every.body.total, 4);
    const csv = await admin.get<string>(`/api/customers/${customer.id}/roster/runs/${preview.runId}/issues.csv`);
    assert.equal(csv.body.trim().split('\r\n').length, 5, 'the CSV keeps every row (and its header)');
  });

  it('names the records of a plan and orders them as people count (e-2 before e-10)', async () => {
    const enrollments = Array.from({ length: 12 }, (_, n) => ({ sourcedId: `e-${n + 1}`, classSourcedId: 'cl-1', schoolSourcedId: 'org-s', userSourcedId: n % 2 ? 'u-s1' : 'u-s2', role: 'student' }));
    const preview = await finished((await upload(district11({ 'enrollments.csv': table(HEADERS.enrollments, enrollments) }), { dryRun: 'true' })).runId);
    const plan = await admin.get<{ items: { sourcedId: string; name: string }[]; total: number }>(
      `/api/customers/${customer.id}/roster/runs/${preview.runId}/changes?entity=enrollments&action=create&pageSize=5&page=2`,
    );
    assert.equal(plan.status, 200, JSON.stringify(plan.body));
    // e-4..e-12 are creates (e-1..e-3 exist); the second page of five starts at e-9.
    assert.deepEqual(
      plan.body.items.map((c) => c.sourcedId),
      ['e-9', 'e-10', 'e-11', 'e-12'],
    );
    assert.deepEqual(
      plan.body.items.map((c) => c.name),
      ['Sue Two in Algebra P1', 'Sam One in Algebra P1', 'Sue Two in Algebra P1', 'Sam One in Algebra P1'],
    );
    const users = await admin.get<{ items: { sourcedId: string; name: string }[] }>(`/api/customers/${customer.id}/roster/runs/${preview.runId}/changes?entity=users`);
    assert.deepEqual(users.body.items, [], 'the users are unchanged: nothing to list');
  });

  it('previews without applying, lists the plan, and holds a mass deletion for approval', async () => {
    const onlyTeacher = district11({
      'users.csv': table(HEADERS.users11, [{ sourcedId: 'u-t', enabledUser: 'true', orgSourcedIds: 'org-s', role: 'teacher', username: 'tpark', givenName: 'Ada', familyName: 'Park' }]),
      'enrollments.csv': table(HEADERS.enrollments, [{ sourcedId: 'e-1', classSourcedId: 'cl-1', schoolSourcedId: 'org-s', userSourcedId: 'u-t', role: 'teacher' }]),
    });
    const preview = await finished((await upload(onlyTeacher, { dryRun: 'true' })).runId);
    assert.equal(preview.dryRun, true);
    assert.equal(preview.counts.users?.deleted, 3);
    const plan = await admin.get<{ items: { action: string; sourcedId: string; reason: string }[]; total: number }>(
      `/api/customers/${customer.id}/roster/runs/${preview.runId}/changes?entity=users&action=delete&pageSize=2`,
    );
    assert.equal(plan.body.total, 3, 'the total counts every planned change, not the page');
    assert.deepEqual(
      plan.body.items.map((c) => c.sourcedId),
      ['u-p', 'u-s1'],
    );
    assert.equal(plan.body.items[0]?.reason, 'missing from the bulk file');
    const stillThere = await admin.get<{ total: number }>(`/api/customers/${customer.id}/users?role=student`);
    assert.equal(stillThere.body.total, 2, 'a preview changes nothing');

    // Three of four roster users is over 10% but under the 5-record minimum: lower the minimum to see the hold.
    await t.ctx.db.kysely.updateTable('rostering_configs').set({ deletion_threshold_min: 1 }).where('customer_id', '=', customer.id).execute();
    const held = await finished((await upload(onlyTeacher)).runId);
    assert.equal(held.status, 'awaiting_approval');
    assert.match(held.holdReason, /3 of 4 users would be deleted/);
    const approved = await admin.post<RunView>(`/api/customers/${customer.id}/roster/runs/${held.runId}/approve`);
    assert.equal(approved.status, 200, JSON.stringify(approved.body));
    assert.equal(approved.body.status, 'succeeded');
    const after = await admin.get<{ total: number }>(`/api/customers/${customer.id}/users?role=student`);
    assert.equal(after.body.total, 0);
    const again = await admin.post<{ error: { code: string } }>(`/api/customers/${customer.id}/roster/runs/${held.runId}/discard`);
    assert.deepEqual([again.status, again.body.error.code], [409, 'RUN_STATE_CHANGED']);
  });

  it('lists the creates of a preview, and of a held run before and after it is discarded', async () => {
    const other = await seedCustomer(t.ctx, { rostering: { suffix: `@other-${dialect}` } });
    const as = { client: await t.client().login(other.adminEmail, other.adminPassword), customerId: other.id };
    await t.ctx.db.kysely.updateTable('rostering_configs').set({ deletion_threshold_min: 1 }).where('customer_id', '=', other.id).execute();
    assert.equal((await finished((await upload(district11(), {}, as)).runId, as)).status, 'succeeded');
    const newcomer = district11({
      'users.csv': table(HEADERS.users11, [
        { sourcedId: 'u-t', enabledUser: 'true', orgSourcedIds: 'org-s', role: 'teacher', username: 'tpark', givenName: 'Ada', familyName: 'Park' },
        { sourcedId: 'u-new', enabledUser: 'true', orgSourcedIds: 'org-s', role: 'student', username: 'newkid', givenName: 'Noa', familyName: 'Nuevo' },
      ]),
      'enrollments.csv': table(HEADERS.enrollments, [{ sourcedId: 'e-1', classSourcedId: 'cl-1', schoolSourcedId: 'org-s', userSourcedId: 'u-t', role: 'teacher' }]),
    });
    const creates = async (runId: string) => {
      const res = await as.client.get<{ items: { sourcedId: string; targetId: string | null }[] }>(`/api/customers/${other.id}/roster/runs/${runId}/changes?entity=users&action=create`);
      return res.body.items.map((c) => [c.sourcedId, c.targetId]);
    };
    const preview = await finished((await upload(newcomer, { dryRun: 'true' }, as)).runId, as);
    assert.deepEqual(await creates(preview.runId), [['u-new', null]], 'a preview lists what it would create');
    const held = await finished((await upload(newcomer, {}, as)).runId, as);
    assert.equal(held.status, 'awaiting_approval');
    assert.deepEqual(await creates(held.runId), [['u-new', null]], 'a held run lists what approving would create');
    const discarded = await as.client.post<RunView>(`/api/customers/${other.id}/roster/runs/${held.runId}/discard`);
    assert.equal(discarded.body.status, 'discarded');
    assert.deepEqual(await creates(held.runId), [['u-new', null]], 'a discarded run still shows its plan');
  });

  it('applies a finished preview from its kept file, once it has been looked at', async () => {
    const preview = await finished((await upload(district11(), { dryRun: 'true' })).runId);
    assert.equal(preview.dryRun, true);
    const before = await admin.get<{ total: number }>(`/api/customers/${customer.id}/users?role=student`);
    const applied = await admin.post<RunView>(`/api/customers/${customer.id}/roster/runs/${preview.runId}/apply`);
    assert.equal(applied.status, 202, JSON.stringify(applied.body));
    assert.deepEqual([applied.body.dryRun, applied.body.fileName], [false, preview.fileName]);
    const run = await finished(applied.body.runId);
    assert.equal(run.status, 'succeeded', JSON.stringify(run));
    const after = await admin.get<{ total: number }>(`/api/customers/${customer.id}/users?role=student`);
    assert.equal(after.body.total, 2);
    assert.notEqual(before.body.total, 2, 'the preview itself changed nothing');
    const notAPreview = await admin.post<{ error: { code: string } }>(`/api/customers/${customer.id}/roster/runs/${run.runId}/apply`);
    assert.deepEqual([notAPreview.status, notAPreview.body.error.code], [409, 'CONFLICT']);
  });

  it('lists issues with filters and downloads them as CSV without passwords', async () => {
    const withErrors = district11({
      'users.csv': table(HEADERS.users11, [
        { sourcedId: 'u-t', enabledUser: 'true', orgSourcedIds: 'org-s', role: 'teacher', username: 'tpark', givenName: 'Ada', familyName: 'Park', password: 'S3cret-pass' },
        { sourcedId: 'u-x', enabledUser: 'maybe', orgSourcedIds: 'org-s', role: 'student', username: 'xx', givenName: 'X', familyName: 'Y', password: 'Other-S3cret' },
      ]),
    });
    const run = await finished((await upload(withErrors)).runId);
    assert.ok(run.issueCounts.error >= 1);
    const issues = await admin.get<{ items: { code: string; line: number; sourcedId: string }[] }>(`/api/customers/${customer.id}/roster/runs/${run.runId}/issues?severity=error`);
    assert.ok(issues.body.items.some((i) => i.sourcedId === 'u-x' && i.line === 3));
    const csv = await admin.get<string>(`/api/customers/${customer.id}/roster/runs/${run.runId}/issues.csv`);
    assert.equal(csv.status, 200);
    assert.match(String(csv.headers['content-type']), /text\/csv/);
    assert.match(csv.body, /^file,line,column,sourcedId,severity,code,message\r\n/);
    assert.ok(csv.body.includes('u-x'));
    assert.ok(!csv.body.includes('S3cret'), 'no password in the report');
  });

  it('rejects bad uploads clearly and keeps nothing', async () => {
    const dir = path.join(t.ctx.config.dataDir, 'bundles');
    // A file may leave meanwhile (an earlier test's run lets go of its bundle as it ends): what
    // counts is that no refused upload adds one.
    const before = new Set(fs.readdirSync(dir));
    const limits = await admin.get<{ maxBundleBytes: number }>('/api/meta/limits');
    assert.equal(limits.body.maxBundleBytes, 64 * 1024, 'the console can check the size before sending');
    const big = form(crypto.randomBytes(100 * 1024));
    const tooBig = await admin.request<{ error: { code: string } }>('POST', `/api/customers/${customer.id}/roster/uploads`, big.body, big.headers);
    assert.deepEqual([tooBig.status, tooBig.body.error.code], [413, 'PAYLOAD_TOO_LARGE']);
    const noFile = form(null, { dryRun: 'true' });
    const missing = await admin.request<{ error: { code: string; fields: { field: string }[] } }>('POST', `/api/customers/${customer.id}/roster/uploads`, noFile.body, noFile.headers);
    assert.deepEqual([missing.status, missing.body.error.code, missing.body.error.fields[0]?.field], [400, 'VALIDATION_FAILED', 'file']);
    const json = await admin.post<{ error: { code: string } }>(`/api/customers/${customer.id}/roster/uploads`, { file: 'x' });
    assert.deepEqual([json.status, json.body.error.code], [415, 'UNSUPPORTED_MEDIA_TYPE']);
    assert.deepEqual(
      fs.readdirSync(dir).filter((name) => !before.has(name)),
      [],
      'no refused upload left a file',
    );
  });
});
