import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { newUserRecord } from '../../../accounts/account-service.js';
import { operatorActor } from '../../../accounts/policy.js';
import { UserRepository } from '../../../accounts/user-repository.js';
import { createContext, type AppContext } from '../../../context.js';
import { loadConfig } from '../../../config.js';
import type { Role } from '../../../db/schema.js';
import { AppError } from '../../../errors.js';
import { hashPassword } from '../../../security/passwords.js';
import { tokenDigest } from '../../../security/tokens.js';
import { buildApp } from '../../app.js';
import type { App } from '../../types.js';
import { ADMIN_EMAIL, ADMIN_PASSWORD, TestClient, describeEachDialect, seedCustomer, startTestApp, type TestApp, type TestResponse } from '../../../../test/helpers/app.js';
import { allRowsAsText, assertError, assertNothingStored, customerSnapshot, storedCounts } from '../../../../test/helpers/assertions.js';
import { createTestDatabase, type TestDatabase } from '../../../../test/helpers/databases.js';
import { customerBody } from '../../../../test/helpers/factories.js';

interface SessionBody {
  user: { id: string; login: string; email: string; role: string; customerId: string | null; mustChangePassword: boolean };
  csrfToken: string | null;
}

interface TokenInfo {
  id: string;
  name: string;
  prefix: string;
  createdAt: string;
  lastUsedAt: string | null;
  expiresAt: string | null;
  revokedAt: string | null;
}

const PASSWORD = 'Reader-password-7';

/** Runs `fn` with the client's CSRF token held back, as a cross-site form post would be. */
async function withoutCsrf<T>(client: TestClient, fn: () => Promise<T>): Promise<T> {
  const saved = client.csrf;
  client.csrf = null;
  try {
    return await fn();
  } finally {
    client.csrf = saved;
  }
}

function setCookieHeader(res: TestResponse<unknown>): string {
  const raw = res.headers['set-cookie'];
  const all = Array.isArray(raw) ? raw : raw ? [String(raw)] : [];
  const cookie = all.find((c) => /lectern_session=/.test(c));
  assert.ok(cookie, `a session cookie is set (got ${JSON.stringify(raw)})`);
  return cookie;
}

