import assert from 'node:assert/strict';
import fs from 'node:fs';
import { Writable } from 'node:stream';
import { after, before, it } from 'node:test';
import SQLite from 'better-sqlite3';
import { buildApp } from '../server/app.js';
import type { App } from '../server/types.js';
import { ADMIN_EMAIL, ADMIN_PASSWORD, TestClient, describeEachDialect, startTestApp, type TestApp } from '../../test/helpers/app.js';
import { allRowsAsText } from '../../test/helpers/assertions.js';
import { customerBody } from '../../test/helpers/factories.js';

/*
 * Secrets are write-only and encrypted at rest: after real use of the API (adding customers with
 * every kind of secret, replacing and rotating them, signing in, using a token), no plaintext secret
 * is in the database files, in any table row, in any API response but the one that shows it once,
 * or in the server log.
 */

interface Created {
  id: string;
  profile: { code: string };
  lti: { sharedSecret: string };
}

/** The raw bytes of a SQLite database after checkpointing its WAL, plus the WAL and SHM files if present. */
function sqliteFileBytes(file: string): Buffer {
  const side = new SQLite(file);
  try {
    side.pragma('wal_checkpoint(TRUNCATE)');
  } finally {
    side.close();
  }
  const parts = [file, `${file}-wal`, `${file}-shm`, `${file}-journal`].filter((f) => fs.existsSync(f)).map((f) => fs.readFileSync(f));
  return Buffer.concat(parts);
}

