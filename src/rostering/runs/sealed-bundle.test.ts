import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { describe, it } from 'node:test';
import { district11, tempZipPath, writeBundle } from '../../../test/helpers/bundles.js';
import { readBundle } from '../oneroster/reader.js';
import { SealedBundleError, SealedReader, sealer } from './sealed-bundle.js';

const KEY = crypto.randomBytes(32);
const C = 1024;

// Seals `plain` into a temporary file, fed in pieces of `piece` bytes as a network stream would.
async function seal(plain: Buffer, piece = 700, key = KEY): Promise<string> {
  const file = tempZipPath('sealed');
  const pieces = Array.from({ length: Math.ceil(plain.length / piece) }, (_, i) => plain.subarray(i * piece, (i + 1) * piece));
  await pipeline(Readable.from(pieces), sealer(key, C), fs.createWriteStream(file));
  return file;
}

function read(reader: SealedReader, start: number, end: number): Promise<Buffer> {
  const out = Buffer.alloc(end - start);
  return new Promise((resolve, reject) => reader.read(out, 0, out.length, start, (err) => (err ? reject(err) : resolve(out))));
}

async function streamed(reader: SealedReader, start: number, end: number): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const part of reader._readStreamForRange(start, end)) parts.push(part as Buffer);
  return Buffer.concat(parts);
}

describe('sealed roster bundles (chunked AES-256-GCM)', () => {
  it('reads back every byte at any offset, for sizes around the chunk boundaries, however the input was cut', async () => {
    for (const [size, piece] of [0, 1, C - 1, C, C + 1, 3 * C, 3 * C + 5].flatMap((n) => [700, C, 5000].map((p) => [n, p] as const))) {
      const plain = crypto.randomBytes(size);
      const file = await seal(plain, piece);
      assert.equal(fs.statSync(file).size, 32 + Math.max(1, Math.ceil(size / C)) * 16 + size, `${size} in pieces of ${piece}: header and one tag per chunk`);
      const reader = await SealedReader.open(file, KEY);
      assert.equal(reader.size, size);
      assert.deepEqual(await read(reader, 0, size), plain, `${size}: whole`);
      assert.deepEqual(await streamed(reader, 0, size), plain, `${size}: streamed`);
      if (size > 10) {
        const [a, b] = [Math.floor(size / 3), size - 3];
        assert.deepEqual(await read(reader, a, b), plain.subarray(a, b), `${size}: a range across chunks`);
      }
      await new Promise((r) => reader.close(r));
    }
  });

  it('reads a sealed zip through yauzl exactly as the plain zip', async () => {
    const plainFile = await writeBundle(district11());
    const plain = fs.readFileSync(plainFile);
    const reader = await SealedReader.open(await seal(plain), KEY);
    const records = async (source: Parameters<typeof readBundle>[0]) => {
      const all: unknown[] = [];
      const report = await readBundle(source, { onRecords: (batch) => void all.push(...batch) });
      return { report, all };
    };
    assert.deepEqual(await records({ reader, size: reader.size }), await records(plainFile));
    await new Promise((r) => reader.close(r));
  });

  it('refuses a file altered in any way: a flipped bit, a cut, an extra chunk, swapped chunks, another key', async () => {
    const plain = crypto.randomBytes(4 * C + 100);
    const file = await seal(plain);
    const bytes = fs.readFileSync(file);
    const chunk = C + 16;
    const variants: Record<string, Buffer> = {
      'flipped bit in a middle chunk': Buffer.from(bytes).fill(bytes[32 + chunk + 5]! ^ 1, 32 + chunk + 5, 32 + chunk + 6),
      'flipped bit in the header': Buffer.from(bytes).fill(bytes[10]! ^ 1, 10, 11),
      'cut at a chunk boundary': bytes.subarray(0, 32 + 3 * chunk),
      'cut mid-chunk': bytes.subarray(0, bytes.length - 7),
      'a chunk appended': Buffer.concat([bytes, bytes.subarray(32, 32 + chunk)]),
      'chunks 1 and 2 swapped': Buffer.concat([
        bytes.subarray(0, 32 + chunk),
        bytes.subarray(32 + 2 * chunk, 32 + 3 * chunk),
        bytes.subarray(32 + chunk, 32 + 2 * chunk),
        bytes.subarray(32 + 3 * chunk),
      ]),
    };
    for (const [what, altered] of Object.entries(variants)) {
      const path = tempZipPath('altered');
      fs.writeFileSync(path, altered);
      await assert.rejects(
        (async () => {
          const reader = await SealedReader.open(path, KEY);
          try {
            await read(reader, 0, reader.size);
          } finally {
            await new Promise((r) => reader.close(r));
          }
        })(),
        (err: Error) => {
          assert.ok(err instanceof SealedBundleError, `${what}: ${err.message}`);
          return true;
        },
        what,
      );
    }
    await assert.rejects(SealedReader.open(file, crypto.randomBytes(32)), SealedBundleError, 'another key');
    await assert.rejects(SealedReader.open(await writeBundle(district11()), KEY), /not a sealed roster bundle/, 'a plain zip');
  });
});