describeEachDialect('Sign-in, sessions, CSRF, API tokens, password change', (dialect) => {
  let t: TestApp;

  /** Adds a user with its own login name (not an email), as rosters do. */
  const addUser = async (opts: { role: Role; login: string; email: string; customerId: string | null }) => {
    const user = newUserRecord({
      role: opts.role,
      customerId: opts.customerId,
      login: opts.login,
      email: opts.email,
      givenName: 'Jane',
      familyName: 'Doe',
      phone: '',
      passwordHash: await hashPassword(PASSWORD),
      mustChangePassword: false,
      source: 'manual',
    });
    await new UserRepository(t.ctx.db.kysely).insert(user);
    return user;
  };

  before(async () => {
    t = await startTestApp(dialect);
  });
  after(() => t.close());

  describe('POST /api/auth/login', () => {
    let customerId: string;
    before(async () => {
      customerId = (await seedCustomer(t.ctx)).id;
    });

    it('signs in by email and by login name, ignoring case and surrounding spaces', async () => {
      const byEmail = await t.client().post<SessionBody>('/api/auth/login', { login: ADMIN_EMAIL, password: ADMIN_PASSWORD });
      assert.equal(byEmail.status, 200, JSON.stringify(byEmail.body));
      assert.deepEqual([byEmail.body.user.email, byEmail.body.user.role, byEmail.body.user.mustChangePassword], [ADMIN_EMAIL, 'enterprise_admin', false]);
      assert.match(byEmail.body.csrfToken ?? '', /^[A-Za-z0-9_-]{43}$/);

      const user = await addUser({ role: 'teacher', login: 'jdoe.lincoln', email: 'jane.doe@school.example', customerId });
      for (const login of ['jdoe.lincoln', '  JDoe.Lincoln ', 'jane.doe@school.example', 'Jane.Doe@School.Example']) {
        const client = t.client();
        const res = await client.post<SessionBody>('/api/auth/login', { login, password: PASSWORD });
        assert.equal(res.status, 200, `${login}: ${JSON.stringify(res.body)}`);
        assert.equal(res.body.user.id, user.id);
        const session = await client.get<SessionBody>('/api/auth/session');
        assert.equal(session.status, 200);
        assert.deepEqual([session.body.user.id, session.body.user.login, session.body.user.customerId], [user.id, 'jdoe.lincoln', customerId]);
        assert.equal(session.body.csrfToken, res.body.csrfToken);
      }
    });

    it('does not sign in by an email two accounts share; the login name still works', async () => {
      await addUser({ role: 'student', login: 'twin-a.lincoln', email: 'twins@school.example', customerId });
      const b = await addUser({ role: 'student', login: 'twin-b.lincoln', email: 'twins@school.example', customerId });
      assertError(await t.client().post('/api/auth/login', { login: 'twins@school.example', password: PASSWORD }), 401, 'INVALID_CREDENTIALS');
      const res = await t.client().post<SessionBody>('/api/auth/login', { login: 'twin-b.lincoln', password: PASSWORD });
      assert.equal(res.status, 200);
      assert.equal(res.body.user.id, b.id);
    });

    it('answers a wrong password and an unknown login with the same 401 INVALID_CREDENTIALS, and sets no cookie', async () => {
      const wrong = await t.client().post('/api/auth/login', { login: ADMIN_EMAIL, password: 'Not-the-password-1' });
      const unknown = await t.client().post('/api/auth/login', { login: 'nobody@lectern.test', password: 'Not-the-password-1' });
      assertError(wrong, 401, 'INVALID_CREDENTIALS');
      assert.deepEqual(unknown.body, wrong.body);
      assert.equal(unknown.status, 401);
      assert.equal(wrong.headers['set-cookie'], undefined);
      assert.equal((wrong.body as { error: { message: string } }).error.message, 'The login or password is not correct.');
    });

    it('rejects a malformed sign-in body with field paths', async () => {
      assertError(await t.client().post('/api/auth/login', { login: ADMIN_EMAIL }), 400, 'VALIDATION_FAILED', ['password']);
      assertError(await t.client().post('/api/auth/login', { login: '', password: 'x' }), 400, 'VALIDATION_FAILED', ['login']);
      assertError(await t.client().post('/api/auth/login', { login: ADMIN_EMAIL, password: ADMIN_PASSWORD, remember: true }), 400, 'VALIDATION_FAILED', ['remember']);
    });

    it('locks a login after 5 failures with 429 RATE_LIMITED, Retry-After and a clear message, even with the right password', async () => {
      const user = await addUser({ role: 'teacher', login: 'locked.lincoln', email: 'locked@school.example', customerId });
      for (let i = 1; i <= 5; i++) {
        assertError(await t.client().post('/api/auth/login', { login: 'locked.lincoln', password: `Wrong-password-${i}` }), 401, 'INVALID_CREDENTIALS');
      }
      for (const login of ['locked.lincoln', 'LOCKED.lincoln']) {
        const res = await t.client().post('/api/auth/login', { login, password: PASSWORD });
        const err = assertError(res, 429, 'RATE_LIMITED');
        assert.equal(err.message, 'Too many failed sign-in attempts. Try again in 15 minutes.');
        const retryAfter = Number(res.headers['retry-after']);
        assert.ok(Number.isInteger(retryAfter) && retryAfter > 0 && retryAfter <= 900, `retry-after ${res.headers['retry-after']}`);
        assert.equal(res.headers['set-cookie'], undefined);
      }
      const sessions = await t.ctx.db.kysely.selectFrom('sessions').select('id').where('user_id', '=', user.id).execute();
      assert.equal(sessions.length, 0);
      // The lock is per login: others signing in from the same address are not affected.
      assert.equal((await t.client().post('/api/auth/login', { login: ADMIN_EMAIL, password: ADMIN_PASSWORD })).status, 200);
    });
    it('counts failures per account, so switching between login name and email buys no extra guesses', async () => {
      await addUser({ role: 'teacher', login: 'alias.lincoln', email: 'alias@school.example', customerId });
      const attempts = ['alias.lincoln', 'alias@school.example', 'ALIAS.lincoln', 'Alias@School.Example', 'alias.lincoln'];
      for (const [i, login] of attempts.entries()) {
        assertError(await t.client().post('/api/auth/login', { login, password: `Wrong-password-${i}` }), 401, 'INVALID_CREDENTIALS');
      }
      for (const login of ['alias.lincoln', 'alias@school.example']) {
        assertError(await t.client().post('/api/auth/login', { login, password: PASSWORD }), 429, 'RATE_LIMITED');
      }
    });

    it('a successful sign-in clears the failure count', async () => {
      await addUser({ role: 'teacher', login: 'forgetful.lincoln', email: 'forgetful@school.example', customerId });
      for (let round = 0; round < 2; round++) {
        for (let i = 0; i < 4; i++) {
          assertError(await t.client().post('/api/auth/login', { login: 'forgetful@school.example', password: `Wrong-password-${i}` }), 401, 'INVALID_CREDENTIALS');
        }
        assert.equal((await t.client().post('/api/auth/login', { login: 'forgetful.lincoln', password: PASSWORD })).status, 200);
      }
    });
  });

  describe('the session cookie', () => {
    it('is HttpOnly, SameSite=Lax, path /, and not the value stored in the database', async () => {
      const client = t.client();
      const res = await client.post('/api/auth/login', { login: ADMIN_EMAIL, password: ADMIN_PASSWORD });
      const cookie = setCookieHeader(res);
      assert.match(cookie, /^lectern_session=[A-Za-z0-9_-]{43};/);
      assert.match(cookie, /; HttpOnly(;|$)/);
      assert.match(cookie, /; SameSite=Lax(;|$)/);
      assert.match(cookie, /; Path=\/(;|$)/);
      assert.match(cookie, /; Max-Age=43200(;|$)/);
      const value = /^lectern_session=([^;]+)/.exec(cookie)![1]!;
      const row = await t.ctx.db.kysely.selectFrom('sessions').select('id').where('id', '=', tokenDigest(value)).executeTakeFirst();
      assert.ok(row, 'the session is stored under the digest of the cookie');
      assert.equal(await t.ctx.db.kysely.selectFrom('sessions').select('id').where('id', '=', value).executeTakeFirst(), undefined);
    });

    it('is Secure with the __Host- prefix when the public URL is https', async () => {
      const ctx: AppContext = { ...t.ctx, config: { ...t.ctx.config, publicUrl: 'https://lectern.test', secureCookies: true } };
      const app: App = await buildApp(ctx);
      try {
        const res = await app.inject({ method: 'POST', url: '/api/auth/login', payload: { login: ADMIN_EMAIL, password: ADMIN_PASSWORD } });
        assert.equal(res.statusCode, 200);
        const cookie = setCookieHeader({ status: res.statusCode, body: null, headers: res.headers });
        assert.match(cookie, /^__Host-lectern_session=/);
        assert.match(cookie, /; Secure(;|$)/);
        assert.match(cookie, /; HttpOnly(;|$)/);
        assert.match(cookie, /; SameSite=Lax(;|$)/);
      } finally {
        await app.close();
      }
    });

    it('logout ends the session: the old cookie no longer works and the row is gone', async () => {
      const client = await t.client().login(ADMIN_EMAIL, ADMIN_PASSWORD);
      const cookie = client.cookie!;
      const res = await client.post('/api/auth/logout');
      assert.equal(res.status, 204);
      assert.match(setCookieHeader(res), /^lectern_session=;/);
      const replay = t.client();
      replay.cookie = cookie;
      assertError(await replay.get('/api/auth/session'), 401, 'AUTH_REQUIRED');
      assertError(await replay.get('/api/customers'), 401, 'AUTH_REQUIRED');
      const value = cookie.split('=')[1]!;
      assert.equal(await t.ctx.db.kysely.selectFrom('sessions').select('id').where('id', '=', tokenDigest(value)).executeTakeFirst(), undefined);
    });

    it('an expired session answers 401 AUTH_REQUIRED', async () => {
      const client = await t.client().login(ADMIN_EMAIL, ADMIN_PASSWORD);
      const id = tokenDigest(client.cookie!.split('=')[1]!);
      await t.ctx.db.kysely.updateTable('sessions').set({ expires_at: '2000-01-01T00:00:00.000Z' }).where('id', '=', id).execute();
      assertError(await client.get('/api/auth/session'), 401, 'AUTH_REQUIRED');
    });
  });

  describe('CSRF protection of cookie-authenticated writes', () => {
    let admin: TestClient;
    let target: Awaited<ReturnType<typeof seedCustomer>>;
    before(async () => {
      admin = await t.asAdmin();
      target = await seedCustomer(t.ctx);
    });

    it('a POST or PATCH without X-CSRF-Token answers 403 CSRF_FAILED and changes nothing', async () => {
      const snap = await customerSnapshot(t.ctx, target.id);
      await assertNothingStored(t, async () => {
        await withoutCsrf(admin, async () => {
          assertError(await admin.post('/api/customers', customerBody()), 403, 'CSRF_FAILED');
          assertError(await admin.patch(`/api/customers/${target.id}`, { status: 'disabled' }), 403, 'CSRF_FAILED');
          assertError(await admin.post(`/api/customers/${target.id}/lti/rotate`), 403, 'CSRF_FAILED');
          assertError(await admin.post('/api/auth/tokens', { name: 'csrf' }), 403, 'CSRF_FAILED');
          assertError(await admin.post('/api/auth/password', { currentPassword: ADMIN_PASSWORD, newPassword: 'Csrf-changed-pw-1' }), 403, 'CSRF_FAILED');
          assertError(await admin.post('/api/auth/logout'), 403, 'CSRF_FAILED');
        });
      });
      assert.deepEqual(await customerSnapshot(t.ctx, target.id), snap);
      assert.equal((await admin.get('/api/auth/session')).status, 200, 'the session survived the forged logout');
    });

    it('a wrong or stale X-CSRF-Token answers 403 CSRF_FAILED', async () => {
      const other = await t.client().login(ADMIN_EMAIL, ADMIN_PASSWORD);
      await assertNothingStored(t, async () => {
        for (const token of ['wrong', '', other.csrf!, admin.csrf!.slice(0, -1)]) {
          assertError(await admin.request('POST', '/api/customers', customerBody(), { 'x-csrf-token': token }), 403, 'CSRF_FAILED');
          assertError(await admin.request('PATCH', `/api/customers/${target.id}`, { status: 'disabled' }, { 'x-csrf-token': token }), 403, 'CSRF_FAILED');
        }
      });
    });

    it('a write from another Origin answers 403 CSRF_FAILED even with the right token; same origin works', async () => {
      await assertNothingStored(t, async () => {
        for (const origin of ['https://evil.example', 'null', 'http://lectern.test.evil.example']) {
          const res = await admin.request('PATCH', `/api/customers/${target.id}`, { profile: { name: 'Evil' } }, { origin });
          assertError(res, 403, 'CSRF_FAILED');
        }
        const signIn = await t.client().request('POST', '/api/auth/login', { login: ADMIN_EMAIL, password: ADMIN_PASSWORD }, { origin: 'https://evil.example' });
        assertError(signIn, 403, 'CSRF_FAILED');
      });
      const ok = await admin.request('PATCH', `/api/customers/${target.id}`, { profile: { name: 'Same Origin' } }, { origin: 'http://lectern.test' });
      assert.equal(ok.status, 200, JSON.stringify(ok.body));
    });

    it('reads need no CSRF token', async () => {
      await withoutCsrf(admin, async () => {
        assert.equal((await admin.get(`/api/customers/${target.id}`)).status, 200);
      });
    });
  });

  describe('personal API tokens', () => {
    it('are shown once with the lct_ prefix, work without CSRF, are never listed, and stop working when revoked', async () => {
      const session = await t.asAdmin();
      const created = await session.post<{ token: string; info: TokenInfo }>('/api/auth/tokens', { name: 'nightly import', expiresInDays: 30 });
      assert.equal(created.status, 201, JSON.stringify(created.body));
      const { token, info } = created.body;
      assert.match(token, /^lct_[A-Za-z0-9_-]{43}$/);
      assert.equal(info.prefix, token.slice(0, 10));
      assert.equal(info.name, 'nightly import');
      assert.equal(Math.round((Date.parse(info.expiresAt!) - Date.parse(info.createdAt)) / 86_400_000), 30);

      const list = await session.get<TokenInfo[]>('/api/auth/tokens');
      assert.equal(list.status, 200);
      assert.deepEqual(
        list.body.map((x) => x.id),
        [info.id],
      );
      assert.ok(!JSON.stringify(list.body).includes(token), 'the list never shows the token');
      assert.ok(!(await allRowsAsText(t.ctx)).includes(token), 'the token is stored only as a digest');

      const bearer = t.client();
      bearer.bearer = token;
      const who = await bearer.get<SessionBody>('/api/auth/session');
      assert.deepEqual([who.status, who.body.user.email, who.body.csrfToken], [200, ADMIN_EMAIL, null]);
      // No CSRF header and even a foreign Origin: a bearer token is not an ambient credential.
      const add = await bearer.request<{ id: string }>('POST', '/api/customers', customerBody(), { origin: 'https://automation.example' });
      assert.equal(add.status, 201, JSON.stringify(add.body));
      const patch = await bearer.patch(`/api/customers/${add.body.id}`, { profile: { name: 'Renamed by script' } });
      assert.equal(patch.status, 200, JSON.stringify(patch.body));
      const used = (await session.get<TokenInfo[]>('/api/auth/tokens')).body[0]!;
      assert.ok(used.lastUsedAt, 'last use is recorded');

      assert.equal((await session.delete(`/api/auth/tokens/${info.id}`)).status, 204);
      const denied = await bearer.get('/api/auth/session');
      const err = assertError(denied, 401, 'AUTH_REQUIRED');
      assert.match(err.message, /revoked/);
      await assertNothingStored(t, async () => {
        assertError(await bearer.post('/api/customers', customerBody()), 401, 'AUTH_REQUIRED');
      });
      assertError(await session.delete(`/api/auth/tokens/${info.id}`), 404, 'NOT_FOUND');
      const revoked = (await session.get<TokenInfo[]>('/api/auth/tokens')).body[0]!;
      assert.ok(revoked.revokedAt);
    });

    it('cannot be revoked by another user, and expired, malformed or unknown tokens answer 401', async () => {
      const seeded = await seedCustomer(t.ctx);
      const owner = await t.client().login(seeded.adminEmail, seeded.adminPassword);
      const { body } = await owner.post<{ token: string; info: TokenInfo }>('/api/auth/tokens', { name: 'mine' });
      const admin = await t.asAdmin();
      assertError(await admin.delete(`/api/auth/tokens/${body.info.id}`), 404, 'NOT_FOUND');
      const bearer = t.client();
      bearer.bearer = body.token;
      assert.equal((await bearer.get(`/api/customers/${seeded.id}`)).status, 200);

      await t.ctx.db.kysely.updateTable('api_tokens').set({ expires_at: '2000-01-01T00:00:00.000Z' }).where('id', '=', body.info.id).execute();
      assertError(await bearer.get(`/api/customers/${seeded.id}`), 401, 'AUTH_REQUIRED');

      const unknown = t.client();
      unknown.bearer = `lct_${crypto.randomBytes(32).toString('base64url')}`;
      assertError(await unknown.get('/api/auth/session'), 401, 'AUTH_REQUIRED');
      assertError(await t.client().request('GET', '/api/auth/session', undefined, { authorization: 'Basic cm9vdDpwdw==' }), 401, 'AUTH_REQUIRED');
      assertError(await admin.post('/api/auth/tokens', { name: '' }), 400, 'VALIDATION_FAILED', ['name']);
      assertError(await admin.post('/api/auth/tokens', { name: 'x', expiresInDays: 0 }), 400, 'VALIDATION_FAILED', ['expiresInDays']);
    });
    it('only console roles may mint them: students and teachers get 403 FORBIDDEN, and a token one already holds stops working', async () => {
      const seeded = await seedCustomer(t.ctx);
      for (const role of ['student', 'teacher'] as const) {
        const user = await addUser({ role, login: `${role}.tokens`, email: `${role}.tokens@school.example`, customerId: seeded.id });
        const client = await t.client().login(user.login, PASSWORD);
        const before = await t.ctx.db.kysely.selectFrom('api_tokens').select('id').execute();
        const err = assertError(await client.post('/api/auth/tokens', { name: 'mine' }), 403, 'FORBIDDEN');
        assert.match(err.message, /administrators/);
        assert.deepEqual(await t.ctx.db.kysely.selectFrom('api_tokens').select('id').execute(), before, 'no token was stored');
        // A token minted before this rule (or while the person was an admin) opens nothing.
        const token = `lct_${crypto.randomBytes(32).toString('base64url')}`;
        const now = new Date().toISOString();
        await t.ctx.db.kysely
          .insertInto('api_tokens')
          .values({
            id: crypto.randomUUID(),
            user_id: user.id,
            name: 'old',
            token_hash: tokenDigest(token),
            prefix: token.slice(0, 10),
            created_at: now,
            last_used_at: null,
            expires_at: null,
            revoked_at: null,
          })
          .execute();
        const bearer = t.client();
        bearer.bearer = token;
        assertError(await bearer.get('/api/reader/bookshelf'), 401, 'AUTH_REQUIRED');
      }
      const instituteAdmin = await addUser({ role: 'institute_admin', login: 'institute.tokens', email: 'institute.tokens@school.example', customerId: seeded.id });
      const client = await t.client().login(instituteAdmin.login, PASSWORD);
      assert.equal((await client.post('/api/auth/tokens', { name: 'school script' })).status, 201);
    });
  });

  describe('POST /api/auth/password', () => {
    it('rejects a wrong current password and a weak or unchanged new one, with field paths', async () => {
      const seeded = await seedCustomer(t.ctx);
      const client = await t.client().login(seeded.adminEmail, seeded.adminPassword);
      const hash = async () => (await t.ctx.db.kysely.selectFrom('users').select('password_hash').where('login', '=', seeded.adminEmail).executeTakeFirstOrThrow()).password_hash;
      const before = await hash();
      assertError(await client.post('/api/auth/password', { currentPassword: 'Not-current-1', newPassword: 'Brand-new-pass-1' }), 400, 'VALIDATION_FAILED', ['currentPassword']);
      assertError(await client.post('/api/auth/password', { currentPassword: seeded.adminPassword, newPassword: 'short1' }), 400, 'VALIDATION_FAILED', ['newPassword']);
      assertError(await client.post('/api/auth/password', { currentPassword: seeded.adminPassword, newPassword: 'onlyletterslong' }), 400, 'VALIDATION_FAILED', ['newPassword']);
      assertError(await client.post('/api/auth/password', { currentPassword: seeded.adminPassword, newPassword: seeded.adminPassword }), 400, 'VALIDATION_FAILED', ['newPassword']);
      assertError(await client.post('/api/auth/password', { currentPassword: seeded.adminPassword }), 400, 'VALIDATION_FAILED', ['newPassword']);
      assert.equal(await hash(), before);
      assertError(await t.client().post('/api/auth/password', { currentPassword: seeded.adminPassword, newPassword: 'Brand-new-pass-1' }), 401, 'AUTH_REQUIRED');
    });

    it('rejects a common or breached password, and one built on the login or email, with a field message', async () => {
      const seeded = await seedCustomer(t.ctx);
      const client = await t.client().login(seeded.adminEmail, seeded.adminPassword);
      const cases: Array<[string, RegExp]> = [
        ['password12', /common or breached/],
        ['PASSWORD12', /common or breached/],
        ['Baseball2024!', /common or breached/],
        [seeded.adminEmail, /login name or email/],
        [`My-${seeded.adminEmail.toUpperCase()}-9`, /login name or email/],
      ];
      for (const [newPassword, message] of cases) {
        const err = assertError(await client.post('/api/auth/password', { currentPassword: seeded.adminPassword, newPassword }), 400, 'VALIDATION_FAILED', ['newPassword']);
        assert.match(err.fields![0]!.message, message, newPassword);
      }
    });

    it('a successful change ends the other sessions and every API token, keeps this session, and only the new password signs in', async () => {
      const seeded = await seedCustomer(t.ctx);
      const here = await t.client().login(seeded.adminEmail, seeded.adminPassword);
      const elsewhere = await t.client().login(seeded.adminEmail, seeded.adminPassword);
      const bearer = t.client();
      bearer.bearer = (await here.post<{ token: string }>('/api/auth/tokens', { name: 'minted with the old password' })).body.token;
      assert.equal((await bearer.get(`/api/customers/${seeded.id}/users`)).status, 200);
      const res = await here.post('/api/auth/password', { currentPassword: seeded.adminPassword, newPassword: 'Brand-new-pass-1' });
      assert.equal(res.status, 204, JSON.stringify(res.body));
      assert.equal((await here.get('/api/auth/session')).status, 200, 'the current session continues');
      assert.equal((await here.get(`/api/customers/${seeded.id}/users`)).status, 200);
      assertError(await elsewhere.get('/api/auth/session'), 401, 'AUTH_REQUIRED');
      assertError(await bearer.get(`/api/customers/${seeded.id}/users`), 401, 'AUTH_REQUIRED');
      assert.ok(
        (await here.get<TokenInfo[]>('/api/auth/tokens')).body.every((x) => x.revokedAt),
        'the token list shows it revoked',
      );
      assertError(await t.client().post('/api/auth/login', { login: seeded.adminEmail, password: seeded.adminPassword }), 401, 'INVALID_CREDENTIALS');
      assert.equal((await t.client().post('/api/auth/login', { login: seeded.adminEmail, password: 'Brand-new-pass-1' })).status, 200);
    });
  });

  describe('a password an enterprise admin types for a new customer admin', () => {
    it('must be replaced by its owner at first sign-in; until then the API is closed to them, by cookie and by token', async () => {
      const admin = await t.asAdmin();
      const body = customerBody();
      const created = await admin.post<{ id: string }>('/api/customers', body);
      assert.equal(created.status, 201, JSON.stringify(created.body));
      const ca = t.client();
      const login = await ca.post<SessionBody>('/api/auth/login', { login: body.administrator.email, password: body.administrator.password });
      assert.deepEqual([login.status, login.body.user.role, login.body.user.mustChangePassword], [200, 'customer_admin', true]);
      assertError(await ca.get(`/api/customers/${created.body.id}`), 403, 'PASSWORD_CHANGE_REQUIRED');
      assertError(await ca.get(`/api/customers/${created.body.id}/users`), 403, 'PASSWORD_CHANGE_REQUIRED');
      assertError(await ca.post('/api/auth/tokens', { name: 'before choosing' }), 403, 'PASSWORD_CHANGE_REQUIRED');
      const changed = await ca.post('/api/auth/password', { currentPassword: body.administrator.password, newPassword: 'Chosen-by-me-42' });
      assert.equal(changed.status, 204, JSON.stringify(changed.body));
      assert.equal((await ca.get<SessionBody>('/api/auth/session')).body.user.mustChangePassword, false);
      assert.equal((await ca.get(`/api/customers/${created.body.id}`)).status, 200);
    });

    it('passes the same checks as one a person chooses: not common or breached, not built on the login or email', async () => {
      const admin = await t.asAdmin();
      for (const make of [() => 'password12', (email: string) => `Pw-${email}-1`]) {
        const body = customerBody();
        body.administrator.password = make(body.administrator.email);
        await assertNothingStored(t, async () => {
          assertError(await admin.post('/api/customers', body), 400, 'VALIDATION_FAILED', ['administrator.password']);
        });
      }
    });
  });
});

