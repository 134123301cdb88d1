import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { AppError, notFound } from '../errors.js';

/** A file received into the store but not yet given its key: inspect it at `path`, then commit or discard. */
export interface StagedFile {
  /** The temporary file, in the customer's folder so the commit is a same-disk rename. */
  path: string;
  sizeBytes: number;
  sha256: string;
}

/** What `stat` reports about a stored file. */
export interface StoredFileInfo {
  sizeBytes: number;
  modifiedAt: Date;
}

/** An inclusive byte range, as HTTP Range speaks it (`bytes=start-end`). */
export interface ByteRange {
  start: number;
  end: number;
}

// Keys and customer ids become path segments: only plain names, so no `..` or separators slip in.
const SAFE_SEGMENT = /^[A-Za-z0-9][A-Za-z0-9_-]{0,99}(\.[A-Za-z0-9]{1,10})?$/;

function segment(value: string, what: string): string {
  if (!SAFE_SEGMENT.test(value)) throw notFound(what);
  return value;
}

/**
 * Book files and covers under `<dataDir>/content/<customerId>/<key>`. Uploads stream to a temporary
 * file (hashed and metered, one chunk in memory) and are renamed into place only once accepted, so
 * a reader never sees a half-written file and a refused upload leaves nothing behind.
 */
export class ContentStore {
  constructor(
    private readonly dataDir: string,
    /** Largest file accepted, in bytes. */
    readonly maxBytes: number,
  ) {}

  private dir(customerId: string): string {
    return path.join(this.dataDir, 'content', segment(customerId, 'Customer'));
  }

  /** The folder holding every customer's folder. */
  get root(): string {
    return path.join(this.dataDir, 'content');
  }

  /** The folder of a customer's files (an erasure removes it whole, temporary uploads included). */
  folderOf(customerId: string): string {
    return this.dir(customerId);
  }

  /** The path of a stored file (for libraries that need a path, such as yauzl). */
  pathOf(customerId: string, key: string): string {
    return path.join(this.dir(customerId), segment(key, 'File'));
  }

  /** Streams `source` to a temporary file, stopping with PAYLOAD_TOO_LARGE past the cap. */
  async stage(customerId: string, source: Readable): Promise<StagedFile> {
    const dir = this.dir(customerId);
    await fs.promises.mkdir(dir, { recursive: true });
    const file = path.join(dir, `.upload-${crypto.randomUUID()}`);
    const hash = crypto.createHash('sha256');
    const maxBytes = this.maxBytes;
    const tooLarge = () =>
      new AppError('PAYLOAD_TOO_LARGE', `The file is larger than the ${Math.round(maxBytes / 1048576)} MB limit.`, {
        fields: [{ field: 'file', code: 'FILE_TOO_LARGE', message: `The file is larger than the ${Math.round(maxBytes / 1048576)} MB limit.` }],
      });
    let size = 0;
    const meter = new Transform({
      transform(chunk: Buffer, _enc, done) {
        size += chunk.length;
        if (size > maxBytes) return done(tooLarge());
        hash.update(chunk);
        done(null, chunk);
      },
    });
    try {
      await pipeline(source, meter, fs.createWriteStream(file, { mode: 0o600 }));
      // Multipart stops quietly at its own limit and flags the stream instead of failing it.
      if ((source as Readable & { truncated?: boolean }).truncated) throw tooLarge();
    } catch (err) {
      await fs.promises.rm(file, { force: true });
      throw err;
    }
    return { path: file, sizeBytes: size, sha256: hash.digest('hex') };
  }

  /** Moves a staged file to its key (atomic: a rename within the customer's folder). */
  async commit(customerId: string, staged: StagedFile, key: string): Promise<void> {
    await fs.promises.rename(staged.path, this.pathOf(customerId, key));
  }

  /** Drops a staged file that was refused. */
  async discard(staged: StagedFile): Promise<void> {
    await fs.promises.rm(staged.path, { force: true });
  }

  /** Writes a small file (a cover image) under `key`, through a temporary file and a rename. */
  async putBuffer(customerId: string, key: string, data: Buffer): Promise<void> {
    const target = this.pathOf(customerId, key);
    await fs.promises.mkdir(path.dirname(target), { recursive: true });
    const tmp = path.join(path.dirname(target), `.upload-${crypto.randomUUID()}`);
    await fs.promises.writeFile(tmp, data, { mode: 0o600 });
    await fs.promises.rename(tmp, target);
  }

  /** Size and modification time of a stored file; NOT_FOUND when it is not there. */
  async stat(customerId: string, key: string): Promise<StoredFileInfo> {
    try {
      const s = await fs.promises.stat(this.pathOf(customerId, key));
      if (!s.isFile()) throw notFound('File');
      return { sizeBytes: s.size, modifiedAt: s.mtime };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw notFound('File');
      throw err;
    }
  }

  /**
   * A read stream of a stored file, whole or one inclusive byte range (clamped to the file).
   * The file is opened before returning, so a missing file is NOT_FOUND here rather than a stream error.
   */
  async open(customerId: string, key: string, range?: ByteRange): Promise<Readable> {
    const file = this.pathOf(customerId, key);
    let handle: fs.promises.FileHandle;
    try {
      handle = await fs.promises.open(file, 'r');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw notFound('File');
      throw err;
    }
    if (!range) return handle.createReadStream();
    if (!Number.isInteger(range.start) || !Number.isInteger(range.end) || range.start < 0 || range.end < range.start) {
      await handle.close();
      throw new AppError('BAD_REQUEST', 'The byte range is not valid.');
    }
    return handle.createReadStream({ start: range.start, end: range.end });
  }

  /** Removes a stored file (a missing one is fine: removal is idempotent). */
  async remove(customerId: string, key: string): Promise<void> {
    await fs.promises.rm(this.pathOf(customerId, key), { force: true });
  }
}
