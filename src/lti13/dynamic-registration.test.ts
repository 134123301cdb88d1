/*
 * Dynamic Registration's rules without a network: the configuration checks, the request built from
 * what the platform offers, what a refusal shows, and (on both dialects, with a scripted platform
 * behind a fake outbound client) what is stored, updated or given back.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { operatorActor } from '../accounts/policy.js';
import { OutboundError, type OutboundRequest, type OutboundResponse } from '../security/outbound.js';
import { tokenDigest } from '../security/tokens.js';
import { describeEachDialect, seedCustomer, startTestApp, type TestApp } from '../../test/helpers/app.js';
import { checkConfiguration, DynamicRegistration, remoteMessage, TOOL_CONFIGURATION_CLAIM, WANTED_SCOPES, type PlatformConfiguration } from './dynamic-registration.js';
import { Lti13Error } from './errors.js';

const LMS = 'https://lms.example';
const CONFIGURATION_URL = `${LMS}/.well-known/openid-configuration`;
const [LINE_ITEM, SCORE, RESULT, MEMBERSHIPS] = WANTED_SCOPES as [string, string, string, string];

const configurationBody = (over: Record<string, unknown> = {}): Record<string, unknown> => ({
  issuer: LMS,
  authorization_endpoint: `${LMS}/auth`,
  token_endpoint: `${LMS}/token`,
  jwks_uri: `${LMS}/jwks`,
  registration_endpoint: `${LMS}/register`,
  scopes_supported: ['openid', ...WANTED_SCOPES],
  id_token_signing_alg_values_supported: ['RS256'],
  claims_supported: ['sub', 'iss', 'email'],
  ...over,
});

/** Expects `fn` to throw an Lti13Error with this code (and a message matching `text`). */
const refusedWith = async (fn: () => unknown, code: string, text?: RegExp) => {
  await assert.rejects(
    async () => fn(),
    (err: unknown) => {
      assert.ok(err instanceof Lti13Error, String(err));
      assert.equal(err.lti13Code, code, err.logMessage);
      if (text) assert.match(err.message, text);
      return true;
    },
  );
};

describe('Dynamic Registration: the platform configuration', () => {
  it('accepts a configuration whose issuer (with a path) is on the configuration URL’s origin', () => {
    const c = checkConfiguration(configurationBody({ issuer: `${LMS}/realms/district` }), new URL(CONFIGURATION_URL));
    assert.equal(c.issuer, `${LMS}/realms/district`);
    assert.equal(c.registrationEndpoint, `${LMS}/register`);
  });

  it('refuses an issuer of another host, another scheme or another port', async () => {
    for (const issuer of ['https://other.example', 'http://lms.example', 'https://lms.example:8443', 'not a url']) {
      await refusedWith(() => checkConfiguration(configurationBody({ issuer }), new URL(CONFIGURATION_URL)), 'LTI13_PLATFORM_CONFIGURATION', /issuer/);
    }
  });

  it('refuses a configuration missing a required field', async () => {
    for (const field of ['issuer', 'authorization_endpoint', 'token_endpoint', 'jwks_uri', 'registration_endpoint']) {
      await refusedWith(() => checkConfiguration(configurationBody({ [field]: undefined }), new URL(CONFIGURATION_URL)), 'LTI13_PLATFORM_CONFIGURATION', new RegExp(`no ${field}`));
    }
  });

  it('refuses a configuration without RS256 id_tokens', async () => {
    await refusedWith(() => checkConfiguration(configurationBody({ id_token_signing_alg_values_supported: ['HS256', 'none'] }), new URL(CONFIGURATION_URL)), 'LTI13_PLATFORM_CONFIGURATION', /RS256/);
    await refusedWith(() => checkConfiguration(configurationBody({ id_token_signing_alg_values_supported: undefined }), new URL(CONFIGURATION_URL)), 'LTI13_PLATFORM_CONFIGURATION', /RS256/);
  });

  it('refuses plain http endpoints of a configuration served over https', async () => {
    for (const field of ['authorization_endpoint', 'token_endpoint', 'jwks_uri', 'registration_endpoint']) {
      await refusedWith(
        () => checkConfiguration(configurationBody({ [field]: `http://lms.example/${field}` }), new URL(CONFIGURATION_URL)),
        'LTI13_PLATFORM_CONFIGURATION',
        new RegExp(`${field}: Use https://`),
      );
    }
  });

  it('admits plain http on the host the configuration came from over http (the guard allowed it), and nowhere else', async () => {
    const from = new URL('http://127.0.0.1:4000/.well-known/openid-configuration');
    const local = (path: string) => `http://127.0.0.1:4000${path}`;
    const body = configurationBody({
      issuer: 'http://127.0.0.1:4000',
      authorization_endpoint: local('/auth'),
      token_endpoint: local('/token'),
      jwks_uri: 'http://127.0.0.1:5000/jwks',
      registration_endpoint: local('/register'),
    });
    assert.equal(checkConfiguration(body, from).jwksUri, 'http://127.0.0.1:5000/jwks');
    await refusedWith(() => checkConfiguration({ ...body, jwks_uri: 'http://lms.example/jwks' }, from), 'LTI13_PLATFORM_CONFIGURATION', /jwks_uri/);
  });
});

