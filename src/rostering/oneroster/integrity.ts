/*
 * The id indexes behind duplicate and reference checks. Files are read in dependency order, so a
 * reference into another file is checked the moment its row is read, against an index that is
 * already complete. Only references into the file being read (org → parent org, session → parent
 * session, user → agents) can point forwards; those are all optional, so they are buffered
 * compactly and reported as warnings when the file ends. A reference is checked only when its
 * target file is in the bundle in bulk and was read to the end: a delta or absent file says
 * nothing about which ids exist, and a broken one would make every later id look missing.
 */
import { IdSet, type IdIndex } from './ids.js';
import type { IssueCollector } from './issues.js';
import { TABLES, type EntityFile } from './spec.js';
import { SpilledIdSet } from './spilled-ids.js';

// Files some column refers to. The others (enrollments, roles, demographics) are only checked for
// duplicates, so their ids can wait on disk (SpilledIdSet): enrollments are most of a bundle's ids.
const REFERENCED: ReadonlySet<EntityFile> = new Set(Object.values(TABLES).flatMap((columns) => columns.flatMap((c) => ('target' in c ? [c.target as EntityFile] : []))));

/** Id indexes of every file read so far, plus the forward references of the current file. */
export class Integrity {
  private readonly ids = new Map<EntityFile, IdIndex>();
  /** Files whose index is complete and authoritative (bulk, read to the end). */
  private readonly complete = new Set<EntityFile>();
  /** Sub-indexes for the type checks: orgs of type school, sessions of type schoolYear. */
  readonly schools = new IdSet();
  readonly schoolYears = new IdSet();
  private current: { file: EntityFile; ids: IdIndex; checksOwn: boolean } | null = null;
  /** Per file, the ids its rows mark tobedeleted: known for delta files too, so always checked. */
  private readonly deleted = new Map<EntityFile, IdSet>();
  private readonly deferred = new DeferredRefs();

  constructor(private readonly issues: IssueCollector) {}

  /**
   * Starts reading `file`; `bulk` says whether its ids may be trusted as the complete set, and
   * `expectedRows` sizes its index so it seldom has to grow.
   */
  begin(file: EntityFile, bulk: boolean, expectedRows: number): void {
    const ids = REFERENCED.has(file) ? new IdSet(expectedRows) : new SpilledIdSet(expectedRows);
    this.ids.set(file, ids);
    this.current = { file, ids, checksOwn: bulk };
  }

  /** Adds the sourcedId in bytes[start, end) (of idKey `key`) of a row of the current file; false when the file already had it. */
  claim(bytes: Uint8Array, start: number, end: number, key: number): boolean {
    return this.current?.ids.addBytes(bytes, start, end, key) ?? true;
  }

  /** Records that a row of the current file marks the sourcedId in bytes[start, end) tobedeleted. */
  markDeleted(bytes: Uint8Array, start: number, end: number, key: number): void {
    const current = this.current;
    if (!current) return;
    let ids = this.deleted.get(current.file);
    if (!ids) this.deleted.set(current.file, (ids = new IdSet(64)));
    ids.addBytes(bytes, start, end, key);
  }

  /** Whether a row read so far marks the sourcedId in bytes[start, end) of `target` tobedeleted. */
  isDeleted(target: EntityFile, bytes: Uint8Array, start: number, end: number, key: number): boolean {
    return this.deleted.get(target)?.hasBytes(bytes, start, end, key) ?? false;
  }

  /**
   * The index references into `target` are checked against while the current file is read: `own`
   * when it is the current file (a miss may be defined further down), null when references into it
   * cannot be checked (not in the bundle in bulk, or not read to the end).
   */
  indexOf(target: EntityFile): { ids: IdIndex; own: boolean } | null {
    const current = this.current;
    if (current?.file === target) return current.checksOwn ? { ids: current.ids, own: true } : null;
    const ids = this.ids.get(target);
    return ids && this.complete.has(target) ? { ids, own: false } : null;
  }

  /**
   * Remembers a reference into the current file that may be defined further down. `secret` says the
   * reference holds its row's password: if it never resolves, the issue names the column, not the value.
   */
  defer(line: number, sourcedId: string | null, column: string, ref: string, secret: boolean): void {
    this.deferred.push(line, sourcedId ?? '', column, ref, secret);
  }

  /**
   * Ends the current file: reports its forward references that never resolved (as warnings on the
   * referring rows), and marks its index complete when the file was bulk and read to the end.
   */
  end(fileName: string, readToEnd: boolean): void {
    const current = this.current;
    if (!current) return;
    if (readToEnd) {
      this.deferred.forEach((line, sourcedId, column, ref, secret) => {
        if (current.ids.has(ref)) return;
        const shown = secret ? '(a value hidden because it holds the password of its row)' : ref;
        this.issues.add('ref.unresolved_optional', `${column} ${shown} is not a sourcedId in ${fileName}; the link is ignored.`, { file: fileName, line, column, sourcedId: sourcedId || null });
      });
      if (current.checksOwn) this.complete.add(current.file);
    }
    this.deferred.clear();
    this.current = null;
  }

  /** Frees every index at once (see IdSet.release): reading is over. */
  release(): void {
    for (const ids of [...this.ids.values(), ...this.deleted.values(), this.schools, this.schoolYears]) ids.release();
    this.ids.clear();
    this.deleted.clear();
    this.complete.clear();
  }
}

// Marks a deferred reference that holds its row's password (column numbers stay below it).
const SECRET_BIT = 0x80;

/**
 * Forward references as bytes: line (4), column number (1, its top bit set when the reference holds
 * its row's password), then sourcedId and reference as length-prefixed (4) UTF-8: 13 bytes plus the
 * two ids per reference, no object per reference.
 */
class DeferredRefs {
  private buf = Buffer.alloc(1 << 12);
  private used = 0;
  private readonly columns: string[] = [];

  push(line: number, sourcedId: string, column: string, ref: string, secret: boolean): void {
    let col = this.columns.indexOf(column);
    if (col < 0) col = this.columns.push(column) - 1;
    const need = 13 + Buffer.byteLength(sourcedId) + Buffer.byteLength(ref);
    if (this.used + need > this.buf.length) {
      const bigger = Buffer.alloc(Math.max(this.buf.length * 2, this.used + need));
      this.buf.copy(bigger, 0, 0, this.used);
      this.buf = bigger;
    }
    let at = this.buf.writeUInt32LE(line, this.used);
    at = this.buf.writeUInt8(col | (secret ? SECRET_BIT : 0), at);
    for (const text of [sourcedId, ref]) {
      const len = this.buf.write(text, at + 4);
      this.buf.writeUInt32LE(len, at);
      at += 4 + len;
    }
    this.used = at;
  }

  forEach(fn: (line: number, sourcedId: string, column: string, ref: string, secret: boolean) => void): void {
    for (let at = 0; at < this.used;) {
      const line = this.buf.readUInt32LE(at);
      const flags = this.buf.readUInt8(at + 4);
      const column = this.columns[flags & ~SECRET_BIT] ?? '';
      const idLen = this.buf.readUInt32LE(at + 5);
      const sourcedId = this.buf.toString('utf8', at + 9, at + 9 + idLen);
      at += 9 + idLen;
      const refLen = this.buf.readUInt32LE(at);
      const ref = this.buf.toString('utf8', at + 4, at + 4 + refLen);
      at += 4 + refLen;
      fn(line, sourcedId, column, ref, (flags & SECRET_BIT) !== 0);
    }
  }

  clear(): void {
    this.used = 0;
    this.buf = Buffer.alloc(1 << 12);
  }
}
