import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { AppError } from '../../errors.js';

/** A stored bundle: where it is and what it is. */
export interface StoredBundle {
  path: string;
  sizeBytes: number;
  sha256: string;
}

/**
 * Streams an incoming bundle to `<dataDir>/bundles/<id>.zip`, hashing as it goes and stopping at
 * `maxBytes`: memory holds one chunk, never the file. A partial file is removed on any failure.
 * Bundles are kept for approval of held runs and as the record of what was imported.
 */
export async function storeBundle(source: Readable, dataDir: string, maxBytes: number): Promise<StoredBundle> {
  const dir = path.join(dataDir, 'bundles');
  await fs.promises.mkdir(dir, { recursive: true });
  const file = path.join(dir, `${crypto.randomUUID()}.zip`);
  const hash = crypto.createHash('sha256');
  let size = 0;
  const meter = new Transform({
    transform(chunk: Buffer, _enc, done) {
      size += chunk.length;
      if (size > maxBytes) return done(new AppError('PAYLOAD_TOO_LARGE', `The file is larger than the ${Math.round(maxBytes / 1048576)} MB limit.`));
      hash.update(chunk);
      done(null, chunk);
    },
  });
  try {
    await pipeline(source, meter, fs.createWriteStream(file, { mode: 0o600 }));
  } catch (err) {
    await fs.promises.rm(file, { force: true });
    throw err;
  }
  // Multipart stops quietly at its own limit and flags the stream instead of failing it.
  if ((source as Readable & { truncated?: boolean }).truncated) {
    await fs.promises.rm(file, { force: true });
    throw new AppError('PAYLOAD_TOO_LARGE', `The file is larger than the ${Math.round(maxBytes / 1048576)} MB limit.`);
  }
  return { path: file, sizeBytes: size, sha256: hash.digest('hex') };
}

/** Stores a bundle that is already a file on this machine (CLI import): copied, so the original may change. */
export async function storeBundleFile(file: string, dataDir: string, maxBytes: number): Promise<StoredBundle> {
  let stream: fs.ReadStream;
  try {
    await fs.promises.access(file, fs.constants.R_OK);
    stream = fs.createReadStream(file);
  } catch {
    throw new AppError('BAD_REQUEST', `Cannot read ${file}: no such file or no permission.`);
  }
  return storeBundle(stream, dataDir, maxBytes);
}
