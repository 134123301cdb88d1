import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { newUserRecord } from '../../../accounts/account-service.js';
import { UserRepository } from '../../../accounts/user-repository.js';
import { hashPassword } from '../../../security/passwords.js';
import { ADMIN_EMAIL, ADMIN_PASSWORD, describeEachDialect, seedCustomer, startTestApp, type TestApp } from '../../../../test/helpers/app.js';
import { errorCode, listenOnLoopback, rawRequest, type RawResponse } from '../../../../test/helpers/raw-http.js';

const PENDING_PASSWORD = 'Handed-over-pw-7';

// Ways to spell a path that a router, a proxy or a percent-decoder may read as the canonical one.
const SPELLINGS: Array<[string, (p: string) => string]> = [
  ['encoded letter in the first segment', (p) => p.replace('/api/', '/%61pi/')],
  ['whole first segment encoded', (p) => p.replace('/api/', '/%61%70%69/')],
  ['encoded letter in the last segment', (p) => `${p.slice(0, -1)}%${p.charCodeAt(p.length - 1).toString(16)}`],
  ['double-encoded letter', (p) => p.replace('/api/', '/%2561pi/')],
  ['leading double slash', (p) => `/${p}`],
  ['inner double slash', (p) => p.replace('/api/', '/api//')],
  ['dot segment', (p) => p.replace('/api/', '/api/./')],
  ['leading dot segment', (p) => `/.${p}`],
  ['dot-dot segment', (p) => p.replace('/api/', '/api/x/../')],
  ['encoded slash, upper case', (p) => p.replace('/api/', '/api%2F')],
  ['encoded slash, lower case', (p) => p.replace('/api/', '/api%2f')],
  ['upper-case prefix', (p) => p.replace('/api/', '/API/')],
  ['trailing slash', (p) => `${p}/`],
  ['matrix parameter at the end', (p) => `${p};x=1`],
  ['matrix parameter in the prefix', (p) => p.replace('/api/', '/api;x=1/')],
  ['empty query string', (p) => `${p}?`],
];

interface Endpoint {
  method: 'GET' | 'POST';
  path: string;
  body?: unknown;
}

interface Actor {
  name: string;
  headers: Record<string, string>;
  /** The canonical path's decision this actor must get, per method (status and error code). */
  expected: Record<'GET' | 'POST', [number, string | null]>;
}

/** What a response decided: its status and error code. */
function decision(res: RawResponse): [number, string | null] {
  return [res.status, errorCode(res)];
}

describeEachDialect('Access is decided on the route that matched, however its path is spelled', (dialect) => {
  let t: TestApp;
  let port: number;
  const actors: Actor[] = [];
  const endpoints: Endpoint[] = [];
  let consoleShell: RawResponse;

  const signIn = async (login: string, password: string): Promise<Record<string, string>> => {
    const res = await rawRequest(port, 'POST', '/api/auth/login', { body: { login, password } });
    assert.equal(res.status, 200, res.text);
    const cookie = String(res.headers['set-cookie']).split(';')[0]!;
    return { cookie, 'x-csrf-token': (res.json as { csrfToken: string }).csrfToken };
  };

  before(async () => {
    t = await startTestApp(dialect);
    port = await listenOnLoopback(t.app);
    const customer = await seedCustomer(t.ctx);
    endpoints.push({ method: 'GET', path: `/api/customers/${customer.id}` }, { method: 'POST', path: '/api/auth/tokens', body: { name: 'probe' } });
    // A customer admin whose password someone else set: until they choose their own, only the
    // session, password-change and sign-out routes are open to them, by cookie or by token.
    const pending = newUserRecord({
      role: 'customer_admin',
      customerId: customer.id,
      login: 'pending.admin@lincoln.example',
      email: 'pending.admin@lincoln.example',
      givenName: 'Pat',
      familyName: 'Pending',
      phone: '',
      passwordHash: await hashPassword(PENDING_PASSWORD),
      mustChangePassword: true,
      source: 'manual',
    });
    await new UserRepository(t.ctx.db.kysely).insert(pending);
    const { token } = await t.ctx.accounts.createToken(pending, 'made before the reset', null);
    const changeFirst: [number, string] = [403, 'PASSWORD_CHANGE_REQUIRED'];
    actors.push(
      { name: 'one-time password, cookie', headers: await signIn(pending.login, PENDING_PASSWORD), expected: { GET: changeFirst, POST: changeFirst } },
      { name: 'one-time password, Bearer', headers: { authorization: `Bearer ${token}` }, expected: { GET: changeFirst, POST: changeFirst } },
      {
        name: 'enterprise admin, cookie, from another site',
        headers: { ...(await signIn(ADMIN_EMAIL, ADMIN_PASSWORD)), origin: 'https://evil.example' },
        expected: { GET: [200, null], POST: [403, 'CSRF_FAILED'] },
      },
      { name: 'anonymous', headers: {}, expected: { GET: [401, 'AUTH_REQUIRED'], POST: [401, 'AUTH_REQUIRED'] } },
    );
    consoleShell = await rawRequest(port, 'GET', '/customers');
  });
  after(() => t.close());

  it('the canonical paths give each actor the decision the rules say', async () => {
    for (const actor of actors) {
      for (const e of endpoints) {
        const res = await rawRequest(port, e.method, e.path, { headers: actor.headers, body: e.body });
        assert.deepEqual(decision(res), actor.expected[e.method], `${actor.name}: ${e.method} ${e.path} → ${res.text.slice(0, 200)}`);
      }
    }
  });

  it('every other spelling answers 404, the console page, or exactly the canonical decision; no token is minted', async () => {
    const tokensBefore = await t.ctx.db.kysely.selectFrom('api_tokens').select('id').execute();
    const failures: string[] = [];
    for (const actor of actors) {
      for (const e of endpoints) {
        for (const [spelling, spell] of SPELLINGS) {
          const path = spell(e.path);
          const res = await rawRequest(port, e.method, path, { headers: actor.headers, body: e.body });
          const [status, code] = decision(res);
          const same = status === actor.expected[e.method][0] && code === actor.expected[e.method][1];
          const notFound = status === 404 && (code === 'NOT_FOUND' || code === null);
          const shell = e.method === 'GET' && status === consoleShell.status && res.text === consoleShell.text;
          if (!same && !notFound && !shell) failures.push(`${actor.name}: ${e.method} ${path} (${spelling}) → ${status} ${code ?? res.text.slice(0, 80)}`);
        }
      }
    }
    assert.deepEqual(failures, []);
    assert.deepEqual(await t.ctx.db.kysely.selectFrom('api_tokens').select('id').execute(), tokensBefore, 'no spelling minted a token');
  });
});
