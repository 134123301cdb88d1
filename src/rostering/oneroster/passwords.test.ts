import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { operatorActor } from '../../accounts/policy.js';
import { describeEachDialect, seedCustomer, startTestApp, type TestApp } from '../../../test/helpers/app.js';
import { csv, district11, HEADERS, writeBundle } from '../../../test/helpers/bundles.js';
import { jsonReport } from '../../cli/commands/roster-validate.js';
import { zipSource } from '../runs/zip-source.js';
import { readBundle } from './reader.js';

/*
 * A children's password must never be shown, whatever shape its row is in. Every row here carries
 * one known password; rows lose a cell or gain one at every position (which shifts the password into
 * every other column), or repeat the password in every other column. The password may then appear
 * in no issue of any output: the reader's report, `lectern roster validate` (text and --json), the
 * run's issues in the database, and the API's issues list and CSV.
 */
const SECRET = `pw~${crypto.randomBytes(6).toString('hex')}`;

// A valid 1.1 users row of the district11 school, by column name.
const goodUser = (n: number): Record<string, string> => ({
  sourcedId: `u-${n}`,
  status: '',
  dateLastModified: '',
  enabledUser: 'true',
  orgSourcedIds: 'org-s',
  role: 'student',
  username: `user${n}`,
  userIds: `{SIS:${n}}`,
  givenName: 'Given',
  familyName: 'Family',
  middleName: '',
  identifier: `ID-${n}`,
  email: `u${n}@x.example`,
  sms: '',
  phone: '',
  agentSourcedIds: '',
  grades: '09',
  password: SECRET,
});

/** users.csv under `header` with every shift and repetition of the password. */
function hostileUsers(header: readonly string[]): string {
  const rows: string[][] = [];
  let n = 0;
  const cells = () => {
    const u = goodUser(++n);
    return header.map((h) => u[h] ?? '');
  };
  for (let k = 0; k < header.length; k++) rows.push(cells().filter((_, i) => i !== k));
  for (let k = 0; k <= header.length; k++) {
    const r = cells();
    r.splice(k, 0, 'extra');
    rows.push(r);
  }
  for (let k = 0; k < header.length; k++) {
    const r = cells();
    r[k] = SECRET;
    rows.push(r);
  }
  // The password also as a username, a forward reference that never resolves, and in a list.
  const r = cells();
  r[header.indexOf('agentSourcedIds')] = `x${SECRET}`;
  r[header.indexOf('grades')] = ` 09,${SECRET} `;
  rows.push(r);
  return csv([[...header], ...rows]);
}

// Spec order (password last) and one where the password comes first and the sourcedId after it.
const HEADER_ORDERS: readonly (readonly string[])[] = [HEADERS.users11, ['password', ...HEADERS.users11.filter((h) => h !== 'password')]];

async function hostileBundle(header: readonly string[]): Promise<string> {
  return writeBundle(district11({ 'users.csv': hostileUsers(header), 'enrollments.csv': null }));
}

const leaks = (text: string) => text.toLowerCase().includes(SECRET);

const execFileAsync = promisify(execFile);
const command = new URL('../../cli/commands/roster-validate.ts', import.meta.url).href;

// `lectern roster validate` in a child process: its real stdout.
async function validate(file: string, json: boolean): Promise<string> {
  const script = `const { rosterValidate } = await import(${JSON.stringify(command)}); process.exitCode = await rosterValidate(${JSON.stringify({ file, json, maxIssues: 10_000 })});`;
  try {
    return (await execFileAsync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script])).stdout;
  } catch (err) {
    return (err as { stdout: string }).stdout;
  }
}

describe('the reader never shows a password', () => {
  for (const header of HEADER_ORDERS) {
    it(`in any issue of users.csv whose header starts ${header.slice(0, 2).join(',')}, however its rows are shifted`, async () => {
      const file = await hostileBundle(header);
      const report = await readBundle(file, { maxIssueExamples: 100_000 });
      // The checks that quote a value all met the password.
      const codes = new Set(report.issues.map((i) => i.code));
      for (const code of ['row.enum', 'row.boolean', 'row.user_ids', 'row.grade', 'row.list_format', 'ref.unresolved', 'ref.unresolved_optional', 'row.guid'])
        assert.ok(codes.has(code as never), code);
      for (const issue of report.issues) assert.ok(!leaks(JSON.stringify(issue)), JSON.stringify(issue));
      assert.ok(!leaks(JSON.stringify(jsonReport(report))));
      // A row of the wrong width is reported once, by its line alone, and nothing else is said about it.
      const widthIssues = report.issues.filter((i) => i.code === 'row.field_count');
      assert.equal(widthIssues.length, 2 * header.length + 1);
      for (const issue of widthIssues) {
        assert.deepEqual([issue.column, issue.sourcedId], [null, null]);
        assert.equal(report.issues.filter((i) => i.file === 'users.csv' && i.line === issue.line).length, 1, `line ${issue.line}`);
      }
    });
  }

  it('in `lectern roster validate`, as text or JSON', async () => {
    for (const header of HEADER_ORDERS) {
      const file = await hostileBundle(header);
      for (const json of [false, true]) {
        const out = await validate(file, json);
        assert.match(out, /row\.field_count/);
        assert.ok(!leaks(out), out);
      }
    }
  });
});

describeEachDialect('a run never stores or serves a password in its issues', (dialect) => {
  let t: TestApp;
  before(async () => {
    t = await startTestApp(dialect);
  });
  after(() => t.close());

  async function importBundle(customerId: string, file: string) {
    const run = await t.ctx.runs.create(operatorActor, customerId, {
      trigger: 'cli',
      fileName: 'roster.zip',
      sizeBytes: fs.statSync(file).size,
      sha256: crypto.randomUUID(),
      bundlePath: file,
      dryRun: false,
    });
    return t.ctx.runs.execute(run.runId, customerId, zipSource(file));
  }

  it('in roster_run_issues, the issues API and the issues CSV: shifted rows, and usernames equal to the password', async () => {
    const { id } = await seedCustomer(t.ctx, { rostering: { suffix: '', matchWith: 'username' } });
    // Two valid rows whose username is the password: the second one's login is taken (a plan issue).
    const twins = csv([
      [...HEADERS.users11],
      ...[1, 2].map((n) => HEADERS.users11.map((h): string => (({ ...goodUser(n), username: SECRET, agentSourcedIds: SECRET }) as Record<string, string>)[h] ?? '')),
    ]);
    const files = [...(await Promise.all(HEADER_ORDERS.map(hostileBundle))), await writeBundle(district11({ 'users.csv': twins, 'enrollments.csv': null }))];
    const runIds = [];
    for (const file of files) runIds.push((await importBundle(id, file)).runId);
    const stored = await t.ctx.db.kysely.selectFrom('roster_run_issues').selectAll().where('run_id', 'in', runIds).execute();
    assert.ok(stored.some((i) => i.code === 'user.login_taken'));
    assert.ok(stored.some((i) => i.code === 'row.field_count'));
    for (const issue of stored) assert.ok(!leaks(JSON.stringify(issue)), JSON.stringify(issue));
    const admin = await t.asAdmin();
    for (const runId of runIds) {
      const list = await admin.get(`/api/customers/${id}/roster/runs/${runId}/issues?pageSize=500`);
      assert.equal(list.status, 200);
      assert.ok(!leaks(JSON.stringify(list.body)));
      const csvText = await admin.get<string>(`/api/customers/${id}/roster/runs/${runId}/issues.csv`);
      assert.equal(csvText.status, 200);
      assert.ok(!leaks(String(csvText.body)));
    }
  });
});
