import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { describe, it } from 'node:test';
import { promisify } from 'node:util';
import { district11, HEADERS, table, writeBundle, writeBytes } from '../../../test/helpers/bundles.js';
import type { RosterValidateArgs } from './roster-validate.js';

const execFileAsync = promisify(execFile);
const command = new URL('./roster-validate.ts', import.meta.url).href;

// Runs the command in a child process, so its real stdout is what is checked (and the test
// runner's own use of stdout is left alone). stderr is not a TTY there: no progress bar.
async function run(args: RosterValidateArgs): Promise<{ code: number; out: string; err: string }> {
  const script = `const { rosterValidate } = await import(${JSON.stringify(command)}); process.exitCode = await rosterValidate(${JSON.stringify(args)});`;
  try {
    const { stdout, stderr } = await execFileAsync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script]);
    return { code: 0, out: stdout, err: stderr };
  } catch (err) {
    const failed = err as { code: number; stdout: string; stderr: string };
    return { code: failed.code, out: failed.stdout, err: failed.stderr };
  }
}

const badUsers = table(
  HEADERS.users11,
  Array.from({ length: 12 }, (_, i) => ({ sourcedId: `b${i}`, enabledUser: 'true', orgSourcedIds: 'org-s', role: 'coach', username: 'u', givenName: 'G', familyName: 'F' })),
);

describe('lectern roster validate', () => {
  it('exits 0 for a valid bundle and prints the files with their modes and rows', async () => {
    const { code, out, err } = await run({ file: await writeBundle(district11()), json: false });
    assert.equal(code, 0, err);
    assert.equal(err, '');
    assert.match(out, /OneRoster 1\.1 — VALID/);
    assert.match(out, /users\.csv\s+bulk\s+4/);
    assert.match(out, /enrollments\.csv\s+bulk\s+3/);
  });

  it('exits 1 with errors grouped by code, examples capped but counts complete', async () => {
    const file = await writeBundle(district11({ 'users.csv': badUsers, 'enrollments.csv': null }));
    const { code, out } = await run({ file, json: false });
    assert.equal(code, 1);
    assert.match(out, /error\s+row\.enum ×12/);
    assert.match(out, /users\.csv line 2 role \[b0\]: role coach is not one of/);
    assert.match(out, /… and 7 more/);
  });

  it('prints DESIGN.md’s JSON; --max-issues caps the list, never the counts', async () => {
    const file = await writeBundle(district11({ 'users.csv': badUsers, 'enrollments.csv': null }));
    const { code, out } = await run({ file, json: true, maxIssues: 2 });
    assert.equal(code, 1);
    const doc = JSON.parse(out) as {
      valid: boolean;
      version: string;
      files: { name: string; mode: string; rows: number }[];
      issues: { code: string; line: number; column: string; sourcedId: string; severity: string; file: string; message: string }[];
      issueCounts: { code: string; count: number }[];
      errors: number;
    };
    assert.equal(doc.valid, false);
    assert.equal(doc.version, '1.1');
    assert.deepEqual(
      doc.files.find((f) => f.name === 'users.csv'),
      { name: 'users.csv', mode: 'bulk', rows: 12, rejected: 12 },
    );
    assert.equal(doc.issues.length, 2);
    assert.deepEqual(Object.keys(doc.issues[0] ?? {}).sort(), ['code', 'column', 'file', 'line', 'message', 'severity', 'sourcedId']);
    assert.deepEqual(doc.issueCounts.find((c) => c.code === 'row.enum')?.count, 12);
    assert.equal(doc.errors, 12);
  });

  it('exits 2 for unusable input: a missing file, not a zip', async () => {
    assert.equal((await run({ file: '/nonexistent/roster.zip', json: false })).code, 2);
    const { code, out } = await run({ file: writeBytes(Buffer.from('not a zip')), json: true });
    assert.equal(code, 2);
    const doc = JSON.parse(out) as { valid: boolean; unusable: boolean; issues: { code: string }[] };
    assert.equal(doc.valid, false);
    assert.equal(doc.unusable, true);
    assert.deepEqual(
      doc.issues.map((i) => i.code),
      ['zip.unreadable'],
    );
  });
});
