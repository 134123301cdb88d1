import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { SecretBox, loadSecretKey } from './secret-box.js';

const key = crypto.randomBytes(32);
const box = new SecretBox(key);
const CONTEXT = 'customer:c1:sftp_password';

/** `sealed` with one character of part `index` (0 version, 1 kid, 2 iv, 3 tag, 4 ciphertext) changed. */
function tamper(sealed: string, index: number): string {
  const parts = sealed.split('.');
  const part = parts[index]!;
  const flipped = part[0] === 'A' ? 'B' : 'A';
  parts[index] = flipped + part.slice(1);
  return parts.join('.');
}

describe('SecretBox (AES-256-GCM)', () => {
  it('round-trips text, including empty and non-ASCII text', () => {
    for (const plain of ['s3cret-Password!', '', 'pässwörd 🔐 秘密', 'x'.repeat(5000)]) {
      assert.equal(box.open(box.seal(plain, CONTEXT), CONTEXT), plain);
    }
  });

  it('produces versioned, key-tagged output that never contains the plaintext and differs on every seal', () => {
    const a = box.seal('s3cret-Password!', CONTEXT);
    const b = box.seal('s3cret-Password!', CONTEXT);
    assert.notEqual(a, b, 'a fresh IV each time');
    assert.match(a, /^v1\.[0-9a-f]{8}\.[A-Za-z0-9_-]{16}\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]+$/);
    assert.ok(!a.includes('s3cret'));
    assert.ok(!Buffer.from(a).includes(Buffer.from('s3cret-Password!').toString('base64')));
  });

  it('throws when the ciphertext, tag or IV was tampered with', () => {
    const sealed = box.seal('s3cret-Password!', CONTEXT);
    for (const index of [2, 3, 4]) {
      assert.throws(() => box.open(tamper(sealed, index), CONTEXT), `part ${index} changed`);
    }
    assert.throws(() => box.open(sealed.slice(0, sealed.lastIndexOf('.')), CONTEXT), /Unrecognised secret format/);
    assert.throws(() => box.open(sealed.replace(/^v1/, 'v2'), CONTEXT), /Unrecognised secret format/);
    assert.throws(() => box.open('plain text', CONTEXT), /Unrecognised secret format/);
  });

  it('throws when opened for another place (a ciphertext copied to another customer or column)', () => {
    const sealed = box.seal('s3cret-Password!', CONTEXT);
    assert.throws(() => box.open(sealed, 'customer:c2:sftp_password'));
    assert.throws(() => box.open(sealed, 'customer:c1:api_secret'));
  });

  it('throws with another key, even when the key id is forged', () => {
    const other = new SecretBox(crypto.randomBytes(32));
    const sealed = box.seal('s3cret-Password!', CONTEXT);
    assert.throws(() => other.open(sealed, CONTEXT), /different key/);
    const otherKid = other.seal('x', CONTEXT).split('.')[1]!;
    const forged = sealed.split('.');
    forged[1] = otherKid;
    assert.throws(() => other.open(forged.join('.'), CONTEXT));
  });

  it('accepts only 32-byte keys', () => {
    assert.throws(() => new SecretBox(crypto.randomBytes(16)), /32 bytes/);
    assert.throws(() => new SecretBox(Buffer.alloc(0)), /32 bytes/);
  });
});

describe('loadSecretKey', () => {
  it('reads LECTERN_SECRET_KEY as 64 hex digits or base64', () => {
    const raw = crypto.randomBytes(32);
    assert.deepEqual(loadSecretKey(raw.toString('hex'), '/nonexistent'), raw);
    assert.deepEqual(loadSecretKey(raw.toString('base64'), '/nonexistent'), raw);
    assert.throws(() => loadSecretKey('too-short', '/nonexistent'), /32 bytes/);
    assert.throws(() => loadSecretKey(crypto.randomBytes(16).toString('hex'), '/nonexistent'), /32 bytes/);
  });

  it('creates a key file with mode 0600 on first use and reads the same key afterwards', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lectern-key-'));
    try {
      const dataDir = path.join(dir, 'data');
      const first = loadSecretKey(undefined, dataDir);
      assert.equal(first.length, 32);
      const file = path.join(dataDir, 'secret.key');
      assert.equal(fs.statSync(file).mode & 0o777, 0o600);
      assert.deepEqual(loadSecretKey(undefined, dataDir), first);
      const sealed = new SecretBox(first).seal('kept across restarts', 'ctx');
      assert.equal(new SecretBox(loadSecretKey(undefined, dataDir)).open(sealed, 'ctx'), 'kept across restarts');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
