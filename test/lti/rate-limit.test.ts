/*
 * Launches are rate-limited per client address (LECTERN_LTI_RATE_LIMIT per minute; 600 by default),
 * forged ones included, and the limit answers with a page, not JSON.
 */
import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { describeEachDialect } from '../helpers/app.js';
import { ltiCustomer, postLaunch, signed, startLtiServer, type LtiServer } from './lti-server.js';

describeEachDialect('LTI launch rate limit', (dialect) => {
  let s: LtiServer;
  let c: Awaited<ReturnType<typeof ltiCustomer>>;
  before(async () => {
    // This file runs in its own process: the setting applies to the server built here only.
    process.env.LECTERN_LTI_RATE_LIMIT = '3';
    s = await startLtiServer(dialect);
    c = await ltiCustomer(s.ctx);
  });
  after(async () => {
    delete process.env.LECTERN_LTI_RATE_LIMIT;
    await s.close();
  });

  it('answers 429 with a page once an address has used its launches for the minute', async () => {
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push((await postLaunch(s, signed(s, c, { user_id: `lms-${i}` }, { secret: 'forged' }))).status);
    assert.deepEqual(statuses, [401, 401, 401]);
    const limited = await postLaunch(s, signed(s, c, { user_id: 'lms-4' }));
    assert.equal(limited.status, 429);
    assert.match(limited.contentType, /^text\/html/);
    assert.match(limited.body, /Too many attempts/);
    assert.equal(limited.setCookie, null);
  });
});
