/*
 * LTI 1.3 logins that keep their state in the platform's storage (lti_storage_target), through the
 * HTTP routes against the test platform: the pages' data and CSP, the two posts of a launch, and
 * each way around them refused. The pages' scripts themselves run in Chromium
 * (test/e2e/lti13-storage.test.ts).
 */
import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { CHECK_SCRIPT, PUT_SCRIPT } from '../../../lti13/storage-target.js';
import { tokenDigest } from '../../../security/tokens.js';
import { describeEachDialect, type TestApp } from '../../../../test/helpers/app.js';
import type { Lti13Platform } from '../../../../test/helpers/lti13-platform.js';
import { startLti13TestApp, type Lti13TestApp } from '../../../../test/helpers/lti13-customer.js';

const PUBLIC = 'http://lectern.test';
const LOGIN_URL = `${PUBLIC}/lti/1.3/login`;
const LAUNCH_URL = `${PUBLIC}/lti/1.3/launch`;
const FRAME = 'post_message_forwarding';

interface Answer {
  status: number;
  location: string | null;
  cookie: string | null;
  csp: string;
  body: string;
}

/** The JSON a storage page's script reads. */
const pageData = (body: string): Record<string, unknown> => {
  const json = /<script type="application\/json" id="lti-data">(.*?)<\/script>/s.exec(body)?.[1];
  assert.ok(json, `no page data in ${body.slice(0, 300)}`);
  return JSON.parse(json) as Record<string, unknown>;
};

