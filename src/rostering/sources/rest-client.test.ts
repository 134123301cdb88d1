import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { nextLink, restBaseUrl, retryAfterMs } from './rest-client.js';

describe('REST client header parsing', () => {
  const page = 'https://sis.example/ims/oneroster/v1p1/users?limit=2&offset=0';

  it('finds rel="next" among other relations, resolving relative targets', () => {
    assert.equal(nextLink('<https://sis.example/x?offset=2>; rel="next", <https://sis.example/x?offset=8>; rel="last"', page), 'https://sis.example/x?offset=2');
    assert.equal(nextLink('<https://sis.example/x?offset=0>; rel="first", </ims/oneroster/v1p1/users?cursor=abc>; rel="next"', page), 'https://sis.example/ims/oneroster/v1p1/users?cursor=abc');
    assert.equal(nextLink('<https://sis.example/x?offset=2>; rel="prev next"', page), 'https://sis.example/x?offset=2');
    assert.equal(nextLink('<https://sis.example/x?offset=8>; rel="last"', page), null);
    assert.equal(nextLink(null, page), null);
  });

  it('reads a Link header without angle brackets (as some providers send it)', () => {
    assert.equal(
      nextLink('https://sis.example/events?limit=100&offset=101; rel="next", https://sis.example/events?limit=100&offset=901; rel="last"', page),
      'https://sis.example/events?limit=100&offset=101',
    );
  });

  it('reads a hostile Link header in time linear in its length (2,000 blanks took 5 s before: cubic)', () => {
    assert.equal(nextLink('<https://sis.example/x?offset=2>  ;  rel=next', page), 'https://sis.example/x?offset=2');
    for (const header of [`${' '.repeat(16_000)}x`, `<${' '.repeat(16_000)}x`, `<https://sis.example/x>${' '.repeat(16_000)}x; rel="next"`]) {
      const started = performance.now();
      assert.equal(nextLink(header, page), null);
      assert.ok(performance.now() - started < 50, `nextLink took ${Math.round(performance.now() - started)} ms`);
    }
  });

  it('reads Retry-After as seconds or an HTTP date', () => {
    assert.equal(retryAfterMs('3'), 3000);
    const inTwoSeconds = new Date(Date.now() + 2000).toUTCString();
    const ms = retryAfterMs(inTwoSeconds) ?? -1;
    assert.ok(ms > 0 && ms <= 2000, String(ms));
    assert.equal(retryAfterMs('soon'), null);
    assert.equal(retryAfterMs(null), null);
  });

  it('adds the version base path to a bare host URL and keeps a full one', () => {
    assert.equal(restBaseUrl('https://sis.example/', '1.1'), 'https://sis.example/ims/oneroster/v1p1');
    assert.equal(restBaseUrl('https://sis.example/district9', '1.2'), 'https://sis.example/district9/ims/oneroster/rostering/v1p2');
    assert.equal(restBaseUrl('https://sis.example/api/ims/oneroster/v1p1/', '1.1'), 'https://sis.example/api/ims/oneroster/v1p1');
  });
});
