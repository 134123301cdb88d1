/*
 * A set of sourcedIds in a fraction of the memory of Set<string>: ids are copied as bytes into one
 * growing arena and found through an open-addressing table of arena offsets. A 12-character id
 * costs 13 arena bytes plus 4–8 table bytes, about 21 bytes in all against 60–80 for a Set of
 * strings, and the chunk strings the ids were sliced from are not kept alive. Ids with characters
 * above U+00FF or longer than 255 characters (rare, never seen in real bundles) go to a plain Set.
 */

const EMPTY = 0;
const MAX_LOAD = 0.6;

/** A set of strings optimised for millions of short Latin-1 identifiers. */
export class IdSet {
  private arena = new Uint8Array(1 << 16);
  private used = 0;
  /** Arena offset + 1 of each id, 0 for an empty slot; length is a power of two. */
  private slots = new Int32Array(1 << 10);
  private count = 0;
  private readonly wide = new Set<string>();

  /** How many ids the set holds. */
  get size(): number {
    return this.count + this.wide.size;
  }

  /** Bytes held by the arena and the table (for the memory report). */
  get bytes(): number {
    return this.arena.byteLength + this.slots.byteLength;
  }

  /** Whether `id` is in the set. */
  has(id: string): boolean {
    if (!compact(id)) return this.wide.has(id);
    return this.slots[this.find(id, hash(id))] !== EMPTY;
  }

  /** Adds `id`; returns false when it was already there. */
  add(id: string): boolean {
    if (!compact(id)) {
      if (this.wide.has(id)) return false;
      this.wide.add(id);
      return true;
    }
    const slot = this.find(id, hash(id));
    if (this.slots[slot] !== EMPTY) return false;
    this.slots[slot] = this.store(id) + 1;
    if (++this.count > this.slots.length * MAX_LOAD) this.grow();
    return true;
  }

  // The slot holding `id`, or the empty slot where it would go (linear probing).
  private find(id: string, h: number): number {
    const mask = this.slots.length - 1;
    const arena = this.arena;
    const len = id.length;
    for (let slot = h & mask; ; slot = (slot + 1) & mask) {
      const at = this.slots[slot] ?? EMPTY;
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

function compact(id: string): boolean {
  if (id.length > 255) return false;
  for (let k = 0; k < id.length; k++) if (id.charCodeAt(k) > 0xff) return false;
  return true;
}

// FNV-1a: the same value from a string and from its Latin-1 bytes.
function hash(id: string): number {
  let h = 0x811c9dc5;
  for (let k = 0; k < id.length; k++) h = Math.imul(h ^ id.charCodeAt(k), 0x01000193);
  return h >>> 0;
}

function hashBytes(bytes: Uint8Array, from: number, len: number): number {
  let h = 0x811c9dc5;
  for (let k = from; k < from + len; k++) h = Math.imul(h ^ (bytes[k] ?? 0), 0x01000193);
  return h >>> 0;
}
