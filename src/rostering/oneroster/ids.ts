/*
 * sourcedIds: their key (hash and shape, computed in one pass over the characters, since ids are
 * the most-touched strings of a bundle) and a set of them in a fraction of the memory of
 * Set<string>. IdSet copies ids as bytes into one growing arena and finds them through an
 * open-addressing table of arena offsets: a 24-character id costs 25 arena bytes plus 4–8 table
 * bytes, about 33 in all against ~90 for a Set of strings, and the chunk strings the ids were
 * sliced from are not kept alive. Ids with characters above U+00FF or longer than 255 characters
 * (never seen in real bundles) go to a plain Set.
 */

const GUID_CHARS = new Uint8Array(128);
for (const c of '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz./@_-') GUID_CHARS[c.charCodeAt(0)] = 1;

// Flags above the 32 hash bits of a key (a double holds them exactly).
const NOT_GUID = 2 ** 32;
const WIDE = 2 ** 33;

/**
 * The key of an id: a 32-bit hash, plus flags for "not a GUID" (outside the shape LongsightGroup's
 * conformance reader enforces, `[0-9A-Za-z./@_-]{1,255}`) and "not storable as Latin-1 bytes".
 */
export function idKey(id: string): number {
  const n = id.length;
  let h = 0x811c9dc5;
  let odd = 0;
  for (let k = 0; k < n; k++) {
    const c = id.charCodeAt(k);
    h = Math.imul(h ^ c, 0x01000193);
    odd |= c > 0x7f ? c : GUID_CHARS[c] === 1 ? 0 : 1;
  }
  const wide = odd > 0xff || n > 255;
  return mix(h) + (odd !== 0 || n === 0 || wide ? NOT_GUID : 0) + (wide ? WIDE : 0);
}

/** Whether the id of `key` has the GUID shape. */
export function isGuidKey(key: number): boolean {
  return key < NOT_GUID;
}

const EMPTY = 0;
const MAX_LOAD = 0.6;

/** A set of strings optimised for millions of short Latin-1 identifiers. */
export class IdSet {
  private arena: Uint8Array;
  private used = 0;
  /** Arena offset + 1 of each id, 0 for an empty slot; length is a power of two. */
  private slots: Int32Array;
  private count = 0;
  private readonly wide = new Set<string>();

  /** `expected` sizes the set up front (it still grows past it). */
  constructor(expected = 1000) {
    let slots = 1024;
    while (slots * MAX_LOAD < expected) slots *= 2;
    this.slots = new Int32Array(slots);
    this.arena = new Uint8Array(Math.max(1 << 16, expected * 16));
  }

  /** How many ids the set holds. */
  get size(): number {
    return this.count + this.wide.size;
  }

  /** Bytes held by the arena and the table. */
  get bytes(): number {
    return this.arena.byteLength + this.slots.byteLength;
  }

  /** Whether `id` is in the set (`key` = idKey(id), when the caller has it already). */
  has(id: string, key = idKey(id)): boolean {
    if (key >= WIDE) return this.wide.has(id);
    return this.slots[this.find(id, key)] !== EMPTY;
  }

  /** Adds `id`; returns false when it was already there. */
  add(id: string, key = idKey(id)): boolean {
    if (key >= WIDE) {
      if (this.wide.has(id)) return false;
      this.wide.add(id);
      return true;
    }
    const slot = this.find(id, key);
    if (this.slots[slot] !== EMPTY) return false;
    this.slots[slot] = this.store(id) + 1;
    if (++this.count > this.slots.length * MAX_LOAD) this.grow();
    return true;
  }

  // The slot holding `id`, or the empty slot where it would go (linear probing).
  private find(id: string, key: number): number {
    const slots = this.slots;
    const mask = slots.length - 1;
    const arena = this.arena;
    const len = id.length;
    for (let slot = key & mask; ; slot = (slot + 1) & mask) {
      const at = slots[slot] ?? EMPTY;
      if (at === EMPTY) return slot;
      if (arena[at - 1] !== len) continue;
      let k = 0;
      while (k < len && arena[at + k] === id.charCodeAt(k)) k++;
      if (k === len) return slot;
    }
  }

  private store(id: string): number {
    const len = id.length;
    if (this.used + len + 1 > this.arena.length) {
      const bigger = new Uint8Array(Math.max(this.arena.length * 2, this.used + len + 1));
      bigger.set(this.arena.subarray(0, this.used));
      this.arena = bigger;
    }
    const at = this.used;
    this.arena[at] = len;
    for (let k = 0; k < len; k++) this.arena[at + 1 + k] = id.charCodeAt(k);
    this.used += len + 1;
    return at;
  }

  private grow(): void {
    const slots = new Int32Array(this.slots.length * 2);
    const mask = slots.length - 1;
    const arena = this.arena;
    for (let at = 0; at < this.used; at += (arena[at] ?? 0) + 1) {
      let slot = hashBytes(arena, at + 1, arena[at] ?? 0) & mask;
      while (slots[slot] !== EMPTY) slot = (slot + 1) & mask;
      slots[slot] = at + 1;
    }
    this.slots = slots;
  }
}

// The hash idKey computes, from an id's Latin-1 bytes.
function hashBytes(bytes: Uint8Array, from: number, len: number): number {
  let h = 0x811c9dc5;
  for (let k = from; k < from + len; k++) h = Math.imul(h ^ (bytes[k] ?? 0), 0x01000193);
  return mix(h);
}

// MurmurHash3's finaliser: FNV-1a's low bits (the ones the table mask keeps) are poorly mixed for
// ids that differ only at the end.
function mix(h: number): number {
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}
