import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, beforeEach, describe, it } from 'node:test';
import { SignJWT, base64url, exportJWK, exportSPKI, generateKeyPair, type CryptoKey, type JWTPayload } from 'jose';
import { AppError } from '../errors.js';
import { OutboundClient, parseOutboundAllow } from '../security/outbound.js';
import { Lti13Error, type Lti13ErrorCode } from './errors.js';
import { verifyIdToken, type VerifyIdTokenOptions } from './id-token.js';
import { PlatformKeys } from './platform-keys.js';

/*
 * id_token verification against a platform made with jose: its key pair, its JWKS served by a real
 * HTTP server on 127.0.0.1 (admitted by an allow-list, as LECTERN_OUTBOUND_ALLOW does) and read
 * through PlatformKeys. Good resource link and deep linking launches verify; each way a token can
 * be wrong is its own test, with the stable code it gets and whether it may go back to the LMS.
 */

const ISSUER = 'https://lms.lincoln.example';
const CLIENT_ID = '10000000000042';
const DEPLOYMENT = '1:abc';
const NONCE = 'n-0f8c2a';
const LTI = 'https://purl.imsglobal.org/spec/lti/claim/';
const RETURN_URL = 'https://lms.lincoln.example/courses/7/external_content/success';
const NOW = new Date('2026-12-03T12:00:00Z');
const NOW_S = Math.floor(NOW.getTime() / 1000);

function resourceLinkClaims(): JWTPayload {
  return {
    iss: ISSUER,
    aud: CLIENT_ID,
    sub: 'a6d5c443-1f51-4783-ba1a-7686ffe3b54a',
    iat: NOW_S - 5,
    exp: NOW_S + 3600,
    nonce: NONCE,
    name: 'Ada Park',
    given_name: 'Ada',
    family_name: 'Park',
    email: 'ada@lincoln.example',
    [`${LTI}message_type`]: 'LtiResourceLinkRequest',
    [`${LTI}version`]: '1.3.0',
    [`${LTI}deployment_id`]: DEPLOYMENT,
    [`${LTI}target_link_uri`]: 'https://reader.example.org/lti/1.3/launch',
    [`${LTI}resource_link`]: { id: '200d101f-2c14-434a-a0f3-57c2a42369fd', title: 'Chapter 1' },
    [`${LTI}roles`]: ['http://purl.imsglobal.org/vocab/lis/v2/membership#Learner', 'http://purl.imsglobal.org/vocab/lis/v2/institution/person#Student'],
    [`${LTI}context`]: { id: 'c-7', label: 'ENG 101', title: 'English 101', type: ['http://purl.imsglobal.org/vocab/lis/v2/course#CourseOffering'] },
    // JSON.parse makes __proto__ an own key, as a platform's JSON would.
    [`${LTI}custom`]: JSON.parse('{"bookid": "b-42", "chapter": 3, "__proto__": "x"}') as unknown,
    [`${LTI}lis`]: { person_sourcedid: 'SIS-1001', course_section_sourcedid: 'SEC-7' },
    [`${LTI}launch_presentation`]: { document_target: 'iframe', return_url: RETURN_URL, locale: 'en-US' },
    'https://purl.imsglobal.org/spec/lti-ags/claim/endpoint': {
      scope: ['https://purl.imsglobal.org/spec/lti-ags/scope/score'],
      lineitems: 'https://lms.lincoln.example/api/lti/courses/7/line_items',
      lineitem: 'https://lms.lincoln.example/api/lti/courses/7/line_items/9?x=1',
    },
    'https://purl.imsglobal.org/spec/lti-nrps/claim/namesroleservice': {
      context_memberships_url: 'https://lms.lincoln.example/api/lti/courses/7/names_and_roles',
      service_versions: ['2.0'],
    },
  };
}

