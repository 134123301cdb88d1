import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { describe, it } from 'node:test';
import { Lti13Error } from './errors.js';
import { assertStorageChecked, CHECK_SCRIPT, checkPageData, fromOrigin, PUT_SCRIPT, putPageData, storageFrameName, storageKey, storageOrigin } from './storage-target.js';

describe('LTI 1.3 platform storage (lti_storage_target)', () => {
  it('takes a frame name or _parent, none when not offered, and refuses names that are window properties or not names', () => {
    assert.equal(storageFrameName(undefined), null);
    assert.equal(storageFrameName(''), null);
    assert.equal(storageFrameName('_parent'), '_parent');
    assert.equal(storageFrameName('post_message_forwarding'), 'post_message_forwarding');
    for (const bad of ['top', 'opener', 'length', '_top', 'a b', '<x>', 'x'.repeat(65), 'frame"name']) {
      assert.throws(
        () => storageFrameName(bad),
        (err: unknown) => err instanceof Lti13Error && err.lti13Code === 'LTI13_MALFORMED' && err.status === 400,
        bad,
      );
    }
  });

  it('keys the state by its own value and sends to the origin of the auth login URL, path and query dropped', () => {
    assert.equal(storageKey('abc'), 'lti_state_abc');
    assert.equal(storageOrigin('https://sso.canvaslms.com/api/lti/authorize_redirect?x=1'), 'https://sso.canvaslms.com');
    assert.equal(storageOrigin('http://127.0.0.1:4100/authorize'), 'http://127.0.0.1:4100');
  });

  it('accepts the second post only from Lectern’s own origin with the value read equal to the state', () => {
    assert.doesNotThrow(() => assertStorageChecked({ marker: 'm', value: 's1', sameOrigin: true }, 's1'));
    const refused = (err: unknown) => err instanceof Lti13Error && err.lti13Code === 'LTI13_NONCE' && err.returnUrl === null;
    assert.throws(() => assertStorageChecked({ marker: 'm', value: 'another login', sameOrigin: true }, 's1'), refused);
    assert.throws(() => assertStorageChecked({ marker: 'm', value: undefined, sameOrigin: true }, 's1'), refused);
    assert.throws(() => assertStorageChecked({ marker: 'm', value: 's1', sameOrigin: false }, 's1'), refused);
    assert.throws(() => assertStorageChecked(undefined, 's1'), refused);
  });

  it('tells a same-origin post by Sec-Fetch-Site (Origin is null under no-referrer), or from a browser without it by Origin', () => {
    assert.equal(fromOrigin({ origin: 'null', 'sec-fetch-site': 'same-origin' }, 'https://lectern.example'), true);
    assert.equal(fromOrigin({ 'sec-fetch-site': 'same-origin' }, 'https://lectern.example'), true);
    assert.equal(fromOrigin({ origin: 'https://lectern.example', 'sec-fetch-site': 'cross-site' }, 'https://lectern.example'), false);
    assert.equal(fromOrigin({ 'sec-fetch-site': 'same-site' }, 'https://lectern.example'), false);
    assert.equal(fromOrigin({ origin: 'https://lectern.example' }, 'https://lectern.example'), true);
    assert.equal(fromOrigin({ origin: 'https://lms.example' }, 'https://lectern.example'), false);
    assert.equal(fromOrigin({ origin: 'null' }, 'https://lectern.example'), false);
    assert.equal(fromOrigin({}, 'https://lectern.example'), false);
  });

  it('each page script is allowed by the SHA-256 of its exact text, and posts to the platform origin, never *', () => {
    for (const script of [PUT_SCRIPT, CHECK_SCRIPT]) {
      assert.equal(script.hash, `'sha256-${crypto.createHash('sha256').update(script.source).digest('base64')}'`);
      assert.match(script.source, /target\.postMessage\(message, data\.origin\)/);
      assert.doesNotMatch(script.source, /'\*'|innerHTML|eval\(/);
    }
    assert.match(PUT_SCRIPT.source, /'lti\.put_data'/);
    assert.match(CHECK_SCRIPT.source, /'lti\.get_data'/);
  });

  it('the pages carry what their scripts read: the login page its key, value and next URL; the check page the fields of its post', () => {
    const put = putPageData({ target: '_parent', origin: 'https://lms.example', key: 'lti_state_s1', value: 's1', redirect: 'https://lms.example/auth?state=s1' });
    assert.deepEqual(
      { ...put, messages: undefined },
      {
        target: '_parent',
        origin: 'https://lms.example',
        key: 'lti_state_s1',
        value: 's1',
        redirect: 'https://lms.example/auth?state=s1',
        timeoutMs: 3000,
        messages: undefined,
      },
    );
    const check = checkPageData({ kind: 'storage-check', target: 'f', origin: 'https://lms.example', key: 'lti_state_s1', idToken: 'jwt', state: 's1', marker: 'm1' }, '/lti/1.3/launch');
    assert.deepEqual(check.fields, { id_token: 'jwt', state: 's1', lti_storage_marker: 'm1' });
    assert.equal(check.action, '/lti/1.3/launch');
    assert.equal(check.key, 'lti_state_s1');
    assert.equal(check.state, 's1');
  });
});
