import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { defaultHost, loadConfig } from '../config.js';

describe('HOST: where `lectern serve` listens', () => {
  const none = () => false;

  it('without HOST, listens on loopback only outside a container', () => {
    assert.equal(defaultHost({}, none), '127.0.0.1');
  });

  it('without HOST, listens on every interface inside a container (Docker, Podman, systemd-nspawn)', () => {
    assert.equal(
      defaultHost({}, (f) => f === '/.dockerenv'),
      '0.0.0.0',
    );
    assert.equal(
      defaultHost({}, (f) => f === '/run/.containerenv'),
      '0.0.0.0',
    );
    assert.equal(defaultHost({ container: 'podman' }, none), '0.0.0.0');
  });

  it('HOST, when set, wins; unset, the detected default applies', () => {
    assert.equal(loadConfig({ HOST: '10.0.0.5' }).host, '10.0.0.5');
    assert.equal(loadConfig({ HOST: '::1', container: 'docker' }).host, '::1');
    assert.equal(loadConfig({}).host, defaultHost({}));
    assert.equal(loadConfig({ container: 'oci' }).host, '0.0.0.0');
  });
});