function deepLinkingClaims(): JWTPayload {
  const claims = resourceLinkClaims();
  delete claims[`${LTI}resource_link`];
  return {
    ...claims,
    [`${LTI}message_type`]: 'LtiDeepLinkingRequest',
    [`${LTI}roles`]: ['http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor'],
    'https://purl.imsglobal.org/spec/lti-dl/claim/deep_linking_settings': {
      deep_link_return_url: 'https://lms.lincoln.example/courses/7/deep_linking_response',
      accept_types: ['ltiResourceLink'],
      accept_presentation_document_targets: ['iframe', 'window'],
      accept_multiple: true,
      accept_lineitem: true,
      data: 'opaque-42',
    },
  };
}

describe('verifyIdToken', () => {
  let server: http.Server;
  let jwksUrl: string;
  let hits = 0;
  let platformKey: CryptoKey;
  let platformPem: string;
  let platformJwkJson: string;
  let keys: PlatformKeys;
  let clock = NOW.getTime();

  before(async () => {
    const pair = await generateKeyPair('RS256');
    platformKey = pair.privateKey;
    platformPem = await exportSPKI(pair.publicKey);
    const jwk = { ...(await exportJWK(pair.publicKey)), kid: 'platform-1', alg: 'RS256', use: 'sig' };
    platformJwkJson = JSON.stringify(jwk);
    const jwks = JSON.stringify({ keys: [jwk] });
    server = http.createServer((_req, res) => {
      hits++;
      res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'max-age=300' });
      res.end(jwks);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    jwksUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/lti/security/jwks`;
  });
  after(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });
  beforeEach(() => {
    hits = 0;
    clock = NOW.getTime();
    keys = new PlatformKeys({ outbound: new OutboundClient(parseOutboundAllow('127.0.0.1')), now: () => clock });
  });

  const sign = (claims: JWTPayload, opts: { kid?: string; key?: CryptoKey } = {}) =>
    new SignJWT(claims).setProtectedHeader({ alg: 'RS256', typ: 'JWT', kid: opts.kid ?? 'platform-1' }).sign(opts.key ?? platformKey);
  const options = (over: Partial<VerifyIdTokenOptions> = {}): VerifyIdTokenOptions => ({
    registration: { issuer: ISSUER, clientId: CLIENT_ID, deploymentIds: ['0:other', DEPLOYMENT] },
    keys: keys.forUrl(jwksUrl),
    expectedNonce: NONCE,
    now: NOW,
    ...over,
  });
  // The stable code, and whether the refusal may go back to the LMS (only once the token verified).
  const refused = (code: Lti13ErrorCode, afterVerification: boolean) => (e: unknown) => {
    assert.ok(e instanceof Lti13Error, `an Lti13Error, got ${String(e)}`);
    assert.equal(e.lti13Code, code, e.logMessage);
    assert.equal(e.afterVerification, afterVerification, 'after verification');
    assert.equal(e.returnUrl, afterVerification ? RETURN_URL : null);
    assert.ok(e instanceof AppError && e.status >= 400 && e.status < 500, 'a 4xx page');
    return true;
  };
  const without = (claims: JWTPayload, name: string) => {
    const copy = { ...claims };
    delete copy[name];
    return copy;
  };

  it('verifies a good resource link launch and returns its claims typed', async () => {
    const launch = await verifyIdToken(await sign(resourceLinkClaims()), options());
    assert.equal(launch.messageType, 'LtiResourceLinkRequest');
    assert.ok(launch.messageType === 'LtiResourceLinkRequest');
    assert.deepEqual(
      {
        issuer: launch.issuer,
        sub: launch.sub,
        deploymentId: launch.deploymentId,
        target: launch.targetLinkUri,
        link: launch.resourceLink,
        roles: launch.roles.length,
        context: launch.context,
        custom: { ...launch.custom },
        person: launch.personSourcedId,
        section: launch.courseSectionSourcedId,
        email: launch.email,
        names: [launch.name, launch.givenName, launch.familyName],
        returnUrl: launch.returnUrl,
        locale: launch.locale,
        target2: launch.documentTarget,
        ags: launch.ags,
        nrps: launch.nrps,
        deepLinking: launch.deepLinking,
      },
      {
        issuer: ISSUER,
        sub: 'a6d5c443-1f51-4783-ba1a-7686ffe3b54a',
        deploymentId: DEPLOYMENT,
        target: 'https://reader.example.org/lti/1.3/launch',
        link: { id: '200d101f-2c14-434a-a0f3-57c2a42369fd', title: 'Chapter 1', description: null },
        roles: 2,
        context: { id: 'c-7', label: 'ENG 101', title: 'English 101', type: ['http://purl.imsglobal.org/vocab/lis/v2/course#CourseOffering'] },
        custom: JSON.parse('{"bookid": "b-42", "chapter": "3", "__proto__": "x"}') as unknown,
        person: 'SIS-1001',
        section: 'SEC-7',
        email: 'ada@lincoln.example',
        names: ['Ada Park', 'Ada', 'Park'],
        returnUrl: RETURN_URL,
        locale: 'en-US',
        target2: 'iframe',
        ags: {
          scope: ['https://purl.imsglobal.org/spec/lti-ags/scope/score'],
          lineitems: 'https://lms.lincoln.example/api/lti/courses/7/line_items',
          lineitem: 'https://lms.lincoln.example/api/lti/courses/7/line_items/9?x=1',
        },
        nrps: { contextMembershipsUrl: 'https://lms.lincoln.example/api/lti/courses/7/names_and_roles', serviceVersions: ['2.0'] },
        deepLinking: null,
      },
    );
    assert.equal(Object.getPrototypeOf(launch.custom), null, 'a custom parameter named __proto__ stays an entry');
  });

  it('verifies a good deep linking request', async () => {
    const launch = await verifyIdToken(await sign(deepLinkingClaims()), options());
    assert.ok(launch.messageType === 'LtiDeepLinkingRequest');
    assert.equal(launch.resourceLink, null);
    assert.deepEqual(launch.deepLinking, {
      deepLinkReturnUrl: 'https://lms.lincoln.example/courses/7/deep_linking_response',
      acceptTypes: ['ltiResourceLink'],
      acceptPresentationDocumentTargets: ['iframe', 'window'],
      acceptMediaTypes: null,
      acceptMultiple: true,
      acceptLineItem: true,
      autoCreate: false,
      title: null,
      text: null,
      data: 'opaque-42',
    });
  });

  it('fetches the JWKS once for many verifications, and again after its max-age', async () => {
    for (let i = 0; i < 25; i++) await verifyIdToken(await sign(resourceLinkClaims()), options());
    assert.equal(hits, 1);
    clock += 301_000;
    await verifyIdToken(await sign({ ...resourceLinkClaims(), iat: NOW_S + 300, exp: NOW_S + 3900 }), options({ now: new Date(clock) }));
    assert.equal(hits, 2);
  });

  it('accepts several audiences when the others are trusted and azp is our client id', async () => {
    const claims = { ...resourceLinkClaims(), aud: ['https://other.example', CLIENT_ID], azp: CLIENT_ID };
    const launch = await verifyIdToken(await sign(claims), options({ trustedAudiences: ['https://other.example'] }));
    assert.equal(launch.clientId, CLIENT_ID);
    assert.equal((await verifyIdToken(await sign({ ...resourceLinkClaims(), aud: [CLIENT_ID] }), options())).clientId, CLIENT_ID);
  });

  it('refuses an audience the caller does not trust, even with azp', async () => {
    const claims = { ...resourceLinkClaims(), aud: ['https://other.example', CLIENT_ID], azp: CLIENT_ID };
    await assert.rejects(verifyIdToken(await sign(claims), options()), refused('LTI13_WRONG_AUDIENCE', true));
  });

  it('refuses a nonce that is not the one this login issued (a replayed token)', async () => {
    await assert.rejects(verifyIdToken(await sign(resourceLinkClaims()), options({ expectedNonce: 'n-of-another-login' })), refused('LTI13_NONCE', true));
    await assert.rejects(verifyIdToken(await sign(without(resourceLinkClaims(), 'nonce')), options()), refused('LTI13_NONCE', true));
  });

  it('refuses a token for another client id', async () => {
    await assert.rejects(verifyIdToken(await sign({ ...resourceLinkClaims(), aud: '10000000000099' }), options()), refused('LTI13_WRONG_AUDIENCE', true));
    // Not a substring match: a client id that contains ours is another client.
    await assert.rejects(verifyIdToken(await sign({ ...resourceLinkClaims(), aud: `${CLIENT_ID}7` }), options()), refused('LTI13_WRONG_AUDIENCE', true));
  });

  it('refuses several audiences without azp', async () => {
    const claims = { ...resourceLinkClaims(), aud: [CLIENT_ID, 'https://other.example'] };
    await assert.rejects(verifyIdToken(await sign(claims), options({ trustedAudiences: ['https://other.example'] })), refused('LTI13_WRONG_AUDIENCE', true));
  });

  it('refuses an azp naming another client, even with our client id as the only audience', async () => {
    await assert.rejects(verifyIdToken(await sign({ ...resourceLinkClaims(), azp: '10000000000099' }), options()), refused('LTI13_WRONG_AUDIENCE', true));
  });

  it('refuses an expired token, beyond the leeway only', async () => {
    await verifyIdToken(await sign({ ...resourceLinkClaims(), exp: NOW_S - 30 }), options());
    await assert.rejects(verifyIdToken(await sign({ ...resourceLinkClaims(), exp: NOW_S - 61 }), options()), refused('LTI13_EXPIRED', true));
  });

  it('refuses a token issued far in the future', async () => {
    await verifyIdToken(await sign({ ...resourceLinkClaims(), iat: NOW_S + 30 }), options());
    await assert.rejects(verifyIdToken(await sign({ ...resourceLinkClaims(), iat: NOW_S + 3600, exp: NOW_S + 7200 }), options()), refused('LTI13_NOT_YET_VALID', true));
  });

  it('refuses an unknown kid after one JWKS refetch; a second unknown kid right after fetches nothing', async () => {
    await verifyIdToken(await sign(resourceLinkClaims()), options());
    clock += 60_000;
    await assert.rejects(verifyIdToken(await sign(resourceLinkClaims(), { kid: 'forged-1' }), options()), refused('LTI13_UNKNOWN_KID', false));
    assert.equal(hits, 2);
    await assert.rejects(verifyIdToken(await sign(resourceLinkClaims(), { kid: 'forged-2' }), options()), refused('LTI13_UNKNOWN_KID', false));
    assert.equal(hits, 2);
  });

  it('refuses alg none', async () => {
    const enc = (o: object) => base64url.encode(JSON.stringify(o));
    const unsigned = `${enc({ alg: 'none', typ: 'JWT', kid: 'platform-1' })}.${enc(resourceLinkClaims())}.`;
    await assert.rejects(verifyIdToken(unsigned, options()), refused('LTI13_ALG', false));
    assert.equal(hits, 0, 'no key was looked up');
  });

  it("refuses an HS256 token keyed with the platform's public key", async () => {
    for (const secret of [platformPem, platformJwkJson]) {
      const forged = await new SignJWT(resourceLinkClaims()).setProtectedHeader({ alg: 'HS256', kid: 'platform-1' }).sign(new TextEncoder().encode(secret));
      await assert.rejects(verifyIdToken(forged, options()), refused('LTI13_ALG', false));
    }
  });

  it('refuses a deployment the registration does not list', async () => {
    await assert.rejects(verifyIdToken(await sign({ ...resourceLinkClaims(), [`${LTI}deployment_id`]: '9:unregistered' }), options()), (e: unknown) => {
      refused('LTI13_UNKNOWN_DEPLOYMENT', true)(e);
      assert.match((e as Lti13Error).message, /9:unregistered/);
      return true;
    });
  });

  it('refuses a token without message type', async () => {
    await assert.rejects(verifyIdToken(await sign(without(resourceLinkClaims(), `${LTI}message_type`)), options()), refused('LTI13_MESSAGE_TYPE', true));
    await assert.rejects(verifyIdToken(await sign({ ...resourceLinkClaims(), [`${LTI}message_type`]: 'LtiSubmissionReviewRequest' }), options()), refused('LTI13_MESSAGE_TYPE', true));
  });

  it('refuses another LTI version', async () => {
    await assert.rejects(verifyIdToken(await sign({ ...resourceLinkClaims(), [`${LTI}version`]: '1.1' }), options()), refused('LTI13_VERSION', true));
  });

  it("refuses another issuer's token, without a way back to its return URL", async () => {
    await assert.rejects(verifyIdToken(await sign({ ...resourceLinkClaims(), iss: 'https://canvas.instructure.com' }), options()), refused('LTI13_WRONG_ISSUER', false));
  });

  it("refuses a token signed with another platform's key under our platform's kid, or altered after signing", async () => {
    const other = await generateKeyPair('RS256');
    await assert.rejects(verifyIdToken(await sign(resourceLinkClaims(), { key: other.privateKey }), options()), refused('LTI13_BAD_SIGNATURE', false));
    const [h, , s] = (await sign(resourceLinkClaims())).split('.');
    const altered = `${h}.${base64url.encode(JSON.stringify({ ...resourceLinkClaims(), sub: 'someone-else' }))}.${s}`;
    await assert.rejects(verifyIdToken(altered, options()), refused('LTI13_BAD_SIGNATURE', false));
    await assert.rejects(verifyIdToken('not.a.token', options()), refused('LTI13_MALFORMED', false));
  });

  it('refuses a resource link launch without its required claims', async () => {
    for (const name of [`${LTI}resource_link`, `${LTI}roles`, `${LTI}target_link_uri`, 'sub', `${LTI}deployment_id`, 'iat']) {
      await assert.rejects(verifyIdToken(await sign(without(resourceLinkClaims(), name)), options()), refused('LTI13_CLAIM_MISSING', true), name);
    }
    await assert.rejects(verifyIdToken(await sign({ ...resourceLinkClaims(), [`${LTI}resource_link`]: { title: 'no id' } }), options()), refused('LTI13_CLAIM_MISSING', true));
    await assert.rejects(verifyIdToken(await sign({ ...resourceLinkClaims(), [`${LTI}roles`]: 'Learner' }), options()), refused('LTI13_CLAIM_INVALID', true));
  });

  it('refuses a deep linking request without its settings or return URL', async () => {
    const dl = 'https://purl.imsglobal.org/spec/lti-dl/claim/deep_linking_settings';
    await assert.rejects(verifyIdToken(await sign(without(deepLinkingClaims(), dl)), options()), refused('LTI13_CLAIM_MISSING', true));
    const settings = deepLinkingClaims()[dl] as Record<string, unknown>;
    await assert.rejects(verifyIdToken(await sign({ ...deepLinkingClaims(), [dl]: { ...settings, deep_link_return_url: undefined } }), options()), refused('LTI13_CLAIM_MISSING', true));
    await assert.rejects(verifyIdToken(await sign({ ...deepLinkingClaims(), [dl]: { ...settings, deep_link_return_url: 'javascript:alert(1)' } }), options()), refused('LTI13_CLAIM_INVALID', true));
  });

  it('refuses a target link URI other than the one the login initiation carried, when given', async () => {
    await verifyIdToken(await sign(resourceLinkClaims()), options({ expectedTargetLinkUri: 'https://reader.example.org/lti/1.3/launch' }));
    await assert.rejects(verifyIdToken(await sign(resourceLinkClaims()), options({ expectedTargetLinkUri: 'https://reader.example.org/lti/1.3/launch?x=1' })), refused('LTI13_CLAIM_INVALID', true));
  });

  it("refuses a target link URI outside Lectern's origin when one is given", async () => {
    await verifyIdToken(await sign(resourceLinkClaims()), options({ targetLinkOrigin: 'https://reader.example.org' }));
    await assert.rejects(
      verifyIdToken(await sign({ ...resourceLinkClaims(), [`${LTI}target_link_uri`]: 'https://evil.example/launch' }), options({ targetLinkOrigin: 'https://reader.example.org' })),
      refused('LTI13_CLAIM_INVALID', true),
    );
  });
});
