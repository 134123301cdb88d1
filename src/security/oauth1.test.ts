import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import OAuth from 'oauth-1.0a';
import { authorizationHeader, baseStringUri, hmacSignature, normalizeParameters, percentEncode, signRequest, signatureBaseString, verifySignature, type Pair } from './oauth1.js';

describe('OAuth 1.0a signatures (RFC 5849)', () => {
  it('builds the RFC 5849 §3.4.1 example base string and its signatures', () => {
    // POST /request?b5=%3D%253D&a3=a&c%40=&a2=r%20b, body "c2&a3=2+q", Authorization header parameters.
    const url = 'http://example.com/request?b5=%3D%253D&a3=a&c%40=&a2=r%20b';
    const pairs: Pair[] = [
      ['c2', ''],
      ['a3', '2 q'],
      ['oauth_consumer_key', '9djdj82h48djs9d2'],
      ['oauth_token', 'kkk9d7dh3k39sjv7'],
      ['oauth_signature_method', 'HMAC-SHA1'],
      ['oauth_timestamp', '137131201'],
      ['oauth_nonce', '7d8f3e4a'],
    ];
    const base = signatureBaseString('POST', url, pairs);
    assert.equal(
      base,
      'POST&http%3A%2F%2Fexample.com%2Frequest&a2%3Dr%2520b%26a3%3D2%2520q%26a3%3Da%26b5%3D%253D%25253D%26c%2540%3D%26c2%3D%26oauth_consumer_key%3D9djdj82h48djs9d2%26oauth_nonce%3D7d8f3e4a%26oauth_signature_method%3DHMAC-SHA1%26oauth_timestamp%3D137131201%26oauth_token%3Dkkk9d7dh3k39sjv7',
    );
    const secret = 'ECrDNoq1VYzzzzzzzzzyAK7TwZNtPnkqatqZZZZ';
    const tokenSecret = 'just-a-string    asdasd';
    assert.equal(hmacSignature('HMAC-SHA1', base, secret, tokenSecret), 'wsdNmjGB7lvis0UJuPAmjvX/PXw=');
    assert.equal(hmacSignature('HMAC-SHA256', base, secret, tokenSecret), 'wdfdHUKXHbOnOGZP8WFAWMSAmWzN3EVBWWgXGlC/Eo4=');
  });

  it('matches OAuth Core 1.0 Appendix A.5', () => {
    const base = signatureBaseString('GET', 'http://photos.example.net/photos?file=vacation.jpg&size=original', [
      ['oauth_consumer_key', 'dpf43f3p2l4k3l03'],
      ['oauth_token', 'nnch734d00sl2jdk'],
      ['oauth_signature_method', 'HMAC-SHA1'],
      ['oauth_timestamp', '1191242096'],
      ['oauth_nonce', 'kllo9940pd9333jh'],
      ['oauth_version', '1.0'],
    ]);
    assert.equal(hmacSignature('HMAC-SHA1', base, 'kd94hf93k423kf44', 'pfkkdhi9sl3r4s00'), 'tR3+Ty81lMeYAr/Fid0kMTYa/WM=');
  });

  it('encodes, normalises and builds base URIs as the oauth.net test cases say', () => {
    const cases: [string, string][] = [
      ['abcABC123', 'abcABC123'],
      ['-._~', '-._~'],
      ['%', '%25'],
      ['+', '%2B'],
      ['&=*', '%26%3D%2A'],
      ['\n', '%0A'],
      [' ', '%20'],
      ['\u007F', '%7F'],
      ['\u0080', '%C2%80'],
      ['\u2708', '%E2%9C%88'],
      ['\u3001', '%E3%80%81'],
    ];
    for (const [raw, encoded] of cases) assert.equal(percentEncode(raw), encoded, raw);
    assert.equal(normalizeParameters([['name', '']]), 'name=');
    assert.equal(
      normalizeParameters([
        ['a', 'x!y'],
        ['a', 'x y'],
      ]),
      'a=x%20y&a=x%21y',
    );
    assert.equal(
      normalizeParameters([
        ['x!y', 'a'],
        ['x', 'a'],
      ]),
      'x=a&x%21y=a',
    );
    assert.equal(baseStringUri('HTTP://Example.com:80/resource?id=123'), 'http://example.com/resource');
    assert.equal(baseStringUri('https://www.example.net:8080/?q=1'), 'https://www.example.net:8080/');
    assert.equal(signatureBaseString('GET', 'http://example.com', [['n', 'v']]), 'GET&http%3A%2F%2Fexample.com%2F&n%3Dv');
  });

  it('verifies what an independent signer (the oauth-1.0a package) signs, for any parameters', () => {
    const text = fc.string({ unit: 'grapheme', maxLength: 12 });
    fc.assert(
      fc.property(
        fc.dictionary(
          fc.string({ minLength: 1, maxLength: 8 }).filter((k) => !k.startsWith('oauth_') && !['__proto__', 'tool', 'x'].includes(k)),
          text,
          { maxKeys: 6 },
        ),
        fc.constantFrom('HMAC-SHA1' as const, 'HMAC-SHA256' as const),
        fc.string({ minLength: 1, maxLength: 30 }),
        // Names unique and distinct from the URL's query: oauth-1.0a merges them into one object.
        (data, method, secret) => {
          const oauth = new OAuth({
            consumer: { key: 'lincoln-1234', secret },
            signature_method: method,
            hash_function: (base, key) =>
              crypto
                .createHmac(method === 'HMAC-SHA1' ? 'sha1' : 'sha256', key)
                .update(base)
                .digest('base64'),
          });
          const url = 'https://reader.example.org/lti/launch?tool=1&x=a%20b';
          // A copy: oauth-1.0a merges the query into the objects it is given and returns.
          const signed = oauth.authorize({ url, method: 'POST', data: { ...data } });
          const oauthPairs = Object.entries(signed).filter(([k]) => k.startsWith('oauth_'));
          const pairs: Pair[] = [...Object.entries(data), ...oauthPairs.map(([k, v]) => [k, String(v)] as Pair)];
          assert.equal(verifySignature('POST', url, pairs, secret), true);
          assert.equal(verifySignature('POST', url, pairs, `${secret}x`), false);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('signs requests that the independent signer reproduces, and rejects tampering', () => {
    const url = 'https://sis.example.org/ims/oneroster/v1p1/users?limit=100&offset=0';
    const oauth = signRequest({ method: 'GET', url, consumerKey: 'key', consumerSecret: 's3cr3t', signatureMethod: 'HMAC-SHA256', nonce: 'abc', timestamp: 1700000000 });
    const reference = new OAuth({
      consumer: { key: 'key', secret: 's3cr3t' },
      signature_method: 'HMAC-SHA256',
      hash_function: (base, key) => crypto.createHmac('sha256', key).update(base).digest('base64'),
    });
    reference.getNonce = () => 'abc';
    reference.getTimeStamp = () => 1700000000;
    const expected = reference.authorize({ url, method: 'GET' });
    assert.equal(oauth.find(([n]) => n === 'oauth_signature')?.[1], expected.oauth_signature);
    assert.equal(verifySignature('GET', url, oauth, 's3cr3t'), true);
    assert.equal(verifySignature('GET', url.replace('limit=100', 'limit=101'), oauth, 's3cr3t'), false);
    assert.equal(
      verifySignature(
        'GET',
        url,
        oauth.map(([n, v]) => [n, n === 'oauth_signature_method' ? 'PLAINTEXT' : v] as Pair),
        's3cr3t',
      ),
      false,
    );
    // The header the SIS reads says what the independent signer's header says, field for field.
    const fields = (header: string) =>
      header
        .replace(/^OAuth /, '')
        .split(', ')
        .sort();
    assert.deepEqual(fields(authorizationHeader(oauth)), fields(reference.toHeader(expected).Authorization));
  });
});