describeEachDialect('LTI 1.3 platform storage (lti_storage_target)', (dialect) => {
  let t: TestApp;
  let lms: Lti13Platform;
  let app: Lti13TestApp;

  const answer = (res: { statusCode: number; headers: Record<string, unknown>; cookies: { name: string; value: string }[]; body: string }): Answer => {
    const session = res.cookies.find((c) => c.name.endsWith('lectern_session') && c.value);
    return {
      status: res.statusCode,
      location: (res.headers.location as string | undefined) ?? null,
      cookie: session ? `${session.name}=${session.value}` : null,
      csp: String(res.headers['content-security-policy'] ?? ''),
      body: res.body,
    };
  };
  const post = async (fields: Record<string, string>, headers: Record<string, string> = {}) =>
    answer(
      await t.app.inject({ method: 'POST', url: '/lti/1.3/launch', headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers }, payload: new URLSearchParams(fields).toString() }),
    );
  /** The platform's form post: cross-site, from the LMS. */
  const platformPost = (fields: Record<string, string>) => post(fields, { origin: lms.origin, 'sec-fetch-site': 'same-site' });
  /** The check page's post: from a page of Lectern's own origin (whose no-referrer policy makes Chromium send Origin: null). */
  const checkPost = (fields: Record<string, string>, headers: Record<string, string> = { origin: 'null', 'sec-fetch-site': 'same-origin' }) => post(fields, headers);

  /** A login with a storage target: the put page's data, and the platform's form post it leads to. */
  const storageLogin = async (target = FRAME) => {
    const res = answer(await t.app.inject({ method: 'GET', url: lms.loginInitiation(LOGIN_URL, {}, { storageTarget: target }).url.slice(PUBLIC.length) }));
    assert.equal(res.status, 200, res.body);
    const data = pageData(res.body) as { target: string; origin: string; key: string; value: string; redirect: string };
    const { fields } = await lms.authorize(data.redirect);
    return { res, data, fields: fields as Record<string, string> };
  };
  /** The platform's post answered with the check page: its data (fields carry the marker). */
  const checkPage = async (fields: Record<string, string>) => {
    const res = await platformPost(fields);
    assert.equal(res.status, 200, res.body);
    return { res, data: pageData(res.body) as { key: string; state: string; origin: string; target: string; action: string; fields: Record<string, string> } };
  };
  const noSession = (res: Answer) => {
    assert.equal(res.cookie, null);
    assert.equal(res.location, null);
  };
  const refusedPage = (res: Answer) => {
    assert.ok(res.status >= 400 && res.status < 500, `${res.status} ${res.body}`);
    noSession(res);
    assert.match(res.body, /Lectern could not open/);
  };
  const row = (state: string) => t.ctx.db.kysely.selectFrom('lti13_login_states').selectAll().where('state_hash', '=', tokenDigest(state)).executeTakeFirst();

  before(async () => {
    app = await startLti13TestApp(dialect);
    ({ t, lms } = app);
  });
  after(() => app.close());

  it('login with lti_storage_target answers the put_data page: the frame, the platform origin as target, key lti_state_<state>, then the auth URL', async () => {
    const { res, data } = await storageLogin();
    noSession(res);
    assert.match(res.body, /Opening Lectern/);
    const auth = new URL(data.redirect);
    assert.equal(`${auth.origin}${auth.pathname}`, lms.authLoginUrl);
    const state = auth.searchParams.get('state')!;
    assert.equal(auth.searchParams.get('redirect_uri'), LAUNCH_URL);
    assert.ok(auth.searchParams.get('nonce'));
    assert.equal(data.target, FRAME);
    assert.equal(data.origin, new URL(lms.authLoginUrl).origin);
    assert.notEqual(data.origin, '*');
    assert.equal(data.key, `lti_state_${state}`);
    assert.equal(data.value, state);
    // The one script runs by its hash; nothing else may (no 'unsafe-inline' script, no source).
    assert.match(res.csp, new RegExp(`script-src ${PUT_SCRIPT.hash.replace(/[+/]/g, '\\$&')};`));
    assert.doesNotMatch(res.csp, /script-src[^;]*unsafe-inline/);
    assert.match(res.csp, /frame-ancestors \*/);
    assert.ok(res.body.includes(`<script>${PUT_SCRIPT.source}</script>`));
    assert.equal((await row(state))?.storage_target, FRAME);
  });

  it('a login initiation posted as a form (as Canvas sends it) with lti_storage_target gets the same page', async () => {
    const { fields } = lms.loginInitiation(LOGIN_URL, {}, { storageTarget: FRAME });
    const res = answer(
      await t.app.inject({
        method: 'POST',
        url: '/lti/1.3/login',
        headers: { 'content-type': 'application/x-www-form-urlencoded', origin: lms.origin },
        payload: new URLSearchParams(fields).toString(),
      }),
    );
    assert.equal(res.status, 200, res.body);
    noSession(res);
    const data = pageData(res.body);
    assert.equal(data.target, FRAME);
    assert.equal(data.key, `lti_state_${String(data.value)}`);
    assert.equal(new URL(String(data.redirect)).searchParams.get('state'), data.value);
  });

  it('the platform may name itself (_parent) as the storage frame; a name no frame can have is a 4xx page', async () => {
    assert.equal((await storageLogin('_parent')).data.target, '_parent');
    for (const bad of ['top', 'x y']) {
      const res = answer(await t.app.inject({ method: 'GET', url: lms.loginInitiation(LOGIN_URL, {}, { storageTarget: bad }).url.slice(PUBLIC.length) }));
      assert.equal(res.status, 400, res.body);
      assert.match(res.body, /frame Lectern cannot address/);
    }
  });

  it('the platform’s post of a storage login does not sign in: it answers the get_data page and keeps the state for the check', async () => {
    const sessionsBefore = (await t.ctx.db.kysely.selectFrom('sessions').select('id').execute()).length;
    const { fields } = await storageLogin();
    const { res, data } = await checkPage(fields);
    noSession(res);
    assert.match(res.csp, new RegExp(`script-src ${CHECK_SCRIPT.hash.replace(/[+/]/g, '\\$&')};`));
    assert.match(res.csp, /form-action 'self'/);
    assert.equal(data.key, `lti_state_${fields.state}`);
    assert.equal(data.state, fields.state);
    assert.equal(data.origin, lms.origin);
    assert.equal(data.target, FRAME);
    assert.equal(data.action, '/lti/1.3/launch');
    assert.equal(data.fields.id_token, fields.id_token);
    assert.ok(data.fields.lti_storage_marker);
    const stored = await row(fields.state!);
    assert.equal(stored?.storage_marker_hash, tokenDigest(data.fields.lti_storage_marker!));
    assert.equal((await t.ctx.db.kysely.selectFrom('sessions').select('id').execute()).length, sessionsBefore);
  });

  it('the check page’s post with the state read back launches: a session and 303 into the reader, the state used up', async () => {
    const { fields } = await storageLogin();
    const { data } = await checkPage(fields);
    const res = await checkPost({ ...data.fields, lti_storage_value: fields.state! });
    assert.equal(res.status, 303, res.body);
    assert.equal(res.location, '/reader');
    assert.ok(res.cookie);
    assert.equal(await row(fields.state!), undefined);
  });

  it('inside the LMS iframe the checked launch gets the ticket page that opens Lectern in a new window', async () => {
    const { fields } = await storageLogin();
    const { data } = await checkPage(fields);
    const res = await checkPost({ ...data.fields, lti_storage_value: fields.state! }, { origin: PUBLIC, 'sec-fetch-dest': 'iframe' });
    assert.equal(res.status, 200, res.body);
    noSession(res);
    assert.match(res.body, /action="\/lti\/continue" target="_blank"/);
  });

  it('a wrong value read back from platform storage is refused with an error page, and the state is used up', async () => {
    const { fields } = await storageLogin();
    const { data } = await checkPage(fields);
    const wrong = await checkPost({ ...data.fields, lti_storage_value: 'the state of another login' });
    refusedPage(wrong);
    assert.match(wrong.body, /could not confirm that this sign-in started in this browser/);
    assert.equal(await row(fields.state!), undefined);
    refusedPage(await checkPost({ ...data.fields, lti_storage_value: fields.state! }));
  });

  it('the second post from another site (by Sec-Fetch-Site, or without it by Origin) is refused, whatever it carries', async () => {
    const crossSite: Record<string, string>[] = [{ origin: lms.origin, 'sec-fetch-site': 'cross-site' }, { 'sec-fetch-site': 'cross-site' }, { origin: lms.origin }, { origin: 'null' }, {}];
    for (const headers of crossSite) {
      const { fields } = await storageLogin();
      const { data } = await checkPage(fields);
      refusedPage(await checkPost({ ...data.fields, lti_storage_value: fields.state! }, headers));
    }
  });

  it('replays are refused: the platform’s post a second time, and the checked post a second time', async () => {
    const { fields } = await storageLogin();
    const { data } = await checkPage(fields);
    refusedPage(await platformPost(fields));
    const first = await checkPost({ ...data.fields, lti_storage_value: fields.state! });
    assert.equal(first.status, 303, first.body);
    refusedPage(await checkPost({ ...data.fields, lti_storage_value: fields.state! }));
    refusedPage(await platformPost(fields));
  });

  it('skipping the check page is refused: a marker it never set, or a wrong one, uses the state up', async () => {
    const skipped = await storageLogin();
    refusedPage(await checkPost({ ...skipped.fields, lti_storage_marker: 'made-up', lti_storage_value: skipped.fields.state! }));
    assert.equal(await row(skipped.fields.state!), undefined);

    const { fields } = await storageLogin();
    const { data } = await checkPage(fields);
    refusedPage(await checkPost({ ...data.fields, lti_storage_marker: `${data.fields.lti_storage_marker}x`, lti_storage_value: fields.state! }));
    refusedPage(await checkPost({ ...data.fields, lti_storage_value: fields.state! }));
  });

  it('a login without lti_storage_target is unchanged: 302, and its one post launches; a storage marker on it is refused', async () => {
    const plain = async () => {
      const res = answer(await t.app.inject({ method: 'GET', url: lms.loginInitiation(LOGIN_URL).url.slice(PUBLIC.length) }));
      assert.equal(res.status, 302, res.body);
      assert.equal((await row(new URL(res.location!).searchParams.get('state')!))?.storage_target, null);
      return (await lms.authorize(res.location!)).fields as Record<string, string>;
    };
    const launched = await platformPost(await plain());
    assert.equal(launched.status, 303, launched.body);
    assert.ok(launched.cookie);
    const marked = await plain();
    refusedPage(await checkPost({ ...marked, lti_storage_marker: 'm', lti_storage_value: marked.state! }));
  });
});
