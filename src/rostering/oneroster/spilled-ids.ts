/*
 * The id index of a file no other file refers to (enrollments, roles, demographics): the only
 * question asked of it is "is this sourcedId new in the file?", so the ids themselves need not stay
 * in memory. They are appended to a temporary file (unlinked as soon as it is opened: nothing is
 * left behind, whatever happens), and the table keeps per slot a 16-bit fingerprint of the id and
 * its place in the file: 6 bytes a slot, where an IdSet holds a 24-character id in 36. The file is
 * read back only when a fingerprint matches: a duplicate, or one chance in 65,536 per probe (a few
 * hundred reads for five million ids). Measured on the million-user bundle (5,000,000 enrollments):
 * 172 MB in an IdSet, 48 MB here.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { IdIndex, idKeyOf } from './ids.js';

const MAX_LOAD = 0.6;
// Ids wait here before they are written: one write per MiB, and a duplicate of a recent id is
// found without reading the file.
const PENDING_BYTES = 1 << 20;
// Places are 32-bit byte offsets + 1: 4 GiB of ids in one file (readBundle reports the throw).
const MAX_PLACE = 0xffffffff;

/** A set of the ids of one file, kept in a temporary file with fingerprints in memory. */
export class SpilledIdSet extends IdIndex {
  private fingerprints: Uint16Array<ArrayBuffer>;
  /** Byte offset + 1 of each id's record in the spill (pending bytes included); 0 for an empty slot. */
  private places: Uint32Array<ArrayBuffer>;
  private count = 0;
  private fd: number | null = null;
  /** Bytes written to the file so far. */
  private written = 0;
  private pending = Buffer.allocUnsafe(PENDING_BYTES);
  private pendingUsed = 0;
  private scratch = Buffer.allocUnsafe(256);

  /** `expected` sizes the table up front (it still grows past it). */
  constructor(expected = 1000) {
    super();
    let slots = 1024;
    while (slots * MAX_LOAD < expected) slots *= 2;
    this.fingerprints = new Uint16Array(slots);
    this.places = new Uint32Array(slots);
  }

  /** How many ids the set holds. */
  get size(): number {
    return this.count;
  }

  /** Bytes held in memory (the table and the pending ids). */
  get bytes(): number {
    return this.fingerprints.byteLength + this.places.byteLength + this.pending.length;
  }

  /** Whether the id in `bytes[start, end)`, of key `key`, is in the set. */
  hasBytes(bytes: Uint8Array, start: number, end: number, key: number): boolean {
    return this.places[this.find(bytes, start, end, key, fingerprintOf(bytes, start, end))] !== 0;
  }

  /** Adds the id in `bytes[start, end)`, of key `key`; returns false when it was already there. */
  addBytes(bytes: Uint8Array, start: number, end: number, key: number): boolean {
    const fingerprint = fingerprintOf(bytes, start, end);
    const slot = this.find(bytes, start, end, key, fingerprint);
    if (this.places[slot] !== 0) return false;
    this.fingerprints[slot] = fingerprint;
    this.places[slot] = this.store(bytes, start, end) + 1;
    if (++this.count > this.places.length * MAX_LOAD) this.grow();
    return true;
  }

  /** Closes and so deletes the spill file, and frees the table now (see IdSet.release). */
  release(): void {
    if (this.fd !== null) fs.closeSync(this.fd);
    this.fd = null;
    this.fingerprints.buffer.transfer(0);
    this.places.buffer.transfer(0);
    // One empty slot: probing needs a slot to end on.
    this.fingerprints = new Uint16Array(1);
    this.places = new Uint32Array(1);
    this.count = 0;
    this.written = 0;
    this.pendingUsed = 0;
  }

  // The slot holding the id, or the empty slot where it would go (linear probing).
  private find(bytes: Uint8Array, start: number, end: number, key: number, fingerprint: number): number {
    const places = this.places;
    const mask = places.length - 1;
    for (let slot = key & mask; ; slot = (slot + 1) & mask) {
      const place = places[slot] as number;
      if (place === 0) return slot;
      if (this.fingerprints[slot] === fingerprint && this.holds(place - 1, bytes, start, end)) return slot;
    }
  }

