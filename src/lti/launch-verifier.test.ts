import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Pair } from '../security/oauth1.js';
import { DIALECTS, postgresSkipReason } from '../../test/helpers/databases.js';
import { useMigratedDatabase } from '../../test/helpers/lti-fixtures.js';
import { launchParams, signLaunch } from '../../test/helpers/lti.js';
import { LaunchError, returnUrlWithError, verifyLaunch, type LaunchVerifierDeps } from './launch-verifier.js';
import { NonceRepository } from './nonce-repository.js';

const KEY = 'lincoln-1a2b3c4d';
const SECRET = 'rQeJ56bBVkuLQrLT7hoONkoJsqZQPLfn';
const PUBLIC = 'https://reader.example.org';
const URL_ = `${PUBLIC}/lti/launch`;
const NOW = new Date('2026-11-28T12:00:00Z');
const TS = Math.floor(NOW.getTime() / 1000);

function deps(overrides: Partial<LaunchVerifierDeps> = {}): LaunchVerifierDeps {
  const used = new Set<string>();
  return {
    publicUrl: PUBLIC,
    now: () => NOW,
    findConsumer: async (key) => (key === KEY ? { customerId: 'cust-1', sharedSecret: SECRET, active: true } : null),
    claimNonce: async (key, nonce) => {
      const k = `${key}:${nonce}`;
      if (used.has(k)) return false;
      used.add(k);
      return true;
    },
    ...overrides,
  };
}

async function rejects(p: Promise<unknown>, code: string, returnUrl: string | null = null): Promise<LaunchError> {
  try {
    await p;
  } catch (err) {
    assert.ok(err instanceof LaunchError, `expected a LaunchError, got ${String(err)}`);
    assert.equal(err.code, code, err.logMessage);
    assert.equal(err.returnUrl, returnUrl);
    return err;
  }
  assert.fail(`expected ${code}`);
}

const sign = (o: Partial<Parameters<typeof signLaunch>[0]> = {}) => signLaunch({ url: URL_, key: KEY, secret: SECRET, timestamp: TS, ...o });
const RETURN = 'https://lms.example.edu/courses/1/return';

