import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, it } from 'node:test';
import { describeEachDialect } from '../../test/helpers/app.js';
import { createTestDatabase, type TestDatabase } from '../../test/helpers/databases.js';
import { startSmtpServer, type TestSmtpServer } from '../../test/helpers/smtp-server.js';
import type { DigestResult } from './notification-service.js';

/* `lectern notifications digest` as an operator runs it: a real process against a real SMTP server. */

const BIN = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../bin/lectern.js');

function lectern(database: TestDatabase, args: string[], extra: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('LECTERN_') && k !== 'DATABASE_URL') env[k] = v;
  Object.assign(env, { LECTERN_DATA_DIR: database.dataDir, DATABASE_URL: database.url, LECTERN_PUBLIC_URL: 'http://lectern.test', ...extra });
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { env, timeout: 60_000 }, (err, stdout, stderr) => resolve({ code: err ? (typeof err.code === 'number' ? err.code : -1) : 0, stdout, stderr }));
  });
}

describeEachDialect('lectern notifications digest', (dialect) => {
  let database: TestDatabase;
  let smtp: TestSmtpServer;
  before(async () => {
    database = await createTestDatabase(dialect);
    smtp = await startSmtpServer();
  });
  after(async () => {
    await database.drop();
    await smtp.close();
  });

  it('e-mails the enterprise admins the digest: --now at once, otherwise once a day; without SMTP it says why', async () => {
    const mail = { LECTERN_SMTP_URL: smtp.url, LECTERN_MAIL_FROM: 'Lectern <ops@lectern.test>' };
    const admin = await lectern(database, ['admin', 'create', '--email', 'ops@district.example', '--password', 'Digest-operator-42!']);
    assert.equal(admin.code, 0, admin.stderr);

    const now = await lectern(database, ['notifications', 'digest', '--now', '--json'], mail);
    assert.equal(now.code, 0, now.stderr);
    const sent = JSON.parse(now.stdout) as DigestResult;
    assert.deepEqual({ sent: sent.sent, recipients: sent.recipients, failed: sent.failed }, { sent: true, recipients: 1, failed: 0 });
    assert.equal(smtp.mails.length, 1);
    assert.deepEqual(smtp.mails[0]!.to, ['ops@district.example']);
    assert.match(smtp.mails[0]!.subject, /\[Lectern\] Daily digest \d{4}-\d{2}-\d{2}: no problems/);

    // --now does not use up the day: the scheduled one still goes, once.
    const daily = await lectern(database, ['notifications', 'digest'], mail);
    assert.equal(daily.code, 0, daily.stderr);
    assert.match(daily.stdout, /Sent the digest of .* to 1 enterprise admin/);
    const again = await lectern(database, ['notifications', 'digest'], mail);
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stdout, /No digest sent: The digest of .* was sent already\./);
    assert.equal(smtp.mails.length, 2);

    const off = await lectern(database, ['notifications', 'digest', '--now']);
    assert.equal(off.code, 1, off.stdout);
    assert.match(off.stdout, /No digest sent: E-mail is not configured \(LECTERN_SMTP_URL\)\./);
  });
});
