/*
 * Safe access to a bundle zip. The central directory is read in full before any data, so every
 * entry is vetted (count, names, symlinks, encryption, duplicates, declared sizes and compression
 * ratio) before one byte is inflated; inflating then counts bytes and stops at the declared size
 * (inflate.ts), so a lying header cannot make an entry bigger than it claimed. Nothing here throws
 * on hostile input: problems become issues.
 */
import type { Readable } from 'node:stream';
import yauzl from 'yauzl';
import { EntryReadError, inflate } from './inflate.js';
import type { IssueCollector } from './issues.js';

export { EntryReadError } from './inflate.js';

/** Limits that keep a hostile zip from costing more than a real bundle would. */
export interface ZipLimits {
  /** Entries in the central directory (a bundle has at most 22 files). */
  maxEntries: number;
  /** Uncompressed bytes of one entry. */
  maxEntryBytes: number;
  /** Uncompressed bytes of all entries together. */
  maxTotalBytes: number;
  /** Uncompressed/compressed ratio above which an entry is treated as a bomb... */
  maxRatio: number;
  /** ...once it is bigger than this (tiny entries have meaningless ratios). */
  ratioFloorBytes: number;
}

/** Defaults sized for a 1,000,000-user, 5,000,000-enrollment district with room to spare. */
export const DEFAULT_ZIP_LIMITS: ZipLimits = {
  maxEntries: 1_000,
  maxEntryBytes: 4 * 1024 ** 3,
  maxTotalBytes: 8 * 1024 ** 3,
  maxRatio: 200,
  ratioFloorBytes: 1024 ** 2,
};

/** A zip read through a yauzl RandomAccessReader instead of a plain file (a sealed bundle, decrypted as it is read). */
export interface RandomAccessZip {
  reader: yauzl.RandomAccessReader;
  /** Bytes of the zip as the reader presents them. */
  size: number;
}

/** A file entry that passed the checks. */
export interface ZipEntryInfo {
  /** The name as stored, `/`-separated. */
  name: string;
  size: number;
  compressedSize: number;
  readonly raw: yauzl.Entry;
}

const S_IFMT = 0o170000;
const S_IFLNK = 0o120000;
const UNIX = 3;
const ENCRYPTED = 0x1;
const STORED = 0;
const DEFLATED = 8;

/** An open bundle zip whose entries have been listed and vetted. */
export class BundleZip {
  private constructor(
    private readonly zip: yauzl.ZipFile,
    /** File entries (directories left out), in central-directory order. */
    readonly entries: ZipEntryInfo[],
  ) {}