describe('LTI 1.1 launch verification', () => {
  it('accepts HMAC-SHA1 and HMAC-SHA256 launches signed by an independent signer, with non-ASCII and + values', async () => {
    for (const method of ['HMAC-SHA1', 'HMAC-SHA256'] as const) {
      const launch = await verifyLaunch(deps(), '/lti/launch', sign({ method }));
      assert.equal(launch.customerId, 'cust-1');
      assert.equal(launch.params.get('lis_person_name_given'), 'Siân');
      assert.equal(launch.params.get('lis_person_contact_email_primary'), 'sian+reader@lincoln.example');
    }
  });

  it('includes the launch URL query in the signature, and tolerates Canvas copying it into the body', async () => {
    const withQuery = `${URL_}?custom_bookid=b-7&tool=reader`;
    await verifyLaunch(deps(), '/lti/launch?custom_bookid=b-7&tool=reader', sign({ url: withQuery }));
    // Canvas: signs the path only, with the query pairs duplicated into the body.
    const canvas = sign({ params: launchParams({ custom_bookid: 'b-7', tool: 'reader' }) });
    await verifyLaunch(deps(), '/lti/launch?custom_bookid=b-7&tool=reader', canvas);
    // Signed without the query but launched with a query that is not in the body: rejected.
    await rejects(verifyLaunch(deps(), '/lti/launch?custom_bookid=b-8', sign()), 'LTI_INVALID_SIGNATURE');
  });

  it('rejects a tampered value, a wrong secret and an unknown key alike, without redirecting', async () => {
    const tampered = sign().map(([n, v]) => [n, n === 'user_id' ? 'someone-else' : v] as Pair);
    await rejects(verifyLaunch(deps(), '/lti/launch', tampered), 'LTI_INVALID_SIGNATURE');
    await rejects(verifyLaunch(deps(), '/lti/launch', sign({ secret: 'not-the-secret' })), 'LTI_INVALID_SIGNATURE');
    await rejects(verifyLaunch(deps(), '/lti/launch', sign({ key: 'no-such-key' })), 'LTI_INVALID_SIGNATURE');
  });

  it('rejects a launch signed for http:// when Lectern is served over https://', async () => {
    await rejects(verifyLaunch(deps(), '/lti/launch', sign({ url: 'http://reader.example.org/lti/launch' })), 'LTI_INVALID_SIGNATURE');
  });

  it('rejects a replayed nonce', async () => {
    const d = deps();
    const body = sign({ nonce: 'n-1' });
    await verifyLaunch(d, '/lti/launch', body);
    await rejects(verifyLaunch(d, '/lti/launch', body), 'LTI_REPLAYED', RETURN);
  });

  it('rejects stale and future timestamps outside ±5 minutes, accepts the edges', async () => {
    await rejects(verifyLaunch(deps(), '/lti/launch', sign({ timestamp: TS - 301 })), 'LTI_EXPIRED', RETURN);
    await rejects(verifyLaunch(deps(), '/lti/launch', sign({ timestamp: TS + 301 })), 'LTI_EXPIRED', RETURN);
    await verifyLaunch(deps(), '/lti/launch', sign({ timestamp: TS - 300 }));
    await verifyLaunch(deps(), '/lti/launch', sign({ timestamp: TS + 300 }));
    await verifyLaunch(deps({ windowSeconds: 600 }), '/lti/launch', sign({ timestamp: TS - 500 }));
  });

  it('refuses PLAINTEXT and duplicated oauth parameters', async () => {
    const plaintext = sign().map(([n, v]) => [n, n === 'oauth_signature_method' ? 'PLAINTEXT' : n === 'oauth_signature' ? `${SECRET}&` : v] as Pair);
    await rejects(verifyLaunch(deps(), '/lti/launch', plaintext), 'LTI_UNSUPPORTED_SIGNATURE');
    const body = sign();
    const nonce = body.find(([n]) => n === 'oauth_nonce')!;
    await rejects(verifyLaunch(deps(), '/lti/launch', [...body, ['oauth_nonce', `${nonce[1]}x`]]), 'LTI_INVALID_LAUNCH');
  });

  it('checks LTI parameters after the signature, returning the person to the LMS with a message', async () => {
    const noLink = launchParams();
    delete noLink.resource_link_id;
    await rejects(verifyLaunch(deps(), '/lti/launch', sign({ params: noLink })), 'LTI_INVALID_LAUNCH', RETURN);
    await rejects(verifyLaunch(deps(), '/lti/launch', sign({ params: launchParams({ lti_version: 'LTI-2p0' }) })), 'LTI_INVALID_LAUNCH', RETURN);
    await rejects(verifyLaunch(deps(), '/lti/launch', sign({ params: launchParams({ lti_message_type: 'ContentItemSelectionRequest' }) })), 'LTI_INVALID_LAUNCH', RETURN);
    const disabled = deps({ findConsumer: async () => ({ customerId: 'cust-1', sharedSecret: SECRET, active: false }) });
    await rejects(verifyLaunch(disabled, '/lti/launch', sign()), 'CUSTOMER_DISABLED', RETURN);
    const url = new URL(returnUrlWithError('https://lms.example.edu/r?x=1', 'Sorry', 'lti_version LTI-2p0'));
    assert.equal(url.searchParams.get('x'), '1');
    assert.equal(url.searchParams.get('lti_errormsg'), 'Sorry');
    assert.equal(url.searchParams.get('lti_errorlog'), 'lti_version LTI-2p0');
  });

  it('never redirects to a return URL that is not http(s)', async () => {
    const params = launchParams({ launch_presentation_return_url: 'javascript:alert(1)' });
    delete params.resource_link_id;
    await rejects(verifyLaunch(deps(), '/lti/launch', sign({ params })), 'LTI_INVALID_LAUNCH', null);
  });
});

for (const dialect of DIALECTS) {
  const skip = dialect === 'postgres' ? postgresSkipReason() : null;
  describe(`LTI nonces in the database [${dialect}]`, skip ? { skip } : {}, () => {
    const m = useMigratedDatabase(dialect);

    it('accepts a nonce once per consumer key, again after it expires, and cleans up', async () => {
      const nonces = new NonceRepository(m.db.kysely);
      const now = '2026-11-28T12:00:00.000Z';
      const later = '2026-11-28T12:10:00.000Z';
      assert.equal(await nonces.claim(KEY, 'n1', later, now), true);
      assert.equal(await nonces.claim(KEY, 'n1', later, now), false);
      assert.equal(await nonces.claim('other-key', 'n1', later, now), true);
      const results = await Promise.all(Array.from({ length: 5 }, () => nonces.claim(KEY, 'race', later, now)));
      assert.equal(results.filter(Boolean).length, 1, 'exactly one concurrent claim wins');
      assert.equal(await nonces.claim(KEY, 'n1', '2026-11-28T12:20:00.000Z', '2026-11-28T12:11:00.000Z'), true);
      assert.equal(await nonces.deleteExpired('2026-11-28T12:15:00.000Z'), 2);
    });
  });
}