describe('Dynamic Registration: the request and what a refusal shows', () => {
  const registration = new DynamicRegistration(null as never, { publicUrl: 'https://lectern.example', outbound: { request: () => Promise.reject(new Error('unused')) } });
  const configuration = (over: Partial<PlatformConfiguration> = {}): PlatformConfiguration => ({
    ...checkConfiguration(configurationBody(), new URL(CONFIGURATION_URL)),
    ...over,
  });

  it('asks for the AGS and NRPS scopes, claims and messages the platform offers, and only those', () => {
    const body = registration.registrationRequest(
      configuration({ scopesSupported: ['openid', MEMBERSHIPS, SCORE], claimsSupported: ['sub', 'email', 'picture'], messagesSupported: ['LtiResourceLinkRequest'] }),
    );
    assert.equal(body.scope, `${SCORE} ${MEMBERSHIPS}`);
    const tool = body[TOOL_CONFIGURATION_CLAIM] as { domain: string; claims: string[]; messages: { type: string }[]; target_link_uri: string };
    assert.deepEqual(tool.claims, ['sub', 'email']);
    assert.deepEqual(
      tool.messages.map((m) => m.type),
      ['LtiResourceLinkRequest'],
    );
    assert.equal(tool.domain, 'lectern.example');
    assert.equal(tool.target_link_uri, 'https://lectern.example/lti/1.3/launch');
  });

  it('asks for every wanted scope the platform lists, and none when it lists none', () => {
    assert.equal(registration.registrationRequest(configuration()).scope, [LINE_ITEM, SCORE, RESULT, MEMBERSHIPS].join(' '));
    const silent = registration.registrationRequest(configuration({ scopesSupported: null, claimsSupported: null, messagesSupported: null }));
    assert.equal(silent.scope, '');
    assert.deepEqual(
      (silent[TOOL_CONFIGURATION_CLAIM] as { messages: { type: string; target_link_uri?: string }[] }).messages.map((m) => [m.type, m.target_link_uri]),
      [
        ['LtiResourceLinkRequest', undefined],
        ['LtiDeepLinkingRequest', 'https://lectern.example/lti/1.3/launch'],
      ],
    );
  });

  it('shows what the platform said: RFC 7591 fields, Canvas’s errors list, else its text; one line, bounded', () => {
    const raw = (text: string) => ({ body: Buffer.from(text) });
    assert.equal(remoteMessage({ error: 'invalid_client_metadata', error_description: 'redirect_uris\nnot allowed' }, raw('')), 'redirect_uris not allowed');
    assert.equal(remoteMessage({ error: 'invalid_token' }, raw('')), 'invalid_token');
    assert.equal(remoteMessage({ errors: [{ field: 'scopes', message: 'cannot contain openid' }, 'and more'] }, raw('')), 'scopes cannot contain openid; and more');
    assert.equal(remoteMessage(null, raw('<h1>Bad gateway</h1>')), '<h1>Bad gateway</h1>');
    const long = remoteMessage({ error_description: 'x'.repeat(5000) }, raw(''));
    assert.equal(long, `${'x'.repeat(300)}…`);
    assert.equal(remoteMessage({}, raw('{}')), '');
  });
});

