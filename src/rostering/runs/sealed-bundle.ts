/*
 * Roster bundles at rest: a chunked AEAD file that can be read at any offset, so the zip reader
 * (yauzl, which seeks to the central directory first) reads a sealed bundle without a plaintext
 * copy on disk and with one chunk in memory.
 *
 *   header  "LCTNBDL1" | file id (16 random bytes) | chunk size (u32 BE) | 0 (u32)      32 bytes
 *   chunk i AES-256-GCM(plaintext[i·C, (i+1)·C)) | tag (16 bytes)
 *
 * Each file has its own key, derived (HKDF-SHA256) from the data key and the file id, so a nonce
 * made of the chunk index never repeats under one key. Each chunk's AAD is the header, its index and
 * whether it is the last, so chunks cannot be reordered, moved to another file, dropped from the end
 * or appended to. Only the last chunk may be shorter than C.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import { Readable, Transform } from 'node:stream';
import yauzl from 'yauzl';

const MAGIC = Buffer.from('LCTNBDL1', 'latin1');
const HEADER_BYTES = 32;
const TAG_BYTES = 16;
/** Plaintext bytes per chunk. */
export const CHUNK_BYTES = 64 * 1024;

/** A sealed file failed its integrity check: altered, truncated, damaged, or sealed with another key. */
export class SealedBundleError extends Error {}

/** Whether `head` (the first bytes of a file) starts like a sealed bundle. */
export function isSealed(head: Buffer): boolean {
  return head.length >= MAGIC.length && head.subarray(0, MAGIC.length).equals(MAGIC);
}

function fileKey(bundleKey: Buffer, fileId: Buffer): Buffer {
  return Buffer.from(crypto.hkdfSync('sha256', bundleKey, fileId, 'lectern roster bundle chunks v1', 32));
}

function nonce(index: number): Buffer {
  const iv = Buffer.alloc(12);
  iv.writeBigUInt64BE(BigInt(index), 4);
  return iv;
}

function aad(header: Buffer, index: number, final: boolean): Buffer {
  const tail = Buffer.alloc(9);
  tail.writeBigUInt64BE(BigInt(index), 0);
  tail[8] = final ? 1 : 0;
  return Buffer.concat([header, tail]);
}

/**
 * A stream that seals what passes through it. Chunks go out as soon as the next byte shows they
 * are not the last, so it holds at most a chunk and an input piece of plaintext, and copies only
 * the pieces that straddle a chunk boundary.
 */
export function sealer(bundleKey: Buffer, chunkBytes = CHUNK_BYTES): Transform {
  const fileId = crypto.randomBytes(16);
  const header = Buffer.alloc(HEADER_BYTES);
  MAGIC.copy(header, 0);
  fileId.copy(header, 8);
  header.writeUInt32BE(chunkBytes, 24);
  const key = fileKey(bundleKey, fileId);
  let index = 0;
  const parts: Buffer[] = [];
  let pending = 0;
  // The first `n` pending bytes, as one buffer.
  const take = (n: number): Buffer => {
    const first = parts[0]!;
    if (first.length >= n) {
      parts[0] = first.subarray(n);
      if (!parts[0].length) parts.shift();
      pending -= n;
      return first.subarray(0, n);
    }
    const out = Buffer.allocUnsafe(n);
    for (let at = 0; at < n;) {
      const part = parts[0]!;
      const used = part.copy(out, at, 0, Math.min(part.length, n - at));
      at += used;
      if (used === part.length) parts.shift();
      else parts[0] = part.subarray(used);
    }
    pending -= n;
    return out;
  };
  const seal = (stream: Transform, plain: Buffer, final: boolean): void => {
    const cipher = crypto.createCipheriv('aes-256-gcm', key, nonce(index), { authTagLength: TAG_BYTES });
    cipher.setAAD(aad(header, index, final));
    index++;
    stream.push(cipher.update(plain));
    cipher.final(); // GCM writes nothing here
    stream.push(cipher.getAuthTag());
  };
  return new Transform({
    construct(done) {
      this.push(header);
      done();
    },
    transform(chunk: Buffer, _enc, done) {
      parts.push(chunk);
      pending += chunk.length;
      // Strictly more than a chunk waiting: the first one is not the last.
      while (pending > chunkBytes) seal(this, take(chunkBytes), false);
      done();
    },
    flush(done) {
      seal(this, pending ? take(pending) : Buffer.alloc(0), true);
      done();
    },
  });
}

/**
 * A yauzl RandomAccessReader over a sealed file: each read decrypts and checks the chunks it
 * covers (the last one is cached, since yauzl reads the directory a few bytes at a time). The first
 * failure is kept in `failure`, because yauzl and the zip reader turn errors into messages.
 */
