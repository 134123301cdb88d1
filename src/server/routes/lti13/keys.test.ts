import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import path from 'node:path';
import { after, before, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { SignJWT, createLocalJWKSet, jwtVerify } from 'jose';
import { describeEachDialect, seedCustomer, startTestApp, type TestApp } from '../../../../test/helpers/app.js';

const BIN = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../../bin/lectern.js');
const PRIVATE_MEMBERS = /"(d|p|q|dp|dq|qi)"\s*:/;

interface KeySummary {
  kid: string;
  state: string;
}

describeEachDialect('LTI 1.3 tool keys over HTTP and the CLI', (dialect) => {
  let t: TestApp;
  before(async () => {
    t = await startTestApp(dialect);
  });
  after(async () => t.close());

  it('GET /lti/1.3/jwks is public, cacheable, and lists public keys only', async () => {
    const res = await t.client().get<{ keys: Record<string, string>[] }>('/lti/1.3/jwks');
    assert.equal(res.status, 200);
    assert.match(String(res.headers['cache-control']), /^public, max-age=\d+$/);
    assert.equal(res.body.keys.length, 1);
    assert.deepEqual(Object.keys(res.body.keys[0]!).sort(), ['alg', 'e', 'kid', 'kty', 'n', 'use']);
    assert.equal(res.body.keys[0]!.alg, 'RS256');
  });

  it('an enterprise admin rotates with the CSRF token; a token of the old key still verifies against the JWKS', async () => {
    const signer = await t.ctx.lti13.keys.signer();
    const jwt = await new SignJWT({}).setProtectedHeader({ alg: 'RS256', kid: signer.kid }).setIssuedAt().setExpirationTime('5m').sign(signer.privateKey);
    const admin = await t.asAdmin();
    const forged = await admin.request('POST', '/api/lti/1.3/keys/rotate', undefined, { 'x-csrf-token': 'wrong' });
    assert.equal(forged.status, 403);
    const first = await admin.post<KeySummary[]>('/api/lti/1.3/keys/rotate');
    assert.equal(first.status, 200, JSON.stringify(first.body));
    assert.deepEqual(first.body.map((k) => k.state).sort(), ['current', 'next']);
    const second = await admin.post<KeySummary[]>('/api/lti/1.3/keys/rotate');
    assert.deepEqual(second.body.map((k) => k.state).sort(), ['current', 'next', 'retired']);
    assert.equal(second.body.find((k) => k.state === 'retired')!.kid, signer.kid);
    const jwks = await t.client().get<{ keys: { kid: string }[] }>('/lti/1.3/jwks');
    assert.equal(jwks.body.keys.length, 3);
    await jwtVerify(jwt, createLocalJWKSet(jwks.body as never), { algorithms: ['RS256'] });
    const listed = await admin.get<KeySummary[]>('/api/lti/1.3/keys');
    assert.deepEqual(listed.body.map((k) => k.kid).sort(), jwks.body.keys.map((k) => k.kid).sort());
    for (const body of [first.body, second.body, listed.body, jwks.body]) assert.doesNotMatch(JSON.stringify(body), PRIVATE_MEMBERS);
  });

  it("refuses a customer's admin and anyone signed out", async () => {
    const c = await seedCustomer(t.ctx);
    const admin = await t.client().login(c.adminEmail, c.adminPassword);
    assert.equal((await admin.post('/api/lti/1.3/keys/rotate')).status, 403);
    assert.equal((await admin.get('/api/lti/1.3/keys')).status, 403);
    assert.equal((await t.client().post('/api/lti/1.3/keys/rotate')).status, 401);
  });

  it('lectern lti rotate-keys --json prints kids and states, never key material', async () => {
    const env: NodeJS.ProcessEnv = {};
    for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('LECTERN_') && k !== 'DATABASE_URL') env[k] = v;
    Object.assign(env, { LECTERN_DATA_DIR: t.ctx.config.dataDir, DATABASE_URL: t.ctx.config.databaseUrl, LECTERN_PUBLIC_URL: 'http://lectern.test' });
    const run = (args: string[]) =>
      new Promise<{ code: number; stdout: string; stderr: string }>((resolve) =>
        execFile(process.execPath, [BIN, ...args], { env, timeout: 60_000 }, (err, stdout, stderr) => resolve({ code: err ? Number(err.code ?? -1) : 0, stdout, stderr })),
      );
    const json = await run(['lti', 'rotate-keys', '--json']);
    assert.equal(json.code, 0, json.stderr);
    const { keys } = JSON.parse(json.stdout) as { keys: KeySummary[] };
    assert.ok(keys.some((k) => k.state === 'current') && keys.some((k) => k.state === 'next'));
    const text = await run(['lti', 'rotate-keys']);
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, /kid\s+state/);
    for (const out of [json.stdout, json.stderr, text.stdout, text.stderr]) assert.doesNotMatch(out, PRIVATE_MEMBERS);
  });
});
