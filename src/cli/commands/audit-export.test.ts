/*
 * `lectern audit export` and the audit part of `lectern purge`, as an operator runs them: real
 * processes on a real database. The export writes the filtered entries as CSV to a new file (0600)
 * or to standard output and is itself logged; the purge honours LECTERN_AUDIT_RETENTION_DAYS.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, it } from 'node:test';
import { describeEachDialect } from '../../../test/helpers/app.js';
import { createTestDatabase, type TestDatabase } from '../../../test/helpers/databases.js';
import { customerBody } from '../../../test/helpers/factories.js';
import { openDatabase } from '../../db/connection.js';

const BIN = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../bin/lectern.js');

function lectern(database: TestDatabase, args: string[], env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('LECTERN_') && k !== 'DATABASE_URL'));
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [BIN, ...args],
      { env: { ...clean, LECTERN_DATA_DIR: database.dataDir, DATABASE_URL: database.url, LECTERN_PUBLIC_URL: 'http://lectern.test', ...env }, timeout: 60_000 },
      (err, stdout, stderr) => resolve({ code: err ? (typeof err.code === 'number' ? err.code : -1) : 0, stdout, stderr }),
    );
  });
}

describeEachDialect('lectern audit export and purge', (dialect) => {
  let database: TestDatabase;
  const body = customerBody({ profile: { code: 'audit-cli' } });

  before(async () => {
    database = await createTestDatabase(dialect);
    const file = path.join(database.dataDir, 'customer.json');
    fs.writeFileSync(file, JSON.stringify(body));
    const created = await lectern(database, ['customer', 'create', '--file', file, '--json']);
    assert.equal(created.code, 0, created.stderr);
    // A search by the operator: a logged read.
    const searched = await lectern(database, ['users', 'list', '--customer', 'audit-cli', '--search', 'someone', '--json']);
    assert.equal(searched.code, 0, searched.stderr);
  });
  after(() => database.drop());

  it('writes the filtered entries to a new file (0600) or to standard output, and logs the export', async () => {
    const out = path.join(database.dataDir, 'audit.csv');
    const r = await lectern(database, ['audit', 'export', '--customer', 'audit-cli', '--kind', 'read', out]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(fs.statSync(out).mode & 0o777, 0o600);
    const lines = fs.readFileSync(out, 'utf8').trimEnd().split('\r\n');
    assert.equal(lines[0], 'at,customer,actor,action,kind,targetType,targetId,personId,personName,personLogin,fields');
    // The export's own entry (logged before the rows are read) and the search; never the search text.
    assert.deepEqual(
      lines.slice(1).map((l) => l.split(',').slice(1, 5).join(',')),
      ['audit-cli,cli,audit.exported,read', 'audit-cli,cli,users.searched,read'],
    );
    assert.ok(!fs.readFileSync(out, 'utf8').includes('someone'));
    // An existing file is not overwritten, and the refused export is not logged as made.
    const again = await lectern(database, ['audit', 'export', out]);
    assert.equal(again.code, 1, again.stderr);
    assert.match(again.stderr, /audit\.csv exists: Lectern does not overwrite it/);
    const exports = await lectern(database, ['audit', 'export', '--action', 'audit.exported']);
    assert.equal(exports.stdout.trimEnd().split('\r\n').length, 3, 'the header, the first export and this one');

    const stdout = await lectern(database, ['audit', 'export', '--action', 'customer', '--kind', 'write']);
    assert.equal(stdout.code, 0, stdout.stderr);
    assert.deepEqual(
      stdout.stdout
        .trimEnd()
        .split('\r\n')
        .slice(1)
        .map((l) => l.split(',')[3]),
      ['customer.created'],
    );
    const wrong = await lectern(database, ['audit', 'export', '--kind', 'peek']);
    assert.equal(wrong.code, 2, wrong.stderr);
    const badDate = await lectern(database, ['audit', 'export', '--from', '2024-02-30']);
    assert.equal(badDate.code, 1);
    assert.match(badDate.stderr, /from: Enter a date/);
  });

  it('lectern purge deletes entries older than LECTERN_AUDIT_RETENTION_DAYS', async () => {
    const db = openDatabase(database.url);
    try {
      await db.kysely
        .updateTable('audit_log')
        .set({ at: new Date(Date.now() - 11 * 86_400_000).toISOString() })
        .where('action', '=', 'users.searched')
        .execute();
    } finally {
      await db.close();
    }
    const r = await lectern(database, ['purge', '--json'], { LECTERN_AUDIT_RETENTION_DAYS: '10' });
    assert.equal(r.code, 0, r.stderr);
    assert.equal((JSON.parse(r.stdout) as { auditEntries: number }).auditEntries, 1);
    const csv = await lectern(database, ['audit', 'export', '--action', 'users.searched']);
    assert.equal(csv.stdout.trimEnd().split('\r\n').length, 1, 'the header alone');
  });
});
