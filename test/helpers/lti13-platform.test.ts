// Self-tests of the LTI 1.3 test platform: what it signs verifies under jose and says what the specs
// require, each forgery is really forged, and its endpoints refuse what a platform must refuse. A
// throwaway tool (a key pair and a JWKS server) plays the tool's side.
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { createLocalJWKSet, createRemoteJWKSet, decodeJwt, decodeProtectedHeader, exportJWK, exportSPKI, generateKeyPair, jwtVerify, SignJWT, type CryptoKey, type JWTPayload } from 'jose';
import { AGS_ENDPOINT, DL, FORGERIES, LTI, Lti13Platform, MEDIA, NRPS_CLAIM, PLATFORM_CONFIGURATION, SCOPES, TOOL_CONFIGURATION, type Forgery } from './lti13-platform.js';

/** The tool's side: a key pair whose public half a JWKS server publishes. */
interface TestTool {
  jwksUrl: string;
  privateKey: CryptoKey;
  kid: string;
  /** GETs of the tool's JWKS: the platform must fetch it over HTTP. */
  fetches: number;
  close(): Promise<void>;
}

async function startTool(): Promise<TestTool> {
  const { privateKey, publicKey } = await generateKeyPair('RS256', { extractable: true });
  const kid = crypto.randomUUID();
  const jwks = { keys: [{ ...(await exportJWK(publicKey)), kid, alg: 'RS256', use: 'sig' }] };
  const server = http.createServer((_req, res) => {
    started.fetches++;
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(jwks));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const started: TestTool = {
    jwksUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}/jwks`,
    privateKey,
    kid,
    fetches: 0,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
  return started;
}

const TOOL_LAUNCH = 'https://tool.example/lti/1.3/launch';
const TOOL_LOGIN = 'https://tool.example/lti/1.3/login';

let tool: TestTool;
let platform: Lti13Platform;

before(async () => {
  tool = await startTool();
  platform = await Lti13Platform.start({ toolJwksUrl: tool.jwksUrl, toolRedirectUris: [TOOL_LAUNCH], lineItemQuery: 'type_id=1' });
});
after(async () => {
  await platform.close();
  await tool.close();
});

/** A client assertion signed by the tool; `claims` override the conformant ones. */
function assertion(claims: JWTPayload = {}, clientId = platform.clientId): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ iss: clientId, sub: clientId, aud: platform.authTokenUrl, iat: now, exp: now + 300, jti: crypto.randomUUID(), ...claims })
    .setProtectedHeader({ alg: 'RS256', kid: tool.kid })
    .sign(tool.privateKey);
}

function requestToken(clientAssertion: string, scope: string, extra: Record<string, string> = {}): Promise<Response> {
  const body = new URLSearchParams({
    grant_type: 'client_credentials',
    client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
    client_assertion: clientAssertion,
    scope,
    ...extra,
  });
  return fetch(platform.authTokenUrl, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body });
}

/** The redirect a conformant tool answers login initiation with, built from the initiation's fields. */
function toolRedirect(fields: Record<string, string>, overrides: Record<string, string | undefined> = {}): { location: string; state: string; nonce: string } {
  const state = crypto.randomUUID();
  const nonce = crypto.randomUUID();
  const params: Record<string, string | undefined> = {
    scope: 'openid',
    response_type: 'id_token',
    response_mode: 'form_post',
    prompt: 'none',
    client_id: fields.client_id,
    redirect_uri: TOOL_LAUNCH,
    login_hint: fields.login_hint,
    lti_message_hint: fields.lti_message_hint,
    state,
    nonce,
    ...overrides,
  };
  const url = new URL(platform.authLoginUrl);
  for (const [k, v] of Object.entries(params)) if (v !== undefined) url.searchParams.set(k, v);
  return { location: url.href, state, nonce };
}

describe('id_token', () => {
  test('a resource link launch verifies with the platform JWKS under jose and carries every required claim', async () => {
    const token = await platform.idToken({ custom: { bookid: 'book-7' } }, 'nonce-1');
    const { payload, protectedHeader } = await jwtVerify(token, createRemoteJWKSet(new URL(platform.jwksUrl)), { algorithms: ['RS256'], issuer: platform.issuer, audience: platform.clientId });
    assert.equal(protectedHeader.kid, platform.keys.at(-1)!.kid);
    assert.equal(payload.nonce, 'nonce-1');
    assert.ok(payload.sub && payload.iat && payload.exp && payload.exp > payload.iat);
    assert.equal(payload[`${LTI}message_type`], 'LtiResourceLinkRequest');
    assert.equal(payload[`${LTI}version`], '1.3.0');
    assert.equal(payload[`${LTI}deployment_id`], platform.deploymentId);
    assert.equal(payload[`${LTI}target_link_uri`], TOOL_LAUNCH);
    assert.deepEqual(payload[`${LTI}resource_link`], { id: 'link-1', title: 'Chapter books' });
    assert.ok((payload[`${LTI}roles`] as string[]).includes('http://purl.imsglobal.org/vocab/lis/v2/membership#Learner'));
    assert.equal((payload[`${LTI}context`] as { id: string }).id, platform.context.id);
    assert.deepEqual(payload[`${LTI}custom`], { bookid: 'book-7' });
    assert.equal((payload[`${LTI}lis`] as { person_sourcedid: string }).person_sourcedid, 'sis-lms-user-1');
    assert.ok(payload.email && payload.name);
    assert.ok((payload[`${LTI}launch_presentation`] as { return_url: string }).return_url.startsWith(platform.issuer));
    const ags = payload[AGS_ENDPOINT] as { scope: string[]; lineitems: string; lineitem: string };
    assert.ok(ags.scope.includes(SCOPES.score));
    assert.equal(ags.lineitems, platform.lineItemsUrl);
    assert.equal(ags.lineitem, platform.lineItems.find((i) => i.resourceLinkId === 'link-1')!.id);
    assert.match(ags.lineitem, /\?type_id=1$/);
    assert.equal((payload[NRPS_CLAIM] as { context_memberships_url: string }).context_memberships_url, platform.membershipsUrl);
  });

  test('a deep linking request carries deep_linking_settings and no resource link', async () => {
    const payload = decodeJwt(await platform.idToken({ messageType: 'LtiDeepLinkingRequest', userId: 'lms-teacher-1', deepLinking: { data: 'opaque-1', acceptMultiple: false } }));
    assert.equal(payload[`${LTI}message_type`], 'LtiDeepLinkingRequest');
    assert.equal(payload[`${LTI}resource_link`], undefined);
    assert.ok((payload[`${LTI}roles`] as string[]).some((r) => r.endsWith('#Instructor')));
    assert.deepEqual(payload[`${DL}deep_linking_settings`], {
      deep_link_return_url: platform.deepLinkReturnUrl,
      accept_types: ['ltiResourceLink'],
      accept_presentation_document_targets: ['iframe', 'window'],
      accept_multiple: false,
      auto_create: true,
      data: 'opaque-1',
    });
  });

  test('each forgery produces the token it names, and nothing else verifies differently', async () => {
    const jwks = createLocalJWKSet(await platform.jwks());
    const honest = { algorithms: ['RS256'], issuer: platform.issuer, audience: platform.clientId };
    const checks: Record<Forgery, (token: string) => Promise<void>> = {
      'alg-none': async (t) => {
        assert.equal(decodeProtectedHeader(t).alg, 'none');
        assert.ok(t.endsWith('.'));
      },
      'hs256-public-key': async (t) => {
        assert.equal(decodeProtectedHeader(t).alg, 'HS256');
        const secret = new TextEncoder().encode(await exportSPKI(platform.keys.at(-1)!.publicKey));
        await jwtVerify(t, secret, { algorithms: ['HS256'] });
      },
      'wrong-aud': async (t) => {
        await assert.rejects(jwtVerify(t, jwks, honest), /aud/);
      },
      'aud-array-without-azp': async (t) => {
        const { payload } = await jwtVerify(t, jwks, honest);
        assert.ok(Array.isArray(payload.aud) && payload.aud.length === 2 && payload.aud.includes(platform.clientId));
        assert.equal(payload.azp, undefined);
      },
      expired: async (t) => {
        await assert.rejects(jwtVerify(t, jwks, honest), /exp/);
      },
      'iat-future': async (t) => {
        await assert.rejects(jwtVerify(t, jwks, { ...honest, maxTokenAge: '5m' }), /iat|future/);
        assert.ok(decodeJwt(t).iat! > Date.now() / 1000 + 60);
      },
      'unknown-kid': async (t) => {
        assert.ok(!platform.keys.some((k) => k.kid === decodeProtectedHeader(t).kid));
        await assert.rejects(jwtVerify(t, jwks, honest));
      },
      'unregistered-deployment': async (t) => {
        const { payload } = await jwtVerify(t, jwks, honest);
        assert.ok(!platform.client.deploymentIds.includes(String(payload[`${LTI}deployment_id`])));
      },
      'missing-message-type': async (t) => {
        const { payload } = await jwtVerify(t, jwks, honest);
        assert.equal(payload[`${LTI}message_type`], undefined);
      },
      'wrong-nonce': async (t) => {
        const { payload } = await jwtVerify(t, jwks, honest);
        assert.notEqual(payload.nonce, 'the-nonce');
      },
    };
    for (const forge of FORGERIES) {
      await checks[forge](await platform.idToken({ forge }, 'the-nonce'));
    }
  });
});

describe('JWKS', () => {
  test('is served with max-age, counted, and keeps the old key listed after a rotation unless retired', async () => {
    const before = platform.jwksFetches;
    const res = await fetch(platform.jwksUrl);
    assert.match(res.headers.get('cache-control') ?? '', /max-age=\d+/);
    const first = ((await res.json()) as { keys: { kid: string; alg: string }[] }).keys;
    assert.equal(platform.jwksFetches, before + 1);
    assert.ok(first.every((k) => k.kid && k.alg === 'RS256'));
    const kid = await platform.rotateKey();
    const kids = ((await (await fetch(platform.jwksUrl)).json()) as { keys: { kid: string }[] }).keys.map((k) => k.kid);
    assert.deepEqual(kids, [...first.map((k) => k.kid), kid]);
    assert.equal(decodeProtectedHeader(await platform.idToken()).kid, kid);
    await platform.rotateKey({ retireOld: true });
    assert.equal((await platform.jwks()).keys.length, 1);
    platform.faults.jwksStatus = 503;
    assert.equal((await fetch(platform.jwksUrl)).status, 503);
    platform.faults.jwksStatus = null;
  });
});

describe('OIDC authentication', () => {
  test('answers a conformant request with an auto-posting form carrying an id_token with the nonce, and the state', async () => {
    const { url, fields } = platform.loginInitiation(TOOL_LOGIN, { custom: { bookid: 'b1' } });
    assert.equal(new URL(url).searchParams.get('iss'), platform.issuer);
    assert.equal(fields.target_link_uri, TOOL_LAUNCH);
    assert.equal(fields.lti_storage_target, undefined);
    assert.equal(platform.loginInitiation(TOOL_LOGIN, {}, { storageTarget: '_parent' }).fields.lti_storage_target, '_parent');
    const { location, state, nonce } = toolRedirect(fields);
    const form = await platform.authorize(location);
    assert.equal(form.action, TOOL_LAUNCH);
    assert.equal(form.fields.state, state);
    const { payload } = await jwtVerify(form.fields.id_token, createLocalJWKSet(await platform.jwks()), { issuer: platform.issuer, audience: platform.clientId });
    assert.equal(payload.nonce, nonce);
    assert.deepEqual(payload[`${LTI}custom`], { bookid: 'b1' });
    const page = await (await fetch(location)).text();
    assert.match(page, /lti_message_hint not echoed/, 'a login initiation is used once');
  });

  test('refuses each departure from the Security Framework with a 400 and records why', async () => {
    const cases: [Record<string, string | undefined>, RegExp][] = [
      [{ prompt: undefined }, /prompt/],
      [{ scope: 'profile' }, /scope/],
      [{ response_type: 'code' }, /response_type/],
      [{ response_mode: 'query' }, /response_mode/],
      [{ redirect_uri: 'https://evil.example/launch' }, /redirect_uri not registered/],
      [{ login_hint: 'someone-else' }, /login_hint/],
      [{ lti_message_hint: undefined }, /lti_message_hint/],
      [{ client_id: 'nope' }, /unknown client_id/],
      [{ nonce: undefined }, /nonce/],
      [{ state: undefined }, /state/],
    ];
    for (const [overrides, why] of cases) {
      const { fields } = platform.loginInitiation(TOOL_LOGIN);
      const res = await fetch(toolRedirect(fields, overrides).location);
      assert.equal(res.status, 400, JSON.stringify(overrides));
      assert.match(platform.authRequests.at(-1)!.problem, why);
    }
  });

  test('records what a tool sends back to launch_presentation.return_url', async () => {
    const returnUrl = (decodeJwt(await platform.idToken())[`${LTI}launch_presentation`] as { return_url: string }).return_url;
    const url = new URL(returnUrl);
    url.searchParams.set('lti_errormsg', 'Launch expired');
    assert.equal((await fetch(url)).status, 200);
    assert.deepEqual(platform.returns.at(-1), { lti_errormsg: 'Launch expired' });
  });

  test('accepts the authentication request as a POST too', async () => {
    const { fields } = platform.loginInitiation(TOOL_LOGIN);
    const { location, state } = toolRedirect(fields);
    const res = await fetch(platform.authLoginUrl, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URL(location).searchParams });
    assert.equal(res.status, 200);
    assert.match(await res.text(), new RegExp(`name="state" value="${state}"`));
  });
});

describe('token endpoint', () => {
  test('grants a valid client assertion and refuses a wrong aud, a replayed jti, HS256, and an unknown scope', async () => {
    const good = await assertion();
    const res = await requestToken(good, SCOPES.score);
    assert.equal(res.status, 200);
    const body = (await res.json()) as { access_token: string; token_type: string; expires_in: number; scope: string };
    assert.equal(body.token_type, 'Bearer');
    assert.ok(body.access_token && body.expires_in > 0);
    assert.equal(body.scope, SCOPES.score);
    assert.ok(tool.fetches > 0, 'the assertion was verified with the JWKS fetched from the tool');

    assert.equal((await requestToken(good, SCOPES.score)).status, 401);
    assert.match(platform.tokenRequests.at(-1)!.problem, /jti replayed/);
    assert.equal((await requestToken(await assertion({ aud: platform.issuer }), SCOPES.score)).status, 401);
    assert.match(platform.tokenRequests.at(-1)!.problem, /aud/);
    assert.equal((await requestToken(await assertion({ sub: 'someone' }), SCOPES.score)).status, 401);
    assert.equal((await requestToken(await assertion({ exp: Math.floor(Date.now() / 1000) - 60 }), SCOPES.score)).status, 401);
    const hmac = await new SignJWT({ iss: platform.clientId, sub: platform.clientId, aud: platform.authTokenUrl, jti: crypto.randomUUID() })
      .setProtectedHeader({ alg: 'HS256' })
      .setIssuedAt()
      .setExpirationTime('5m')
      .sign(new TextEncoder().encode('x'.repeat(32)));
    assert.equal((await requestToken(hmac, SCOPES.score)).status, 401);
    assert.equal((await requestToken(await assertion(), 'https://example/unknown-scope')).status, 400);
    assert.equal((await requestToken(await assertion(), SCOPES.score, { grant_type: 'password' })).status, 400);
    assert.equal((await requestToken(await assertion(), SCOPES.score, { client_id: 'someone-else' })).status, 401);
    const stranger = await generateKeyPair('RS256');
    const unpublished = await new SignJWT({ iss: platform.clientId, sub: platform.clientId, aud: platform.authTokenUrl, jti: crypto.randomUUID() })
      .setProtectedHeader({ alg: 'RS256', kid: tool.kid })
      .setIssuedAt()
      .setExpirationTime('5m')
      .sign(stranger.privateKey);
    assert.equal((await requestToken(unpublished, SCOPES.score)).status, 401, 'signed by a key the tool does not publish');
    platform.faults.tokenStatus = 500;
    assert.equal((await requestToken(await assertion(), SCOPES.score)).status, 500);
    platform.faults.tokenStatus = null;
  });
});

describe('AGS', () => {
  const score = (userId = 'lms-user-1', timestamp = new Date().toISOString()) =>
    JSON.stringify({ userId, scoreGiven: 7, scoreMaximum: 10, activityProgress: 'Completed', gradingProgress: 'FullyGraded', timestamp });
  const scoresUrl = (lineItem: string) => {
    const url = new URL(lineItem);
    url.pathname += '/scores';
    return url.href;
  };

  test('a score needs a bearer token with the score scope, the score media type and a valid body; accepted ones are recorded', async () => {
    const lineItem = (decodeJwt(await platform.idToken({ resourceLink: { id: 'link-ags', title: 'AGS' } }))[AGS_ENDPOINT] as { lineitem: string }).lineitem;
    const url = scoresUrl(lineItem);
    const post = (headers: Record<string, string>, body = score()) => fetch(url, { method: 'POST', headers: { 'content-type': MEDIA.score, ...headers }, body });
    assert.equal((await post({})).status, 401);
    assert.equal((await post({ authorization: 'Bearer made-up' })).status, 401);
    assert.equal((await post({ authorization: `Bearer ${platform.accessToken([SCOPES.memberships])}` })).status, 403);
    const token = `Bearer ${platform.accessToken([SCOPES.score])}`;
    assert.equal((await post({ authorization: token, 'content-type': 'application/json' })).status, 415);
    assert.equal((await post({ authorization: token }, JSON.stringify({ userId: 'lms-user-1', scoreGiven: 1 }))).status, 400);
    assert.equal((await post({ authorization: token }, score('not-a-member'))).status, 400);
    const stamp = new Date().toISOString();
    assert.equal((await post({ authorization: token }, score('lms-user-1', stamp))).status, 204);
    assert.equal((await post({ authorization: token }, score('lms-user-1', new Date(Date.parse(stamp) - 60_000).toISOString()))).status, 409);
    const received = platform.scores.filter((s) => s.lineItem === lineItem);
    assert.deepEqual(received, [{ userId: 'lms-user-1', scoreGiven: 7, scoreMaximum: 10, activityProgress: 'Completed', gradingProgress: 'FullyGraded', timestamp: stamp, lineItem }]);
    assert.ok(platform.serviceRequests.some((r) => r.status === 204 && r.url.endsWith('/scores?type_id=1')));

    const results = await fetch(new URL('results', `${new URL(lineItem).origin}${new URL(lineItem).pathname}/`), {
      headers: { authorization: `Bearer ${platform.accessToken([SCOPES.resultReadonly])}` },
    });
    assert.deepEqual(
      ((await results.json()) as { userId: string; resultScore: number }[]).map((r) => [r.userId, r.resultScore]),
      [['lms-user-1', 7]],
    );
  });

  test('line items are created by POST and listed page by page', async () => {
    const token = `Bearer ${platform.accessToken([SCOPES.lineItem])}`;
    for (const label of ['Quiz 1', 'Quiz 2', 'Quiz 3']) {
      const res = await fetch(platform.lineItemsUrl, {
        method: 'POST',
        headers: { authorization: token, 'content-type': MEDIA.lineItem },
        body: JSON.stringify({ label, scoreMaximum: 10, tag: 'quiz' }),
      });
      assert.equal(res.status, 201);
      assert.equal(((await res.json()) as { label: string }).label, label);
    }
    const labels: string[] = [];
    let next: string | null = `${platform.lineItemsUrl}?tag=quiz`;
    while (next) {
      const res: Response = await fetch(next, { headers: { authorization: token, accept: MEDIA.lineItemContainer } });
      assert.equal(res.headers.get('content-type'), MEDIA.lineItemContainer);
      labels.push(...((await res.json()) as { label: string }[]).map((i) => i.label));
      next = /<([^>]+)>;\s*rel="next"/.exec(res.headers.get('link') ?? '')?.[1] ?? null;
    }
    assert.deepEqual(labels, ['Quiz 1', 'Quiz 2', 'Quiz 3']);
    const readonly = await fetch(platform.lineItemsUrl, {
      method: 'POST',
      headers: { authorization: `Bearer ${platform.accessToken([SCOPES.lineItemReadonly])}`, 'content-type': MEDIA.lineItem },
      body: '{}',
    });
    assert.equal(readonly.status, 403);
  });
});

describe('NRPS', () => {
  test('pages through Link rel="next" and returns every member exactly once; needs a bearer token', async () => {
    assert.equal((await fetch(platform.membershipsUrl)).status, 401);
    const token = `Bearer ${platform.accessToken([SCOPES.memberships])}`;
    const seen: string[] = [];
    let pages = 0;
    let next: string | null = platform.membershipsUrl;
    while (next) {
      const res: Response = await fetch(next, { headers: { authorization: token, accept: MEDIA.membershipContainer } });
      assert.equal(res.status, 200);
      assert.equal(res.headers.get('content-type'), MEDIA.membershipContainer);
      const body = (await res.json()) as { context: { id: string }; members: { user_id: string; roles: string[] }[] };
      assert.equal(body.context.id, platform.context.id);
      seen.push(...body.members.map((m) => m.user_id));
      pages++;
      next = /<([^>]+)>;\s*rel="next"/.exec(res.headers.get('link') ?? '')?.[1] ?? null;
    }
    assert.ok(pages > 1);
    assert.deepEqual(seen.toSorted(), platform.members.map((m) => m.user_id).toSorted());
  });
});

describe('Deep Linking return', () => {
  const response = async (data: string, claims: JWTPayload = {}) => {
    const now = Math.floor(Date.now() / 1000);
    return new SignJWT({
      iss: platform.clientId,
      aud: platform.issuer,
      iat: now,
      exp: now + 300,
      nonce: crypto.randomUUID(),
      [`${LTI}deployment_id`]: platform.deploymentId,
      [`${LTI}message_type`]: 'LtiDeepLinkingResponse',
      [`${LTI}version`]: '1.3.0',
      [`${DL}data`]: data,
      [`${DL}content_items`]: [{ type: 'ltiResourceLink', title: 'Book 7', url: TOOL_LAUNCH, custom: { bookid: 'book-7' }, lineItem: { scoreMaximum: 100, label: 'Book 7' } }],
      ...claims,
    })
      .setProtectedHeader({ alg: 'RS256', kid: tool.kid })
      .sign(tool.privateKey);
  };
  const post = (jwt: string) => fetch(platform.deepLinkReturnUrl, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ JWT: jwt }) });
  const request = async (acceptMultiple = true) =>
    (decodeJwt(await platform.idToken({ messageType: 'LtiDeepLinkingRequest', deepLinking: { acceptMultiple } }))[`${DL}deep_linking_settings`] as { data: string }).data;

  test('verifies the tool-signed response against the tool JWKS and records its content items', async () => {
    const data = await request();
    const res = await post(await response(data));
    assert.equal(res.status, 200);
    const last = platform.deepLinkReturns.at(-1)!;
    assert.equal(last.problem, '');
    assert.deepEqual(
      last.contentItems.map((i) => (i.custom as { bookid: string }).bookid),
      ['book-7'],
    );
  });

  test('refuses a wrong aud, data not echoed, a wrong message type, a replayed nonce, and several items where one is accepted', async () => {
    assert.equal((await post(await response(await request(), { aud: 'https://other.example' }))).status, 400);
    assert.match(platform.deepLinkReturns.at(-1)!.problem, /aud/);
    assert.equal((await post(await response('never-issued'))).status, 400);
    assert.match(platform.deepLinkReturns.at(-1)!.problem, /data/);
    assert.equal((await post(await response(await request(), { [`${LTI}message_type`]: 'LtiResourceLinkRequest' }))).status, 400);
    const nonce = crypto.randomUUID();
    assert.equal((await post(await response(await request(), { nonce }))).status, 200);
    assert.equal((await post(await response(await request(), { nonce }))).status, 400);
    assert.match(platform.deepLinkReturns.at(-1)!.problem, /nonce replayed/);
    const two = [
      { type: 'ltiResourceLink', title: 'a' },
      { type: 'ltiResourceLink', title: 'b' },
    ];
    assert.equal((await post(await response(await request(false), { [`${DL}content_items`]: two }))).status, 400);
    assert.match(platform.deepLinkReturns.at(-1)!.problem, /accept_multiple/);
  });
});

describe('Dynamic Registration', () => {
  const registration = () => ({
    application_type: 'web',
    response_types: ['id_token'],
    grant_types: ['implicit', 'client_credentials'],
    initiate_login_uri: TOOL_LOGIN,
    redirect_uris: [TOOL_LAUNCH],
    client_name: 'Lectern',
    jwks_uri: tool.jwksUrl,
    logo_uri: 'https://tool.example/logo.png',
    token_endpoint_auth_method: 'private_key_jwt',
    scope: `${SCOPES.score} ${SCOPES.memberships}`,
    [TOOL_CONFIGURATION]: {
      domain: 'tool.example',
      target_link_uri: TOOL_LAUNCH,
      claims: ['iss', 'sub', 'email'],
      messages: [{ type: 'LtiDeepLinkingRequest', target_link_uri: TOOL_LAUNCH, label: 'Add a book' }],
    },
  });
  const register = (token: string, body: unknown) =>
    fetch(platform.registrationEndpoint, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });

  test('serves the OpenID configuration, refuses a wrong token or a bad body, and registers a tool once per token', async () => {
    const url = new URL(platform.registrationUrl('https://tool.example/lti/1.3/register/lincoln?token=abc'));
    assert.equal(url.searchParams.get('token'), 'abc');
    const configUrl = url.searchParams.get('openid_configuration')!;
    const token = url.searchParams.get('registration_token')!;
    const config = (await (await fetch(configUrl)).json()) as Record<string, unknown>;
    assert.equal(config.issuer, new URL(configUrl).origin);
    assert.equal(config.registration_endpoint, platform.registrationEndpoint);
    assert.ok((config[PLATFORM_CONFIGURATION] as { messages_supported: { type: string }[] }).messages_supported.some((m) => m.type === 'LtiDeepLinkingRequest'));

    assert.equal((await register('wrong-token', registration())).status, 401);
    assert.equal((await register(token, { ...registration(), token_endpoint_auth_method: 'client_secret_basic' })).status, 400);
    assert.match(platform.registrations.at(-1)!.problem, /private_key_jwt/);
    const res = await register(token, registration());
    assert.equal(res.status, 200);
    const answer = (await res.json()) as Record<string, unknown>;
    const deploymentId = (answer[TOOL_CONFIGURATION] as { deployment_id: string }).deployment_id;
    assert.ok(answer.client_id && deploymentId);
    assert.deepEqual(platform.clients.get(String(answer.client_id))!.deploymentIds, [deploymentId]);
    assert.equal((await register(token, registration())).status, 401, 'a registration token is used once');

    const granted = await requestToken(await assertion({}, String(answer.client_id)), SCOPES.score);
    assert.equal(granted.status, 200, 'the registered client can obtain tokens at once');
    const launch = decodeJwt(await platform.idToken({ clientId: String(answer.client_id) }));
    assert.equal(launch.aud, answer.client_id);
    assert.equal(launch[`${LTI}deployment_id`], deploymentId);
  });
});
