/*
 * sourcedIds: their key (hash and shape, computed in one pass over the bytes, since ids are the
 * most-touched values of a bundle) and a set of them in a fraction of the memory of Set<string>.
 * Ids are handled as the UTF-8 bytes the tokenizer already holds, never as decoded strings: the
 * hot path hashes and compares byte ranges of the inflated chunk. IdSet copies ids into one
 * growing arena and finds them through an open-addressing table of tagged arena positions: a
 * 24-character id costs 28 arena bytes plus 4–8 table bytes, about 36 in all against ~90 for a Set
 * of strings.
 * Ids longer than 255 bytes (never seen in real bundles) go to a plain Set.
 */
import os from 'node:os';

const GUID_BYTES = new Uint8Array(256);
for (const c of '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz./@_-') GUID_BYTES[c.charCodeAt(0)] = 1;

// A key is 28 hash bits and two flags above them: small enough to stay a V8 small integer, which
// crosses calls without being boxed (a boxed double key cost an allocation per id).
const HASH_BITS = 0x0fffffff;
const NOT_GUID = 1 << 28;
const WIDE = 1 << 29;
const MAX_ARENA_ID = 255;

/**
 * The key of the id in `bytes[start, end)` (UTF-8): a 28-bit hash, plus flags for "not a GUID"
 * (outside the shape LongsightGroup's conformance reader enforces, `[0-9A-Za-z./@_-]{1,255}`)
 * and "too long for the arena".
 */
export function idKeyOf(bytes: Uint8Array, start: number, end: number): number {
  // MurmurHash3 (32-bit) a word at a time: a quarter of the multiplies of a bytewise hash.
  let h = 0x9747b28c;
  let guid = 1;
  let k = start;
  for (; k + 4 <= end; k += 4) {
    const c0 = bytes[k] as number;
    const c1 = bytes[k + 1] as number;
    const c2 = bytes[k + 2] as number;
    const c3 = bytes[k + 3] as number;
    guid &= (GUID_BYTES[c0] as number) & (GUID_BYTES[c1] as number) & (GUID_BYTES[c2] as number) & (GUID_BYTES[c3] as number);
    h ^= scramble(c0 | (c1 << 8) | (c2 << 16) | (c3 << 24));
    h = Math.imul((h << 13) | (h >>> 19), 5) + 0xe6546b64;
  }
  let tail = 0;
  for (let shift = 0; k < end; k++, shift += 8) {
    const c = bytes[k] as number;
    guid &= GUID_BYTES[c] as number;
    tail |= c << shift;
  }
  const n = end - start;
  h = mix(h ^ scramble(tail) ^ n);
  const wide = n > MAX_ARENA_ID;
  return (h & HASH_BITS) | (guid === 0 || n === 0 || wide ? NOT_GUID : 0) | (wide ? WIDE : 0);
}

function scramble(word: number): number {
  const w = Math.imul(word, 0xcc9e2d51);
  return Math.imul((w << 15) | (w >>> 17), 0x1b873593);
}

/** The key of `id` (see idKeyOf). */
export function idKey(id: string): number {
  const bytes = Buffer.from(id);
  return idKeyOf(bytes, 0, bytes.length);
}

/** Whether the id of `key` has the GUID shape. */
export function isGuidKey(key: number): boolean {
  return key < NOT_GUID;
}

const EMPTY = 0;
const MAX_LOAD = 0.6;

/*
 * The arena holds each id as a word (4 bytes) of its length, then its bytes zero-padded to whole
 * words, so a lookup compares four bytes at a time (a 24-byte id in 6 steps, not 24): 28 bytes for
 * a 24-byte id. A slot packs an id's word index + 1 (29 bits: arenas up to 2 GiB; 0 is an empty
 * slot) with a 3-bit tag of its hash (bits the table mask does not use): probing reads the arena, a
 * random memory access and the main cost of a lookup, only for slots whose tag matches.
 */
const POSITION = 0x1fffffff;
const tagOf = (key: number): number => ((key >>> 25) & 7) << 29;

// The input's bytes are read as little-endian words to compare with the arena's words.
if (os.endianness() !== 'LE') throw new Error('IdSet compares ids as little-endian words; this machine is big-endian.');

/** An index of a file's sourcedIds: what duplicate and reference checks ask of one. */
export abstract class IdIndex {
  /** How many ids the index holds. */
  abstract readonly size: number;
  /** Whether the id in `bytes[start, end)`, of key `key`, is in the index. */
  abstract hasBytes(bytes: Uint8Array, start: number, end: number, key: number): boolean;
  /** Adds the id in `bytes[start, end)`, of key `key`; returns false when it was already there. */
  abstract addBytes(bytes: Uint8Array, start: number, end: number, key: number): boolean;
  /** Frees the index's memory now; it is empty after. */
  abstract release(): void;

  /** Whether `id` is in the index. */
  has(id: string): boolean {
    const bytes = Buffer.from(id);
    return this.hasBytes(bytes, 0, bytes.length, idKeyOf(bytes, 0, bytes.length));
  }

  /** Adds `id`; returns false when it was already there. */
  add(id: string): boolean {
    const bytes = Buffer.from(id);
    return this.addBytes(bytes, 0, bytes.length, idKeyOf(bytes, 0, bytes.length));
  }
}

/** A set of ids optimised for millions of short identifiers, looked up by their UTF-8 bytes. */
export class IdSet extends IdIndex {
  private arena: Uint8Array<ArrayBuffer>;
  /** The arena as words. */
  private words: Int32Array<ArrayBuffer>;
  /** Words of the arena in use. */
  private used = 0;
  /** Tag and arena word + 1 of each id, 0 for an empty slot; length is a power of two. */
  private slots: Int32Array<ArrayBuffer>;
  private count = 0;
  private readonly wide = new Set<string>();

