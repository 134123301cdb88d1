/*
 * Access tokens from the test platform's token endpoint, which verifies each client assertion
 * against Lectern's own JWKS (GET /lti/1.3/jwks of a listening app): the grant's shape, the cache
 * (reuse, one request for concurrent callers, refresh before expiry, forget), and the failures
 * (a refused client, an outage, a destination the outbound guard refuses), none of which may show
 * the assertion or a token.
 */
import assert from 'node:assert/strict';
import { after, before, beforeEach, it } from 'node:test';
import { decodeJwt, decodeProtectedHeader } from 'jose';
import { AppError } from '../errors.js';
import { OutboundClient, STRICT_OUTBOUND, type OutboundRequest } from '../security/outbound.js';
import { describeEachDialect } from '../../test/helpers/app.js';
import { Lti13Platform, SCOPES } from '../../test/helpers/lti13-platform.js';
import { startListeningApp, type ListeningApp } from '../../test/helpers/listening.js';
import { PlatformTokens } from './access-token.js';

describeEachDialect('LTI 1.3 access tokens', (dialect) => {
  let lectern: ListeningApp;
  let lms: Lti13Platform;
  let clock: number;
  /** The bodies Lectern posted to the token endpoint. */
  let sent: URLSearchParams[];
  let tokens: PlatformTokens;
  const platform = () => ({ id: 'platform-1', clientId: lms.clientId, authTokenUrl: lms.authTokenUrl });

  const recording = (outbound: Pick<OutboundClient, 'request'>) => ({
    request: (url: string, req: OutboundRequest) => {
      sent.push(new URLSearchParams(String(req.body)));
      return outbound.request(url, req);
    },
  });
  const make = (outbound: Pick<OutboundClient, 'request'> = lectern.ctx.outbound) =>
    new PlatformTokens({ outbound: recording(outbound), signer: () => lectern.ctx.lti13.keys.signer(), now: () => new Date(clock) });

  before(async () => {
    lectern = await startListeningApp(dialect);
    lms = await Lti13Platform.start({ toolJwksUrl: `${lectern.url}/lti/1.3/jwks` });
  });
  after(async () => {
    await lms.close();
    await lectern.close();
  });
  beforeEach(() => {
    clock = Date.now();
    sent = [];
    lms.tokenRequests.length = 0;
    lms.faults.tokenStatus = null;
    tokens = make();
  });

  it('asks by the client-credentials grant with an RS256 assertion that the platform verifies against the JWKS Lectern publishes', async () => {
    const token = await tokens.token(platform(), [SCOPES.score, SCOPES.lineItem]);
    assert.ok(token);
    assert.deepEqual(lms.tokenRequests, [{ clientId: lms.clientId, scope: `${SCOPES.lineItem} ${SCOPES.score}`, status: 200, problem: '' }]);
    const form = sent[0]!;
    assert.equal(form.get('grant_type'), 'client_credentials');
    assert.equal(form.get('client_assertion_type'), 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer');
    assert.equal(form.get('scope'), `${SCOPES.lineItem} ${SCOPES.score}`);
    const assertion = form.get('client_assertion')!;
    const header = decodeProtectedHeader(assertion);
    assert.equal(header.alg, 'RS256');
    assert.equal(header.kid, (await lectern.ctx.lti13.keys.signer()).kid);
    const claims = decodeJwt(assertion);
    assert.equal(claims.iss, lms.clientId);
    assert.equal(claims.sub, lms.clientId);
    assert.equal(claims.aud, lms.authTokenUrl);
    assert.equal(claims.exp! - claims.iat!, 300);
    assert.equal(claims.iat, Math.floor(clock / 1000));
    assert.match(String(claims.jti), /^[0-9a-f-]{36}$/);
    // The token itself works at a service that needs the scope.
    const res = await fetch(`${lms.lineItemsUrl}`, { headers: { authorization: `Bearer ${token}` } });
    assert.equal(res.status, 200);
  });

  it('reuses a cached token for the same scopes in any order, and asks again for other scopes', async () => {
    const first = await tokens.token(platform(), [SCOPES.score, SCOPES.lineItem]);
    assert.equal(await tokens.token(platform(), [SCOPES.lineItem, SCOPES.score, SCOPES.score]), first);
    assert.equal(lms.tokenRequests.length, 1);
    const other = await tokens.token(platform(), [SCOPES.memberships]);
    assert.notEqual(other, first);
    assert.equal(lms.tokenRequests.length, 2);
    assert.notEqual(await tokens.token({ ...platform(), id: 'platform-2' }, [SCOPES.score, SCOPES.lineItem]), first, 'another registration has its own tokens');
  });

  it('shares one request among concurrent callers', async () => {
    const all = await Promise.all(Array.from({ length: 5 }, () => tokens.token(platform(), [SCOPES.score])));
    assert.equal(new Set(all).size, 1);
    assert.equal(lms.tokenRequests.length, 1);
  });

  it('asks for a new token 60 s before the old one expires (expires_in 3600), not earlier', async () => {
    const first = await tokens.token(platform(), [SCOPES.score]);
    clock += 3539_000;
    assert.equal(await tokens.token(platform(), [SCOPES.score]), first);
    clock += 2000;
    const second = await tokens.token(platform(), [SCOPES.score]);
    assert.notEqual(second, first);
    assert.equal(lms.tokenRequests.length, 2);
    assert.notEqual(sent[1]!.get('client_assertion'), sent[0]!.get('client_assertion'), 'a fresh assertion (the platform refuses a replayed jti)');
  });

  it('forget drops the platform’s tokens: the next call asks again', async () => {
    const first = await tokens.token(platform(), [SCOPES.score]);
    tokens.forget('platform-1');
    const second = await tokens.token(platform(), [SCOPES.score]);
    assert.notEqual(second, first);
    assert.equal(lms.tokenRequests.length, 2);
  });

  it('a refused client fails with the platform’s error and description, without the assertion, and is not cached', async () => {
    const err = await tokens.token({ ...platform(), clientId: 'not-registered' }, [SCOPES.score]).catch((e: unknown) => e);
    assert.ok(err instanceof AppError);
    assert.equal(err.code, 'SOURCE_AUTH_FAILED');
    assert.match(err.message, /token endpoint at 127\.0\.0\.1:\d+ answered HTTP 401: invalid_client \(unknown client\)/);
    assert.doesNotMatch(err.message, /eyJ/);
    await tokens.token({ ...platform(), clientId: 'not-registered' }, [SCOPES.score]).catch(() => undefined);
    assert.equal(lms.tokenRequests.length, 2, 'a failure is not cached');
  });

  it('a scope the platform does not grant fails as refused credentials', async () => {
    const err = await tokens.token(platform(), ['https://example.test/scope/unknown']).catch((e: unknown) => e);
    assert.ok(err instanceof AppError);
    assert.equal(err.code, 'SOURCE_AUTH_FAILED');
    assert.match(err.message, /HTTP 400: invalid_scope/);
  });

  it('an outage of the token endpoint fails as unreachable', async () => {
    lms.faults.tokenStatus = 503;
    const err = await tokens.token(platform(), [SCOPES.score]).catch((e: unknown) => e);
    assert.ok(err instanceof AppError);
    assert.equal(err.code, 'SOURCE_UNREACHABLE');
    assert.match(err.message, /HTTP 503: temporarily_unavailable/);
  });

  it('a token endpoint the outbound guard refuses is never called', async () => {
    const strict = make(new OutboundClient(STRICT_OUTBOUND));
    const err = await strict.token(platform(), [SCOPES.score]).catch((e: unknown) => e);
    assert.ok(err instanceof AppError);
    assert.equal(err.code, 'OUTBOUND_FORBIDDEN');
    assert.equal(lms.tokenRequests.length, 0);
  });
});
