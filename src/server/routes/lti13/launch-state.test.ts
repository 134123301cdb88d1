/*
 * A login state serves one post, even a refused one: the launch reads an ordinary login first and
 * takes it in the transaction that signs the person in, so each way a launch can be refused (before
 * the token verifies, after it, inside the transaction) must still use the state up. Each is posted
 * again with a good token for that state's nonce, which must then get the "already used" page.
 */
import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { describeEachDialect, type TestApp } from '../../../../test/helpers/app.js';
import type { LaunchOptions, Lti13Platform } from '../../../../test/helpers/lti13-platform.js';
import { startLti13TestApp, type Lti13TestApp } from '../../../../test/helpers/lti13-customer.js';

const PUBLIC = 'http://lectern.test';
const LOGIN_URL = `${PUBLIC}/lti/1.3/login`;

describeEachDialect('LTI 1.3 launch: a refused launch uses its login state up', (dialect) => {
  let t: TestApp;
  let lms: Lti13Platform;
  let app: Lti13TestApp;

  const post = async (fields: Record<string, string>) => {
    const res = await t.app.inject({ method: 'POST', url: '/lti/1.3/launch', headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: new URLSearchParams(fields).toString() });
    return { status: res.statusCode, location: (res.headers.location as string | undefined) ?? null, body: res.body };
  };
  const login = async () => {
    const res = await t.app.inject({ method: 'GET', url: lms.loginInitiation(LOGIN_URL).url.slice(PUBLIC.length) });
    assert.equal(res.statusCode, 302, res.body);
    const location = new URL(res.headers.location as string);
    return { state: location.searchParams.get('state')!, nonce: location.searchParams.get('nonce')! };
  };
  /** Posts a launch refused by `refused`, then the same state with a good token: the second gets the used-state page. */
  const refusedThenReplayed = async (refused: LaunchOptions, expect: (res: { status: number; location: string | null; body: string }) => void) => {
    const { state, nonce } = await login();
    expect(await post({ id_token: await lms.idToken(refused, nonce), state }));
    const again = await post({ id_token: await lms.idToken({}, nonce), state });
    assert.equal(again.status, 401, again.body);
    assert.equal(again.location, null);
    assert.match(again.body, /already used/);
  };
  const backToLms = (log: RegExp) => (res: { status: number; location: string | null }) => {
    assert.equal(res.status, 303);
    assert.match(new URL(res.location!).searchParams.get('lti_errorlog') ?? '', log);
  };

  before(async () => {
    app = await startLti13TestApp(dialect);
    ({ t, lms } = app);
  });
  after(() => app.close());

  it('a good launch signs in once; its state posted again gets the used-state page', async () => {
    await refusedThenReplayed({}, (res) => {
      assert.equal(res.status, 303);
      assert.equal(res.location, '/reader');
    });
  });

  it('refused before the token verifies (a key the LMS does not publish)', async () => {
    await refusedThenReplayed({ forge: 'unknown-kid' }, (res) => assert.equal(res.status, 401, res.body));
  });

  it('refused after it verified, before the transaction (a wrong aud)', async () => {
    await refusedThenReplayed({ forge: 'wrong-aud' }, backToLms(/LTI13_WRONG_AUDIENCE/));
  });

  it('refused inside the transaction that would sign the person in (a title that does not exist)', async () => {
    await refusedThenReplayed({ custom: { bookid: 'no-such-title' } }, backToLms(/LTI_TARGET_UNAVAILABLE/));
  });
});