  /** `expected` sizes the set up front (it still grows past it). */
  constructor(expected = 1000) {
    super();
    let slots = 1024;
    while (slots * MAX_LOAD < expected) slots *= 2;
    this.slots = new Int32Array(slots);
    // Generous on purpose: a zero-filled buffer costs memory only where it is written, while
    // growing copies the arena and holds both copies at once (the peak of a million-user import).
    this.arena = new Uint8Array(Math.max(1 << 16, Math.ceil(expected) * 40));
    this.words = new Int32Array(this.arena.buffer);
  }

  /** How many ids the set holds. */
  get size(): number {
    return this.count + this.wide.size;
  }

  /** Bytes held by the arena and the table. */
  get bytes(): number {
    return this.arena.byteLength + this.slots.byteLength;
  }

  /** Whether the id in `bytes[start, end)`, of key `key`, is in the set. */
  hasBytes(bytes: Uint8Array, start: number, end: number, key: number): boolean {
    if (key >= WIDE) return this.wide.has(Buffer.from(bytes.buffer, bytes.byteOffset + start, end - start).toString());
    return this.slots[this.find(bytes, start, end - start, key)] !== EMPTY;
  }

  /** Adds the id in `bytes[start, end)`, of key `key`; returns false when it was already there. */
  addBytes(bytes: Uint8Array, start: number, end: number, key: number): boolean {
    if (key >= WIDE) {
      const id = Buffer.from(bytes.buffer, bytes.byteOffset + start, end - start).toString();
      if (this.wide.has(id)) return false;
      this.wide.add(id);
      return true;
    }
    const len = end - start;
    const slot = this.find(bytes, start, len, key);
    if (this.slots[slot] !== EMPTY) return false;
    this.slots[slot] = tagOf(key) | (this.store(bytes, start, len) + 1);
    if (++this.count > this.slots.length * MAX_LOAD) this.grow();
    return true;
  }

  // The slot holding the id, or the empty slot where it would go (linear probing).
  private find(bytes: Uint8Array, start: number, len: number, key: number): number {
    const slots = this.slots;
    const mask = slots.length - 1;
    const words = this.words;
    const tag = tagOf(key);
    const whole = start + (len & ~3);
    const end = start + len;
    for (let slot = key & mask; ; slot = (slot + 1) & mask) {
      const v = slots[slot] as number;
      if (v === EMPTY) return slot;
      if ((v & ~POSITION) !== tag) continue;
      let w = v & POSITION;
      if (words[w - 1] !== len) continue;
      let k = start;
      while (k < whole && words[w] === ((bytes[k] as number) | ((bytes[k + 1] as number) << 8) | ((bytes[k + 2] as number) << 16) | ((bytes[k + 3] as number) << 24))) {
        k += 4;
        w++;
      }
      if (k < whole) continue;
      if (k === end) return slot;
      let tail = 0;
      for (let shift = 0; k < end; k++, shift += 8) tail |= (bytes[k] as number) << shift;
      if (words[w] === tail) return slot;
    }
  }

  // Copies an id into the arena; returns the word of its length.
  private store(bytes: Uint8Array, start: number, len: number): number {
    const at = this.used;
    const need = 1 + ((len + 3) >> 2);
    // Word indexes have 29 bits: a file would need over 2 GiB of ids alone to get here (readBundle reports the throw).
    if (at + need >= POSITION) throw new RangeError('more than 2 GiB of sourcedIds in one file');
    if (at + need > this.words.length) {
      const bigger = new Uint8Array(Math.max(this.arena.length * 2, (at + need) * 4));
      bigger.set(this.arena.subarray(0, at * 4));
      this.arena = bigger;
      this.words = new Int32Array(bigger.buffer);
    }
    const words = this.words;
    words[at] = len;
    // Four bytes a word, as find reads them; the arena is zero-filled, so the last word's padding is 0.
    let w = at + 1;
    let k = start;
    for (const whole = start + (len & ~3); k < whole; k += 4) {
      words[w++] = (bytes[k] as number) | ((bytes[k + 1] as number) << 8) | ((bytes[k + 2] as number) << 16) | ((bytes[k + 3] as number) << 24);
    }
    let tail = 0;
    for (let shift = 0; k < start + len; k++, shift += 8) tail |= (bytes[k] as number) << shift;
    if (tail) words[w] = tail;
    this.used = at + need;
    return at;
  }

  /**
   * Frees the arena and the table now rather than at a later garbage collection (detaching their
   * buffers releases the memory at once); the set is empty after. A reader releases
   * its indexes as it ends, so they never sit beside the import's next step (indexing the stage).
   */
  release(): void {
    this.arena = new Uint8Array(this.arena.buffer.transfer(0));
    this.words = new Int32Array(this.arena.buffer);
    this.slots.buffer.transfer(0);
    // One empty slot: probing needs a slot to end on.
    this.slots = new Int32Array(1);
    this.used = 0;
    this.count = 0;
    this.wide.clear();
  }

  private grow(): void {
    const slots = new Int32Array(this.slots.length * 2);
    const mask = slots.length - 1;
    const words = this.words;
    for (let at = 0; at < this.used; at += 1 + (((words[at] as number) + 3) >> 2)) {
      const from = (at + 1) * 4;
      const key = idKeyOf(this.arena, from, from + (words[at] as number));
      let slot = key & mask;
      while (slots[slot] !== EMPTY) slot = (slot + 1) & mask;
      slots[slot] = tagOf(key) | (at + 1);
    }
    this.slots = slots;
  }
}

// MurmurHash3's finaliser, so the low bits the table mask keeps depend on every byte.
function mix(h: number): number {
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}
