import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { newUserRecord } from '../../../accounts/account-service.js';
import { UserRepository } from '../../../accounts/user-repository.js';
import { createContext, type AppContext } from '../../../context.js';
import type { User } from '../../../db/schema.js';
import { hashPassword } from '../../../security/passwords.js';
import { buildApp } from '../../app.js';
import type { App } from '../../types.js';
import { describeEachDialect, seedCustomer, startTestApp, type TestApp } from '../../../../test/helpers/app.js';
import { errorCode, listenOnLoopback, rawRequest } from '../../../../test/helpers/raw-http.js';

const PASSWORD = 'Teacher-password-7';
// Loopback addresses stand for the people involved: Linux answers on all of 127.0.0.0/8.
const HOME = '127.0.0.3'; // where the teacher signs in every day
const ATTACKER = '127.0.0.2';
const ELSEWHERE = '127.0.0.4'; // the teacher on a new network

/** Tally of the decisions in a batch of responses, e.g. {INVALID_CREDENTIALS: 5, RATE_LIMITED: 25}. */
function tally(codes: Array<string | null>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const c of codes) out[c ?? 'ok'] = (out[c ?? 'ok'] ?? 0) + 1;
  return out;
}

describeEachDialect('Login throttle: attempts are claimed before the password is checked', (dialect) => {
  let t: TestApp;
  let second: { ctx: AppContext; app: App };
  let ports: number[];
  let customerId: string;

  const addUser = async (login: string): Promise<User> => {
    const user = newUserRecord({
      role: 'teacher',
      customerId,
      login,
      email: `${login}@school.example`,
      givenName: 'Tess',
      familyName: 'Teacher',
      phone: '',
      passwordHash: await hashPassword(PASSWORD),
      mustChangePassword: false,
      source: 'manual',
    });
    await new UserRepository(t.ctx.db.kysely).insert(user);
    return user;
  };

  /** One sign-in over real HTTP from `from`, alternating between the two server processes' apps. */
  let turn = 0;
  const signIn = async (login: string, password: string, from: string) => {
    const port = ports[turn++ % ports.length]!;
    const res = await rawRequest(port, 'POST', '/api/auth/login', { body: { login, password }, from });
    return { status: res.status, code: errorCode(res), retryAfter: res.headers['retry-after'] };
  };

  before(async () => {
    t = await startTestApp(dialect);
    // A second app on the same database stands for a second server process behind a load balancer.
    const ctx = await createContext(t.ctx.config);
    second = { ctx, app: await buildApp(ctx) };
    ports = [await listenOnLoopback(t.app), await listenOnLoopback(second.app)];
    customerId = (await seedCustomer(t.ctx)).id;
  });
  after(async () => {
    await second.app.close();
    await second.ctx.close();
    await t.close();
  });

  it('30 concurrent wrong passwords: 5 are checked, 25 refused; the attacker is then locked out but the teacher at a known address is not', async () => {
    const teacher = await addUser('tess.home');
    assert.equal((await signIn('tess.home', PASSWORD, HOME)).status, 200, 'the teacher signs in from home');

    const burst = await Promise.all(Array.from({ length: 30 }, (_, i) => signIn(i % 2 ? 'tess.home' : 'tess.home@school.example', `Wrong-guess-${i}`, ATTACKER)));
    assert.deepEqual(tally(burst.map((r) => r.code)), { INVALID_CREDENTIALS: 5, RATE_LIMITED: 25 });
    for (const r of burst.filter((x) => x.code === 'RATE_LIMITED')) {
      assert.equal(r.status, 429);
      assert.ok(Number(r.retryAfter) > 0 && Number(r.retryAfter) <= 900, `Retry-After ${String(r.retryAfter)}`);
    }

    // The right password no longer helps the attacker, nor anyone at an address the account has not used.
    assert.equal((await signIn('tess.home', PASSWORD, ATTACKER)).code, 'RATE_LIMITED');
    assert.equal((await signIn('tess.home', PASSWORD, ELSEWHERE)).code, 'RATE_LIMITED');
    // The teacher at home keeps access: the lock-out is not a weapon against them.
    const home = await signIn('tess.home@school.example', PASSWORD, HOME);
    assert.equal(home.status, 200, JSON.stringify(home));
    const sessions = await t.ctx.db.kysely.selectFrom('sessions').select('ip').where('user_id', '=', teacher.id).execute();
    assert.deepEqual(sessions.map((s) => s.ip).sort(), [HOME, HOME]);
  });

  it('a known address has a budget of its own: it cannot be used for unlimited guessing', async () => {
    await addUser('tess.shared');
    assert.equal((await signIn('tess.shared', PASSWORD, HOME)).status, 200);
    const burst = await Promise.all(Array.from({ length: 30 }, (_, i) => signIn('tess.shared', `Wrong-guess-${i}`, HOME)));
    assert.deepEqual(tally(burst.map((r) => r.code)), { INVALID_CREDENTIALS: 5, RATE_LIMITED: 25 });
    assert.equal((await signIn('tess.shared', PASSWORD, HOME)).code, 'RATE_LIMITED');
    // Guesses at the known address did not use up the budget of the account's other addresses.
    assert.equal((await signIn('tess.shared', PASSWORD, ELSEWHERE)).status, 200);
  });

  it('unknown logins are limited alike, so the throttle does not reveal which accounts exist', async () => {
    const burst = await Promise.all(Array.from({ length: 12 }, (_, i) => signIn('nobody.here', `Wrong-guess-${i}`, ATTACKER)));
    assert.deepEqual(tally(burst.map((r) => r.code)), { INVALID_CREDENTIALS: 5, RATE_LIMITED: 7 });
  });

  it('the limit lifts when the 15-minute window has passed', async () => {
    await addUser('tess.later');
    for (let i = 0; i < 5; i++) assert.equal((await signIn('tess.later', `Wrong-guess-${i}`, ATTACKER)).code, 'INVALID_CREDENTIALS');
    assert.equal((await signIn('tess.later', PASSWORD, ELSEWHERE)).code, 'RATE_LIMITED');
    await t.ctx.db.kysely
      .updateTable('login_throttle')
      .set({ window_started_at: new Date(Date.now() - 16 * 60_000).toISOString() })
      .execute();
    assert.equal((await signIn('tess.later', PASSWORD, ELSEWHERE)).status, 200);
  });

  describe('per address', () => {
    it('at most 50 wrong passwords are checked from one address in 15 minutes, across accounts; accounts that know the address still get in', async () => {
      const SCHOOL = '127.0.0.5';
      const regular = await addUser('tess.regular');
      await addUser('tess.newcomer');
      assert.equal((await signIn(regular.login, PASSWORD, SCHOOL)).status, 200);
      const burst = await Promise.all(Array.from({ length: 60 }, (_, i) => signIn(`guess.${i}`, `Wrong-guess-${i}`, SCHOOL)));
      assert.deepEqual(tally(burst.map((r) => r.code)), { INVALID_CREDENTIALS: 50, RATE_LIMITED: 10 });
      assert.equal((await signIn('tess.newcomer', PASSWORD, SCHOOL)).code, 'RATE_LIMITED');
      assert.equal((await signIn(regular.login, PASSWORD, SCHOOL)).status, 200);
      // Right passwords are not failures: they never count against the address.
      const other = '127.0.0.6';
      for (let i = 0; i < 3; i++) assert.equal((await signIn(regular.login, PASSWORD, other)).status, 200);
      const row = await t.ctx.db.kysely.selectFrom('login_throttle').select('failures').where('key', '=', `ip:${other}`).executeTakeFirst();
      assert.equal(row?.failures ?? 0, 0);
    });
  });
});
