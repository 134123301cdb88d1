import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { operatorActor } from '../../accounts/policy.js';
import { describeEachDialect, seedCustomer, startTestApp, type TestApp } from '../../../test/helpers/app.js';
import { csv, district11, HEADERS, table, writeBundle } from '../../../test/helpers/bundles.js';
import type { RunSource } from '../runs/run-source.js';
import { zipSource } from '../runs/zip-source.js';
import type { RestClient } from '../sources/rest-client.js';
import { restSource } from '../sources/rest-source.js';
import { readBundle } from './reader.js';

/*
 * A NUL (or another C0 control) in a roster cell is a row error that names the column: it never
 * reaches the database (PostgreSQL text cannot hold NUL, and the run used to fail with its raw
 * error), is never quoted, and the rest of the roster is applied.
 */

// users.csv of the district's school with `n` students, by column name.
const student = (i: number): Record<string, string> => ({
  sourcedId: `s-${i}`,
  enabledUser: 'true',
  orgSourcedIds: 'org-s',
  role: 'student',
  username: `stu${i}`,
  givenName: 'Stu',
  familyName: `Dent ${i}`,
  identifier: `ID${i}`,
  email: `s${i}@x.example`,
  grades: '09',
});

describe('control characters in roster cells', () => {
  it('are a row error naming the column, for every column a record keeps; free text keeps tabs and line breaks', async () => {
    const header = [...HEADERS.users11, 'metadata.note'];
    const rows = header.map((column, i) => ({ ...student(i), [column]: `${student(i)[column] ?? 'x'}\u0000` }));
    const text = [
      { ...student(100), givenName: 'Tab\tbed', familyName: 'Two\nlines', 'metadata.note': 'a\tb\nc' },
      { ...student(101), username: 'tab\tuser' },
      { ...student(102), familyName: 'Bell\u0007' },
      { ...student(103), email: 'e\u001b[31m@x.example' },
    ];
    const report = await readBundle(await writeBundle(district11({ 'users.csv': table(header, [...rows, ...text]), 'enrollments.csv': null })), { maxIssueExamples: 1000 });
    const control = report.issues.filter((i) => i.code === 'cell.control_character');
    assert.deepEqual(
      control.map((i) => i.column),
      [...header, 'username', 'familyName', 'email'],
    );
    for (const issue of control) {
      assert.equal(issue.severity, 'error');
      assert.doesNotMatch(JSON.stringify(issue), /\\u00|\\t|\\n|Stu|Dent|ID\d|x\.example|Bell|Tab/, 'names the column and the character, never the value');
      // The row is rejected whole: no other issue quotes its cells.
      assert.deepEqual(
        report.issues.filter((i) => i.line === issue.line && i.file === 'users.csv' && i.code !== 'cell.control_character'),
        [],
      );
    }
    assert.equal(control.find((i) => i.column === 'sourcedId')?.sourcedId, null, 'an id with a NUL is not shown');
    assert.match(control.filter((i) => i.column === 'username').at(-1)?.message ?? '', /U\+0009/);
    const users = report.files.find((f) => f.name === 'users.csv');
    assert.equal(users?.rejected, header.length + 3, 'the free-text row with a tab and a line break is accepted');
  });

  it('in a header, a manifest or a quoted message are shown as U+FFFD, never raw', async () => {
    const header = [...HEADERS.orgs, 'bad\u0000name'];
    const report = await readBundle(await writeBundle({ 'orgs.csv': csv([header, ['o1', '', '', 'School', 'school', '', '', '']]) }));
    const unknown = report.issues.find((i) => i.code === 'header.unknown_column');
    assert.equal(unknown?.column, 'bad\ufffdname');
    assert.ok(!JSON.stringify(report.issues).includes('\\u0000'));
  });
});

