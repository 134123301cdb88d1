/*
 * LTI 1.3 login and launch through the HTTP routes, against the test platform (a fake LMS on
 * loopback): its JWKS is fetched by Lectern's guarded outbound client, its /authorize answers the
 * tool's redirect with the form_post id_token. Each forgery of the Security Framework is its own test.
 */
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { operatorActor } from '../../../accounts/policy.js';
import { tokenDigest } from '../../../security/tokens.js';
import { describeEachDialect, startTestApp, type TestApp } from '../../../../test/helpers/app.js';
import { insertBook } from '../../../../test/helpers/lti-fixtures.js';
import { Lti13Platform, type Forgery, type LaunchOptions } from '../../../../test/helpers/lti13-platform.js';
import { userRow } from '../../../../test/helpers/roster-rows.js';
import { importRoster, schoolRoster } from '../../../../test/lti/lti-server.js';
import { seedLti13Customer } from '../../../../test/helpers/lti13-customer.js';

const PUBLIC = 'http://lectern.test';
const LOGIN_URL = `${PUBLIC}/lti/1.3/login`;
const LAUNCH_URL = `${PUBLIC}/lti/1.3/launch`;

interface Answer {
  status: number;
  location: string | null;
  cookie: string | null;
  body: string;
}

describeEachDialect('LTI 1.3 login and launch', (dialect) => {
  let t: TestApp;
  let lms: Lti13Platform;
  let other: Lti13Platform;
  let customerId: string;
  let bookId: string;

  const answer = (res: { statusCode: number; headers: Record<string, unknown>; cookies: { name: string; value: string }[]; body: string }): Answer => {
    const session = res.cookies.find((c) => c.name.endsWith('lectern_session') && c.value);
    return { status: res.statusCode, location: (res.headers.location as string | undefined) ?? null, cookie: session ? `${session.name}=${session.value}` : null, body: res.body };
  };
  const getLogin = async (url: string) => answer(await t.app.inject({ method: 'GET', url: url.slice(PUBLIC.length) }));
  const postForm = async (path: string, fields: Record<string, string>, headers: Record<string, string> = {}) =>
    answer(
      await t.app.inject({
        method: 'POST',
        url: path,
        headers: { 'content-type': 'application/x-www-form-urlencoded', origin: lms.origin, ...headers },
        payload: new URLSearchParams(fields).toString(),
      }),
    );

  /** Starts a login at Lectern for `launch` and returns the platform auth URL it redirected to, with its state and nonce. */
  const login = async (platform: Lti13Platform, launch: LaunchOptions = {}) => {
    const res = await getLogin(platform.loginInitiation(LOGIN_URL, launch).url);
    assert.equal(res.status, 302, res.body);
    const location = new URL(res.location!);
    return { location: location.href, state: location.searchParams.get('state')!, nonce: location.searchParams.get('nonce')! };
  };
  /** The whole round trip as a browser makes it: login, the platform's /authorize, the form post back. */
  const roundTrip = async (launch: LaunchOptions = {}) => {
    const { location } = await login(lms, launch);
    const { action, fields } = await lms.authorize(location);
    assert.equal(action, LAUNCH_URL);
    return { fields, res: await postForm('/lti/1.3/launch', fields) };
  };
  /** A login at Lectern, then an id_token made (or forged) by the platform for its nonce, posted with its state. */
  const launchWith = async (launch: LaunchOptions) => {
    const { state, nonce } = await login(lms);
    return postForm('/lti/1.3/launch', { id_token: await lms.idToken(launch, nonce), state });
  };
  const whoAmI = async (cookie: string | null) => {
    assert.ok(cookie, 'expected a session cookie');
    const res = await t.app.inject({ method: 'GET', url: '/api/auth/session', headers: { cookie } });
    assert.equal(res.statusCode, 200, res.body);
    return (JSON.parse(res.body) as { user: { id: string; role: string; customerId: string; login: string } }).user;
  };
  /** A refusal before verification: an error page with a 4xx status, never a redirect, no session. */
  const errorPage = (res: Answer, status: number, text: RegExp) => {
    assert.equal(res.status, status, res.body);
    assert.equal(res.location, null);
    assert.equal(res.cookie, null);
    assert.match(res.body, text);
  };
  /** A refusal after verification: back to the platform's return URL with lti_errormsg, no session. */
  const backToLms = (res: Answer, log: RegExp) => {
    assert.equal(res.status, 303, res.body);
    assert.equal(res.cookie, null);
    const url = new URL(res.location!);
    assert.equal(`${url.origin}${url.pathname}`, `${lms.issuer}/courses/${lms.context.id}/return`);
    assert.ok(url.searchParams.get('lti_errormsg'));
    assert.match(url.searchParams.get('lti_errorlog') ?? '', log);
  };
  const forged = async (forge: Forgery) => launchWith({ forge });

  before(async () => {
    t = await startTestApp(dialect);
    lms = await Lti13Platform.start({ toolTargetLinkUri: LAUNCH_URL, toolRedirectUris: [LAUNCH_URL] });
    other = await Lti13Platform.start({ toolTargetLinkUri: LAUNCH_URL, toolRedirectUris: [LAUNCH_URL], clientId: '20000000000077' });
    const c = await seedLti13Customer(t.ctx, lms);
    customerId = c.id;
    await seedLti13Customer(t.ctx, other);
    // The platform's first learner is rostered (Match with identifier = the LIS person_sourcedid).
    await importRoster(
      t.ctx,
      customerId,
      schoolRoster([
        userRow('stu-sian', { identifier: 'sis-lms-user-1', username: 'sian' }),
        userRow('stu-off', { identifier: 'sis-off', username: 'off' }),
        userRow('adm-di', { identifier: 'sis-admin', username: 'di', role: 'administrator' }),
      ]),
    );
    await t.ctx.db.kysely.updateTable('users').set({ status: 'disabled' }).where('customer_id', '=', customerId).where('sourced_id', '=', 'stu-off').execute();
    bookId = await insertBook(t.ctx.db.kysely, customerId, 'Chapter book', { file_key: 'k-1' });
    const now = new Date().toISOString();
    const classId = (await t.ctx.db.kysely.selectFrom('classes').select('id').where('customer_id', '=', customerId).where('sourced_id', '=', 'c1').executeTakeFirstOrThrow()).id;
    await t.ctx.db.kysely
      .insertInto('assignments')
      .values({ id: crypto.randomUUID(), customer_id: customerId, book_id: bookId, target_type: 'class', target_id: classId, assigned_by: null, created_at: now })
      .execute();
  });
  after(async () => {
    await t.close();
    await lms.close();
    await other.close();
  });

  it('login answers 302 to the platform with every OIDC parameter, echoing login_hint and lti_message_hint; the state is stored as a digest only', async () => {
    const init = lms.loginInitiation(LOGIN_URL);
    const res = await getLogin(init.url);
    assert.equal(res.status, 302, res.body);
    const url = new URL(res.location!);
    assert.equal(`${url.origin}${url.pathname}`, lms.authLoginUrl);
    const q = Object.fromEntries(url.searchParams);
    assert.equal(q.scope, 'openid');
    assert.equal(q.response_type, 'id_token');
    assert.equal(q.response_mode, 'form_post');
    assert.equal(q.prompt, 'none');
    assert.equal(q.client_id, lms.clientId);
    assert.equal(q.redirect_uri, LAUNCH_URL);
    assert.equal(q.login_hint, init.fields.login_hint);
    assert.equal(q.lti_message_hint, init.fields.lti_message_hint);
    assert.ok(q.state && q.state.length >= 32 && q.nonce && q.nonce.length >= 32 && q.state !== q.nonce);
    const rows = await t.ctx.db.kysely.selectFrom('lti13_login_states').selectAll().where('state_hash', '=', tokenDigest(q.state)).execute();
    assert.equal(rows.length, 1);
    assert.equal(rows[0]!.target_link_uri, LAUNCH_URL);
    assert.equal(await t.ctx.db.kysely.selectFrom('lti13_login_states').select('state_hash').where('state_hash', '=', q.state).executeTakeFirst(), undefined);
    assert.equal(res.cookie, null, 'no cookie: the state row is the proof');
  });

  it('login by form post (POST /lti/1.3/login) answers the same redirect', async () => {
    const { fields } = lms.loginInitiation(LOGIN_URL);
    const res = await postForm('/lti/1.3/login', fields);
    assert.equal(res.status, 302, res.body);
    assert.equal(new URL(res.location!).searchParams.get('lti_message_hint'), fields.lti_message_hint);
  });

  it('a student launch through the platform lands 303 in the book with a session for the rostered account', async () => {
    const { res } = await roundTrip({ custom: { bookid: bookId } });
    assert.equal(res.status, 303, res.body);
    assert.equal(res.location, `/reader/books/${bookId}`);
    const me = await whoAmI(res.cookie);
    const rostered = await t.ctx.db.kysely.selectFrom('users').select('id').where('customer_id', '=', customerId).where('sourced_id', '=', 'stu-sian').executeTakeFirstOrThrow();
    assert.equal(me.id, rostered.id);
    assert.equal(me.customerId, customerId);
    assert.equal(me.role, 'student');
    // Remembered as (customer, issuer, sub).
    const link = await t.ctx.db.kysely.selectFrom('lti_user_links').selectAll().where('customer_id', '=', customerId).where('lti_user_id', '=', 'lms-user-1').executeTakeFirstOrThrow();
    assert.equal(link.consumer_guid, lms.issuer);
    assert.equal(link.user_id, rostered.id);
  });

  it('a launch without a target opens the shelf', async () => {
    const { res } = await roundTrip();
    assert.equal(res.status, 303, res.body);
    assert.equal(res.location, '/reader');
  });

  it('a teacher launch (Instructor role URN, not rostered) gets an LTI-only account with the teacher role', async () => {
    const { res } = await roundTrip({ userId: 'lms-teacher-1' });
    assert.equal(res.status, 303, res.body);
    const me = await whoAmI(res.cookie);
    assert.equal(me.role, 'teacher');
    assert.equal(me.customerId, customerId);
    assert.match(me.login, /^lti:/);
  });

  it('a replayed form post (the same state and id_token) gets an error page', async () => {
    const { fields, res } = await roundTrip();
    assert.equal(res.status, 303, res.body);
    errorPage(await postForm('/lti/1.3/launch', fields), 401, /already used/);
  });

  it('a replayed nonce (a used id_token with a fresh login state) is refused', async () => {
    const { fields } = await roundTrip();
    const { state } = await login(lms);
    backToLms(await postForm('/lti/1.3/launch', { id_token: fields.id_token, state }), /LTI13_NONCE/);
  });

  it('a state mismatch (a state this server never issued) gets an error page', async () => {
    const { nonce } = await login(lms);
    errorPage(await postForm('/lti/1.3/launch', { id_token: await lms.idToken({}, nonce), state: crypto.randomBytes(32).toString('base64url') }), 401, /was not started here/);
  });

  it("a state mismatch (another login's state) is refused: the token's nonce is not that state's", async () => {
    const a = await login(lms);
    const b = await login(lms);
    backToLms(await postForm('/lti/1.3/launch', { id_token: await lms.idToken({}, a.nonce), state: b.state }), /LTI13_NONCE/);
  });

  it('a wrong aud is refused', async () => backToLms(await forged('wrong-aud'), /LTI13_WRONG_AUDIENCE/));

  it('an expired token is refused', async () => backToLms(await forged('expired'), /LTI13_EXPIRED/));

  it('an unknown kid gets an error page', async () => errorPage(await forged('unknown-kid'), 401, /key your LMS does not publish/));

  it('alg none gets an error page', async () => errorPage(await forged('alg-none'), 400, /RS256/));

  it("an HS256 token keyed with the platform's public key gets an error page", async () => errorPage(await forged('hs256-public-key'), 400, /RS256/));

  it('an unregistered deployment is refused at launch, and at login', async () => {
    backToLms(await forged('unregistered-deployment'), /LTI13_UNKNOWN_DEPLOYMENT/);
    errorPage(await getLogin(lms.loginInitiation(LOGIN_URL, { deploymentId: 'unregistered-deployment' }).url), 400, /deployment is not registered/);
  });

  it('a missing message type is refused', async () => backToLms(await forged('missing-message-type'), /LTI13_MESSAGE_TYPE/));

  it("another customer's issuer: its token, posted with this customer's login state, opens nothing", async () => {
    const { state, nonce } = await login(lms);
    const res = await postForm('/lti/1.3/launch', { id_token: await other.idToken({}, nonce), state });
    assert.ok(res.status >= 400 && res.status < 500, `${res.status} ${res.body}`);
    assert.equal(res.location, null);
    assert.equal(res.cookie, null);
  });

  it('an unknown issuer, or a known issuer with an unknown client id, at login gets a 4xx error page', async () => {
    const unknown = await getLogin(`${LOGIN_URL}?${new URLSearchParams({ iss: 'https://lms.nowhere.example', login_hint: 'x', target_link_uri: LAUNCH_URL })}`);
    errorPage(unknown, 401, /not registered with Lectern/);
    const client = await getLogin(`${LOGIN_URL}?${new URLSearchParams({ iss: lms.issuer, login_hint: 'x', target_link_uri: LAUNCH_URL, client_id: 'no-such-client' })}`);
    errorPage(client, 401, /client is not registered/);
    const missing = await getLogin(`${LOGIN_URL}?${new URLSearchParams({ iss: lms.issuer })}`);
    errorPage(missing, 400, /missing/);
    const { fields } = lms.loginInitiation(LOGIN_URL);
    errorPage(await postForm('/lti/1.3/login', { ...fields, lti_message_hint: 'x'.repeat(9000) }), 400, /not a valid LTI 1.3 message/);
  });

  it('an expired login state gets an error page', async () => {
    const { state, nonce } = await login(lms);
    await t.ctx.db.kysely
      .updateTable('lti13_login_states')
      .set({ expires_at: new Date(Date.now() - 1000).toISOString() })
      .where('state_hash', '=', tokenDigest(state))
      .execute();
    errorPage(await postForm('/lti/1.3/launch', { id_token: await lms.idToken({}, nonce), state }), 401, /has expired/);
  });

  it('two posts of one state at once: exactly one signs in', async () => {
    const { state, nonce } = await login(lms);
    const fields = { id_token: await lms.idToken({}, nonce), state };
    const answers = await Promise.all([postForm('/lti/1.3/launch', fields), postForm('/lti/1.3/launch', fields)]);
    assert.deepEqual(answers.map((a) => a.status).sort(), [303, 401]);
    assert.equal(answers.filter((a) => a.cookie).length, 1);
  });

  it('login refuses a target_link_uri outside Lectern', async () => {
    errorPage(await getLogin(lms.loginInitiation(LOGIN_URL, { targetLinkUri: 'https://elsewhere.example/lti' }).url), 400, /does not point to Lectern/);
  });

  const asSourcedId = (sourcedId: string): LaunchOptions => ({ userId: 'lms-user-2', claims: { 'https://purl.imsglobal.org/spec/lti/claim/lis': { person_sourcedid: sourcedId } } });

  it('a disabled account is refused, back to the LMS', async () => backToLms((await roundTrip(asSourcedId('sis-off'))).res, /ACCOUNT_DISABLED/));

  it('an administrator account is never opened from the LMS', async () => backToLms((await roundTrip(asSourcedId('sis-admin'))).res, /LTI_ADMIN_ACCOUNT/));

  it("the customer's unmatched policy 'refuse' turns an unknown person away", async () => {
    await t.ctx.db.kysely.updateTable('customers').set({ lti_unmatched_users: 'refuse' }).where('id', '=', customerId).execute();
    try {
      backToLms((await roundTrip(asSourcedId('sis-nobody'))).res, /LTI_UNKNOWN_USER/);
    } finally {
      await t.ctx.db.kysely.updateTable('customers').set({ lti_unmatched_users: 'create' }).where('id', '=', customerId).execute();
    }
  });

  it('a title the person may not read is refused, back to the LMS', async () => backToLms((await roundTrip({ custom: { bookid: crypto.randomUUID() } })).res, /LTI_TARGET_UNAVAILABLE/));

  it('inside an LMS iframe: a framable page whose single-use ticket opens Lectern in its own window, signed in', async () => {
    const { location } = await login(lms, { custom: { bookid: bookId } });
    const { fields } = await lms.authorize(location);
    const page = await postForm('/lti/1.3/launch', fields, { 'sec-fetch-dest': 'iframe' });
    assert.equal(page.status, 200, page.body);
    assert.equal(page.cookie, null);
    const ticket = /name="ticket" value="([^"]+)"/.exec(page.body)?.[1] ?? '';
    assert.ok(ticket, page.body);
    const opened = await postForm('/lti/continue', { ticket });
    assert.equal(opened.status, 303, opened.body);
    assert.equal(opened.location, `/reader/books/${bookId}`);
    assert.equal((await whoAmI(opened.cookie)).customerId, customerId);
  });

  describe('identity as LTI 1.1 finds it: the remembered link, then Match with and the Suffix over the 1.3 claims', () => {
    const sian = async () => (await t.ctx.db.kysely.selectFrom('users').select('id').where('customer_id', '=', customerId).where('sourced_id', '=', 'stu-sian').executeTakeFirstOrThrow()).id;
    const fresh = (claims: Record<string, unknown>): LaunchOptions => ({ claims: { sub: `lms-${crypto.randomUUID()}`, ...claims } });
    const withRule = async (matchWith: 'sourcedId' | 'identifier' | 'username' | 'email', fn: () => Promise<void>) => {
      await t.ctx.customers.update(operatorActor, customerId, { rostering: { matchWith, suffix: '@lincoln' } });
      try {
        await fn();
      } finally {
        await t.ctx.customers.update(operatorActor, customerId, { rostering: { matchWith: 'identifier', suffix: '@lincoln' } });
      }
    };
    const lis = (sourcedId: string) => ({ 'https://purl.imsglobal.org/spec/lti/claim/lis': { person_sourcedid: sourcedId } });

    it('the remembered (customer, iss, sub) link comes first, whatever the claims say now', async () => {
      assert.equal((await roundTrip()).res.status, 303);
      const { res } = await roundTrip({ claims: lis('sis-nobody') });
      assert.equal((await whoAmI(res.cookie)).id, await sian());
    });

    it('sourcedId: the LIS claim person_sourcedid is the roster sourcedId', async () =>
      withRule('sourcedId', async () => {
        const { res } = await roundTrip(fresh(lis('stu-sian')));
        assert.equal((await whoAmI(res.cookie)).id, await sian());
      }));

    it('email: the email claim, compared without case', async () =>
      withRule('email', async () => {
        const { res } = await roundTrip(fresh({ email: 'STU-SIAN@School.example' }));
        assert.equal((await whoAmI(res.cookie)).id, await sian());
      }));

    it('username: preferred_username plus the Suffix is the login', async () =>
      withRule('username', async () => {
        const { res } = await roundTrip(fresh({ preferred_username: 'Sian' }));
        assert.equal((await whoAmI(res.cookie)).id, await sian());
      }));
  });
});