describeEachDialect('Secrets at rest, in responses and in logs', (dialect) => {
  let t: TestApp;
  let logged: App;
  const log: string[] = [];
  const secrets: Record<string, string> = {};
  const responses: string[] = [];
  let sftp: Created;
  let api: Created;

  before(async () => {
    t = await startTestApp(dialect);
    const stream = new Writable({
      write(chunk: Buffer, _enc, done) {
        log.push(chunk.toString('utf8'));
        done();
      },
    });
    // The most talkative level and no redaction: secrets must not reach the logger at all.
    logged = await buildApp(t.ctx, { logger: { level: 'trace', stream } });
    await logged.ready();

    const admin = new TestClient(logged);
    await admin.login(ADMIN_EMAIL, ADMIN_PASSWORD);
    secrets.sessionCookie = admin.cookie!.split('=')[1]!;
    secrets.enterpriseAdminPassword = ADMIN_PASSWORD;

    const sftpBody = customerBody();
    secrets.sftpAdminPassword = sftpBody.administrator.password = 'Sftp-admin-Pw-8d2k';
    secrets.sftpPassword = sftpBody.rostering.sftp.password;
    const sftpRes = await admin.post<Created>('/api/customers', sftpBody);
    assert.equal(sftpRes.status, 201, JSON.stringify(sftpRes.body));
    sftp = sftpRes.body;
    secrets.sftpLtiSecret = sftp.lti.sharedSecret;

    const apiBody = customerBody({
      administrator: { password: 'Api-admin-Pw-3j9q' },
      rostering: {
        syncType: 'api',
        authorization: 'oauth2-client-credentials',
        url: 'https://sis.example/ims/oneroster/v1p1',
        consumerKey: 'client-id-123',
        secretKey: 'Api-Secret-Key-q7Wz5',
      },
    });
    Object.assign(apiBody.rostering, { tokenUrl: 'https://sis.example/oauth/token' });
    secrets.apiAdminPassword = apiBody.administrator.password;
    secrets.apiSecretKey = apiBody.rostering.secretKey;
    const apiRes = await admin.post<Created>('/api/customers', apiBody);
    assert.equal(apiRes.status, 201, JSON.stringify(apiRes.body));
    api = apiRes.body;
    secrets.apiLtiSecret = api.lti.sharedSecret;

    // A rejected add that carries secrets must not log or store them either.
    const bad = customerBody({ administrator: { email: 'not-an-email', password: 'Rejected-admin-Pw-1' }, rostering: { sftp: { password: 'Rejected-sftp-Pw-1' } } });
    secrets.rejectedAdminPassword = bad.administrator.password;
    secrets.rejectedSftpPassword = bad.rostering.sftp.password;
    assert.equal((await admin.post('/api/customers', bad)).status, 400);

    // Replace and rotate: old and new values alike stay out of sight.
    secrets.replacedSftpPassword = 'Replaced-sftp-Pw-5';
    assert.equal((await admin.patch(`/api/customers/${sftp.id}`, { rostering: { sftp: { password: secrets.replacedSftpPassword } } })).status, 200);
    const rotated = await admin.post<{ sharedSecret: string }>(`/api/customers/${api.id}/lti/rotate`);
    assert.equal(rotated.status, 200);
    secrets.rotatedLtiSecret = rotated.body.sharedSecret;

    // A customer admin signs in, changes their password and uses an API token.
    const ca = new TestClient(logged);
    await ca.login(sftpBody.administrator.email, secrets.sftpAdminPassword);
    secrets.changedAdminPassword = 'Changed-admin-Pw-4';
    assert.equal((await ca.post('/api/auth/password', { currentPassword: secrets.sftpAdminPassword, newPassword: secrets.changedAdminPassword })).status, 204);
    const token = await ca.post<{ token: string }>('/api/auth/tokens', { name: 'script' });
    assert.equal(token.status, 201);
    secrets.apiToken = token.body.token;
    const bearer = new TestClient(logged);
    bearer.bearer = secrets.apiToken;
    assert.equal((await bearer.get(`/api/customers/${sftp.id}/users`)).status, 200);
    assert.equal((await new TestClient(logged).post('/api/auth/login', { login: ADMIN_EMAIL, password: 'Wrong-guess-Pw-1' })).status, 401);

    // Every read a person or script can make about these customers.
    for (const id of [sftp.id, api.id]) {
      for (const url of [`/api/customers/${id}`, `/api/customers/${id}/audit`, `/api/customers/${id}/users`]) {
        const res = await admin.get(url);
        assert.equal(res.status, 200, url);
        responses.push(JSON.stringify(res.body));
      }
    }
    const list = await admin.get('/api/customers?pageSize=500');
    assert.equal(list.status, 200);
    responses.push(JSON.stringify(list.body));
    responses.push(JSON.stringify((await admin.get('/api/auth/tokens')).body), JSON.stringify((await ca.get('/api/auth/tokens')).body));
    responses.push(JSON.stringify((await ca.get(`/api/customers/${sftp.id}`)).body));
  });
  after(async () => {
    await logged.close();
    await t.close();
  });

  const assertAbsent = (haystack: string | Buffer, where: string) => {
    for (const [name, value] of Object.entries(secrets)) {
      assert.ok(value.length >= 10, `${name} is long enough to search for`);
      assert.equal(haystack.indexOf(value), -1, `${name} appears in plaintext in ${where}`);
    }
  };

  it('no secret is in any table row', async () => {
    const rows = await allRowsAsText(t.ctx);
    // Positive control: the search does see ordinary values.
    assert.ok(rows.includes(sftp.profile.code) && rows.includes('client-id-123'), 'the dump contains the customers');
    assertAbsent(rows, `the ${dialect} rows`);
  });

  if (dialect === 'sqlite') {
    it('no secret is anywhere in the SQLite database files', () => {
      const file = t.ctx.config.databaseUrl.replace(/^sqlite:/, '');
      const bytes = sqliteFileBytes(file);
      assert.ok(bytes.includes(sftp.profile.code) && bytes.includes('client-id-123'), 'the file bytes contain the customers');
      assertAbsent(bytes, 'the SQLite files');
    });
  }

  it('no secret is in any API response except the one that shows it once', () => {
    assert.ok(responses.length >= 10);
    assertAbsent(responses.join('\n'), 'API responses');
  });

  it('no secret is in the server log', () => {
    const text = log.join('');
    assert.ok(text.includes('request completed') && text.includes('/api/customers'), 'the log recorded the requests');
    assertAbsent(text, 'the server log');
  });
});