describeEachDialect('a roster with a NUL cell', (dialect) => {
  let t: TestApp;
  before(async () => {
    t = await startTestApp(dialect);
  });
  after(() => t.close());

  async function run(customerId: string, source: RunSource) {
    const created = await t.ctx.runs.create(operatorActor, customerId, { trigger: 'cli', fileName: 'roster', sizeBytes: 0, sha256: crypto.randomUUID(), bundlePath: null, dryRun: false });
    const done = await t.ctx.runs.execute(created.runId, customerId, source);
    const issues = await t.ctx.db.kysely
      .selectFrom('roster_run_issues')
      .select(['code', 'col', 'sourced_id', 'message'])
      .where('run_id', '=', created.runId)
      .where('code', '=', 'cell.control_character')
      .execute();
    const users = await t.ctx.db.kysely.selectFrom('users').select('sourced_id').where('customer_id', '=', customerId).where('source', '=', 'roster').execute();
    return { done, issues, sourcedIds: new Set(users.map((u) => u.sourced_id)) };
  }

  const STUDENTS = 60;
  const poisoned = (i: number): Record<string, string> => (i === 7 ? { givenName: 'Nul\u0000l' } : i === 8 ? { 'metadata.note': '\u0000' } : i === 9 ? { sourcedId: 's-9\u0000' } : {});

  it('from a zip: only that row is refused, as a row error; the run succeeds with warnings and applies the rest', async () => {
    const { id } = await seedCustomer(t.ctx, { rostering: { suffix: `@nul-zip-${dialect}` } });
    const header = [...HEADERS.users11, 'metadata.note'];
    const file = await writeBundle(
      district11({
        'users.csv': table(
          header,
          Array.from({ length: STUDENTS }, (_, i) => ({ ...student(i), ...poisoned(i) })),
        ),
        'enrollments.csv': null,
      }),
    );
    const { done, issues, sourcedIds } = await run(id, zipSource(file));
    assert.equal(done.status, 'succeeded_with_warnings', JSON.stringify(done.error));
    assert.deepEqual(issues.map((i) => [i.col, i.sourced_id]).sort(), [
      ['givenName', 's-7'],
      ['metadata.note', 's-8'],
      ['sourcedId', null],
    ]);
    assert.equal(done.counts.users.created, STUDENTS - 3);
    for (const i of [7, 8, 9]) assert.ok(!sourcedIds.has(`s-${i}`));
    assert.ok(sourcedIds.has('s-10') && sourcedIds.has('s-0'));
    fs.rmSync(file, { force: true });
  });

  it('from a OneRoster API: the same row error, and the rest applied', async () => {
    const { id } = await seedCustomer(t.ctx, { rostering: { suffix: `@nul-api-${dialect}` } });
    const collections: Record<string, Record<string, unknown>[]> = {
      orgs: [{ sourcedId: 'org-s', status: 'active', dateLastModified: '2024-08-01T00:00:00.000Z', name: 'Lincoln High', type: 'school' }],
      users: Array.from({ length: STUDENTS }, (_, i) => {
        const s = { ...student(i), ...poisoned(i) };
        return {
          sourcedId: s.sourcedId,
          status: 'active',
          dateLastModified: '2024-08-01T00:00:00.000Z',
          enabledUser: true,
          orgs: [{ sourcedId: 'org-s', type: 'org' }],
          role: 'student',
          username: s.username,
          givenName: s.givenName,
          familyName: s.familyName,
          identifier: s.identifier,
          email: s.email,
          grades: ['09'],
          metadata: 'metadata.note' in s ? { note: s['metadata.note'] } : undefined,
        };
      }),
    };
    // A provider in hand: only the rows matter here, not HTTP.
    const client = {
      async *pages(collection: string) {
        const rows = collections[collection] ?? [];
        yield { rows: { length: rows.length, at: (i: number) => rows[i] }, total: rows.length };
        return null;
      },
    } as unknown as RestClient;
    const { done, issues, sourcedIds } = await run(id, restSource(client, { version: '1.1', mode: 'bulk', since: null }));
    assert.equal(done.status, 'succeeded_with_warnings', JSON.stringify(done.error));
    assert.deepEqual(issues.map((i) => [i.col, i.sourced_id]).sort(), [
      ['givenName', 's-7'],
      ['sourcedId', null],
    ]);
    // REST metadata is an object of its own, kept as JSON text (its NUL escaped): that row is applied.
    assert.equal(done.counts.users.created, STUDENTS - 2);
    assert.ok(!sourcedIds.has('s-7') && sourcedIds.has('s-8'));
  });
});
