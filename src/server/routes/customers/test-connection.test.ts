import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, it } from 'node:test';
import { describeEachDialect, seedCustomer, startTestApp, type TestApp, type TestClient } from '../../../../test/helpers/app.js';
import { assertError } from '../../../../test/helpers/assertions.js';
import { customerBody } from '../../../../test/helpers/factories.js';
import { startOneRosterProvider, type OneRosterProvider } from '../../../../test/helpers/oneroster-provider.js';
import { sftpSkipReason, startSftpServer, type TestSftpServer } from '../../../../test/helpers/sftp-server.js';

interface Report {
  ok: boolean;
  steps: { step: string; status: string; code: string | null; message: string }[];
  hostKey: { fingerprint: string; pinned: string } | null;
  orgs: { count: number; names: string[] } | null;
}

const outline = (r: Report) => r.steps.map((s) => `${s.step}:${s.status}`);

describeEachDialect('POST /api/customers/test-connection and /:id/test-connection', (dialect) => {
  let t: TestApp;
  let admin: TestClient;
  let sftp: TestSftpServer;
  let provider: OneRosterProvider;
  const skip = sftpSkipReason();

  before(async () => {
    t = await startTestApp(dialect);
    admin = await t.asAdmin();
    sftp = await startSftpServer();
    fs.mkdirSync(path.join(sftp.root, 'uploads'));
    fs.writeFileSync(path.join(sftp.root, 'uploads', 'roster.zip'), 'PK');
    provider = await startOneRosterProvider({ auth: { kind: 'oauth2', clientId: 'lincoln', clientSecret: 'api-secret' } });
    provider.put('orgs', { sourcedId: 'org-1', name: 'Lincoln High', type: 'school' });
  });
  after(async () => {
    await sftp.close();
    await provider.close();
    await t.close();
  });

  const sftpSection = (o: Record<string, unknown> = {}) => ({
    ...customerBody().rostering,
    sftp: { host: sftp.host, port: sftp.port, username: sftp.username, password: sftp.password, path: path.join(sftp.root, 'uploads'), fileName: 'roster.zip', ...o },
  });
  const apiSection = (o: Record<string, unknown> = {}) => ({
    type: 'oneroster',
    syncType: 'api',
    matchWith: 'sourcedId',
    syncFrequency: 'manual',
    suffix: '@lincoln',
    authorization: 'oauth2-client-credentials',
    url: provider.url,
    tokenUrl: provider.tokenUrl,
    consumerKey: 'lincoln',
    secretKey: 'api-secret',
    ...o,
  });
  const customerCount = async () =>
    (
      await t.ctx.db.kysely
        .selectFrom('customers')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow()
    ).n;

  it('tests the unsaved SFTP values of Add step by step, shows the host key to pin, and saves nothing', { skip: skip ?? undefined }, async () => {
    const before = Number(await customerCount());
    const res = await admin.post<Report>('/api/customers/test-connection', { rostering: sftpSection() });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.deepEqual(outline(res.body), ['resolve:ok', 'connect:ok', 'hostKey:ok', 'authenticate:ok', 'listPath:ok', 'findFile:ok']);
    assert.deepEqual(res.body.hostKey, { fingerprint: sftp.fingerprint, pinned: 'unpinned' });
    assert.equal(Number(await customerCount()), before);

    // Pinning it on Add stores it; a connection that shows another key is then refused with a clear answer.
    const created = await admin.post<{ id: string; rostering: { sftp: { hostKeyFingerprint: string } } }>(
      '/api/customers',
      customerBody({ rostering: sftpSection({ hostKeyFingerprint: sftp.fingerprint }) }),
    );
    assert.equal(created.status, 201, JSON.stringify(created.body));
    assert.equal(created.body.rostering.sftp.hostKeyFingerprint, sftp.fingerprint);
    const other = await startSftpServer();
    try {
      const moved = await admin.post<Report>(`/api/customers/${created.body.id}/test-connection`, {
        rostering: sftpSection({ port: other.port, username: other.username, password: other.password, hostKeyFingerprint: sftp.fingerprint }),
      });
      assert.equal(moved.status, 200);
      const failed = moved.body.steps.find((s) => s.status === 'failed')!;
      assert.deepEqual([failed.step, failed.code], ['hostKey', 'SOURCE_HOST_KEY_CHANGED']);
      assert.deepEqual(moved.body.hostKey, { fingerprint: other.fingerprint, pinned: 'mismatch' });
    } finally {
      await other.close();
    }
  });

  it('Edit tests with the stored secret when left blank, but sends it only where it was saved for', { skip: skip ?? undefined }, async () => {
    const { id } = await seedCustomer(t.ctx, { rostering: sftpSection() });
    const blank = sftpSection({ password: undefined });
    const res = await admin.post<Report>(`/api/customers/${id}/test-connection`, { rostering: blank });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.equal(res.body.ok, true);

    // Another host (the same server by another name) with the password left blank: asked for again, nothing sent.
    const elsewhere = await admin.post(`/api/customers/${id}/test-connection`, { rostering: sftpSection({ host: 'localhost', password: undefined }) });
    const err = assertError(elsewhere, 400, 'VALIDATION_FAILED', ['rostering.sftp.password']);
    assert.match(err.fields![0]!.message, /only to the host and username it was saved for/);

    // The API source likewise: the stored secret fetches the token while URL, key and token URL are unchanged.
    const api = await seedCustomer(t.ctx, { rostering: apiSection() });
    const viaStored = await admin.post<Report>(`/api/customers/${api.id}/test-connection`, { rostering: apiSection({ secretKey: undefined }) });
    assert.equal(viaStored.status, 200, JSON.stringify(viaStored.body));
    assert.deepEqual(outline(viaStored.body), ['token:ok', 'readOrgs:ok']);
    assert.deepEqual(viaStored.body.orgs, { count: 1, countIsTotal: true, names: ['Lincoln High'] });
    const newUrl = await admin.post(`/api/customers/${api.id}/test-connection`, { rostering: apiSection({ secretKey: undefined, tokenUrl: `${provider.origin}/elsewhere` }) });
    assertError(newUrl, 400, 'VALIDATION_FAILED', ['rostering.secretKey']);
  });

  it('answers field errors for the connection fields only, and only enterprise admins may test', async () => {
    // Match with is missing (not a connection field): it does not stop the test; the host does.
    const res = await admin.post('/api/customers/test-connection', { rostering: { ...sftpSection({ host: '' }), matchWith: undefined } });
    assertError(res, 400, 'VALIDATION_FAILED', ['rostering.sftp.host']);
    const zip = await admin.post('/api/customers/test-connection', { rostering: { ...sftpSection(), syncType: 'zip', syncFrequency: 'manual' } });
    assertError(zip, 400, 'VALIDATION_FAILED', ['rostering.syncType']);
    const badPin = await admin.post('/api/customers/test-connection', { rostering: sftpSection({ hostKeyFingerprint: 'MD5:aa:bb' }) });
    assertError(badPin, 400, 'VALIDATION_FAILED', ['rostering.sftp.hostKeyFingerprint']);

    const { id, adminEmail, adminPassword } = await seedCustomer(t.ctx);
    const customerAdmin = await t.client().login(adminEmail, adminPassword);
    assertError(await customerAdmin.post('/api/customers/test-connection', { rostering: apiSection() }), 403, 'FORBIDDEN');
    assertError(await customerAdmin.post(`/api/customers/${id}/test-connection`, { rostering: apiSection() }), 403, 'FORBIDDEN');
    assertError(await admin.post('/api/customers/00000000-0000-0000-0000-000000000000/test-connection', { rostering: apiSection() }), 404, 'NOT_FOUND');
    // A cookie session's write needs its CSRF token, as every console write does.
    const noCsrf = await admin.request('POST', '/api/customers/test-connection', { rostering: apiSection() }, { 'x-csrf-token': '' });
    assertError(noCsrf, 403, 'CSRF_FAILED');
  });
});