describeEachDialect('First start: bootstrap enterprise admin', (dialect) => {
  let database: TestDatabase;
  let ctx: AppContext;
  let app: App;

  before(async () => {
    database = await createTestDatabase(dialect);
    ctx = await createContext(loadConfig({ LECTERN_DATA_DIR: database.dataDir, DATABASE_URL: database.url, LECTERN_PUBLIC_URL: 'http://lectern.test' }));
    app = await buildApp(ctx);
  });
  after(async () => {
    await app.close();
    await ctx.close();
    await database.drop();
  });

  it('refuses a common password, or the email, for the bootstrap admin (LECTERN_BOOTSTRAP_ADMIN_PASSWORD) and for `lectern admin create`, and creates no one', async () => {
    for (const password of ['password12', 'Baseball2024!', 'Ops-Boot@Lectern.test-1']) {
      const refused = (err: unknown) => err instanceof AppError && err.code === 'VALIDATION_FAILED' && err.fields.map((f) => f.field).join() === 'password';
      await assert.rejects(ctx.accounts.ensureBootstrapAdmin({ email: 'ops-boot@lectern.test', password }), refused);
      await assert.rejects(ctx.accounts.createEnterpriseAdmin(operatorActor, { email: 'ops-boot@lectern.test', password }), refused);
    }
    assert.equal((await storedCounts(ctx)).users, 0);
  });

  it('without env vars creates one admin with a one-time password that must be changed, and only once', async () => {
    const first = await ctx.accounts.ensureBootstrapAdmin({});
    assert.ok(first?.oneTimePassword);
    assert.equal(first.email, 'admin@lectern.local');
    assert.match(first.oneTimePassword, /^[A-Za-z2-9]{5}(-[A-Za-z2-9]{5}){3}$/);
    assert.ok(!(await allRowsAsText(ctx)).includes(first.oneTimePassword), 'the one-time password is stored only as a hash');

    const client = new TestClient(app);
    const login = await client.post<SessionBody>('/api/auth/login', { login: first.email, password: first.oneTimePassword });
    assert.equal(login.status, 200, JSON.stringify(login.body));
    assert.deepEqual([login.body.user.role, login.body.user.mustChangePassword], ['enterprise_admin', true]);
    const session = await client.get<SessionBody>('/api/auth/session');
    assert.deepEqual([session.status, session.body.user.mustChangePassword], [200, true]);
    // Until the password is changed, the API is closed to this session.
    assertError(await client.get('/api/customers'), 403, 'PASSWORD_CHANGE_REQUIRED');
    assertError(await client.post('/api/auth/tokens', { name: 'sneaky' }), 403, 'PASSWORD_CHANGE_REQUIRED');
    assertError(await client.post('/api/customers', customerBody()), 403, 'PASSWORD_CHANGE_REQUIRED');

    const changed = await client.post('/api/auth/password', { currentPassword: first.oneTimePassword, newPassword: 'My-own-password-1' });
    assert.equal(changed.status, 204, JSON.stringify(changed.body));
    const after = await client.get<SessionBody>('/api/auth/session');
    assert.equal(after.body.user.mustChangePassword, false);
    assert.equal((await client.get('/api/customers')).status, 200);

    // The one-time password worked once; now only the chosen one does.
    assertError(await new TestClient(app).post('/api/auth/login', { login: first.email, password: first.oneTimePassword }), 401, 'INVALID_CREDENTIALS');
    const again = await new TestClient(app).post<SessionBody>('/api/auth/login', { login: first.email, password: 'My-own-password-1' });
    assert.deepEqual([again.status, again.body.user.mustChangePassword], [200, false]);

    const counts = await storedCounts(ctx);
    assert.equal(await ctx.accounts.ensureBootstrapAdmin({}), null);
    assert.equal(await ctx.accounts.ensureBootstrapAdmin({ email: 'other@lectern.test', password: 'Other-password-1' }), null);
    assert.equal((await storedCounts(ctx)).users, counts.users);
    assert.equal(counts.users, 1);
  });
});
