import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { text } from 'node:stream/consumers';
import { after, describe, it } from 'node:test';
import { AppError } from '../errors.js';
import { ContentStore } from './content-store.js';

describe('content store', () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'lectern-content-'));
  const store = new ContentStore(dataDir, 1000);
  const customer = '0190a0b0-0000-7000-8000-000000000001';
  after(() => fs.rmSync(dataDir, { recursive: true, force: true }));

  it('stages with size and SHA-256, commits by rename, reads whole and by range', async () => {
    const body = 'Call me Ishmael. Some years ago.';
    const staged = await store.stage(customer, Readable.from([Buffer.from(body.slice(0, 10)), Buffer.from(body.slice(10))]));
    assert.equal(staged.sizeBytes, body.length);
    assert.equal(staged.sha256, crypto.createHash('sha256').update(body).digest('hex'));
    await store.commit(customer, staged, 'book-1.epub');
    assert.equal(fs.existsSync(staged.path), false, 'the temporary file is gone');
    assert.equal((await store.stat(customer, 'book-1.epub')).sizeBytes, body.length);
    assert.equal(await text(await store.open(customer, 'book-1.epub')), body);
    assert.equal(await text(await store.open(customer, 'book-1.epub', { start: 5, end: 6 })), 'me');
  });

  it('refuses a file over the cap and leaves nothing behind', async () => {
    await assert.rejects(store.stage(customer, Readable.from([Buffer.alloc(600), Buffer.alloc(600)])), (e: AppError) => e.code === 'PAYLOAD_TOO_LARGE');
    const left = fs.readdirSync(path.join(dataDir, 'content', customer)).filter((f) => f.startsWith('.upload-'));
    assert.deepEqual(left, []);
  });

  it('answers NOT_FOUND for missing files and for keys that try to leave the folder', async () => {
    await assert.rejects(store.open(customer, 'nope.pdf'), (e: AppError) => e.code === 'NOT_FOUND');
    await assert.rejects(store.stat(customer, 'nope.pdf'), (e: AppError) => e.code === 'NOT_FOUND');
    await assert.rejects(store.open(customer, '../lectern.db'), (e: AppError) => e.code === 'NOT_FOUND');
    await assert.rejects(store.open('..', 'x'), (e: AppError) => e.code === 'NOT_FOUND');
  });
});