describeEachDialect('Dynamic Registration: what is stored', (dialect) => {
  let t: TestApp;
  const calls: { url: string; req: OutboundRequest }[] = [];
  let answer: (url: string, req: OutboundRequest) => OutboundResponse | Promise<OutboundResponse>;
  const json = (status: number, body: unknown): OutboundResponse => ({ status, headers: new Headers({ 'content-type': 'application/json' }), body: Buffer.from(JSON.stringify(body)), url: '' });
  /** A platform that serves the configuration and answers the registration with this client and deployment. */
  const platform =
    (clientId: string, deploymentId: string | undefined) =>
    (url: string): OutboundResponse =>
      url === CONFIGURATION_URL ? json(200, configurationBody()) : json(200, { client_id: clientId, [TOOL_CONFIGURATION_CLAIM]: deploymentId === undefined ? {} : { deployment_id: deploymentId } });
  let registration: DynamicRegistration;

  before(async () => {
    t = await startTestApp(dialect);
    registration = new DynamicRegistration(t.ctx.db.kysely, {
      publicUrl: 'http://lectern.test',
      outbound: {
        request: async (url, req) => {
          calls.push({ url, req });
          return answer(url, req);
        },
      },
    });
  });
  after(() => t.close());

  const customerWithToken = async (version: '1.1' | '1.3' = '1.3') => {
    const c = await seedCustomer(t.ctx, { lti: { version } as never });
    return { ...c, token: await mint(c.id) };
  };
  const mint = async (customerId: string) => new URL((await t.ctx.customers.mintRegistrationUrl(operatorActor, customerId)).registrationUrl).searchParams.get('token')!;
  const open = (c: { code: string }, token: string, registrationToken?: string) =>
    registration.register({ customerCode: c.code, token, openidConfiguration: CONFIGURATION_URL, ...(registrationToken ? { registrationToken } : {}) });
  const platformsOf = (customerId: string) => t.ctx.db.kysely.selectFrom('lti_platforms').selectAll().where('customer_id', '=', customerId).execute();
  const usedAt = async (token: string) =>
    (await t.ctx.db.kysely.selectFrom('lti13_registration_tokens').select('used_at').where('token_hash', '=', tokenDigest(token)).executeTakeFirstOrThrow()).used_at;

  it('calls the platform bounded in time and size, without redirects, with the registration token as a bearer only when given', async () => {
    const c = await customerWithToken();
    answer = platform(`client-${c.code}`, 'dep-1');
    calls.length = 0;
    await open(c, c.token, 'platform-token');
    assert.deepEqual(
      calls.map((x) => [x.url, x.req.method, x.req.maxRedirects, x.req.timeoutMs, x.req.maxBytes]),
      [
        [CONFIGURATION_URL, 'GET', 0, 10_000, 256 * 1024],
        [`${LMS}/register`, 'POST', 0, 10_000, 256 * 1024],
      ],
    );
    assert.equal(calls[1]!.req.headers?.authorization, 'Bearer platform-token');
    assert.equal(calls[1]!.req.headers?.['content-type'], 'application/json');

    calls.length = 0;
    const d = await customerWithToken();
    answer = platform(`client-${d.code}`, 'dep-1');
    await open(d, d.token);
    assert.equal(calls[1]!.req.headers?.authorization, undefined);
  });

  it('registering the same issuer and client id again updates the registration (its deployments added), never a second row', async () => {
    const c = await customerWithToken();
    answer = platform(`client-${c.code}`, 'dep-1');
    const first = await open(c, c.token);
    assert.equal(first.updated, false);
    answer = platform(`client-${c.code}`, 'dep-2');
    const second = await open(c, await mint(c.id));
    assert.equal(second.updated, true);
    assert.equal(second.platformId, first.platformId);
    const rows = await platformsOf(c.id);
    assert.equal(rows.length, 1);
    assert.deepEqual(JSON.parse(rows[0]!.deployment_ids), ['dep-1', 'dep-2']);
    assert.equal(rows[0]!.origin, 'dynamic');
  });

  it('a 1.3 customer stays 1.3; a 1.1 customer becomes both', async () => {
    const c13 = await customerWithToken('1.3');
    answer = platform(`client-${c13.code}`, 'dep-1');
    await open(c13, c13.token);
    assert.equal((await t.ctx.customers.get(operatorActor, c13.id)).lti.version, '1.3');
    const c11 = await customerWithToken('1.1');
    answer = platform(`client-${c11.code}`, 'dep-1');
    await open(c11, c11.token);
    assert.equal((await t.ctx.customers.get(operatorActor, c11.id)).lti.version, 'both');
  });

  it('a client id another customer registered is refused: nothing stored, the link given back', async () => {
    const holder = await customerWithToken();
    answer = platform('shared-client', 'dep-1');
    await open(holder, holder.token);
    const c = await customerWithToken();
    await refusedWith(() => open(c, c.token), 'LTI13_REGISTRATION_CONFLICT');
    assert.deepEqual(await platformsOf(c.id), []);
    assert.equal(await usedAt(c.token), null);
    assert.equal((await platformsOf(holder.id)).length, 1);
  });

  it('a disabled customer is not registered: the LMS is told why and never called, the link works again once re-enabled', async () => {
    const c = await customerWithToken();
    await t.ctx.customers.update(operatorActor, c.id, { status: 'disabled' });
    answer = platform(`client-${c.code}`, 'dep-1');
    calls.length = 0;
    await refusedWith(() => open(c, c.token), 'LTI13_REGISTRATION_DISABLED');
    assert.deepEqual(calls, [], 'no call to the LMS');
    assert.deepEqual(await platformsOf(c.id), []);
    assert.equal(await usedAt(c.token), null);
    await t.ctx.customers.update(operatorActor, c.id, { status: 'active' });
    await open(c, c.token);
    assert.equal((await platformsOf(c.id)).length, 1);
  });

  it('an answer without a deployment id or client id is refused: nothing stored, the link given back', async () => {
    const c = await customerWithToken();
    answer = platform(`client-${c.code}`, undefined);
    await refusedWith(() => open(c, c.token), 'LTI13_REGISTRATION_INVALID', /deployment_id/);
    answer = (url) => (url === CONFIGURATION_URL ? json(200, configurationBody()) : json(201, { [TOOL_CONFIGURATION_CLAIM]: { deployment_id: 'd' } }));
    await refusedWith(() => open(c, c.token), 'LTI13_REGISTRATION_INVALID', /client_id/);
    assert.deepEqual(await platformsOf(c.id), []);
    assert.equal(await usedAt(c.token), null);
  });

  it('a platform that times out, redirects or answers too much is unreachable: nothing stored, the link given back', async () => {
    const c = await customerWithToken();
    answer = () => Promise.reject(new OutboundError('timeout', 'no complete answer within 10 s'));
    await refusedWith(() => open(c, c.token), 'LTI13_PLATFORM_UNREACHABLE', /no complete answer within 10 s/);
    answer = () => ({ status: 302, headers: new Headers({ location: 'https://elsewhere.example/config' }), body: Buffer.alloc(0), url: CONFIGURATION_URL });
    await refusedWith(() => open(c, c.token), 'LTI13_PLATFORM_UNREACHABLE', /HTTP 302/);
    answer = (url) => (url === CONFIGURATION_URL ? json(200, configurationBody()) : Promise.reject(new OutboundError('too_large', 'the answer is larger than 256 KB')));
    await refusedWith(() => open(c, c.token), 'LTI13_PLATFORM_UNREACHABLE', /larger than 256 KB/);
    assert.deepEqual(await platformsOf(c.id), []);
    assert.equal(await usedAt(c.token), null);
  });

  it('a missing or malformed openid_configuration (or registration_token) spends nothing', async () => {
    const c = await customerWithToken();
    await refusedWith(() => registration.register({ customerCode: c.code, token: c.token }), 'LTI13_REGISTRATION_REQUEST');
    await refusedWith(() => registration.register({ customerCode: c.code, token: c.token, openidConfiguration: 'not a url' }), 'LTI13_REGISTRATION_REQUEST');
    await refusedWith(() => registration.register({ customerCode: c.code, token: c.token, openidConfiguration: 'https://user:pw@lms.example/config' }), 'LTI13_REGISTRATION_REQUEST');
    await refusedWith(() => registration.register({ customerCode: c.code, token: c.token, openidConfiguration: `${CONFIGURATION_URL}?x=${'a'.repeat(9000)}` }), 'LTI13_REGISTRATION_REQUEST');
    await refusedWith(() => registration.register({ customerCode: c.code, token: c.token, openidConfiguration: 'file:///etc/passwd' }), 'LTI13_REGISTRATION_REQUEST');
    await refusedWith(() => registration.register({ customerCode: c.code, token: c.token, openidConfiguration: CONFIGURATION_URL, registrationToken: 'a b\u00e9' }), 'LTI13_REGISTRATION_REQUEST');
    assert.equal(await usedAt(c.token), null);
  });
});
