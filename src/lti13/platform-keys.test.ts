import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, beforeEach, describe, it } from 'node:test';
import { exportJWK, generateKeyPair, type JWK } from 'jose';
import { OutboundClient, STRICT_OUTBOUND, parseOutboundAllow } from '../security/outbound.js';
import { Lti13Error } from './errors.js';
import { PlatformKeys, freshnessMs } from './platform-keys.js';

/*
 * The platform key cache against a real JWKS server on 127.0.0.1 (admitted by an allow-list, as
 * LECTERN_OUTBOUND_ALLOW does), with the cache's clock moved by hand: one fetch for many lookups,
 * a refetch after max-age, the floor and the ceiling, one refetch on an unknown kid and none for a
 * second one right after, a rotated key found, one fetch shared by concurrent lookups, a failing
 * JWKS not hammered, and the outbound guard in the way when loopback is not allowed.
 */

describe('PlatformKeys', () => {
  let server: http.Server;
  let jwksUrl: string;
  let hits = 0;
  let status = 200;
  let headers: Record<string, string> = {};
  let published: JWK[] = [];
  let keyA: JWK;
  let keyB: JWK;
  let clock = Date.parse('2026-12-03T12:00:00Z');
  const allowed = new OutboundClient(parseOutboundAllow('127.0.0.1'));
  const cache = (opts: Partial<ConstructorParameters<typeof PlatformKeys>[0]> = {}) => new PlatformKeys({ outbound: allowed, now: () => clock, ...opts });
  const unknownKid = (e: unknown) => e instanceof Lti13Error && e.lti13Code === 'LTI13_UNKNOWN_KID' && e.returnUrl === null;
  const unavailable = (e: unknown) => e instanceof Lti13Error && e.lti13Code === 'LTI13_JWKS_UNAVAILABLE';

  before(async () => {
    const publicJwk = async (kid: string) => ({ ...(await exportJWK((await generateKeyPair('RS256')).publicKey)), kid, alg: 'RS256', use: 'sig' });
    [keyA, keyB] = [await publicJwk('a'), await publicJwk('b')];
    server = http.createServer((_req, res) => {
      hits++;
      res.writeHead(status, { 'content-type': 'application/json', ...headers });
      res.end(JSON.stringify({ keys: published }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    jwksUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/jwks`;
  });
  after(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });
  beforeEach(() => {
    hits = 0;
    status = 200;
    headers = { 'cache-control': 'max-age=120' };
    published = [keyA];
  });

  it('fetches the set once for many lookups, concurrent or not', async () => {
    const keys = cache();
    const first = await Promise.all(Array.from({ length: 10 }, () => keys.getKey(jwksUrl, { kid: 'a' })));
    for (let i = 0; i < 20; i++) assert.equal(await keys.getKey(jwksUrl, { kid: 'a' }), first[0]);
    assert.equal(first[0]!.algorithm.name, 'RSASSA-PKCS1-v1_5');
    assert.equal(first[0]!.type, 'public');
    assert.equal(hits, 1);
  });

  it('fetches it again once max-age has passed, not before', async () => {
    const keys = cache();
    await keys.getKey(jwksUrl, { kid: 'a' });
    clock += 119_000;
    await keys.getKey(jwksUrl, { kid: 'a' });
    assert.equal(hits, 1);
    clock += 2000;
    await keys.getKey(jwksUrl, { kid: 'a' });
    assert.equal(hits, 2);
  });

  it('keeps a set at least the floor and at most the ceiling, whatever the headers say', async () => {
    headers = { 'cache-control': 'no-cache' };
    const keys = cache({ minTtlSeconds: 60, maxTtlSeconds: 3600 });
    await keys.getKey(jwksUrl, { kid: 'a' });
    clock += 59_000;
    await keys.getKey(jwksUrl, { kid: 'a' });
    assert.equal(hits, 1, 'no-cache is held to the floor');
    clock += 2000;
    headers = { 'cache-control': 'max-age=31536000' };
    await keys.getKey(jwksUrl, { kid: 'a' });
    assert.equal(hits, 2);
    clock += 3_599_000;
    await keys.getKey(jwksUrl, { kid: 'a' });
    assert.equal(hits, 2);
    clock += 2000;
    await keys.getKey(jwksUrl, { kid: 'a' });
    assert.equal(hits, 3, 'a year of max-age is cut to the ceiling');
  });

  it('reads freshness from max-age less Age, else Expires against Date', () => {
    const now = Date.parse('2026-12-03T12:00:00Z');
    const h = (o: Record<string, string>) => new Headers(o);
    assert.equal(freshnessMs(h({ 'cache-control': 'public, max-age=300' }), now), 300_000);
    assert.equal(freshnessMs(h({ 'cache-control': 'max-age=300', age: '100' }), now), 200_000);
    assert.equal(freshnessMs(h({ 'cache-control': 'max-age=300', expires: 'Thu, 03 Dec 2026 13:00:00 GMT' }), now), 300_000);
    assert.equal(freshnessMs(h({ expires: 'Thu, 03 Dec 2026 13:00:00 GMT', date: 'Thu, 03 Dec 2026 12:30:00 GMT' }), now), 1_800_000);
    assert.equal(freshnessMs(h({ expires: 'Thu, 03 Dec 2026 13:00:00 GMT' }), now), 3_600_000);
    assert.equal(freshnessMs(h({ expires: '0' }), now), 0);
    assert.equal(freshnessMs(h({ 'cache-control': 'no-store, max-age=300' }), now), 0);
    assert.equal(freshnessMs(h({}), now), null);
  });

  it('refetches once on an unknown kid, then refuses; a second unknown kid right after fetches nothing', async () => {
    const keys = cache({ refetchGapSeconds: 30 });
    await keys.getKey(jwksUrl, { kid: 'a' });
    clock += 31_000;
    await assert.rejects(keys.getKey(jwksUrl, { kid: 'forged-1' }), unknownKid);
    assert.equal(hits, 2, 'one refetch for the unknown kid');
    await assert.rejects(keys.getKey(jwksUrl, { kid: 'forged-2' }), unknownKid);
    clock += 10_000;
    await assert.rejects(keys.getKey(jwksUrl, { kid: 'forged-3' }), unknownKid);
    assert.equal(hits, 2, 'no refetch within the gap');
    clock += 21_000;
    await assert.rejects(keys.getKey(jwksUrl, { kid: 'forged-4' }), unknownKid);
    assert.equal(hits, 3, 'one more once the gap has passed');
  });

  it('does not refetch for an unknown kid when the set was fetched just now', async () => {
    const keys = cache();
    await assert.rejects(keys.getKey(jwksUrl, { kid: 'forged' }), unknownKid);
    assert.equal(hits, 1);
  });

  it('finds a rotated key: the platform publishes b after the set was cached', async () => {
    const keys = cache();
    await keys.getKey(jwksUrl, { kid: 'a' });
    published = [keyA, keyB];
    clock += 31_000;
    const b = await keys.getKey(jwksUrl, { kid: 'b' });
    assert.notEqual(b, await keys.getKey(jwksUrl, { kid: 'a' }));
    assert.equal(hits, 2);
  });

  it('shares one fetch among concurrent lookups of unknown kids', async () => {
    const keys = cache();
    await keys.getKey(jwksUrl, { kid: 'a' });
    clock += 31_000;
    const results = await Promise.allSettled(Array.from({ length: 50 }, (_, i) => keys.getKey(jwksUrl, { kid: `forged-${i}` })));
    assert.ok(results.every((r) => r.status === 'rejected' && unknownKid(r.reason)));
    assert.equal(hits, 2);
  });

  it('uses a key without kid only when the set has exactly one', async () => {
    const keys = cache();
    assert.ok(await keys.getKey(jwksUrl, {}));
    published = [keyA, keyB];
    clock += 121_000;
    await assert.rejects(keys.getKey(jwksUrl, {}), unknownKid);
  });

  it('skips keys that cannot verify RS256 and keeps only public parts', async () => {
    const { privateKey } = await generateKeyPair('RS256', { extractable: true });
    const withPrivate = { ...(await exportJWK(privateKey)), kid: 'p' };
    published = [
      { kty: 'EC', crv: 'P-256', x: 'f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU', y: 'x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0', kid: 'ec' },
      { kty: 'oct', k: 'c2VjcmV0', kid: 'hmac' },
      { ...keyA, kid: 'enc', use: 'enc' },
      { ...keyA, kid: 'rs512', alg: 'RS512' },
      withPrivate,
    ];
    const keys = cache();
    for (const kid of ['ec', 'hmac', 'enc', 'rs512']) await assert.rejects(keys.getKey(jwksUrl, { kid }), unknownKid, kid);
    const p = await keys.getKey(jwksUrl, { kid: 'p' });
    assert.equal(p.type, 'public');
  });

  it('reports a set without usable keys and a failing server as unavailable, and waits before trying again', async () => {
    const keys = cache({ refetchGapSeconds: 30 });
    published = [{ kty: 'oct', k: 'c2VjcmV0', kid: 'hmac' }];
    await assert.rejects(keys.getKey(jwksUrl, { kid: 'hmac' }), (e: unknown) => unavailable(e) && /no RSA signing key/.test((e as Lti13Error).logMessage));
    published = [keyA];
    await assert.rejects(keys.getKey(jwksUrl, { kid: 'a' }), unavailable);
    assert.equal(hits, 1, 'a failed fetch is not repeated within the gap');
    clock += 31_000;
    status = 500;
    await assert.rejects(keys.getKey(jwksUrl, { kid: 'a' }), (e: unknown) => unavailable(e) && /HTTP 500/.test((e as Lti13Error).logMessage));
    clock += 31_000;
    status = 200;
    assert.ok(await keys.getKey(jwksUrl, { kid: 'a' }));
    assert.equal(hits, 3);
  });

  it('goes through the outbound guard: loopback is refused unless allowed, and the server is never called', async () => {
    const keys = new PlatformKeys({ outbound: new OutboundClient(STRICT_OUTBOUND), now: () => clock });
    await assert.rejects(keys.getKey(jwksUrl, { kid: 'a' }), (e: unknown) => unavailable(e) && /loopback/.test((e as Lti13Error).logMessage) && (e as Lti13Error).status === 502);
    assert.equal(hits, 0);
  });
});