  // Whether the record at `place` is the id in bytes[start, end).
  private holds(place: number, bytes: Uint8Array, start: number, end: number): boolean {
    const len = end - start;
    let record: Buffer;
    let at: number;
    if (place >= this.written) {
      record = this.pending;
      at = place - this.written;
    } else {
      if (this.scratch.length < 4 + len) this.scratch = Buffer.allocUnsafe(4 + len);
      const read = fs.readSync(this.fd!, this.scratch, 0, 4 + len, place);
      if (read < 4) return false;
      record = this.scratch;
      at = 0;
    }
    if (record.readUInt32LE(at) !== len) return false;
    return record.compare(bytes, start, end, at + 4, at + 4 + len) === 0;
  }

  // Appends an id's record (length, then bytes); returns its place.
  private store(bytes: Uint8Array, start: number, end: number): number {
    const len = end - start;
    if (this.pendingUsed + 4 + len > this.pending.length) {
      this.flush();
      if (4 + len > this.pending.length) this.pending = Buffer.allocUnsafe(4 + len);
    }
    const place = this.written + this.pendingUsed;
    if (place + 4 + len >= MAX_PLACE) throw new RangeError('more than 4 GiB of sourcedIds in one file');
    this.pending.writeUInt32LE(len, this.pendingUsed);
    this.pending.set(bytes.subarray(start, end), this.pendingUsed + 4);
    this.pendingUsed += 4 + len;
    return place;
  }

  private flush(): void {
    if (!this.pendingUsed) return;
    this.fd ??= openSpill();
    fs.writeSync(this.fd, this.pending, 0, this.pendingUsed, this.written);
    this.written += this.pendingUsed;
    this.pendingUsed = 0;
  }

  // Doubles the table; the keys come from reading every id back (a table sized by the file's
  // size seldom grows).
  private grow(): void {
    this.flush();
    const places = new Uint32Array(this.places.length * 2);
    const fingerprints = new Uint16Array(places.length);
    const mask = places.length - 1;
    let chunk = Buffer.allocUnsafe(PENDING_BYTES);
    for (let offset = 0; offset < this.written;) {
      const got = fs.readSync(this.fd!, chunk, 0, Math.min(chunk.length, this.written - offset), offset);
      let at = 0;
      while (at + 4 <= got && at + 4 + chunk.readUInt32LE(at) <= got) {
        const len = chunk.readUInt32LE(at);
        let slot = idKeyOf(chunk, at + 4, at + 4 + len) & mask;
        while (places[slot] !== 0) slot = (slot + 1) & mask;
        places[slot] = offset + at + 1;
        fingerprints[slot] = fingerprintOf(chunk, at + 4, at + 4 + len);
        at += 4 + len;
      }
      // A record longer than the chunk: read it whole next time.
      if (at === 0) chunk = Buffer.allocUnsafe(chunk.length * 2);
      offset += at;
    }
    this.places = places;
    this.fingerprints = fingerprints;
  }
}

// Opens a new spill file, readable by this user only, and unlinks it: the open descriptor keeps it
// until it is closed or the process ends.
function openSpill(): number {
  const file = path.join(os.tmpdir(), `lectern-ids-${crypto.randomUUID()}`);
  const fd = fs.openSync(file, 'wx+', 0o600);
  fs.unlinkSync(file);
  return fd;
}

// FNV-1a folded to 16 bits: independent of the key's MurmurHash3, so a slot's fingerprint adds 16 bits to the table's.
function fingerprintOf(bytes: Uint8Array, start: number, end: number): number {
  let h = 0x811c9dc5;
  for (let k = start; k < end; k++) h = Math.imul(h ^ (bytes[k] as number), 0x01000193);
  return (h ^ (h >>> 16)) & 0xffff;
}
