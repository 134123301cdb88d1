import assert from 'node:assert/strict';
import { after, before, it, mock } from 'node:test';
import { ADMIN_EMAIL, describeEachDialect, startTestApp, type TestApp } from '../../test/helpers/app.js';
import type { User } from '../db/schema.js';
import { addMs } from '../time.js';
import { createSession } from './account-service.js';
import { SessionRepository } from './session-repository.js';

// Each dialect's clock starts a day after the last one's: the sweep's schedule belongs to the process.
const STARTS = { sqlite: '2100-01-01T00:00:00.000Z', postgres: '2100-01-02T00:00:00.000Z' };
const MINUTE = 60_000;

// Expired sessions are swept by a sign-in at most every ten minutes per process, not by every one.
describeEachDialect('Expired session sweep', (dialect) => {
  let t: TestApp;
  let user: User;

  before(async () => {
    t = await startTestApp(dialect);
    user = await t.ctx.db.kysely.selectFrom('users').selectAll().where('email', '=', ADMIN_EMAIL).executeTakeFirstOrThrow();
  });
  after(() => t.close());

  /** A stored session row that expires at `expiresAt`; its id. */
  async function storedSession(id: string, expiresAt: string): Promise<string> {
    const at = addMs(expiresAt, -MINUTE);
    await t.ctx.db.kysely
      .insertInto('sessions')
      .values({ id, user_id: user.id, csrf_token: 'x', created_at: at, expires_at: expiresAt, last_seen_at: at, ip: '127.0.0.1', user_agent: 'test' })
      .execute();
    return id;
  }

  /** A sign-in's session, created at `now` (the clock is frozen there meanwhile). */
  async function signInAt(now: string): Promise<string> {
    mock.timers.enable({ apis: ['Date'], now: Date.parse(now) });
    try {
      return (await createSession(new SessionRepository(t.ctx.db.kysely), user, { ip: '127.0.0.1', userAgent: 'test' })).sessionId;
    } finally {
      mock.timers.reset();
    }
  }

  const stored = async (id: string) => (await t.ctx.db.kysely.selectFrom('sessions').select('id').where('id', '=', id).executeTakeFirst()) !== undefined;

  it('a sign-in sweeps expired sessions and keeps live ones', async () => {
    const start = STARTS[dialect];
    const expired = await storedSession(`${dialect}-expired`, addMs(start, -1));
    const live = await storedSession(`${dialect}-live`, addMs(start, 60 * MINUTE));
    const created = await signInAt(start);
    assert.equal(await stored(expired), false);
    assert.equal(await stored(live), true);
    assert.equal(await stored(created), true);
  });

  it('sign-ins within ten minutes of a sweep sweep nothing; the first one after it sweeps again', async () => {
    const start = STARTS[dialect];
    const expired = await storedSession(`${dialect}-expired-later`, addMs(start, MINUTE));
    const soon = await signInAt(addMs(start, 9 * MINUTE));
    assert.equal(await stored(expired), true, 'not swept nine minutes after the last sweep');
    assert.equal(await stored(soon), true);
    const later = await signInAt(addMs(start, 10 * MINUTE));
    assert.equal(await stored(expired), false, 'swept ten minutes after the last sweep');
    assert.equal(await stored(later), true);
  });
});
