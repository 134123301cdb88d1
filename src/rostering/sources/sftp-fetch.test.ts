import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { keyPair, startSftpServer, sftpSkipReason, type TestSftpServer } from '../../../test/helpers/sftp-server.js';
import { OutboundClient, STRICT_OUTBOUND, parseOutboundAllow } from '../../security/outbound.js';
import { SecretBox } from '../../security/secret-box.js';
import { BundleStore } from '../runs/bundle-store.js';
import { fetchFromSftp, type SftpLocation } from './sftp-fetch.js';

const skip = sftpSkipReason();

describe('fetching a roster bundle over SFTP (OpenSSH sftp-server)', skip ? { skip } : {}, () => {
  let server: TestSftpServer;
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'lectern-sftp-data-'));
  before(async () => {
    server = await startSftpServer();
    fs.mkdirSync(path.join(server.root, 'uploads'));
    fs.writeFileSync(path.join(server.root, 'uploads', 'roster.zip'), Buffer.from('PK\u0003\u0004 pretend bundle bytes'));
  });
  after(async () => {
    await server.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  const loc = (o: Partial<SftpLocation> = {}): SftpLocation => ({
    host: server.host,
    port: server.port,
    username: server.username,
    password: server.password,
    privateKey: null,
    path: path.join(server.root, 'uploads'),
    fileName: 'roster.zip',
    hostKeyFingerprint: '',
    ...o,
  });
  const bundles = new BundleStore(dataDir, new SecretBox(Buffer.alloc(32, 7)), 7);
  // The test server listens on loopback, which the operator's allow-list must admit.
  const opts = { bundles, maxBytes: 1024 * 1024, outbound: new OutboundClient(parseOutboundAllow('127.0.0.1')), settleMs: 50, connectTimeoutMs: 5000 };
  const rejects = (p: Promise<unknown>, code: string, message: RegExp) =>
    assert.rejects(p, (e: Error & { code?: string }) => {
      assert.equal(e.code, code, e.message);
      assert.match(e.message, message);
      return true;
    });

  it('downloads the bundle, learns the host key on first use, and skips an unchanged file', async () => {
    const first = await fetchFromSftp(loc(), opts);
    assert.equal(first.status, 'downloaded');
    assert.equal(first.fingerprint, server.fingerprint);
    if (first.status !== 'downloaded') return;
    // Stored sealed: the bytes read back through the store are the remote file's.
    const kept = await bundles.open(first.bundle.path);
    const plain = Buffer.alloc(kept.size);
    await new Promise<void>((resolve, reject) => kept.read(plain, 0, plain.length, 0, (err) => (err ? reject(err) : resolve())));
    kept.close(() => undefined);
    assert.deepEqual(plain, fs.readFileSync(path.join(server.root, 'uploads', 'roster.zip')));
    const again = await fetchFromSftp(loc({ hostKeyFingerprint: first.fingerprint }), { ...opts, previous: first.remote });
    assert.equal(again.status, 'unchanged');
    const forced = await fetchFromSftp(loc({ hostKeyFingerprint: first.fingerprint }), { ...opts, previous: first.remote, force: true });
    assert.equal(forced.status, 'downloaded');
  });

  it('signs in with a private key instead of a password', async () => {
    const byKey = await fetchFromSftp(loc({ password: '', privateKey: server.privateKey }), { ...opts, force: true });
    assert.equal(byKey.status, 'downloaded');
  });

  it('fails loudly when the host key changed', async () => {
    await rejects(fetchFromSftp(loc({ hostKeyFingerprint: 'SHA256:AAAAnotthekeyAAAA' }), opts), 'SOURCE_HOST_KEY_CHANGED', /presented host key SHA256:/);
  });

  it('says so clearly for bad credentials, a wrong path, an unreachable host and a file over the cap', async () => {
    await rejects(fetchFromSftp(loc({ password: 'wrong' }), opts), 'SOURCE_AUTH_FAILED', /refused the username and password/);
    const otherKey = keyPair().private;
    await rejects(fetchFromSftp(loc({ password: '', privateKey: otherKey }), opts), 'SOURCE_AUTH_FAILED', /refused the username and the private key/);
    await rejects(fetchFromSftp(loc({ fileName: 'missing.zip' }), opts), 'SOURCE_FILE_MISSING', /missing\.zip was not found/);
    await rejects(fetchFromSftp(loc({ port: 1 }), opts), 'SOURCE_UNREACHABLE', /Could not connect to 127\.0\.0\.1:1/);
    await rejects(fetchFromSftp(loc(), { ...opts, maxBytes: 10 }), 'SOURCE_TOO_LARGE', /over the 10-byte limit/);
  });

  it('refuses a loopback, private or metadata host unless the operator allowed it, before connecting', async () => {
    const strict = { ...opts, outbound: new OutboundClient(STRICT_OUTBOUND) };
    await rejects(fetchFromSftp(loc(), strict), 'OUTBOUND_FORBIDDEN', /127\.0\.0\.1 a loopback address/);
    await rejects(fetchFromSftp(loc({ host: 'localhost' }), strict), 'OUTBOUND_FORBIDDEN', /localhost resolves to a loopback address/);
    await rejects(fetchFromSftp(loc({ host: '169.254.169.254' }), strict), 'OUTBOUND_FORBIDDEN', /link-local/);
    await rejects(fetchFromSftp(loc({ host: '10.1.2.3' }), strict), 'OUTBOUND_FORBIDDEN', /private network/);
  });

  it('waits for a file that is still growing', async () => {
    const file = path.join(server.root, 'uploads', 'growing.zip');
    fs.writeFileSync(file, 'PK');
    const timer = setInterval(() => fs.appendFileSync(file, 'more'), 20);
    try {
      await rejects(fetchFromSftp(loc({ fileName: 'growing.zip' }), { ...opts, settleMs: 200 }), 'SOURCE_FILE_MISSING', /still being written/);
    } finally {
      clearInterval(timer);
    }
  });
});