export class SealedReader extends yauzl.RandomAccessReader {
  /** The first integrity failure met, if any. */
  failure: SealedBundleError | null = null;
  private cached: { index: number; plain: Buffer } | null = null;
  private closing: Promise<void> | null = null;

  private constructor(
    private readonly handle: fs.promises.FileHandle,
    private readonly header: Buffer,
    private readonly key: Buffer,
    private readonly chunkBytes: number,
    private readonly chunks: number,
    /** Plaintext bytes. */
    readonly size: number,
  ) {
    super();
  }

  /** Opens `file`; throws SealedBundleError when it is not a sealed bundle, or ENOENT when it is gone. */
  static async open(file: string, bundleKey: Buffer): Promise<SealedReader> {
    const handle = await fs.promises.open(file, 'r');
    try {
      const { size: fileBytes } = await handle.stat();
      const header = Buffer.alloc(HEADER_BYTES);
      const { bytesRead } = await handle.read(header, 0, HEADER_BYTES, 0);
      if (bytesRead < HEADER_BYTES || !isSealed(header)) throw new SealedBundleError('it is not a sealed roster bundle');
      const chunkBytes = header.readUInt32BE(24);
      if (chunkBytes < 1024 || chunkBytes > 16 * 1024 * 1024 || header.readUInt32BE(28) !== 0) throw new SealedBundleError('its header is damaged');
      const body = fileBytes - HEADER_BYTES;
      const chunks = Math.max(1, Math.ceil(body / (chunkBytes + TAG_BYTES)));
      const last = body - (chunks - 1) * (chunkBytes + TAG_BYTES) - TAG_BYTES;
      if (last < 0) throw new SealedBundleError('it is truncated');
      const reader = new SealedReader(handle, header, fileKey(bundleKey, header.subarray(8, 24)), chunkBytes, chunks, (chunks - 1) * chunkBytes + last);
      // The last chunk proves the file is whole (and the key right) before the zip reader starts.
      await reader.chunk(chunks - 1);
      return reader;
    } catch (err) {
      await handle.close();
      throw err;
    }
  }

  // The plaintext of chunk `index`, checked.
  private async chunk(index: number): Promise<Buffer> {
    if (this.cached?.index === index) return this.cached.plain;
    if (this.failure) throw this.failure;
    const final = index === this.chunks - 1;
    const sealedBytes = (final ? this.size - index * this.chunkBytes : this.chunkBytes) + TAG_BYTES;
    const sealed = Buffer.alloc(sealedBytes);
    const { bytesRead } = await this.handle.read(sealed, 0, sealedBytes, HEADER_BYTES + index * (this.chunkBytes + TAG_BYTES));
    try {
      if (bytesRead !== sealedBytes) throw new Error('short read');
      const decipher = crypto.createDecipheriv('aes-256-gcm', this.key, nonce(index), { authTagLength: TAG_BYTES });
      decipher.setAAD(aad(this.header, index, final));
      decipher.setAuthTag(sealed.subarray(sealedBytes - TAG_BYTES));
      const plain = Buffer.concat([decipher.update(sealed.subarray(0, sealedBytes - TAG_BYTES)), decipher.final()]);
      this.cached = { index, plain };
      return plain;
    } catch {
      this.failure = new SealedBundleError(`chunk ${index} of ${this.chunks} failed its integrity check`);
      throw this.failure;
    }
  }

  // The plaintext bytes [start, end), one chunk's share at a time.
  private async *range(start: number, end: number): AsyncGenerator<Buffer> {
    if (start < 0 || end > this.size || start > end) throw new RangeError(`read of ${start}..${end} outside a ${this.size}-byte bundle`);
    for (let at = start; at < end;) {
      const index = Math.floor(at / this.chunkBytes);
      const plain = await this.chunk(index);
      const from = at - index * this.chunkBytes;
      const to = Math.min(plain.length, end - index * this.chunkBytes);
      yield plain.subarray(from, to);
      at += to - from;
    }
  }

  /** Used by yauzl for entry data. */
  override _readStreamForRange(start: number, end: number): Readable {
    return Readable.from(this.range(start, end), { objectMode: false });
  }

  /** Used by yauzl for the directory and headers: copied straight from the chunk, no stream. */
  override read(buffer: Buffer, offset: number, length: number, position: number, callback: (err: Error | null) => void): void {
    void (async () => {
      let at = offset;
      for await (const part of this.range(position, position + length)) at += part.copy(buffer, at);
    })().then(
      () => callback(null),
      (err: Error) => callback(err),
    );
  }

  /** Called by yauzl when the zip is closed, and by the owner when it is done (closes once). */
  override close(callback: (err: Error | null) => void): void {
    (this.closing ??= this.handle.close()).then(
      () => callback(null),
      (err: Error) => callback(err),
    );
  }
}
