/*
 * LTI Dynamic Registration through the HTTP route, against the test platform (a fake LMS on
 * loopback): Lectern fetches its OpenID configuration and posts to its /register over real HTTP
 * (the guarded outbound client, LECTERN_OUTBOUND_ALLOW=127.0.0.1), and the platform checks what the
 * tool sent. Each refusal is its own test, and each shows that nothing was stored.
 */
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { operatorActor } from '../../../accounts/policy.js';
import { WANTED_SCOPES } from '../../../lti13/dynamic-registration.js';
import { tokenDigest } from '../../../security/tokens.js';
import { describeEachDialect, seedCustomer, startTestApp, type TestApp } from '../../../../test/helpers/app.js';
import { Lti13Platform, TOOL_CONFIGURATION } from '../../../../test/helpers/lti13-platform.js';

const PUBLIC = 'http://lectern.test';
const LOGIN_URL = `${PUBLIC}/lti/1.3/login`;
const LAUNCH_URL = `${PUBLIC}/lti/1.3/launch`;

interface Page {
  status: number;
  body: string;
  headers: Record<string, unknown>;
}

describeEachDialect('LTI 1.3 Dynamic Registration route', (dialect) => {
  let t: TestApp;
  let lms: Lti13Platform;

  before(async () => {
    t = await startTestApp(dialect);
    lms = await Lti13Platform.start();
  });
  after(async () => {
    await t.close();
    await lms.close();
  });

  /** A customer of this LTI version and its freshly minted one-time registration URL. */
  const customerWithLink = async (version: '1.1' | '1.3' = '1.3') => {
    const c = await seedCustomer(t.ctx, { lti: { version } as never });
    const { registrationUrl } = await t.ctx.customers.mintRegistrationUrl(operatorActor, c.id);
    return { id: c.id, code: c.code, registrationUrl };
  };
  /** Opens a URL of Lectern as the LMS's window does. */
  const open = async (url: string): Promise<Page> => {
    const res = await t.app.inject({ method: 'GET', url: url.slice(PUBLIC.length) });
    return { status: res.statusCode, body: res.body, headers: res.headers };
  };
  const platformsOf = (customerId: string) => t.ctx.db.kysely.selectFrom('lti_platforms').selectAll().where('customer_id', '=', customerId).execute();
  const tokenOf = async (registrationUrl: string) => {
    const token = new URL(registrationUrl).searchParams.get('token')!;
    return t.ctx.db.kysely.selectFrom('lti13_registration_tokens').selectAll().where('token_hash', '=', tokenDigest(token)).executeTakeFirstOrThrow();
  };
  /** A refusal: an HTML page with this status and text, no close message, no stack trace. */
  const refused = (page: Page, status: number, text: RegExp) => {
    assert.equal(page.status, status, page.body);
    assert.match(String(page.headers['content-type']), /^text\/html/);
    assert.match(page.body, text);
    assert.doesNotMatch(page.body, /org\.imsglobal\.lti\.close|<script|\bat [\w.]+ \(/);
  };
  /** Nothing stored for the customer, and its link still unused (given back after a failed registration). */
  const storedNothing = async (c: { id: string; registrationUrl: string }) => {
    assert.deepEqual(await platformsOf(c.id), []);
    assert.equal((await tokenOf(c.registrationUrl)).used_at, null);
  };

  it('registers Lectern with the LMS (the tool configuration it checks), stores the registration, closes the window, and a launch through it lands in the reader at once', async () => {
    const c = await customerWithLink('1.3');
    const before = lms.registrations.length;
    const page = await open(lms.registrationUrl(c.registrationUrl));
    assert.equal(page.status, 200, page.body);

    // The LMS accepted the request (it checks every field and the bearer registration_token).
    assert.equal(lms.registrations.length, before + 1);
    const registration = lms.registrations.at(-1)!;
    assert.equal(registration.status, 200, registration.problem);
    const body = registration.body!;
    assert.equal(body.application_type, 'web');
    assert.deepEqual(body.response_types, ['id_token']);
    assert.deepEqual(body.grant_types, ['implicit', 'client_credentials']);
    assert.equal(body.initiate_login_uri, LOGIN_URL);
    assert.deepEqual(body.redirect_uris, [LAUNCH_URL]);
    assert.equal(body.jwks_uri, `${PUBLIC}/lti/1.3/jwks`);
    assert.equal(body.client_name, 'Lectern');
    assert.equal(body.logo_uri, `${PUBLIC}/favicon.svg`);
    assert.equal(body.token_endpoint_auth_method, 'private_key_jwt');
    assert.deepEqual(String(body.scope).split(' ').sort(), [...WANTED_SCOPES].sort());
    const tool = body[TOOL_CONFIGURATION] as { domain: string; target_link_uri: string; claims: string[]; messages: { type: string; target_link_uri?: string }[] };
    assert.equal(tool.domain, 'lectern.test');
    assert.equal(tool.target_link_uri, LAUNCH_URL);
    assert.ok(tool.claims.includes('sub') && tool.claims.includes('email'));
    assert.deepEqual(
      tool.messages.map((m) => m.type),
      ['LtiResourceLinkRequest', 'LtiDeepLinkingRequest'],
    );
    assert.equal(tool.messages[1]!.target_link_uri, LAUNCH_URL);

    // Stored: the answer's client id and deployment, the configuration's endpoints, origin 'dynamic'.
    const client = registration.client!;
    const [row, ...more] = await platformsOf(c.id);
    assert.equal(more.length, 0);
    assert.equal(row!.origin, 'dynamic');
    assert.equal(row!.issuer, lms.issuer);
    assert.equal(row!.client_id, client.clientId);
    assert.deepEqual(JSON.parse(row!.deployment_ids), [client.deploymentIds[0]]);
    assert.equal(row!.auth_login_url, lms.authLoginUrl);
    assert.equal(row!.auth_token_url, lms.authTokenUrl);
    assert.equal(row!.jwks_url, lms.jwksUrl);
    assert.ok((await tokenOf(c.registrationUrl)).used_at);
    const audit = await t.ctx.customers.auditTrail(operatorActor, c.id, 10, 0);
    assert.ok(audit.some((e) => e.action === 'customer.lti13_platform_registered' && e.targetId === row!.id && e.actor === 'LTI Dynamic Registration'));

    // The page says so and posts the close message to the LMS window, aimed at the LMS's origin; its CSP admits that script only.
    assert.match(page.body, /Lectern is registered/);
    assert.ok(page.body.includes(client.clientId));
    const script = /<script>([^<]*)<\/script>/.exec(page.body)?.[1];
    assert.equal(script, `(window.opener || window.parent).postMessage({ subject: 'org.imsglobal.lti.close' }, ${JSON.stringify(lms.origin)});`);
    const csp = String(page.headers['content-security-policy']);
    assert.ok(csp.includes(`script-src 'sha256-${crypto.createHash('sha256').update(script!).digest('base64')}'`), csp);
    assert.match(csp, /default-src 'none'/);
    assert.equal(page.headers['x-frame-options'], undefined);
    assert.equal(page.headers['cross-origin-opener-policy'], 'unsafe-none', 'a popup keeps its opener');

    // A launch through the new registration works at once: login, the LMS's auth endpoint, the form post.
    const login = await t.app.inject({ method: 'GET', url: lms.loginInitiation(LOGIN_URL, { clientId: client.clientId }).url.slice(PUBLIC.length) });
    assert.equal(login.statusCode, 302, login.body);
    const { action, fields } = await lms.authorize(String(login.headers.location));
    assert.equal(action, LAUNCH_URL);
    const launch = await t.app.inject({
      method: 'POST',
      url: '/lti/1.3/launch',
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: lms.origin },
      payload: new URLSearchParams(fields).toString(),
    });
    assert.equal(launch.statusCode, 303, launch.body);
    assert.match(String(launch.headers.location), /^\/reader/);
    assert.ok(launch.cookies.some((k) => k.name.endsWith('lectern_session') && k.value));
  });

  it('the bare path registers nothing: a 4xx page, without the token or with it missing from what the LMS opened', async () => {
    const c = await customerWithLink();
    const before = lms.registrations.length;
    refused(await open(`${PUBLIC}/lti/1.3/register/${c.code}`), 410, /registration link is not valid/);
    const bare = new URL(lms.registrationUrl(c.registrationUrl));
    bare.searchParams.delete('token');
    refused(await open(bare.href), 410, /registration link is not valid/);
    assert.equal(lms.registrations.length, before);
    await storedNothing(c);
  });

  it('a wrong token, or another customer’s code with this token, registers nothing', async () => {
    const c = await customerWithLink();
    const other = await customerWithLink();
    const wrong = new URL(lms.registrationUrl(c.registrationUrl));
    wrong.searchParams.set('token', `${wrong.searchParams.get('token')}x`);
    refused(await open(wrong.href), 410, /registration link is not valid/);
    const swapped = new URL(lms.registrationUrl(c.registrationUrl));
    swapped.pathname = `/lti/1.3/register/${other.code}`;
    refused(await open(swapped.href), 410, /registration link is not valid/);
    refused(await open(lms.registrationUrl(`${PUBLIC}/lti/1.3/register/no-such-customer?token=x`)), 410, /registration link is not valid/);
    await storedNothing(c);
    await storedNothing(other);
  });

  it('a used token registers nothing more, and of two opens of one link at once only one registers', async () => {
    const c = await customerWithLink();
    const url = lms.registrationUrl(c.registrationUrl);
    const before = lms.registrations.length;
    const pages = await Promise.all([open(url), open(url)]);
    assert.deepEqual(pages.map((p) => p.status).sort(), [200, 410]);
    assert.equal(lms.registrations.length, before + 1, 'the loser never reached the LMS');
    assert.equal((await platformsOf(c.id)).length, 1);
    // Opened again later (a fresh registration_token from the LMS): the link stays spent.
    refused(await open(lms.registrationUrl(c.registrationUrl)), 410, /already used/);
    assert.equal((await platformsOf(c.id)).length, 1);
  });

  it('an expired token registers nothing', async () => {
    const c = await customerWithLink();
    const token = await tokenOf(c.registrationUrl);
    await t.ctx.db.kysely
      .updateTable('lti13_registration_tokens')
      .set({ expires_at: new Date(Date.now() - 1000).toISOString() })
      .where('token_hash', '=', token.token_hash)
      .execute();
    const before = lms.registrations.length;
    refused(await open(lms.registrationUrl(c.registrationUrl)), 410, /has expired/);
    assert.equal(lms.registrations.length, before);
    await storedNothing(c);
  });

  it('a configuration whose issuer is not on its URL’s origin registers nothing (and the page escapes what the LMS sent); the link works again after', async () => {
    const c = await customerWithLink();
    const before = lms.registrations.length;
    lms.configurationOverrides.issuer = 'https://other-lms.example/"><script>alert(1)</script>';
    try {
      const page = await open(lms.registrationUrl(c.registrationUrl));
      refused(page, 400, /issuer/);
      assert.ok(page.body.includes('https://other-lms.example/&#34;&#62;&#60;script&#62;'), page.body);
    } finally {
      delete lms.configurationOverrides.issuer;
    }
    assert.equal(lms.registrations.length, before, 'nothing was posted to the LMS');
    await storedNothing(c);
    assert.equal((await open(lms.registrationUrl(c.registrationUrl))).status, 200);
  });

  it('a configuration naming a plain http endpoint on a host not allowed registers nothing', async () => {
    const c = await customerWithLink();
    const before = lms.registrations.length;
    lms.configurationOverrides.token_endpoint = 'http://lms.example.test/token';
    try {
      refused(await open(lms.registrationUrl(c.registrationUrl)), 400, /token_endpoint: Use https:\/\//);
    } finally {
      delete lms.configurationOverrides.token_endpoint;
    }
    assert.equal(lms.registrations.length, before);
    await storedNothing(c);
  });

  it('a configuration without RS256 id_tokens registers nothing', async () => {
    const c = await customerWithLink();
    lms.configurationOverrides.id_token_signing_alg_values_supported = ['HS256'];
    try {
      refused(await open(lms.registrationUrl(c.registrationUrl)), 400, /RS256/);
    } finally {
      delete lms.configurationOverrides.id_token_signing_alg_values_supported;
    }
    await storedNothing(c);
  });

  it('the LMS refusing the registration (4xx from its endpoint) stores nothing and the page says what the LMS said', async () => {
    const c = await customerWithLink();
    const url = new URL(lms.registrationUrl(c.registrationUrl));
    url.searchParams.set('registration_token', 'not-one-the-lms-gave');
    refused(await open(url.href), 502, /refused to register Lectern \(HTTP 401\): registration_token missing, unknown, used or expired/);
    assert.equal(lms.registrations.at(-1)!.status, 401);
    await storedNothing(c);
  });

  it('an LMS that cannot be reached stores nothing', async () => {
    const c = await customerWithLink();
    const url = new URL(c.registrationUrl);
    // A port nothing listens on (the platform's, closed).
    const gone = await Lti13Platform.start();
    const configurationUrl = gone.openidConfigurationUrl;
    await gone.close();
    url.searchParams.set('openid_configuration', configurationUrl);
    refused(await open(url.href), 502, /could not reach your LMS/);
    await storedNothing(c);
  });

  it('a configuration Lectern may not call (a private address the operator did not allow) stores nothing', async () => {
    const c = await customerWithLink();
    const url = new URL(c.registrationUrl);
    url.searchParams.set('openid_configuration', 'http://10.0.0.1/.well-known/openid-configuration');
    refused(await open(url.href), 502, /private network address/);
    await storedNothing(c);
  });

  it('a 1.1 customer becomes “both” and keeps its consumer key', async () => {
    const c = await customerWithLink('1.1');
    const before = await t.ctx.customers.get(operatorActor, c.id);
    assert.equal(before.lti.version, '1.1');
    assert.equal((await open(lms.registrationUrl(c.registrationUrl))).status, 200);
    const after = await t.ctx.customers.get(operatorActor, c.id);
    assert.equal(after.lti.version, 'both');
    assert.equal(after.lti.consumerKey, before.lti.consumerKey);
    assert.deepEqual(
      after.lti.platforms.map((p) => [p.issuer, p.origin]),
      [[lms.issuer, 'dynamic']],
    );
    assert.ok(after.lti.tool);
  });
});

describe('LTI 1.3 Dynamic Registration route: the rate limit', () => {
  it('limits opens per address like the other LTI pages', async () => {
    const previous = process.env.LECTERN_LTI_RATE_LIMIT;
    process.env.LECTERN_LTI_RATE_LIMIT = '3';
    const t = await startTestApp('sqlite');
    try {
      const statuses: number[] = [];
      for (let i = 0; i < 4; i++) statuses.push((await t.app.inject({ method: 'GET', url: '/lti/1.3/register/nobody' })).statusCode);
      assert.deepEqual(statuses, [410, 410, 410, 429]);
    } finally {
      await t.close();
      if (previous === undefined) delete process.env.LECTERN_LTI_RATE_LIMIT;
      else process.env.LECTERN_LTI_RATE_LIMIT = previous;
    }
  });
});