  /**
   * Opens `path` (a file, or a random-access reader) and vets its central directory, reporting every
   * problem to `issues`. Returns null when the zip is unreadable or hostile (the issues say why);
   * nothing has been inflated then.
   */
  static async open(path: string | RandomAccessZip, limits: ZipLimits, issues: IssueCollector): Promise<BundleZip | null> {
    let zip: yauzl.ZipFile;
    try {
      // Names are decoded and checked here rather than by yauzl, which would stop at the first bad one.
      const options = { lazyEntries: true, autoClose: false, decodeStrings: false, validateEntrySizes: true };
      zip = typeof path === 'string' ? await yauzl.openPromise(path, options) : await yauzl.fromRandomAccessReaderPromise(path.reader, path.size, options);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'EACCES' || code === 'EISDIR') issues.add('zip.not_found', `Cannot open ${path}: ${code === 'ENOENT' ? 'no such file' : code}.`);
      else issues.add('zip.unreadable', `This is not a readable zip file (${(err as Error).message}).`);
      return null;
    }
    const before = issues.unusable;
    const entries: ZipEntryInfo[] = [];
    const seen = new Set<string>();
    let total = 0;
    let count = 0;
    try {
      for await (const entry of zip.eachEntry()) {
        if (++count > limits.maxEntries) {
          issues.add('zip.too_many_entries', `The zip holds more than ${limits.maxEntries} entries; a roster bundle holds at most 22 files.`);
          break;
        }
        const name = yauzl.getFileNameLowLevel(entry.generalPurposeBitFlag, entry.fileNameRaw, entry.extraFields, true);
        if (!vetName(name, issues)) continue;
        if (seen.has(name)) {
          issues.add('zip.duplicate_entry', `The zip holds two entries named ${name}; which one is meant cannot be known.`, { file: name });
          continue;
        }
        seen.add(name);
        if (name.endsWith('/')) continue;
        if (entry.versionMadeBy >> 8 === UNIX && ((entry.externalFileAttributes >>> 16) & S_IFMT) === S_IFLNK) {
          issues.add('zip.symlink', `${name} is a symbolic link, not a file.`, { file: name });
          continue;
        }
        if (entry.generalPurposeBitFlag & ENCRYPTED) {
          issues.add('zip.encrypted', `${name} is encrypted; send the bundle without a password.`, { file: name });
          continue;
        }
        if (entry.compressionMethod !== STORED && entry.compressionMethod !== DEFLATED) {
          issues.add('zip.unsupported_compression', `${name} uses compression method ${entry.compressionMethod}; use deflate (the zip default).`, { file: name });
          continue;
        }
        const size = entry.uncompressedSize;
        total += size;
        if (size > limits.maxEntryBytes) {
          issues.add('zip.bomb', `${name} would inflate to ${size} bytes, over the ${limits.maxEntryBytes}-byte limit per file.`, { file: name });
        } else if (size > limits.ratioFloorBytes && size > limits.maxRatio * Math.max(entry.compressedSize, 1)) {
          issues.add('zip.bomb', `${name} would inflate ${Math.round(size / Math.max(entry.compressedSize, 1))} times its compressed size, over the limit of ${limits.maxRatio}.`, {
            file: name,
          });
        } else entries.push({ name, size, compressedSize: entry.compressedSize, raw: entry });
      }
    } catch (err) {
      const message = (err as Error).message;
      if (/encryption/i.test(message)) issues.add('zip.encrypted', `The zip uses encryption (${message}); send it without a password.`);
      else issues.add('zip.unreadable', `The zip's directory is damaged (${message}).`);
    }
    if (total > limits.maxTotalBytes) issues.add('zip.bomb', `The zip would inflate to ${total} bytes, over the ${limits.maxTotalBytes}-byte limit.`);
    if (issues.unusable && !before) {
      zip.close();
      return null;
    }
    return new BundleZip(zip, entries);
  }

  /** The stored (compressed) data of `entry`. Throws EntryReadError when it cannot be opened. */
  async openRaw(entry: ZipEntryInfo): Promise<Readable> {
    try {
      return await this.zip.openReadStreamPromise(entry.raw, { decodeFileData: false });
    } catch (err) {
      throw new EntryReadError('file.unreadable', `cannot read its data (${(err as Error).message})`);
    }
  }

  /**
   * The inflated bytes of `entry`, in chunks. Throws EntryReadError when the data is damaged or
   * inflates past its declared size (the caller reports it); it never yields more than `entry.size`.
   */
  async *read(entry: ZipEntryInfo): AsyncGenerator<Buffer> {
    yield* inflate(await this.openRaw(entry), entry.size, isDeflated(entry));
  }

  /** Releases the file descriptor. */
  close(): void {
    this.zip.close();
  }
}

/** Whether the entry's data is deflated (the other method a vetted entry can have is stored). */
export function isDeflated(entry: ZipEntryInfo): boolean {
  return entry.raw.compressionMethod === DEFLATED;
}

// Absolute names, drive letters, `..` segments and control characters are refused outright.
function vetName(name: string, issues: IssueCollector): boolean {
  const shown = JSON.stringify(name);
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(name)) {
    issues.add('zip.bad_name', `The entry name ${shown} holds control characters.`);
    return false;
  }
  if (/^[/\\]|^[a-zA-Z]:/.test(name) || name.split(/[/\\]/).includes('..')) {
    issues.add('zip.path_traversal', `The entry name ${shown} is absolute or climbs out of the bundle.`, { file: name });
    return false;
  }
  return true;
}
